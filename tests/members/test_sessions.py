"""Session revocation, password reset by email, and who may open a Socket.IO connection."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import inspect, select, text

from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db, socketio
from stac_youth.members.models import PasswordResetToken, User
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "a brand new and rather long password"
RESET_LINK = re.compile(r"https?://[^\s]+/reset-password/([A-Za-z0-9_\-]+)")
SAME_MESSAGE = b"If that email belongs to an account, we sent it a link to choose a new password."


def _signed_in(client) -> bool:
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"].startswith("/login")
    return False


def _two_devices(app, user, remember_b: bool = False):
    device_a, device_b = app.test_client(), app.test_client()
    assert login(device_a, user).status_code == 302
    assert login(device_b, user, remember=remember_b).status_code == 302
    assert _signed_in(device_a) and _signed_in(device_b)
    return device_a, device_b


def _replay(app, name: str, value: str):
    """A brand-new client that carries only one copied cookie."""
    fresh = app.test_client()
    fresh.set_cookie(name, value)
    return fresh


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- revocation ---


def test_logout_everywhere_signs_out_other_devices_only(app, make_user):
    user = make_user("member")
    device_a, device_b = _two_devices(app, user)
    response = device_a.post("/logout-everywhere")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    assert _signed_in(device_a)
    assert not _signed_in(device_b)
    assert len(_audit("sessions.revoked")) == 1


def test_logout_everywhere_is_post_only(app, make_user):
    user = make_user("member")
    device_a, device_b = _two_devices(app, user)
    assert device_a.get("/logout-everywhere").status_code == 405
    assert _signed_in(device_b)


def test_password_change_ends_other_sessions(app, make_user):
    user = make_user("member")
    device_a, device_b = _two_devices(app, user)
    response = device_a.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert _signed_in(device_a)
    assert not _signed_in(device_b)
    assert len(_audit("password.changed")) == 1

    fresh = app.test_client()
    assert login(fresh, user.email, PASSWORD).status_code == 200  # the old password is gone
    assert login(fresh, user.email, NEW_PASSWORD).status_code == 302


def test_password_change_needs_the_current_password_and_a_strong_new_one(app, make_user):
    user = make_user("member")
    device_a, device_b = _two_devices(app, user)
    wrong = device_a.post(
        "/account/password", data={"current_password": "not it at all!", "new_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 200
    assert b"Your current password is not right." in wrong.data
    weak = device_a.post("/account/password", data={"current_password": PASSWORD, "new_password": "short"})
    assert b"Use at least 12 characters." in weak.data
    assert _signed_in(device_b)
    assert login(app.test_client(), user.email, PASSWORD).status_code == 302


def test_role_change_ends_sessions_and_remember_cookies(app, make_user):
    user = make_user("member")
    admin = make_user("admin")
    device_a, device_b = _two_devices(app, user, remember_b=True)
    remember = device_b.get_cookie("remember_token")
    assert remember is not None
    # The remember cookie alone signs a fresh browser in, before the change ...
    assert _signed_in(_replay(app, "remember_token", remember.value))

    admin_client = app.test_client()
    login(admin_client, admin)
    assert admin_client.post(f"/admin/users/{user.id}/role", data={"role": "planner"}).status_code == 302
    assert _reload(user).role == "planner"

    assert not _signed_in(device_a)
    assert not _signed_in(device_b)
    # ... and not after it.
    assert not _signed_in(_replay(app, "remember_token", remember.value))
    assert len(_audit("user.role_changed")) == 1
    # Signing in again works, with the new role.
    assert login(device_a, user).status_code == 302
    assert device_a.get("/admin/invitations").status_code == 403


def test_deactivation_ends_sessions_and_blocks_login(app, make_user):
    user = make_user("member")
    admin = make_user("admin")
    device_a, device_b = _two_devices(app, user, remember_b=True)
    remember = device_b.get_cookie("remember_token").value

    admin_client = app.test_client()
    login(admin_client, admin)
    response = admin_client.post(f"/admin/users/{user.id}/active", data={"active": "0", "confirmed": "1"})
    assert response.status_code == 302
    assert _reload(user).active is False

    assert not _signed_in(device_a)
    assert not _signed_in(device_b)
    assert not _signed_in(_replay(app, "remember_token", remember))

    response = login(app.test_client(), user)
    assert response.status_code == 200
    assert b"That email and password do not match an active account." in response.data
    assert len(_audit("user.deactivated")) == 1

    # Reactivated: the same password works again.
    admin_client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert login(app.test_client(), user).status_code == 302


def test_old_session_cookie_replayed_after_logout_is_refused(app, make_user):
    user = make_user("member")
    device = app.test_client()
    login(device, user)
    old_cookie = device.get_cookie("session").value
    assert _signed_in(_replay(app, "session", old_cookie))  # the copy works while the session is live

    assert device.post("/logout").status_code == 302
    assert not _signed_in(device)
    assert not _signed_in(_replay(app, "session", old_cookie))


def test_remember_cookie_replayed_after_logout_is_refused(app, make_user):
    user = make_user("member")
    device = app.test_client()
    login(device, user, remember=True)
    remember = device.get_cookie("remember_token").value
    device.post("/logout")
    assert device.get_cookie("remember_token") is None
    assert not _signed_in(_replay(app, "remember_token", remember))


def test_signing_out_on_one_device_keeps_the_other_signed_in(app, make_user):
    user = make_user("member")
    device_a, device_b = _two_devices(app, user, remember_b=True)
    assert device_a.post("/logout").status_code == 302
    assert not _signed_in(device_a)
    assert _signed_in(device_b)


def test_device_logins_are_stored_hashed_and_ended_at_sign_out(app, make_user):
    from stac_youth.members.models import LoginSession

    user = make_user("member")
    device = app.test_client()
    login(device, user)
    row = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
    login_id_token = _login_token(app, device)
    assert row.token_hash == hashlib.sha256(login_id_token.encode()).hexdigest()
    assert login_id_token not in _all_rows_as_text()
    device.post("/logout")
    db.session.expire_all()
    assert db.session.get(LoginSession, row.id).ended_at is not None


def _login_token(app, device) -> str:
    """The device token inside the signed session cookie's login id."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(device.get_cookie("session").value)["_user_id"].split(":")[2]


