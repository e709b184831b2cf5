"""Invitation-only sign-up: who may invite whom, hashed single-use tokens, expiry, password rules."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, inspect, select, text

from stac_youth.common.audit import AuditEvent
from stac_youth.common.errors import ServiceError
from stac_youth.extensions import db
from stac_youth.members import invitations as invitation_service
from stac_youth.members.models import Invitation, Region, User
from tests.conftest import login

LINK = re.compile(r"https?://[^\s]+/register/([A-Za-z0-9_\-]+)")
GOOD_PASSWORD = "a long and fairly unusual sentence"


def _region(name: str = "Bay Area") -> Region:
    return db.session.scalar(select(Region).where(Region.name == name))


def _invite(client, email: str, role: str = "member", region_id: int = 0):
    return client.post("/admin/invitations", data={"email": email, "role": role, "region_id": region_id})


def _token_from(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _all_rows_as_text() -> str:
    """Every row of every table, as one string, to look for a leaked secret."""
    rows = []
    for table in inspect(db.engine).get_table_names():
        rows.extend(repr(tuple(row)) for row in db.session.execute(text(f'SELECT * FROM "{table}"')))  # noqa: S608
    return "\n".join(rows)


@pytest.fixture
def invited(client, login_as, outbox):
    """An admin has invited new@example.org as an advisor of the Bay Area; returns (token, region)."""
    login_as("admin")
    region = _region()
    response = _invite(client, "New@Example.org", role="advisor", region_id=region.id)
    assert response.status_code == 200, response.data
    client.post("/logout")
    return _token_from(outbox[-1]), region


@pytest.mark.parametrize("role", ["member", "advisor", "planner", "admin"])
def test_admin_may_invite_any_role(client, login_as, outbox, role):
    login_as("admin")
    response = _invite(client, f"someone-{role}@example.org", role=role)
    assert response.status_code == 200
    assert b"Invitation sent" in response.data
    invitation = db.session.scalar(select(Invitation))
    assert invitation.role == role
    assert invitation.email == f"someone-{role}@example.org"
    assert len(outbox) == 1


def test_advisor_invites_members_only(client, login_as, outbox):
    advisor = login_as("advisor")
    response = _invite(client, "newbie@example.org", role="advisor")
    assert response.status_code == 200
    assert b"Invitation sent" not in response.data
    assert _count(Invitation) == 0
    assert outbox == []
    assert _audit("invitation.created") == []

    # The service refuses too, whatever the form offers.
    with pytest.raises(ServiceError):
        invitation_service.invite_member(advisor, "x@example.org", "advisor", None, link_for=lambda t: t)
    assert _count(Invitation) == 0

    response = _invite(client, "newbie@example.org", role="member")
    assert b"Invitation sent" in response.data
    assert _count(Invitation) == 1
    assert len(outbox) == 1


@pytest.mark.parametrize("role", ["member", "planner"])
def test_members_and_planners_cannot_invite(client, login_as, role):
    login_as(role)
    assert _invite(client, "x@example.org").status_code == 403
    assert _count(Invitation) == 0


def test_only_the_token_hash_is_stored_and_the_email_carries_the_link(client, login_as, outbox):
    admin = login_as("admin")
    region = _region()
    response = _invite(client, "Student@Example.org", region_id=region.id)
    assert response.status_code == 200

    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["student@example.org"]
    token = _token_from(message)
    assert f"/register/{token}" in message.body
    assert token.encode() in response.data  # shown once to the inviter as well

    invitation = db.session.scalar(select(Invitation))
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert invitation.invited_by_id == admin.id
    assert invitation.region_id == region.id
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert token not in _all_rows_as_text()

    created = _audit("invitation.created")
    assert len(created) == 1
    assert created[0].actor_id == admin.id
    assert created[0].details["invitation_id"] == invitation.id


def test_registering_creates_the_account_logs_in_and_burns_the_link(client, invited):
    token, region = invited
    page = client.get(f"/register/{token}")
    assert page.status_code == 200
    assert b"new@example.org" in page.data

    response = client.post(f"/register/{token}", data={"display_name": "  Riley  ", "password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/profile/edit")

    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user is not None
    assert user.role == "advisor"
    assert user.region_id == region.id
    assert user.display_name == "Riley"
    assert user.password_hash != GOOD_PASSWORD
    assert GOOD_PASSWORD not in _all_rows_as_text()

    # Signed in: a page that needs a login answers.
    assert client.get("/profile/edit").status_code == 200

    invitation = db.session.scalar(select(Invitation))
    assert invitation.used_at is not None
    assert invitation.user_id == user.id
    accepted = _audit("invitation.accepted")
    assert len(accepted) == 1
    assert accepted[0].actor_id == user.id
    assert accepted[0].subject_id == user.id

    # Reuse: the link is dead, for GET and POST alike, and no second account appears.
    client.post("/logout")
    again = client.get(f"/register/{token}")
    assert again.status_code == 404
    assert b"This invitation link does not work" in again.data
    reuse = client.post(f"/register/{token}", data={"display_name": "Twin", "password": GOOD_PASSWORD})
    assert reuse.status_code == 404
    assert _count(User) == 2  # the admin and the new advisor

    # The new account signs in with its password.
    assert login(client, "NEW@Example.org", GOOD_PASSWORD).status_code == 302


def test_unknown_token_is_404(client):
    assert client.get("/register/not-a-real-token").status_code == 404


def test_invitation_expires_after_7_days(client, login_as, outbox):
    with freeze_time("2026-03-01 09:00:00") as frozen:
        login_as("admin")
        _invite(client, "late@example.org")
        token = _token_from(outbox[-1])
        client.post("/logout")

        frozen.move_to("2026-03-08 08:59:00")  # 6 days 23 h 59 min later: still fine
        assert client.get(f"/register/{token}").status_code == 200

        frozen.move_to("2026-03-08 09:00:01")  # just past 7 days
        assert client.get(f"/register/{token}").status_code == 404
        response = client.post(f"/register/{token}", data={"display_name": "Late", "password": GOOD_PASSWORD})
        assert response.status_code == 404
    assert db.session.scalar(select(User).where(User.email == "late@example.org")) is None


def test_revoked_invitation_fails(client, login_as, outbox):
    login_as("admin")
    _invite(client, "withdrawn@example.org")
    token = _token_from(outbox[-1])
    invitation = db.session.scalar(select(Invitation))
    response = client.post(f"/admin/invitations/{invitation.id}/revoke", data={"confirmed": "1"})
    assert response.status_code == 302
    db.session.refresh(invitation)
    assert invitation.revoked_at is not None
    assert len(_audit("invitation.revoked")) == 1

    client.post("/logout")
    assert client.get(f"/register/{token}").status_code == 404
    response = client.post(f"/register/{token}", data={"display_name": "W", "password": GOOD_PASSWORD})
    assert response.status_code == 404
    assert db.session.scalar(select(User).where(User.email == "withdrawn@example.org")) is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abcdefghijk", b"Use at least 12 characters."),
        ("123qweasdzxc", b"This password is too common."),
        ("qwertyuiop123", b"This password is too common."),
        ("x" * 60 + "y" * 69, b"Use at most 128 characters."),
    ],
    ids=["11-chars", "common", "common-2", "129-chars"],
)
def test_weak_passwords_are_refused(client, invited, password, message):
    token, _region_ = invited
    assert len(password) in (11, 12, 13, 129)
    response = client.post(f"/register/{token}", data={"display_name": "Weak", "password": password})
    assert response.status_code == 200
    assert message in response.data
    assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None
    assert db.session.scalar(select(Invitation)).used_at is None
    assert _audit("invitation.accepted") == []
    # The link still works for a good password.
    assert client.get(f"/register/{token}").status_code == 200


@pytest.mark.parametrize(
    "password",
    [
        "the quick brown fox jumps over the lazy dog near the old mill 64",
        "🦊🌲🌊🔥🌙⭐🍀🎈🚲🎸🌈🐝",
        "x" * 128,
    ],
    ids=["64-char-passphrase", "emoji", "128-chars"],
)
def test_long_passphrases_and_emoji_are_accepted(client, invited, password):
    token, _region_ = invited
    response = client.post(f"/register/{token}", data={"display_name": "Strong", "password": password})
    assert response.status_code == 302, response.data
    client.post("/logout")
    assert login(client, "new@example.org", password).status_code == 302
    assert client.get("/account").status_code == 200


def test_passphrase_lengths_used_above():
    assert len("the quick brown fox jumps over the lazy dog near the old mill 64") == 64
    assert len("🦊🌲🌊🔥🌙⭐🍀🎈🚲🎸🌈🐝") == 12


def test_invitation_for_an_existing_account_is_refused(client, login_as, make_user, outbox):
    make_user("member", email="taken@example.org")
    login_as("admin")
    response = _invite(client, "TAKEN@Example.org")
    assert b"already has an account" in response.data
    assert _count(Invitation) == 0
    assert outbox == []


def test_passwords_are_stored_as_scrypt_hashes(monkeypatch):
    from stac_youth.common.passwords import hash_password, verify_password

    monkeypatch.undo()  # the real cost, not the cheap one conftest gives every test
    stored = hash_password(GOOD_PASSWORD)
    assert stored.startswith("scrypt:32768:8:1$")
    assert verify_password(stored, GOOD_PASSWORD)
    assert not verify_password(stored, GOOD_PASSWORD + "!")
