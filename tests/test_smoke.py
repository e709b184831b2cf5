from tests.conftest import login


def test_login_and_home(client, make_user):
    user = make_user("admin")
    assert client.get("/").status_code == 302
    assert login(client, user).status_code == 302
    for url in ["/", "/members", f"/members/{user.id}", "/profile/edit", "/account", "/account/password",
                "/account/export.json", "/account/delete", "/admin/invitations", "/admin/users", "/admin/regions",
                "/admin/audit"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.data[:2000])
