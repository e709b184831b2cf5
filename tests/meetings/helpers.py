"""Shared builders for the meetings tests (plain functions, not fixtures)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.meetings import agenda, services
from stac_youth.meetings.models import AgendaItem, Meeting
from stac_youth.members.models import Region
from tests.conftest import login


def region(name: str) -> Region:
    return db.session.scalar(select(Region).where(Region.name == name))


def data(**changes) -> services.MeetingData:
    """Meeting data starting tomorrow at a whole minute, 90 minutes long, at a place."""
    starts = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)
    values = {
        "title": "Board meeting",
        "description": "",
        "starts_at": starts,
        "ends_at": starts + timedelta(minutes=90),
        "location": "Room 4",
        "video_url": None,
        "region_ids": (),
    }
    values.update(changes)
    return services.MeetingData(**values)


def item_data(title: str, minutes: int = 10, kind: str = "discussion", **changes) -> agenda.AgendaItemData:
    values = {"title": title, "description": "", "minutes": minutes, "presenter": None, "kind": kind}
    values.update(changes)
    return agenda.AgendaItemData(**values)


def make_meeting(advisor, status: str = "draft", items: tuple[str, ...] = (), **changes) -> Meeting:
    """A meeting through the services, taken to the status asked for."""
    meeting = services.create_meeting(advisor, data(**changes))
    for title in items:
        agenda.add_item(advisor, meeting, item_data(title))
    if status in ("published", "live", "ended"):
        services.publish_meeting(advisor, meeting)
    if status in ("live", "ended"):
        services.start_meeting(advisor, meeting)
    if status == "ended":
        services.end_meeting(advisor, meeting)
    return meeting


def actions() -> list[str]:
    """The meeting and agenda audit actions written so far, oldest first."""
    query = select(AuditEvent.action).where(AuditEvent.action.like("meeting.%") | AuditEvent.action.like("agenda.%"))
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def around_now(minutes_from_now: int, length: int = 60) -> dict:
    """starts_at / ends_at relative to the current time."""
    starts = utcnow() + timedelta(minutes=minutes_from_now)
    return {"starts_at": starts, "ends_at": starts + timedelta(minutes=length)}


def client_for(app, user):
    """A fresh client signed in as the user."""
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute)


def _positions(meeting: Meeting) -> list[tuple[str, int]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(AgendaItem.title, AgendaItem.position).where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position)
    ).all()
    return [tuple(row) for row in rows]


def _meeting_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Meeting))


def _reload(meeting: Meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)
