"""Agenda items: add, edit, delete (and undo it) and reorder."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..common.audit import record_audit
from ..common.errors import NotFound, ServiceError
from ..common.signals import agenda_item_deleting
from ..extensions import db
from . import notices
from .models import AgendaItem, AgendaKind, Meeting, MeetingStatus

MAX_ITEM_MINUTES = 600
UNDO_SECONDS = 3600


@dataclass(frozen=True)
class AgendaItemData:
    title: str
    description: str
    minutes: int
    presenter: str | None
    kind: str


def _check_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.ENDED:
        raise ServiceError(_l("The agenda of an ended meeting cannot change."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise ServiceError(_l("The agenda of a cancelled meeting cannot change. Restore the meeting first."))


def _validate(meeting: Meeting, data: AgendaItemData) -> None:
    _check_open(meeting)
    if not data.title.strip():
        raise ServiceError(_l("Give the agenda item a title."), field="title")
    if not 1 <= data.minutes <= MAX_ITEM_MINUTES:
        raise ServiceError(_l("Minutes must be between 1 and %(n)d.", n=MAX_ITEM_MINUTES), field="minutes")
    if data.kind not in set(AgendaKind):
        raise ServiceError(_l("Choose a kind from the list."), field="kind")


def _apply(item: AgendaItem, data: AgendaItemData) -> None:
    item.title = data.title.strip()
    item.description = data.description.strip()
    item.minutes = data.minutes
    item.presenter = (data.presenter or "").strip() or None
    item.kind = data.kind


def get_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """An item of this meeting, or NotFound."""
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound(_l("We could not find that agenda item."))
    return item


def add_item(advisor, meeting: Meeting, data: AgendaItemData) -> AgendaItem:
    """Append an item at the end of the agenda."""
    _validate(meeting, data)
    item = AgendaItem(meeting=meeting, position=len(meeting.items))
    _apply(item, data)
    db.session.add(item)
    db.session.flush()
    record_audit("agenda.item_added", actor=advisor, meeting_id=meeting.id, item_id=item.id, title=item.title)
    db.session.commit()
    notices.agenda_changed(meeting)
    return item


def update_item(advisor, item: AgendaItem, data: AgendaItemData) -> None:
    """Edit an item in place."""
    _validate(item.meeting, data)
    _apply(item, data)
    record_audit("agenda.item_updated", actor=advisor, meeting_id=item.meeting_id, item_id=item.id)
    db.session.commit()
    notices.agenda_changed(item.meeting)


def delete_item(advisor, item: AgendaItem) -> str:
    """Remove an item; the others close the gap. Returns the signed token that undoes it (restore_item)."""
    meeting = item.meeting
    _check_open(meeting)
    if meeting.current_item_id == item.id:
        raise ServiceError(_l("Move the live meeting to another item before deleting this one."))
    agenda_item_deleting.send(item)  # a poll that opened on it refuses
    token = _undo_signer().dumps({
        "meeting_id": meeting.id, "item_id": item.id, "position": item.position, "title": item.title,
        "description": item.description, "minutes": item.minutes, "presenter": item.presenter, "kind": item.kind,
    })
    record_audit("agenda.item_deleted", actor=advisor, meeting_id=meeting.id, item_id=item.id, title=item.title)
    meeting.items.remove(item)
    for position, other in enumerate(meeting.items):
        other.position = position
    db.session.commit()
    notices.agenda_changed(meeting)
    return token


def _undo_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="agenda-item-undo")


def restore_item(advisor, meeting: Meeting, token: str) -> AgendaItem:
    """Undo delete_item: the item comes back with its fields, id and place, within UNDO_SECONDS."""
    try:
        saved = _undo_signer().loads(token, max_age=UNDO_SECONDS)
    except (BadSignature, TypeError):
        raise ServiceError(_l("It is too late to undo this. Add the item again instead.")) from None
    if not isinstance(saved, dict) or saved.get("meeting_id") != meeting.id:
        raise ServiceError(_l("It is too late to undo this. Add the item again instead."))
    existing = db.session.get(AgendaItem, saved["item_id"])
    if existing is not None and existing.meeting_id == meeting.id and existing.title == saved["title"]:
        raise ServiceError(_l("This agenda item is already back."))
    data = AgendaItemData(title=saved["title"], description=saved["description"], minutes=saved["minutes"],
                          presenter=saved["presenter"], kind=saved["kind"])
    _validate(meeting, data)
    items = list(meeting.items)
    item = AgendaItem(id=saved["item_id"] if existing is None else None, meeting_id=meeting.id)
    _apply(item, data)
    items.insert(min(saved["position"], len(items)), item)
    for position, other in enumerate(items):
        other.position = position
    db.session.add(item)
    db.session.flush()
    record_audit("agenda.item_restored", actor=advisor, meeting_id=meeting.id, item_id=item.id, title=item.title)
    db.session.commit()
    db.session.expire(meeting, ["items"])
    notices.agenda_changed(meeting)
    return item


def move_item(advisor, item: AgendaItem, step: int) -> None:
    """Move an item one place up (step -1) or down (step 1)."""
    meeting = item.meeting
    items = list(meeting.items)
    index = items.index(item)
    target = index + step
    if step not in (-1, 1) or not 0 <= target < len(items):
        raise ServiceError(_l("This item cannot move further."))
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items):
        other.position = position
    record_audit("agenda.item_moved", actor=advisor, meeting_id=meeting.id, item_id=item.id, position=target)
    db.session.commit()
    db.session.expire(meeting, ["items"])
    notices.agenda_changed(meeting)
