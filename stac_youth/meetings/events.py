"""Socket.IO for the live meeting screen (namespace /meetings): join a meeting, move its current item."""

from __future__ import annotations

from flask_login import current_user

from ..common.channels import ChannelKind, channel_name, join_channel, register_channel_kind, visible_through
from ..common.errors import ServiceError
from ..common.signals import meeting_state_changed
from ..common.sockets import guarded_event, signed_in_namespace
from ..extensions import socketio
from . import services

NAMESPACE = "/meetings"


def meeting_room(meeting_id: int) -> str:
    """The server-built room of one meeting's live screens."""
    return channel_name("meeting", meeting_id)


register_channel_kind(ChannelKind("meeting", NAMESPACE, visible_through(services.get_visible_meeting)))


#: The largest id an INTEGER column holds (PostgreSQL); a larger one would make the query itself fail.
MAX_ID = 2**31 - 1


def _meeting_id(payload) -> int | None:
    value = payload.get("meeting_id") if isinstance(payload, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID else None


signed_in_namespace(NAMESPACE)


@guarded_event("join", NAMESPACE)
def join(payload):
    """Follow a meeting the user may see; the answer carries its current state at once."""
    meeting_id = _meeting_id(payload)
    if meeting_id is None:
        return {"ok": False, "error": "invalid"}
    try:
        meeting = services.get_visible_meeting(current_user, meeting_id)
    except ServiceError:
        return {"ok": False, "error": "not_found"}
    if not join_channel("meeting", meeting.id):
        return {"ok": False, "error": "gone"}
    return {"ok": True, "state": services.live_state(meeting).as_payload()}


@guarded_event("advance", NAMESPACE)
def advance(payload):
    """An advisor moves the live meeting one item forward or back."""
    meeting_id = _meeting_id(payload)
    step = payload.get("step") if isinstance(payload, dict) else None
    if meeting_id is None or type(step) is not int or step not in (1, -1):
        return {"ok": False, "error": "invalid"}
    try:
        meeting = services.get_visible_meeting(current_user, meeting_id)
        state = services.move_current_item(current_user._get_current_object(), meeting, step)
    except ServiceError as error:
        return {"ok": False, "error": str(error.message)}
    return {"ok": True, "state": state.as_payload()}


@meeting_state_changed.connect
def push_state(meeting_id, state: services.LiveState, **_extra) -> None:
    """Every live screen of the meeting follows the change, whichever process made it."""
    socketio.emit("state", state.as_payload(), to=meeting_room(meeting_id), namespace=NAMESPACE)
