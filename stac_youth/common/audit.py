"""The append-only audit log: who did what to whom, and when."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
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


#: detail key -> a readable, translated label (the keys record_audit is given across the app)
DETAIL_LABELS: dict[str, object] = {
    "account": _l("Account"), "agenda_item_id": _l("Agenda item"), "cast": _l("Votes cast"),
    "comment_id": _l("Comment"), "county": _l("County"), "decision": _l("Decision"), "edition_id": _l("Edition"),
    "eligible": _l("Eligible members"), "fields": _l("Fields"), "invitation_id": _l("Invitation"),
    "item_id": _l("Agenda item"), "meeting_id": _l("Meeting"), "merged_into": _l("Merged into"),
    "message_id": _l("Message"), "method": _l("Method"), "minutes": _l("Muted for (minutes)"), "name": _l("Name"),
    "name_es": _l("Spanish name"), "new": _l("New value"), "old": _l("Previous value"), "outcome": _l("Outcome"),
    "poll_id": _l("Poll"), "position": _l("Position"), "proposal_id": _l("Proposal"), "reason": _l("Reason"),
    "region_id": _l("Region"),
    "report_id": _l("Moderation report"), "resolution": _l("Resolution"), "revision_id": _l("Revision"),
    "role": _l("Role"), "room_id": _l("Room"), "scheduled": _l("By the schedule"), "secret": _l("Secret ballot"),
    "session_id": _l("Summit session"), "sessions": _l("Summit sessions"), "theme_id": _l("Theme"),
    "title": _l("Title"),
}

#: detail key -> how its coded values read (an outcome, a method); each feature adds those it writes
DETAIL_VALUE_LABELS: dict[str, Callable[[str], object]] = {}


def detail_label(key: str) -> str:
    """The readable label of an audit detail key, or the key itself when none is registered."""
    return str(DETAIL_LABELS.get(key, key))


def detail_value(key: str, value) -> str:
    """An audit detail value as the reader reads it: yes / no, an empty mark, coded values by their label."""
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(detail_value(key, item) for item in value) or "—"
    label = DETAIL_VALUE_LABELS.get(key)
    return str(label(value)) if label is not None and isinstance(value, str) else str(value)


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
