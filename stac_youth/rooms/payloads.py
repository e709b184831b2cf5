"""The JSON shapes pushed to live clients; every body is sanitized HTML from the one chat renderer."""

from __future__ import annotations

from ..common.markdown import render_chat
from ..common.templating import member_name
from ..common.urls import path_for
from .models import Message, SpeakerRequest


def person(user) -> dict:
    """A user as live clients show them: id, display name, avatar path or initials."""
    has_avatar = user is not None and user.avatar_filename and not user.is_deleted
    return {
        "id": user.id if user is not None else None,
        "name": member_name(user),
        "initials": user.initials if user is not None and not user.is_deleted else "?",
        "avatar_url": path_for("members.avatar", user_id=user.id) if has_avatar else None,
    }


def message_payload(message: Message) -> dict:
    """A stored message for the broadcast and the catch-up; built once per message object."""
    cached = message.__dict__.get("_payload")
    if cached is not None:
        return cached
    message.__dict__["_payload"] = payload = {
        "id": message.id,
        "room_id": message.room_id,
        "client_id": message.client_id,
        "author": person(message.author),
        "html": str(render_chat(message.body)),
        "created_at": message.created_at.isoformat() + "Z",
    }
    return payload


def queue_payload(requests: list[SpeakerRequest]) -> list[dict]:
    """The speakers queue in order."""
    return [person(request.user) for request in requests]
