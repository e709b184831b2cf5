"""Socket.IO for polls (namespace /polls): watch a poll; turnout and live counts pushed at most 4 times a second.

Ballots can arrive hundreds a second; a push per ballot would cost every watcher that much. Pushes are coalesced
per poll (common/coalesced.py): a ballot marks its poll, and a loop pushes every marked poll once per LIVE_INTERVAL,
reading the counters at that moment, so the last push always includes the latest ballot.
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_login import current_user

from ..common.background import start_on_first_request
from ..common.channels import ChannelKind, channel_name, join_channel, register_channel_kind, visible_through
from ..common.coalesced import CoalescedPushes
from ..common.errors import NotFound
from ..common.signals import poll_changed
from ..common.sockets import guarded_event, signed_in_namespace
from ..extensions import db, socketio
from ..meetings.events import NAMESPACE as MEETINGS_NAMESPACE
from ..meetings.events import meeting_room
from .lifecycle import apply_schedule
from .models import Poll
from .views import get_visible_poll, live_payload

NAMESPACE = "/polls"
LIVE_INTERVAL = 0.25  # seconds: at most 4 pushes a second per poll
MAX_ID = 2**31 - 1
log = logging.getLogger(__name__)


def poll_channel(poll_id: int) -> str:
    """The server-built Socket.IO room of one poll's watchers."""
    return channel_name("poll", poll_id)


def _poll_scope(poll_id: int) -> str | None:
    """A poll follows its agenda item's meeting, or its proposal."""
    poll = db.session.get(Poll, poll_id)
    if poll is not None and poll.agenda_item is not None:
        return channel_name("meeting", poll.agenda_item.meeting_id)
    return channel_name("proposal", poll.proposal_id) if poll is not None and poll.proposal_id else None


register_channel_kind(ChannelKind("poll", NAMESPACE, visible_through(get_visible_poll), scope=_poll_scope))


signed_in_namespace(NAMESPACE)


@guarded_event("watch", NAMESPACE)
def watch(payload):
    """Follow a poll the user may see; the answer carries its turnout (and counts, when they may be seen) now."""
    poll_id = payload.get("poll_id") if isinstance(payload, dict) else None
    if type(poll_id) is not int or not 0 < poll_id <= MAX_ID:
        return {"ok": False, "error": "invalid"}
    try:
        poll = get_visible_poll(current_user, poll_id)
    except NotFound:
        return {"ok": False, "error": "not_found"}
    if not join_channel("poll", poll.id):
        return {"ok": False, "error": "gone"}
    return {"ok": True, "poll": live_payload(poll)}


def _push(poll_id: int, event: str) -> None:
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        return
    payload = live_payload(poll)
    if event == "turnout" and payload["cast"] is None:
        return  # a secret poll with fewer than 5 ballots: nothing to show, and a push would time each ballot
    socketio.emit(event, payload, to=poll_channel(poll_id), namespace=NAMESPACE)
    if event == "status" and poll.agenda_item is not None:
        socketio.emit("poll", {"item_id": poll.agenda_item_id, "poll_id": poll_id, "status": poll.status},
                      to=meeting_room(poll.agenda_item.meeting_id), namespace=MEETINGS_NAMESPACE)


def new_live_turnout() -> CoalescedPushes:
    """Turnout pushes, coalesced per poll: at most one per LIVE_INTERVAL."""
    return CoalescedPushes("poll-live", lambda poll_id: _push(poll_id, "turnout"), LIVE_INTERVAL)


live_turnout = new_live_turnout()


def _may_have_watchers(app, poll_id: int) -> bool:
    """Whether a turnout push could reach anyone: a watcher here, or (with Redis) possibly in another process.

    Checked after the ballot's commit: a watcher joining later is answered with the counters as they are then.
    """
    if app.config.get("REDIS_URL"):
        return True
    watchers = socketio.server.manager.get_participants(NAMESPACE, poll_channel(poll_id))
    return next(iter(watchers), None) is not None


@poll_changed.connect
def poll_changed_pushed(poll_id: int, what: str = "", **_extra) -> None:
    """Ballots: a coalesced turnout push when someone watches. Opening and closing: an immediate status push."""
    if what == "ballot":
        app = current_app._get_current_object()
        if _may_have_watchers(app, poll_id):
            live_turnout.mark(app, poll_id)
    else:
        _push(poll_id, "status")


def _run_schedule(app, seconds: float) -> None:
    while True:
        socketio.sleep(seconds)
        with app.app_context():
            try:
                apply_schedule()
            except Exception:
                log.exception("poll schedule failed")
            finally:
                db.session.remove()


def init_poll_schedule(app) -> None:
    """Open and close scheduled polls on time: one background loop per server process, from its first request."""
    seconds = app.config.get("POLL_SCHEDULE_SECONDS", 0)
    if not seconds:
        return
    start_on_first_request(app, _run_schedule, app, seconds)
