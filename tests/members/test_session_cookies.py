"""The session cookie keeps Flask's signed format, made with a signer kept per secret and plain JSON when it can."""

from __future__ import annotations

import json
import uuid
import warnings
from datetime import UTC, datetime

from flask import request as flask_request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup

from stac_youth.members.session_cookies import PlainJSONFirst, SignedCookieSessions

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


TAGGED = {"when": datetime(2026, 11, 28, 10, 30, tzinfo=UTC), "pair": (1, "two"), "raw": b"\x00bytes",
          "safe": Markup("<b>x</b>"), "id": uuid.UUID(int=7), " t": "a key like a tag", "nested": {" di": {"x": 1}},
          "quote": 'say " hi'}


def test_plain_sessions_are_written_as_flask_writes_them_and_tagged_values_still_round_trip(app):
    ours, flasks = PlainJSONFirst(), TaggedJSONSerializer()
    plain = DATA | {"list": [1, 2.5, None, True, {"b": "x", "a": "y"}], "text": 'a " quote and ünïcode'}
    assert ours.dumps(plain) == flasks.dumps(plain)
    assert ours.loads(ours.dumps(plain)) == plain
    assert ours.dumps(TAGGED) == flasks.dumps(TAGGED)
    assert ours.loads(ours.dumps(TAGGED)) == TAGGED == flasks.loads(ours.dumps(TAGGED))


def test_small_cookies_are_written_uncompressed_and_compressed_ones_are_still_read(app):
    ours, flasks = SignedCookieSessions(), SecureCookieSessionInterface()
    roomy = DATA | {"_id": "ab12" * 32, "note": "same words again " * 20}
    compressed = flasks.get_signing_serializer(app).dumps(roomy)
    assert compressed.startswith(".")  # itsdangerous marks a compressed payload with a leading dot
    assert _open(app, ours, compressed) == roomy
    written = ours.get_signing_serializer(app).dumps(roomy)
    assert not written.startswith(".")
    assert _open(app, flasks, written) == roomy


def test_a_growing_session_is_compressed_and_stays_under_the_browsers_cookie_limit(app):
    ours, flasks = SignedCookieSessions(), SecureCookieSessionInterface()
    flashes = DATA | {"_flashes": [("warning", "Please sign in to see that page.")] * 100}  # as flash() stores them
    assert len(json.dumps(flashes)) > 4096  # as plain text, far over the limit
    written = ours.get_signing_serializer(app).dumps(flashes)
    assert written.startswith(".") and len(written) < 1024
    assert _open(app, flasks, written) == _open(app, ours, written) == flashes
    with app.test_request_context("/"):
        response = app.response_class()
        session = ours.open_session(app, flask_request)
        session.update(flashes)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # werkzeug warns when a cookie passes the browsers' limit
            ours.save_session(app, session, response)
    assert len(response.headers["Set-Cookie"]) < 4093
