"""Signing in: case-insensitive emails, no user enumeration, rate limits, logout and cookie rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db, limiter
from stac_youth.seed import seed_regions
from tests.conftest import PASSWORD, UserFactory, login

WRONG = "not the right password at all"


def _post_login(client, email: str, password: str = WRONG, address: str = "10.0.0.1", **extra):
    data = {"email": email, "password": password, **extra}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address})


def _normalized(body: bytes, email: str) -> bytes:
    body = body.replace(email.encode(), b"EMAIL")
    return re.sub(rb'name="csrf_token" value="[^"]*"', b'name="csrf_token" value=""', body)


def _set_cookie_headers(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def _expires(header: str) -> datetime:
    match = re.search(r"Expires=([^;]+)", header)
    assert match, header
    return datetime.strptime(match.group(1), "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)


def test_email_is_case_insensitive(client, make_user):
    make_user("member", email="maya@example.org")
    response = login(client, "  MAYA@Example.ORG ")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_unknown_email_and_wrong_password_answer_the_same(client, make_user):
    make_user("member", email="known@example.org")
    wrong_password = _post_login(client, "known@example.org", address="10.0.0.2")
    unknown_email = _post_login(client, "nobody@example.org", address="10.0.0.3")
    assert wrong_password.status_code == unknown_email.status_code == 200
    # The form echoes the typed email back and the footer carries a (time-stamped) CSRF token; apart from
    # those the pages are byte-for-byte identical.
    assert _normalized(wrong_password.data, "known@example.org") == _normalized(
        unknown_email.data, "nobody@example.org"
    )
    assert b"That email and password do not match an active account." in wrong_password.data


def test_failed_login_is_audited(client, make_user):
    user = make_user("member", email="audited@example.org")
    _post_login(client, "Audited@example.org", address="192.0.2.7")
    _post_login(client, "ghost@example.org", address="192.0.2.8")
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")))
    assert len(events) == 2
    known, unknown = events
    assert known.subject_id == user.id
    assert unknown.subject_id is None
    assert unknown.details == {"account": "unknown"}  # no typed email: see test_failed_sign_in_audit.py
    assert all(WRONG not in event.detail for event in events)


def test_wrong_password_does_not_sign_in(client, make_user):
    make_user("member", email="m@example.org")
    assert _post_login(client, "m@example.org").status_code == 200
    assert client.get("/account").status_code == 302


def test_ten_failures_on_one_account_from_one_address_block_the_eleventh_there(client, make_user):
    """Per address and account (test_login_throttle.py: never the account alone, from every address)."""
    make_user("member", email="target@example.org")
    for attempt in range(10):
        response = _post_login(client, "Target@example.org", address="10.1.0.1")
        assert response.status_code == 200, attempt
    blocked = _post_login(client, "target@example.org", address="10.1.0.1")
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.data
    assert b"Wait 15 minutes" in blocked.data
    # Even the right password is refused from that address ...
    assert _post_login(client, "target@example.org", PASSWORD, address="10.1.0.1").status_code == 429
    assert client.get("/account").status_code == 302
    # ... but not from another one.
    assert _post_login(client, "target@example.org", PASSWORD, address="10.9.9.11").status_code == 302


def test_ten_failures_from_one_address_block_the_eleventh(client, make_user):
    make_user("member", email="victim@example.org")
    for attempt in range(10):
        assert _post_login(client, f"guess{attempt}@example.org", address="203.0.113.5").status_code == 200
    assert _post_login(client, "guess10@example.org", address="203.0.113.5").status_code == 429
    assert _post_login(client, "victim@example.org", PASSWORD, address="203.0.113.5").status_code == 429
    # A different address is not affected.
    assert _post_login(client, "victim@example.org", PASSWORD, address="203.0.113.6").status_code == 302


def test_limit_window_is_15_minutes(client, make_user):
    make_user("member", email="patient@example.org")
    # A date ahead of the real clock: limits' in-memory storage expires keys from a timer thread, which
    # freezegun leaves on real time.
    with freeze_time("2099-03-01 10:00:00") as frozen:
        for _ in range(10):
            _post_login(client, "patient@example.org")
        assert _post_login(client, "patient@example.org").status_code == 429
        frozen.tick(timedelta(minutes=16))
        assert _post_login(client, "patient@example.org", PASSWORD).status_code == 302


def test_a_successful_login_does_not_count(client, make_user):
    make_user("member", email="careful@example.org")
    for _ in range(9):
        assert _post_login(client, "careful@example.org").status_code == 200
    assert _post_login(client, "careful@example.org", PASSWORD).status_code == 302
    assert client.post("/logout").status_code == 302
    # 9 failures + 1 success: the 10th failure is still answered normally ...
    assert _post_login(client, "careful@example.org").status_code == 200
    # ... and the 11th attempt after 10 failures is blocked.
    assert _post_login(client, "careful@example.org").status_code == 429


def test_get_login_is_not_limited(client):
    for _ in range(12):
        _post_login(client, "x@example.org")
    assert client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200


def test_logout_is_post_only_and_ends_the_session(client, login_as):
    login_as("member")
    response = client.get("/logout")
    assert response.status_code == 405
    assert client.get("/account").status_code == 200  # still signed in

    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    after = client.get("/account")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/login")


def test_remember_cookie_lasts_at_most_14_days(client, make_user):
    make_user("member", email="phone@example.org")
    response = _post_login(client, "phone@example.org", PASSWORD, remember="y")
    assert response.status_code == 302
    cookies = _set_cookie_headers(response)
    assert "remember_token" in cookies
    remember = cookies["remember_token"]
    assert "HttpOnly" in remember
    assert "SameSite=Lax" in remember
    lifetime = _expires(remember) - datetime.now(UTC)
    assert timedelta(days=13) < lifetime <= timedelta(days=14)


def test_no_remember_cookie_without_remember_me(client, make_user):
    make_user("member", email="shared@example.org")
    response = _post_login(client, "shared@example.org", PASSWORD)
    assert "remember_token" not in _set_cookie_headers(response)


def test_session_cookie_flags(client, make_user):
    make_user("member", email="flags@example.org")
    response = _post_login(client, "flags@example.org", PASSWORD)
    session_cookie = _set_cookie_headers(response)["session"]
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    lifetime = _expires(session_cookie) - datetime.now(UTC)
    assert lifetime <= timedelta(hours=12)


def test_session_cookie_changes_at_login(client, make_user):
    make_user("member", email="fixation@example.org")
    client.post("/language", data={"lang": "es"})
    before = client.get_cookie("session").value
    _post_login(client, "fixation@example.org", PASSWORD)
    assert client.get_cookie("session").value != before


def test_session_ends_after_12_hours(client, make_user):
    make_user("member", email="long@example.org")
    with freeze_time("2026-03-01 08:00:00") as frozen:
        assert _post_login(client, "long@example.org", PASSWORD).status_code == 302
        frozen.tick(timedelta(hours=11, minutes=59))
        assert client.get("/account").status_code == 200
        frozen.move_to("2026-03-01 20:00:01")
        response = client.get("/account")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        assert client.get("/account").status_code == 302


def test_session_ends_after_12_hours_even_when_the_cookie_is_kept(client, make_user):
    """A client that ignores the cookie's expiry (or replays it) is still sent to sign in."""
    make_user("member", email="replay@example.org")
    with freeze_time("2026-03-01 08:00:00") as frozen:
        _post_login(client, "replay@example.org", PASSWORD)
        cookie = client.get_cookie("session").value
        frozen.move_to("2026-03-01 20:00:01")
        client.set_cookie("session", cookie)
        response = client.get("/account")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


