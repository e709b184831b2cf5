"""Socket.IO for notifications (namespace /notifications): each user's own room gets new notifications live."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import join_room
from sqlalchemy import select

from ..common.i18n import as_reader
from ..common.signals import notifications_created
from ..common.sockets import accept_connection, connection_closed
from ..extensions import db, socketio
from ..members.models import User
from . import services
from .models import Notification

NAMESPACE = "/notifications"


def own_room(user_id: int) -> str:
    """The server-built room of one user's notification bells."""
    return f"user:{user_id}"


@socketio.on("connect", namespace=NAMESPACE)
def connect(_auth=None):
    """Signed-in users only; each joins their own room and nobody else's."""
    if not accept_connection(NAMESPACE):
        return False
    join_room(own_room(current_user.id))
    return True


@socketio.on("disconnect", namespace=NAMESPACE)
def disconnect(*_args):
    """Forget the closed connection."""
    connection_closed(NAMESPACE)


def _push(ids: list[int]) -> None:
    rows = db.session.execute(select(Notification, User).join(User, User.id == Notification.user_id)
                              .where(Notification.id.in_(ids))).tuples().all()
    unread = services.unread_counts([user.id for _notification, user in rows])
    for notification, user in rows:
        with as_reader(user.preferred_language, user.timezone):
            payload = {"id": notification.id, "text": services.text_of(notification), "link": notification.link,
                       "unread": unread.get(user.id, 0)}
        socketio.emit("notification", payload, to=own_room(user.id), namespace=NAMESPACE)


@notifications_created.connect
def deliver(_app, ids: list[int], **_extra) -> None:
    """Push each new notification to its reader's bell (its email is already in the outbox)."""
    _push(ids)
