"""T2: every state-changing route refuses a request without a valid CSRF token, and changes nothing.

The app here is built with WTF_CSRF_ENABLED=True (the shared test config turns CSRF off). It is used without a
pushed app context, so each request gets its own `g` and clients do not share a login.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from stac_youth.common.time import utcnow
from stac_youth.extensions import csrf, db
from stac_youth.members.models import User
from tests.csrf_requests import (
    ORDER,
    _cases,
    _clients,
    _language,
    _payloads,
    _post_endpoints,
    _signed_in,
    _snapshot,
    _token,
)
from tests.csrf_world import build_world

pytestmark = pytest.mark.sqlite_only  # refused before any database work (make test-postgres skips it)


@pytest.fixture
def world(make_app):
    """A CSRF-enabled app with real rows for every POST route to act on (tests/csrf_world.py)."""
    yield from build_world(make_app)


def test_the_app_has_no_csrf_exempt_views(world):
    assert csrf._exempt_views == set()
    assert csrf._exempt_blueprints == set()
    assert world["app"].config["WTF_CSRF_ENABLED"] is True
    assert world["app"].config["WTF_CSRF_CHECK_DEFAULT"] is True


def test_every_post_route_is_covered(world):
    endpoints = _post_endpoints(world["app"])
    assert endpoints == set(_payloads(world)) == set(ORDER), "add the new POST route to _payloads() and ORDER"


def _assert_nothing_changed(data, before, admin, anonymous, outbox_before: int):
    assert _snapshot(data["app"]) == before
    assert _signed_in(admin), "a refused POST must not sign the admin out"
    assert not _signed_in(anonymous), "a refused POST must not sign anyone in"
    assert _language(admin) == "en" and _language(anonymous) == "en"
    assert len(data["app"].extensions["mailman"].outbox) == outbox_before


def test_post_without_token_is_refused_and_changes_nothing(world):
    admin, anonymous = _clients(world)
    clients = {"admin": admin, "anonymous": anonymous}
    world["app"].extensions["mailman"].outbox = []
    before = _snapshot(world["app"])
    payloads = _payloads(world)
    failures = []
    for who, endpoint, url in _cases(world):
        response = clients[who].post(url, data=payloads[endpoint])
        if response.status_code != 400:
            failures.append(f"{who} POST {url}: {response.status_code}")
    assert failures == []
    _assert_nothing_changed(world, before, admin, anonymous, 0)


def test_post_with_a_token_from_another_session_is_refused(world):
    admin, anonymous = _clients(world)
    attacker = world["app"].test_client()
    foreign = _token(attacker, "/login")  # a genuine token, signed with the same key, of the attacker's session
    assert foreign != _token(admin, "/account")
    clients = {"admin": admin, "anonymous": anonymous}
    world["app"].extensions["mailman"].outbox = []
    before = _snapshot(world["app"])
    payloads = _payloads(world)
    failures = []
    for who, endpoint, url in _cases(world):
        response = clients[who].post(url, data={**payloads[endpoint], "csrf_token": foreign})
        if response.status_code != 400:
            failures.append(f"{who} POST {url}: {response.status_code}")
    assert failures == []
    _assert_nothing_changed(world, before, admin, anonymous, 0)


def test_post_with_a_garbled_or_header_only_token_is_refused(world):
    admin, _anonymous = _clients(world)
    user_id = world["ids"]["user_id"]
    token = _token(admin, "/account")
    for data in ({"role": "advisor", "csrf_token": token[:-2] + "xx"}, {"role": "advisor", "csrf_token": ""}):
        assert admin.post(f"/admin/users/{user_id}/role", data=data).status_code == 400
    with world["app"].app_context():
        assert db.session.get(User, user_id).role == "member"


def test_a_token_older_than_the_time_limit_is_refused(world):
    admin, _anonymous = _clients(world)
    user_id = world["ids"]["user_id"]
    with freeze_time(utcnow()) as frozen:
        token = _token(admin, "/account")
        frozen.tick(timedelta(seconds=world["app"].config["WTF_CSRF_TIME_LIMIT"] + 1))
        response = admin.post(f"/admin/users/{user_id}/role", data={"role": "advisor", "csrf_token": token})
    assert response.status_code == 400
    with world["app"].app_context():
        assert db.session.get(User, user_id).role == "member"


def test_logout_without_token_keeps_the_user_signed_in(world):
    admin, _anonymous = _clients(world)
    assert admin.post("/logout").status_code == 400
    assert _signed_in(admin)
    assert admin.post("/logout", data={"csrf_token": _token(admin, "/account")}).status_code == 302
    assert not _signed_in(admin)


def test_role_change_without_token_keeps_the_role(world):
    admin, _anonymous = _clients(world)
    user_id = world["ids"]["user_id"]
    assert admin.post(f"/admin/users/{user_id}/role", data={"role": "admin"}).status_code == 400
    with world["app"].app_context():
        assert db.session.get(User, user_id).role == "member"
