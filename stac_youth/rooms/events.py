"""Socket.IO for rooms (namespace /rooms): join with catch-up, send, typing, hands, moderation, live pushes."""

from __future__ import annotations

import time

from flask import current_app, request
from flask_login import current_user

from ..common.channels import (
    ChannelKind,
    channel_name,
    join_channel,
    leave_channel,
    register_channel_kind,
    visible_through,
)
from ..common.coalesced import CoalescedPushes
from ..common.errors import ServiceError
from ..common.signals import room_changed, room_message_deleted, room_message_posted
from ..common.sockets import accept_connection, connection_closed, guarded_event
from ..extensions import db, socketio
from . import messages, moderation, presence, rooms, speakers
from .models import Room
from .payloads import message_payload, person, queue_payload

NAMESPACE = "/rooms"
MAX_ID = 2**31 - 1
TYPING_INTERVAL_SECONDS = 2.0
TYPING_MEMORY = 10_000
_last_typing: dict[tuple[int, int], float] = {}


def room_channel(room_id: int) -> str:
    """The server-built Socket.IO room of one discussion room."""
    return channel_name("room", room_id)


def _room_scope(room_id: int) -> str | None:
    """A meeting's room follows its meeting."""
    room = db.session.get(Room, room_id)
    return channel_name("meeting", room.meeting_id) if room is not None and room.meeting_id else None


def _room_lost(sid: str, room_id: int, user) -> None:
    """A socket that may no longer see the room leaves its presence, and its user's raised hand goes down."""
    room = db.session.get(Room, room_id)
    if room is None:  # deleted with its meeting: presence and hands went with it
        return
    presence.leave(room, sid)
    speakers.lower_hand(user, room)


register_channel_kind(ChannelKind("room", NAMESPACE, visible_through(rooms.get_visible_room), scope=_room_scope,
                                  on_lost=_room_lost))


def _id(payload, key: str) -> int | None:
    value = payload.get(key) if isinstance(payload, dict) else None
    return value if type(value) is int and 0 < value <= MAX_ID else None


def _me():
    return current_user._get_current_object()


def _room(payload):
    """The room named in the payload if the user may see it, else None."""
    room_id = _id(payload, "room_id")
    if room_id is None:
        return None
    try:
        return rooms.get_visible_room(_me(), room_id)
    except ServiceError:
        return None


def _refused(error: str = "invalid") -> dict:
    return {"ok": False, "error": error}


def room_event(event: str):
    """Register a guarded /rooms handler that receives the room named in the payload, if the user may see it."""

    def decorator(handler):
        def with_room(payload):
            room = _room(payload)
            if room is None:
                return _refused("not_found")
            return handler(room, payload)

        with_room.__name__ = handler.__name__
        with_room.__doc__ = handler.__doc__
        guarded_event(event, NAMESPACE)(with_room)
        return handler

    return decorator


def _presence(room_id: int) -> list[dict]:
    return [person(user) for user in presence.present_users(room_id)]


@socketio.on("connect", namespace=NAMESPACE)
def connect(_auth=None):
    """Signed-in users only."""
    return accept_connection(NAMESPACE)


@socketio.on("disconnect", namespace=NAMESPACE)
def disconnect(*_args):
    """A closed connection leaves every room it was in.

    python-socketio also runs this for an ordinary event a client names "disconnect"; the socket is then still
    connected (a real disconnect is pending by now) and nothing changes.
    """
    if connection_closed(NAMESPACE):
        presence.leave_all(request.sid)


@room_event("join")
def join(room, payload):
    """Enter a room; the answer holds what the client missed since its last id, presence and the queue."""
    last_id = payload.get("last_id")
    after = last_id if type(last_id) is int and 0 <= last_id <= MAX_ID else None
    if not join_channel("room", room.id):
        return _refused("gone")
    presence.enter(room, _me(), request.sid)
    missed = messages.catch_up(room, after)
    if missed.messages:
        rooms.mark_read(_me(), room, missed.messages[-1].id)
    return {
        "ok": True,
        "room": {"id": room.id, "locked": room.locked},
        "messages": [message_payload(message) for message in missed.messages],
        "has_more": missed.has_more,
        "deleted_ids": missed.deleted_ids,
        "presence": _presence(room.id),
        "queue": queue_payload(speakers.queue(room.id)),
    }


@room_event("leave")
def leave(room, _payload):
    """Leave a room on this connection."""
    leave_channel("room", room.id)
    presence.leave(room, request.sid)
    return {"ok": True}


