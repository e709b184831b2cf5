"""The session cookie keeps Flask's signed format while its signer is made once per secret."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface

from stac_youth.members.session_cookies import SignedCookieSessions

DATA = {"_user_id": "7:1:token", "csrf_token": "abc", "poll_receipt": {"poll": 3, "code": "ABCD-EFGH-IJKL-MNOP"}}


def _open(app, interface, cookie: str):
    name = app.config["SESSION_COOKIE_NAME"]
    with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"}) as context:
        return dict(interface.open_session(app, context.request))


def _signed(app, interface) -> str:
    return interface.get_signing_serializer(app).dumps(DATA)


def test_the_app_uses_it(app):
    assert isinstance(app.session_interface, SignedCookieSessions)


def test_cookies_read_both_ways_with_flasks_own_interface(app):
    ours, flasks = SignedCookieSessions(), SecureCookieSessionInterface()
    assert _open(app, ours, _signed(app, flasks)) == DATA
    assert _open(app, flasks, _signed(app, ours)) == DATA
    assert _open(app, ours, _signed(app, ours)) == DATA


def test_a_changed_cookie_opens_an_empty_session(app):
    cookie = _signed(app, SignedCookieSessions())
    tampered = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    assert _open(app, SignedCookieSessions(), tampered) == {}


def test_a_new_secret_ends_old_cookies_unless_kept_as_a_fallback(app):
    interface = SignedCookieSessions()
    old_secret = app.secret_key
    cookie = _signed(app, interface)
    app.secret_key = app.config["SECRET_KEY"] = "a-completely-different-secret-key-for-this-test"
    assert _open(app, interface, cookie) == {}
    app.config["SECRET_KEY_FALLBACKS"] = [old_secret]
    assert _open(app, interface, cookie) == DATA
    fresh = _signed(app, interface)
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert _open(app, interface, fresh) == DATA  # signed with the current secret
    assert _open(app, interface, cookie) == {}
