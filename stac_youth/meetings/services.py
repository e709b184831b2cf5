"""Meeting use cases: create, edit, publish, delete, and run a meeting live (cancelling: cancellation.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..common.audit import record_audit
from ..common.errors import NotFound, ServiceError
from ..common.signals import access_changed, agenda_item_deleting, meeting_created, meeting_state_changed
from ..common.time import utcnow
from ..extensions import db
from ..members.models import Region
from . import notices
from .cancellation import deletion_refusal
from .models import Meeting, MeetingStatus
from .visibility import may_see


@dataclass(frozen=True)
class MeetingData:
    """What an advisor enters for a meeting; times already in UTC."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location: str | None
    video_url: str | None
    region_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class LiveState:
    """What a live meeting screen shows: the status and the current item since when."""

    meeting_id: int
    status: str
    current_item_id: int | None
    item_started_at: datetime | None

    def as_payload(self) -> dict:
        """The JSON form pushed to live screens."""
        started = self.item_started_at.isoformat() + "Z" if self.item_started_at else None
        return {
            "meeting_id": self.meeting_id,
            "status": self.status,
            "current_item_id": self.current_item_id,
            "item_started_at": started,
            "server_now": utcnow().isoformat() + "Z",
        }


def get_visible_meeting(user, meeting_id: int) -> Meeting:
    """The meeting if the user may see it; NotFound otherwise, the same for missing and hidden ones."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not may_see(user, meeting):
        raise NotFound(_l("We could not find that meeting."))
    return meeting


def _validate(data: MeetingData) -> list[Region]:
    if not data.title.strip():
        raise ServiceError(_l("Give the meeting a title."), field="title")
    if data.ends_at <= data.starts_at:
        raise ServiceError(_l("The meeting must end after it starts."), field="ends_at")
    if (data.ends_at - data.starts_at).days >= 2:
        raise ServiceError(_l("A meeting can last at most two days."), field="ends_at")
    if data.video_url:
        parsed = urlparse(data.video_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ServiceError(_l("The video link must start with https:// or http://."), field="video_url")
    if not (data.location or data.video_url):
        raise ServiceError(_l("Give a location, a video link, or both."), field="location")
    regions = list(db.session.scalars(select(Region).where(Region.id.in_(data.region_ids)))) if data.region_ids else []
    if len(regions) != len(set(data.region_ids)):
        raise ServiceError(_l("Choose regions from the list."), field="region_ids")
    return regions


def _apply(meeting: Meeting, data: MeetingData, regions: list[Region]) -> None:
    meeting.title = data.title.strip()
    meeting.description = data.description.strip()
    meeting.starts_at = data.starts_at
    meeting.ends_at = data.ends_at
    meeting.location = (data.location or "").strip() or None
    meeting.video_url = (data.video_url or "").strip() or None
    meeting.regions = regions


def create_meeting(advisor, data: MeetingData) -> Meeting:
    """A new draft meeting."""
    regions = _validate(data)
    meeting = Meeting(created_by_id=advisor.id, status=MeetingStatus.DRAFT)
    _apply(meeting, data, regions)
    db.session.add(meeting)
    db.session.flush()
    record_audit("meeting.created", actor=advisor, meeting_id=meeting.id, title=meeting.title)
    db.session.commit()
    meeting_created.send(meeting)
    return meeting


def update_meeting(advisor, meeting: Meeting, data: MeetingData) -> None:
    """Edit a meeting; it keeps its identity (calendar UID) and its calendar sequence goes up."""
    if meeting.status == MeetingStatus.ENDED:
        raise ServiceError(_l("An ended meeting cannot be changed; write the minutes instead."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise ServiceError(_l("Restore the meeting before changing it."))
    regions = _validate(data)
    _apply(meeting, data, regions)
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    record_audit("meeting.updated", actor=advisor, meeting_id=meeting.id, title=meeting.title)
    db.session.commit()
    access_changed.send("meeting", ids=[meeting.id])  # its regions may have changed


def publish_meeting(advisor, meeting: Meeting) -> None:
    """Make a draft visible to the members it is for."""
    if meeting.status != MeetingStatus.DRAFT:
        raise ServiceError(_l("Only a draft can be published."))
    meeting.status = MeetingStatus.PUBLISHED
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    record_audit("meeting.published", actor=advisor, meeting_id=meeting.id, title=meeting.title)
    db.session.commit()
    notices.meeting_published(meeting)


def delete_meeting(advisor, meeting: Meeting) -> None:
    """Delete a meeting nobody relies on yet (see cancellation.deletion_refusal); others are cancelled instead."""
    refusal = deletion_refusal(meeting)
    if refusal is not None:
        raise ServiceError(refusal)
    for item in meeting.items:
        agenda_item_deleting.send(item)  # a poll that opened on one of its items refuses
    record_audit("meeting.deleted", actor=advisor, meeting_id=meeting.id, title=meeting.title)
    meeting_id = meeting.id
    meeting.current_item_id = None
    db.session.flush()
    db.session.delete(meeting)
    db.session.commit()
    access_changed.send("meeting", ids=[meeting_id])


def start_meeting(advisor, meeting: Meeting) -> LiveState:
    """Go live at the first agenda item."""
    if meeting.status != MeetingStatus.PUBLISHED:
        raise ServiceError(_l("Only a published meeting can go live."))
    meeting.status = MeetingStatus.LIVE
    meeting.current_item = meeting.items[0] if meeting.items else None
    meeting.current_item_started_at = utcnow() if meeting.items else None
    record_audit("meeting.started", actor=advisor, meeting_id=meeting.id)
    db.session.commit()
    return _state_changed(meeting)


def end_meeting(advisor, meeting: Meeting) -> LiveState:
    """End a live meeting; minutes can be written from now on."""
    if meeting.status != MeetingStatus.LIVE:
        raise ServiceError(_l("Only a live meeting can be ended."))
    meeting.status = MeetingStatus.ENDED
    meeting.current_item = None
    meeting.current_item_started_at = None
    record_audit("meeting.ended", actor=advisor, meeting_id=meeting.id)
    db.session.commit()
    return _state_changed(meeting)


def move_current_item(advisor, meeting: Meeting, step: int) -> LiveState:
    """Move a live meeting to the next (step 1) or previous (step -1) agenda item."""
    if meeting.status != MeetingStatus.LIVE:
        raise ServiceError(_l("The meeting is not live."))
    if step not in (-1, 1) or not meeting.items:
        raise ServiceError(_l("There is no agenda item to move to."))
    ids = [item.id for item in meeting.items]
    index = ids.index(meeting.current_item_id) if meeting.current_item_id in ids else -1
    target = index + step
    if not 0 <= target < len(ids):
        raise ServiceError(
            _l("This is already the last agenda item.") if step > 0 else _l("This is already the first agenda item.")
        )
    meeting.current_item_id = ids[target]
    meeting.current_item_started_at = utcnow()
    record_audit("meeting.item_moved", actor=advisor, meeting_id=meeting.id, item_id=ids[target])
    db.session.commit()
    return _state_changed(meeting)


def live_state(meeting: Meeting) -> LiveState:
    """The meeting's current live state."""
    return LiveState(
        meeting_id=meeting.id,
        status=meeting.status,
        current_item_id=meeting.current_item_id,
        item_started_at=meeting.current_item_started_at,
    )


def _state_changed(meeting: Meeting) -> LiveState:
    state = live_state(meeting)
    meeting_state_changed.send(meeting.id, state=state)
    return state
