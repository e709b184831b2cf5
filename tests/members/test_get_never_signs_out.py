"""GET requests never change state: no link (in chat, in an email) can sign a member out."""

from __future__ import annotations

import re

import pytest

from stac_youth.members import invitations
from tests.conftest import login


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _invitation_token(make_user) -> str:
    admin = make_user("admin")
    created = invitations.invite_member(admin, "newcomer@example.org", "member", None, link_for=lambda token: token)
    return created.token


def test_a_bad_invitation_link_does_not_sign_out(client, login_as):
    login_as("member")
    response = client.get("/register/not-a-real-token")
    assert response.status_code == 404
    assert _signed_in(client)


def test_a_valid_invitation_link_offers_a_post_sign_out_instead(client, make_user):
    token = _invitation_token(make_user)
    member = make_user("member", display_name="Ana Signed-In")
    assert login(client, member).status_code == 302
    page = client.get(f"/register/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "You are signed in as Ana Signed-In. Sign out to use this invitation." in html
    forms = re.findall(r'<form method="post" action="/logout">(.*?)</form>', html, re.S)
    assert any(f'name="next" value="/register/{token}"' in form for form in forms), html
    assert _signed_in(client)
    # Sending the invitation form while signed in creates nothing and signs nobody out either.
    client.post(f"/register/{token}", data={"display_name": "Someone", "password": "a long enough passphrase"})
    assert _signed_in(client)
    assert invitations.find_open_invitation(token) is not None
    # The POST button signs out and comes back to the invitation, now usable.
    response = client.post("/logout", data={"next": f"/register/{token}"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/register/{token}"
    assert not _signed_in(client)
    assert b"Create your account" in client.get(f"/register/{token}").data


def test_sign_out_never_follows_a_next_address_off_the_site(client, login_as):
    login_as("member")
    response = client.post("/logout", data={"next": "//evil.example/phish"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("role", ["member", "admin"])
def test_no_get_route_signs_out(app, client, make_user, role):
    """Every GET route, with placeholder ids and tokens (1), leaves the visitor signed in."""
    assert login(client, make_user(role)).status_code == 302
    adapter = app.url_map.bind("localhost")
    visited = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        url = adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, 1))
        assert client.get(url).status_code < 500, url
        assert _signed_in(client), f"GET {url} signed the {role} out"
        visited += 1
    assert visited > 40
