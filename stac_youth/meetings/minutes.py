"""Minutes of a meeting: written after it ends, every revision kept."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..common.audit import record_audit
from ..common.errors import ServiceError
from ..extensions import db
from .models import Meeting, MeetingStatus, MinutesRevision

MAX_MINUTES_LENGTH = 50_000


def history(meeting: Meeting) -> list[MinutesRevision]:
    """Every revision of the meeting's minutes, newest first, with its author."""
    return list(db.session.scalars(
        select(MinutesRevision).where(MinutesRevision.meeting_id == meeting.id)
        .options(selectinload(MinutesRevision.author)).order_by(MinutesRevision.id.desc())
    ))


def save_minutes(advisor, meeting: Meeting, body: str) -> MinutesRevision:
    """Add a new revision of the minutes; earlier ones stay in the history."""
    if meeting.status != MeetingStatus.ENDED:
        raise ServiceError(_l("Minutes can be written once the meeting has ended."))
    body = body.strip()
    if not body:
        raise ServiceError(_l("Write the minutes before saving."), field="body")
    if len(body) > MAX_MINUTES_LENGTH:
        raise ServiceError(_l("The minutes are too long."), field="body")
    latest = meeting.latest_minutes
    if latest is not None and latest.body == body:
        return latest
    revision = MinutesRevision(meeting=meeting, author_id=advisor.id, body=body)
    db.session.add(revision)
    db.session.flush()
    record_audit("meeting.minutes_saved", actor=advisor, meeting_id=meeting.id, revision_id=revision.id)
    db.session.commit()
    db.session.expire(meeting, ["minutes_revisions"])
    return revision
