"""What a browser keeps for a sign-in ends with it: sign-out clears site storage; each page names its sign-in."""

from __future__ import annotations

import re

from tests.conftest import login

LOGIN_KEY = re.compile(r'<meta name="stac-login" content="([0-9a-f]*)">')


def _login_key(client, path: str = "/rooms") -> str:
    response = client.get(path)
    assert response.status_code == 200
    [key] = LOGIN_KEY.findall(response.get_data(as_text=True))
    return key


def test_signing_out_tells_the_browser_to_clear_what_it_stored(app, client, make_user):
    assert login(client, make_user("member")).status_code == 302
    assert "Clear-Site-Data" not in client.get("/rooms").headers  # only the end of a session clears

    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert response.headers["Clear-Site-Data"] == '"storage"'
    assert client.get("/rooms").status_code == 302  # and the session is over


def test_each_sign_in_names_its_own_storage_and_a_signed_out_page_names_none(app, client, make_user):
    member = make_user("member")
    assert login(client, member).status_code == 302
    first = _login_key(client)
    assert re.fullmatch(r"[0-9a-f]{24}", first)
    assert _login_key(client, "/account") == first  # the same sign-in on every page
    session_cookie = client.get_cookie("session").value
    assert first not in session_cookie

    other_device = app.test_client()
    assert login(other_device, member).status_code == 302
    assert _login_key(other_device) != first

    client.post("/logout")
    assert _login_key(client, "/login") == ""
    assert login(client, member).status_code == 302
    assert _login_key(client) not in ("", first)  # signing in again: what the last sign-in kept is not this one's
