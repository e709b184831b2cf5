"""The append-only audit log: who did what to whom, and when."""

from __future__ import annotations

import json
from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from .time import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    request_id: Mapped[str | None] = mapped_column(String(32))

    actor = relationship("User", foreign_keys=[actor_id])
    subject = relationship("User", foreign_keys=[subject_id])

    @property
    def details(self) -> dict:
        """The detail column as a dict."""
        return json.loads(self.detail or "{}")


#: action code -> a readable, translated label; each feature adds its own actions.
ACTION_LABELS: dict[str, object] = {}


def action_label(action: str) -> str:
    """The readable label of an audit action, or the code itself when none is registered."""
    return str(ACTION_LABELS.get(action, action))


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditLogIsAppendOnly("Audit events cannot be changed or deleted.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state) -> None:
    """Bulk UPDATE / DELETE statements skip before_flush: refuse those aimed at the audit table too."""
    if (state.is_update or state.is_delete) and getattr(state.statement.table, "name", None) == "audit_events":
        raise AuditLogIsAppendOnly("Audit events cannot be changed or deleted.")


def record_audit(action: str, *, actor=None, subject=None, **detail) -> AuditEvent:
    """Add an audit event to the session; the calling service commits it with its own change."""
    audit_event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        subject_id=getattr(subject, "id", None),
        detail=json.dumps(detail, default=str, sort_keys=True),
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(audit_event)
    return audit_event