# --- Redis-backed limits: several processes share one counter ---


def _redis_app(make_app, redis_url):
    application = make_app(RATELIMIT_STORAGE_URI=redis_url)
    with application.app_context():
        seed_regions()
    return application


@pytest.fixture
def redis_limits(redis_url):
    """Empty the rate-limit keys of the Redis test database before and after the test."""
    import redis

    connection = redis.Redis.from_url(redis_url)

    def flush():
        keys = list(connection.scan_iter("LIMITS*"))
        if keys:
            connection.delete(*keys)

    flush()
    yield connection
    flush()
    connection.close()


def test_redis_counter_is_shared_by_separate_app_instances(make_app, redis_url, redis_limits):
    first = _redis_app(make_app, redis_url)
    with first.app_context():
        UserFactory()("member", email="shared-limit@example.org")
    client_a = first.test_client()
    for _ in range(5):
        assert _post_login(client_a, "shared-limit@example.org", address="10.2.0.1").status_code == 200

    # A second instance (another worker process) connects to Redis afresh: in-process memory is gone,
    # the counter is not.
    second = _redis_app(make_app, redis_url)
    with second.app_context():
        UserFactory()("member", email="shared-limit@example.org")
    client_b = second.test_client()
    for _ in range(5):
        assert _post_login(client_b, "shared-limit@example.org", address="10.2.0.1").status_code == 200
    assert _post_login(client_b, "shared-limit@example.org", address="10.2.0.1").status_code == 429
    assert any(key.startswith(b"LIMITS") for key in redis_limits.scan_iter("LIMITS*"))
    limiter.reset()
    assert not list(redis_limits.scan_iter("LIMITS*"))


def test_memory_counter_is_not_shared_by_separate_app_instances(make_app):
    """The control for the Redis test: without shared storage, a new instance starts from zero."""
    first = make_app()
    with first.app_context():
        seed_regions()
        UserFactory()("member", email="local-limit@example.org")
    limiter.reset()
    client_a = first.test_client()
    for _ in range(10):
        _post_login(client_a, "local-limit@example.org", address="10.5.0.1")
    assert _post_login(client_a, "local-limit@example.org", address="10.5.0.1").status_code == 429

    second = make_app()
    with second.app_context():
        seed_regions()
        UserFactory()("member", email="local-limit@example.org")
    assert _post_login(second.test_client(), "local-limit@example.org", address="10.5.0.1").status_code == 200
