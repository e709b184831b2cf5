"""What members rely on: a meeting they answered or attended is cancelled, not deleted, and can be restored while
its time is still ahead."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..common.audit import record_audit
from ..common.errors import ServiceError
from ..common.time import utcnow
from ..extensions import db
from . import notices
from .attendance import is_relied_on
from .models import Meeting, MeetingStatus

MAX_REASON = 300
CANCELLED_ACTION = "meeting.cancelled"


def deletion_refusal(meeting: Meeting):
    """Why the meeting may not be deleted, in plain words, or None when nobody relies on it yet."""
    if meeting.status == MeetingStatus.LIVE:
        return _l("A live meeting cannot be deleted. End it first; its attendance and minutes are then kept.")
    if meeting.status == MeetingStatus.ENDED:
        return _l("This meeting took place, so it cannot be deleted: its attendance and minutes are kept.")
    if is_relied_on(meeting):
        return _l("Members have answered this meeting's invitation, so it cannot be deleted. Cancel it instead: "
                  "they will be told why.")
    return None


def cancel_refusal(meeting: Meeting):
    """Why the meeting cannot be cancelled, or None when it can (published, not started)."""
    if meeting.status != MeetingStatus.PUBLISHED:
        return _l("Only a published meeting that has not started can be cancelled.")
    return None


def cancel_meeting(advisor, meeting: Meeting, reason: str) -> None:
    """Cancel a published meeting that has not started: it stays listed as cancelled, and whoever answered is told."""
    refusal = cancel_refusal(meeting)
    if refusal is not None:
        raise ServiceError(refusal)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Say why the meeting is cancelled: members will read it."), field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(_l("The reason can be at most %(n)d characters.", n=MAX_REASON), field="reason")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    record_audit(CANCELLED_ACTION, actor=advisor, meeting_id=meeting.id, title=meeting.title, reason=reason)
    db.session.commit()
    notices.meeting_cancelled(meeting, reason)


def restore_meeting(advisor, meeting: Meeting) -> None:
    """Put a cancelled meeting back on the calendar as published, while its start is still ahead."""
    if meeting.status != MeetingStatus.CANCELLED:
        raise ServiceError(_l("Only a cancelled meeting can be restored."))
    if meeting.starts_at <= utcnow():
        raise ServiceError(_l("This meeting's time has passed, so it cannot be restored. Create a new meeting "
                              "instead."))
    meeting.status = MeetingStatus.PUBLISHED
    meeting.cancel_reason = None
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    record_audit("meeting.restored", actor=advisor, meeting_id=meeting.id, title=meeting.title)
    db.session.commit()
    notices.meeting_restored(meeting)


def may_restore(meeting: Meeting) -> bool:
    """Whether the meeting is cancelled and its start still ahead."""
    return meeting.status == MeetingStatus.CANCELLED and meeting.starts_at > utcnow()


def cancellation_reason(meeting: Meeting) -> str | None:
    """The reason given when the meeting was cancelled, while it is."""
    return meeting.cancel_reason if meeting.status == MeetingStatus.CANCELLED else None
