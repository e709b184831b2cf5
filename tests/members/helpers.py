"""Shared helpers for the profile tests (plain functions, not fixtures): regions, clients, reloads, audit rows."""

from __future__ import annotations

from sqlalchemy import select

from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db
from stac_youth.members.models import Region, User
from tests.conftest import login

HIDDEN_AUDIT = "profile.hidden_fields_viewed"


def _region(name: str) -> Region:
    return db.session.scalar(select(Region).where(Region.name == name))


def _as(app, user):
    """A client signed in as the user."""
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def _reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _audit_rows(action: str | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))
