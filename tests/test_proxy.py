"""Behind a reverse proxy (TRUSTED_PROXIES): the client's address and scheme come from X-Forwarded-*, and only then."""

from __future__ import annotations

import pytest

from stac_youth.extensions import limiter

PROXY = "127.0.0.1"


@pytest.fixture
def proxied(make_app):
    """An app told that one proxy stands in front of it, with fresh rate-limit counters."""
    application = make_app(TRUSTED_PROXIES=1)
    limiter.reset()
    return application.test_client()


@pytest.fixture
def direct(make_app):
    """An app with no proxy configured (the default), with fresh rate-limit counters."""
    application = make_app()
    limiter.reset()
    return application.test_client()


def _failed_login(client, forwarded_for: str, attempt: int) -> int:
    """A wrong password for a new email, reaching the app from the proxy's address; the status code."""
    response = client.post("/login", data={"email": f"guess{attempt}@example.org", "password": "wrong wrong wrong"},
                           headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": PROXY})
    return response.status_code


def test_behind_the_proxy_each_client_address_has_its_own_login_limit(proxied):
    """Ten failures from one client lock that client out; another client behind the same proxy signs in freely."""
    assert [_failed_login(proxied, "203.0.113.7", n) for n in range(11)] == [200] * 10 + [429]
    assert _failed_login(proxied, "203.0.113.8", 11) == 200


def test_a_client_cannot_dodge_the_limit_by_sending_its_own_forwarded_for(proxied):
    """Only the address the proxy appended counts, not what the client wrote before it."""
    answers = [_failed_login(proxied, f"10.0.0.{n}, 203.0.113.9", n) for n in range(11)]
    assert answers == [200] * 10 + [429]


def test_without_a_proxy_forwarded_for_is_ignored(direct):
    """With TRUSTED_PROXIES unset, anyone could write X-Forwarded-For: it must not give a fresh limit each time."""
    assert [_failed_login(direct, f"198.51.100.{n}", n) for n in range(11)] == [200] * 10 + [429]


def test_the_scheme_the_proxy_reports_makes_the_request_secure(proxied, direct):
    """TLS ends at the proxy: X-Forwarded-Proto https makes the request secure (HSTS), but only from a trusted proxy."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.10"}
    behind = proxied.get("/login", headers=headers, environ_base={"REMOTE_ADDR": PROXY})
    assert "max-age=" in behind.headers.get("Strict-Transport-Security", "")
    spoofed = direct.get("/login", headers=headers, environ_base={"REMOTE_ADDR": PROXY})
    assert "Strict-Transport-Security" not in spoofed.headers
