"""A member's data: the append-only audit log, the own-data export, account erasure and the former-member name."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, func, select, update

from stac_youth.common.audit import AuditEvent, AuditLogIsAppendOnly, record_audit
from stac_youth.common.templating import member_name
from stac_youth.extensions import db
from stac_youth.members.models import MemberInterest
from tests.conftest import PASSWORD, login
from tests.members.helpers import HIDDEN_AUDIT, _as, _audit_rows, _reload

# --- the audit log is append-only ---


def test_audit_log_has_no_route_that_changes_it(app, client, login_as):
    audit_rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule or "audit" in rule.endpoint]
    assert audit_rules, "the audit log screen should exist"
    for rule in audit_rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule

    login_as("admin")
    assert client.get("/admin/audit").status_code == 200
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/admin/audit").status_code == 405
    assert client.post("/admin/audit/1/delete").status_code == 404
    assert client.post("/admin/audit/1").status_code == 404


def test_audit_events_cannot_be_updated_or_deleted_through_the_orm(app, make_user):
    user = make_user("member")
    event = record_audit("test.event", actor=user, subject=user, note="original")
    db.session.commit()
    event_id = event.id

    event.action = "test.rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()

    db.session.delete(db.session.get(AuditEvent, event_id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()

    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(action="bulk"))
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(delete(AuditEvent).where(AuditEvent.id == event_id))
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(AuditEvent.__table__.update().values(action="core"))
    db.session.rollback()

    db.session.expire_all()
    kept = db.session.get(AuditEvent, event_id)
    assert kept.action == "test.event"
    assert kept.details == {"note": "original"}


# --- export ---


def test_export_contains_profile_interests_and_audit_events(app, make_user, student):
    advisor = make_user("advisor")
    _as(app, advisor).get(f"/members/{student.id}")  # an audited read about the student

    client = _as(app, student)
    response = client.get("/account/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert ".json" in disposition

    data = json.loads(response.data)
    assert data["account"]["email"] == "maya@example.org"
    assert data["account"]["id"] == student.id
    profile = data["profile"]
    assert profile["display_name"] == "Maya Chen"
    assert profile["school"] == "Oakland High School"
    assert profile["bio"] == "I organise **peer support** circles."
    assert profile["region"] == "Bay Area"
    assert profile["hide_school"] is True and profile["hide_bio"] is True
    assert sorted(profile["interests"]) == ["art", "mental health"]

    actions = {(event["action"], event["by_you"], event["about_you"]) for event in data["audit_events"]}
    assert (HIDDEN_AUDIT, False, True) in actions
    assert ("account.created_by_command", False, True) in actions
    assert len(data["device_logins"]) == 1 and data["device_logins"][0]["ended_at"] is None
    assert "password_hash" not in response.get_data(as_text=True)
    assert PASSWORD not in response.get_data(as_text=True)


def test_export_is_only_ones_own(app, make_user, student):
    other = make_user("member", email="other@example.org")
    data = json.loads(_as(app, other).get("/account/export.json").data)
    assert data["account"]["email"] == "other@example.org"
    assert "maya@example.org" not in json.dumps(data)
    assert "Oakland High School" not in json.dumps(data)


# --- erasure ---


def test_delete_account_erases_personal_fields(app, make_user, student):
    advisor = make_user("advisor")
    member = make_user("member")
    client = _as(app, student)

    page = client.get("/account/delete")
    assert page.status_code == 200
    response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert client.get("/account").status_code == 302  # signed out

    erased = _reload(student)
    assert erased.deleted_at is not None
    assert erased.active is False
    for field in ("email", "display_name", "pronouns", "region_id", "county_id", "school", "grade", "bio",
                  "avatar_filename", "password_hash"):
        assert getattr(erased, field) is None, field
    assert erased.interests == []
    assert db.session.scalar(select(func.count()).select_from(MemberInterest)
                             .where(MemberInterest.user_id == student.id)) == 0
    assert member_name(erased) == "Former member"
    assert len(_audit_rows("account.deleted")) == 1

    # Cannot sign in any more.
    failed = login(app.test_client(), "maya@example.org", PASSWORD)
    assert failed.status_code == 200
    assert b"That email and password do not match an active account." in failed.data

    # Gone for others: the profile is 404 (even for an advisor) and the directory does not list them.
    for viewer in (member, advisor):
        other_client = _as(app, viewer)
        assert other_client.get(f"/members/{student.id}").status_code == 404
        directory = other_client.get("/members").data
        assert b"Maya Chen" not in directory
        assert f"/members/{student.id}\"".encode() not in directory


def test_delete_account_needs_the_password_and_the_confirmation(app, student):
    client = _as(app, student)
    wrong = client.post("/account/delete", data={"password": "not my password at all", "confirm": "y"})
    assert wrong.status_code == 200
    assert b"Your password is not right." in wrong.data

    unconfirmed = client.post("/account/delete", data={"password": PASSWORD})
    assert unconfirmed.status_code == 200
    assert b"Tick the box to confirm." in unconfirmed.data

    kept = _reload(student)
    assert kept.deleted_at is None
    assert kept.email == "maya@example.org"
    assert kept.display_name == "Maya Chen"
    assert kept.interest_tags == ["art", "mental health"]
    assert _audit_rows("account.deleted") == []
    assert client.get("/account").status_code == 200  # still signed in


def test_member_name_for_live_and_missing_users(app, student):
    assert member_name(student) == "Maya Chen"
    assert member_name(None) == "Former member"