@room_event("send")
def send(room, payload):
    """Store a message, then it is broadcast; the acknowledgement carries the stored message."""
    try:
        posted = messages.post_message(_me(), room, payload.get("body"), payload.get("client_id"))
    except ServiceError as error:
        return _refused(str(error.message))
    return {"ok": True, "message": message_payload(posted.message), "duplicate": not posted.created}


@room_event("history")
def history(room, payload):
    """Older messages before a given id, for paging back."""
    before_id = _id(payload, "before_id")
    if before_id is None:
        return _refused()
    older, has_more = messages.messages_before(room, before_id)
    return {"ok": True, "messages": [message_payload(message) for message in older], "has_more": has_more}


@room_event("read")
def read(room, payload):
    """The client has shown messages up to this id."""
    message_id = _id(payload, "message_id")
    if message_id is None:
        return _refused()
    rooms.mark_read(_me(), room, message_id)
    return {"ok": True}


@guarded_event("here", NAMESPACE)
def here(_payload=None):
    """The client is still connected: keep its presence fresh."""
    presence.still_here(request.sid)
    return {"ok": True}


@room_event("typing")
def typing(room, _payload):
    """Tell the others someone is typing, at most once every two seconds per person and room."""
    key = (room.id, current_user.id)
    now = time.monotonic()
    if now - _last_typing.get(key, 0.0) >= TYPING_INTERVAL_SECONDS:
        if len(_last_typing) > TYPING_MEMORY:  # forget old entries so the throttle table stays small
            for stale in [k for k, at in _last_typing.items() if now - at >= TYPING_INTERVAL_SECONDS]:
                del _last_typing[stale]
        _last_typing[key] = now
        socketio.emit("typing", {"room_id": room.id, "user": person(_me())}, to=room_channel(room.id),
                      skip_sid=request.sid, namespace=NAMESPACE)
    return {"ok": True}


@room_event("raise_hand")
def raise_hand(room, _payload):
    """Join the speakers queue."""
    speakers.raise_hand(_me(), room)
    return {"ok": True}


@room_event("lower_hand")
def lower_hand(room, _payload):
    """Leave the speakers queue."""
    speakers.lower_hand(_me(), room)
    return {"ok": True}


@room_event("call_next")
def call_next(room, _payload):
    """An advisor gives the floor to the first raised hand."""
    try:
        speaker = speakers.call_next(_me(), room)
    except ServiceError as error:
        return _refused(str(error.message))
    return {"ok": True, "called": person(speaker)}


@room_event("delete_message")
def delete_message(room, payload):
    """An advisor deletes a message; it disappears for everyone."""
    message_id = _id(payload, "message_id")
    message = messages.get_message(room, message_id) if message_id else None
    if message is None:
        return _refused("not_found")
    moderation.delete_message(_me(), message)
    return {"ok": True}


@room_message_posted.connect
def push_message(message, **_extra) -> None:
    """Every live client in the room gets the stored message."""
    socketio.emit("message", message_payload(message), to=room_channel(message.room_id), namespace=NAMESPACE)


@room_message_deleted.connect
def push_deletion(message, **_extra) -> None:
    """Every live client removes the deleted message."""
    socketio.emit("deleted", {"room_id": message.room_id, "id": message.id}, to=room_channel(message.room_id),
                  namespace=NAMESPACE)


def _push_presence(room_id: int) -> None:
    socketio.emit("presence", {"room_id": room_id, "people": _presence(room_id)}, to=room_channel(room_id),
                  namespace=NAMESPACE)


#: who is here, pushed at most once per PRESENCE_PUSH_SECONDS per room: 300 people arriving for a meeting must not
#: each push the whole list to everyone already there
presence_pushes = CoalescedPushes("room-presence", _push_presence, 1.0, setting="PRESENCE_PUSH_SECONDS")


@room_changed.connect
def push_room_change(room_id, what: str, **details) -> None:
    """Presence (coalesced), the speakers queue or the lock changed: push the new state."""
    channel = room_channel(room_id)
    if what == "presence":
        presence_pushes.mark(current_app._get_current_object(), room_id)
    elif what == "queue":
        called = details.get("called")
        socketio.emit("queue", {"room_id": room_id, "queue": queue_payload(speakers.queue(room_id)),
                                "called": person(called) if called is not None else None},
                      to=channel, namespace=NAMESPACE)
    elif what == "lock":
        socketio.emit("room", {"room_id": room_id, "locked": details.get("locked")}, to=channel, namespace=NAMESPACE)