def test_remembered_login_outlives_the_12_hour_session_and_ends_after_14_days(app, make_user):
    user = make_user("member")
    device = app.test_client()
    with freeze_time("2099-01-01 08:00:00") as frozen:
        login(device, user, remember=True)
        remember = device.get_cookie("remember_token").value
        frozen.tick(timedelta(hours=13))
        assert _signed_in(_replay(app, "remember_token", remember))
        frozen.tick(timedelta(days=14))
        assert not _signed_in(_replay(app, "remember_token", remember))


# --- password reset ---


def _request_reset(client, email: str):
    return client.post("/forgot-password", data={"email": email}, follow_redirects=True)


def _token(outbox) -> str:
    assert len(outbox) == 1
    match = RESET_LINK.search(outbox[0].body)
    assert match, outbox[0].body
    return match.group(1)


def _all_rows_as_text() -> str:
    rows = []
    for table in inspect(db.engine).get_table_names():
        rows.extend(repr(tuple(row)) for row in db.session.execute(text(f'SELECT * FROM "{table}"')))  # noqa: S608
    return "\n".join(rows)


def test_reset_email_has_a_single_use_hashed_link(app, client, make_user, outbox):
    user = make_user("member", email="forgetful@example.org")
    other_device = app.test_client()
    login(other_device, user)

    page = _request_reset(client, "Forgetful@Example.org")
    assert SAME_MESSAGE in page.data
    token = _token(outbox)
    assert outbox[0].to == ["forgetful@example.org"]
    assert "1 hour" in outbox[0].body

    stored = db.session.scalar(select(PasswordResetToken))
    assert stored.user_id == user.id
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.expires_at - stored.created_at == timedelta(hours=1)
    assert token not in _all_rows_as_text()

    assert client.get(f"/reset-password/{token}").status_code == 200
    weak = client.post(f"/reset-password/{token}", data={"password": "tooshort"})
    assert weak.status_code == 200
    assert b"Use at least 12 characters." in weak.data

    done = client.post(f"/reset-password/{token}", data={"password": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.headers["Location"].startswith("/login")
    assert login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    assert login(app.test_client(), user.email, PASSWORD).status_code == 200
    assert not _signed_in(other_device)  # a reset ends every session
    assert len(_audit("password.reset")) == 1

    # Single use.
    assert client.get(f"/reset-password/{token}").status_code == 404
    again = client.post(f"/reset-password/{token}", data={"password": "yet another long password"})
    assert again.status_code == 404
    assert login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_reset_link_expires_after_an_hour(client, make_user, outbox):
    user = make_user("member", email="slow@example.org")
    with freeze_time("2026-03-01 09:00:00") as frozen:
        _request_reset(client, user.email)
        token = _token(outbox)
        frozen.tick(timedelta(minutes=59))
        assert client.get(f"/reset-password/{token}").status_code == 200
        frozen.move_to("2026-03-01 10:01:00")  # 61 minutes after the request
        assert client.get(f"/reset-password/{token}").status_code == 404
        assert client.post(f"/reset-password/{token}", data={"password": NEW_PASSWORD}).status_code == 404
    assert login(client, user.email, PASSWORD).status_code == 302


def test_unknown_email_gets_the_same_answer_and_no_email(client, make_user, outbox):
    make_user("member", email="real@example.org")
    unknown = _request_reset(client, "nobody@example.org")
    assert unknown.status_code == 200
    assert SAME_MESSAGE in unknown.data
    assert outbox == []
    assert db.session.scalar(select(PasswordResetToken)) is None

    known = client.post("/forgot-password", data={"email": "real@example.org"})
    unknown_raw = client.post("/forgot-password", data={"email": "nobody@example.org"})
    assert known.status_code == unknown_raw.status_code == 302
    assert known.headers["Location"] == unknown_raw.headers["Location"]
    assert len(outbox) == 1


def test_deactivated_user_gets_no_reset_email(client, make_user, outbox):
    user = make_user("member", email="off@example.org")
    user.active = False
    db.session.commit()
    page = _request_reset(client, "off@example.org")
    assert SAME_MESSAGE in page.data
    assert outbox == []


def test_unknown_reset_token_is_404(client):
    assert client.get("/reset-password/nope").status_code == 404


# --- Socket.IO ---


def test_socket_refuses_anonymous_clients(socket_client):
    socket = socket_client()
    assert not socket.is_connected()


def test_socket_accepts_signed_in_users(socket_client, login_as):
    login_as("member")
    socket = socket_client()
    try:
        assert socket.is_connected()
    finally:
        socket.disconnect()


def test_socket_refuses_a_revoked_session(app, client, socket_client, make_user):
    user = make_user("member")
    other = app.test_client()
    login(client, user)
    login(other, user)
    other.post("/logout-everywhere")
    # Connect in a context of its own, as a real connection would: the test's database session still holds
    # the user as loaded before the revocation.
    with app.app_context():
        socket = socket_client()  # shares `client`, whose session was revoked from the other device
        assert not socket.is_connected()
    with app.app_context():
        other_socket = socketio.test_client(app, flask_test_client=other)
        try:
            assert other_socket.is_connected()
        finally:
            other_socket.disconnect()
