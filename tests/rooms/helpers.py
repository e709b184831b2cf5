"""Shared builders for the rooms tests (plain functions, not fixtures)."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.rooms import messages, rooms
from stac_youth.rooms.models import Message, Room
from tests.meetings.helpers import client_for, region

__all__ = ["NOW", "_details", "_follow", "_page", "_shown_ids", "actions", "bulk_messages", "client_for",
           "message_count", "post", "region", "reload", "topic_room"]

_client_ids = itertools.count(1)
NOW = datetime(2031, 5, 6, 17, 0)


def topic_room(advisor, title: str = "Statewide lounge", region_name: str | None = None,
               description: str = "") -> Room:
    """A topic room through the service: statewide, or for one region's members."""
    region_id = region(region_name).id if region_name else None
    return rooms.create_topic_room(advisor, title, description, region_id)


def post(user, room: Room, body: str = "Hello", client_id: str | None = None) -> Message:
    """A message through the service (with a fresh client id unless one is given); it must be new."""
    posted = messages.post_message(user, room, body, client_id or f"client-{next(_client_ids)}")
    assert posted.created
    return posted.message


def bulk_messages(room: Room, author, count: int, start: int = 0) -> list[Message]:
    """Many stored messages at once, written straight to the table (the service's rate limit would refuse them).

    They are a minute apart and end a minute ago, so they never count against the rate limit of a later post.
    """
    base = utcnow() - timedelta(minutes=count + 1)
    rows = [
        Message(room_id=room.id, author_id=author.id, client_id=f"bulk-{start + number}",
                body=f"Message {start + number}", created_at=base + timedelta(minutes=number))
        for number in range(count)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def message_count(room: Room | None = None) -> int:
    query = select(func.count(Message.id))
    if room is not None:
        query = query.where(Message.room_id == room.id)
    return db.session.scalar(query)


def actions() -> list[str]:
    """The room audit actions written so far, oldest first."""
    query = select(AuditEvent.action).where(AuditEvent.action.like("room.%")).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def reload(row):
    """The row as the database has it now."""
    db.session.expire_all()
    return db.session.get(type(row), row.id)


def _details(action: str) -> list[dict]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return [event.details | {"actor_id": event.actor_id, "subject_id": event.subject_id}
            for event in db.session.scalars(query)]


def _page(client, path: str, **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _follow(response) -> str:
    """The page a form's redirect lands on (flashed messages included)."""
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _shown_ids(html: str) -> list[int]:
    """The ids of the messages rendered server-side, in page order (the JS template row has no id)."""
    return [int(number) for number in re.findall(r'data-message-id="(\d+)"', html)]
