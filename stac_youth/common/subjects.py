"""Live pages (namespace /subjects): a page that shows one subject ("proposal:12") follows it, and is told
`subject_changed` after a commit changed it, so it can fetch itself again (static/js/live_page.js).

Each feature registers its kinds of subject with the check it already has (get_visible_*); a socket follows a subject
through the channel machinery (common/channels.py), so it joins only what its user may see and leaves what they may
no longer see. What changes a subject is read from the rows a commit wrote (watch_changes): whichever service made
the change, the pages hear of it once the change is committed, and never of a change rolled back. The event carries
the subject's name only; the page reads what changed through its own route, with its own access checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..extensions import socketio
from .channels import KINDS, ChannelKind, channel_name, join_channel, register_channel_kind, visible_through
from .sockets import guarded_event, signed_in_namespace

NAMESPACE = "/subjects"
#: the event a following page gets after its subject changed: {"subject": "proposal:12"}
SUBJECT_CHANGED = "subject_changed"
#: the largest id an INTEGER column holds
MAX_ID = 2**31 - 1
#: a subject kind's channel is named "page-<kind>" (socket_channels.kind holds 16 characters)
MAX_KIND_LENGTH = 11
_PENDING = "live_subjects"
log = logging.getLogger(__name__)

#: subject kind ("proposal") → its channel kind ("page-proposal")
SUBJECT_KINDS: dict[str, str] = {}


@dataclass(frozen=True)
class _Watch:
    model: type
    subjects_of: Callable[[object], Iterable[str]]
    attributes: tuple[str, ...]


_WATCHES: list[_Watch] = []


def subject_name(kind: str, object_id: int) -> str:
    """The name of one subject, as pages declare it: "proposal:12"."""
    return f"{kind}:{object_id}"


def register_subject(kind: str, get_visible: Callable[[object, int], object], follows: str | None = None) -> None:
    """Let whoever get_visible(user, id) lets see follow a kind of subject; access_changed(follows) re-checks it."""
    if len(kind) > MAX_KIND_LENGTH or ":" in kind:
        raise ValueError(f"subject kind {kind!r}: at most {MAX_KIND_LENGTH} characters, no colon")
    channel_kind = f"page-{kind}"
    scope = (lambda object_id: channel_name(follows, object_id)) if follows else (lambda _object_id: None)
    register_channel_kind(ChannelKind(channel_kind, NAMESPACE, visible_through(get_visible), scope=scope))
    SUBJECT_KINDS[kind] = channel_kind


def watch_changes(model: type, subjects_of: Callable[[object], Iterable[str]], attributes: tuple[str, ...] = ()) \
        -> None:
    """Tell subjects_of(row) after a commit inserting, deleting or changing `attributes` (default: all columns)."""
    _WATCHES.append(_Watch(model, subjects_of, attributes))


def _changed(instance, attributes: tuple[str, ...]) -> bool:
    state = inspect(instance)
    names = attributes or tuple(column.key for column in state.mapper.column_attrs)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _collect(session, _flush_context) -> None:
    """Note the subjects of the watched rows this flush wrote; they are told after the commit."""
    if not _WATCHES:
        return
    found: set[str] = set()
    models = tuple(watch.model for watch in _WATCHES)
    for instances, updated in ((session.new, False), (session.dirty, True), (session.deleted, False)):
        for instance in instances:
            if not isinstance(instance, models):
                continue
            for watch in _WATCHES:
                if isinstance(instance, watch.model) and not (updated and not _changed(instance, watch.attributes)):
                    found.update(watch.subjects_of(instance))
    if found:
        session.info.setdefault(_PENDING, set()).update(found)


@event.listens_for(Session, "after_commit")
def _tell_after_commit(session) -> None:
    """Tell each following page that its subject changed, once the change is committed."""
    subjects = session.info.pop(_PENDING, None)
    if subjects:
        tell_subjects_changed(subjects)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    """A change rolled back changed nothing."""
    session.info.pop(_PENDING, None)


def tell_subjects_changed(subjects: Iterable[str]) -> None:
    """Emit subject_changed to the pages following each subject (on every process, through the message queue)."""
    if socketio.server is None:
        return
    for subject in sorted(set(subjects)):
        parsed = parse_subject(subject)
        if parsed is None:
            continue
        channel_kind, object_id = parsed
        try:
            socketio.emit(SUBJECT_CHANGED, {"subject": subject}, to=channel_name(channel_kind, object_id),
                          namespace=NAMESPACE)
        except Exception:  # a live push never undoes or fails the change that was committed
            log.exception("subject_changed push failed: %s", subject)


def parse_subject(subject) -> tuple[str, int] | None:
    """The channel kind and object id of a registered subject's name, or None."""
    if not isinstance(subject, str) or len(subject) > 40:
        return None
    kind, _sep, number = subject.partition(":")
    if kind not in SUBJECT_KINDS or not number.isascii() or not number.isdigit() or len(number) > 10:
        return None
    object_id = int(number)
    return (SUBJECT_KINDS[kind], object_id) if 0 <= object_id <= MAX_ID else None


signed_in_namespace(NAMESPACE)


@guarded_event("follow", NAMESPACE)
def follow(payload):
    """Follow a subject the user may see, e.g. {"subject": "proposal:12"}; a hidden one answers like a missing one."""
    parsed = parse_subject(payload.get("subject") if isinstance(payload, dict) else None)
    if parsed is None:
        return {"ok": False, "error": "invalid"}
    channel_kind, object_id = parsed
    if not KINDS[channel_kind].may_see(current_user._get_current_object(), object_id):
        return {"ok": False, "error": "not_found"}
    if not join_channel(channel_kind, object_id):
        return {"ok": False, "error": "gone"}
    return {"ok": True}
