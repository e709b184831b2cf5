"""Notify members: store one row per recipient, push it live, email it as each recipient chose."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..common.errors import NotFound, ServiceError
from ..common.i18n import as_reader
from ..common.mailer import send_email
from ..common.signals import notifications_created, sign_in_failures_repeated
from ..common.time import utcnow
from ..common.urls import path_for, public_base_url
from ..extensions import db
from ..members.models import User
from .kinds import KINDS, SIGN_IN_FAILURES, preload, render_subject, render_text
from .models import Notification

PAGE_SIZE = 30
EMAIL_ALL, EMAIL_DECISIONS, EMAIL_NONE = "all", "decisions", "none"
EMAIL_CHOICES = (EMAIL_ALL, EMAIL_DECISIONS, EMAIL_NONE)
log = logging.getLogger(__name__)


def notify(users: Iterable[User], kind: str, link: str, once_unread: bool = True, actor: User | None = None,
           **params) -> list[Notification]:
    """Give each active recipient a notification of this kind, and an email if they want one; pushes follow the commit.

    With once_unread, someone who has not yet read the same kind of notice about the same thing gets no second one.
    The actor (who mentioned, who invited) is stored by id: their name is read when shown, so erasure removes it.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if "name" in params or (KINDS[kind].names_actor and actor is None):
        raise ValueError(f"a {kind!r} notification names its actor by id (actor=), never by a stored name")
    recipients = {user.id: user for user in users if user is not None and user.is_active}
    if recipients and once_unread:  # one unread notice of a thing is enough: a second agenda change adds nothing
        waiting = db.session.scalars(select(Notification.user_id).where(
            Notification.user_id.in_(recipients), Notification.kind == kind, Notification.link == link,
            Notification.read_at.is_(None)))
        for user_id in set(waiting):
            recipients.pop(user_id, None)
    if not recipients:
        return []
    payload = json.dumps(params, default=str, sort_keys=True)
    now = utcnow()
    actor_id = actor.id if actor is not None else None
    rows = [Notification(user_id=user_id, kind=kind, actor_id=actor_id, params=payload, link=link, created_at=now)
            for user_id in recipients]
    db.session.add_all(rows)
    db.session.flush()
    ids = [row.id for row in rows]  # read before the commit expires the rows: after it, each would be a query
    # Links in emails start with the configured address, never with the Host a request claimed.
    email_notifications(ids, public_base_url())  # queued in this transaction: sent after the commit, or never
    db.session.commit()
    notifications_created.send(current_app._get_current_object(), ids=ids)
    return rows


def text_of(notification: Notification) -> str:
    """The notification's sentence for the current reader."""
    return render_text(notification.kind, notification.values, notification.actor)


def unread_count(user) -> int:
    """How many notifications the user has not read."""
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def unread_for_current_user() -> int:
    """The bell's count for whoever is signed in (0 for visitors)."""
    return unread_count(current_user) if current_user.is_authenticated else 0


def unread_counts(user_ids: list[int]) -> dict[int, int]:
    """Unread notifications per user, for many users in one query."""
    rows = db.session.execute(select(Notification.user_id, func.count()).where(
        Notification.user_id.in_(user_ids), Notification.read_at.is_(None)).group_by(Notification.user_id))
    return dict(rows.tuples().all())


def list_notifications(user, page: int = 1):
    """The user's notifications, newest first, one page, with what their sentences name loaded."""
    query = (select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc())
             .options(selectinload(Notification.actor)))
    listed = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    preload([notification.values for notification in listed.items])
    return listed


def get_own(user, notification_id: int) -> Notification:
    """One of the user's own notifications; NotFound for anyone else's."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_l("We could not find that notification."))
    return notification


def mark_read(user, notification: Notification) -> None:
    """Mark one notification read."""
    if notification.user_id != user.id:
        raise NotFound(_l("We could not find that notification."))
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()


def mark_all_read(user) -> int:
    """Mark every notification of the user read; returns how many were unread."""
    done = db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                         Notification.read_at.is_(None))
                              .values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return done


def set_email_preference(user, choice: str) -> None:
    """Email for all notifications, for decisions on one's proposals only, or none."""
    if choice not in EMAIL_CHOICES:
        raise ServiceError(_l("Choose one of the email settings."), field="email")
    user.email_notifications = choice
    db.session.commit()


def wants_email(user: User, kind: str) -> bool:
    """Whether the user's email setting lets this kind of notification through."""
    setting = user.email_notifications or EMAIL_ALL
    if not user.email or not user.is_active:
        return False
    if KINDS[kind].security:  # a warning about one's own account comes whatever the setting
        return True
    if setting == EMAIL_NONE:
        return False
    return setting == EMAIL_ALL or KINDS[kind].is_decision


def email_notifications(ids: list[int], base_url: str = "") -> int:
    """Queue an email of each notification whose recipient wants it, in their language and time zone; the caller
    commits."""
    rows = db.session.execute(select(Notification, User).join(User, User.id == Notification.user_id)
                              .where(Notification.id.in_(ids))).tuples().all()
    sent = 0
    base = base_url.rstrip("/")
    for notification, user in rows:
        if not wants_email(user, notification.kind):
            continue
        with as_reader(user.preferred_language, user.timezone):
            subject = render_subject(notification.kind, notification.values, notification.actor)
            text = render_text(notification.kind, notification.values, notification.actor)
            try:
                send_email(user.email, "email/notification_subject.txt", "email/notification.txt",
                           user.preferred_language, subject=subject, text=text, link=base + notification.link,
                           name=user.display_name)
                sent += 1
            except Exception:  # one email that cannot be written must not stop the others
                log.exception("notification email failed")
    return sent


@sign_in_failures_repeated.connect
def warn_of_failed_sign_ins(user: User, **_extra) -> None:
    """Tell an account's owner, in the app and by email, that sign-ins keep failing on their account."""
    notify([user], SIGN_IN_FAILURES, path_for("members.account"), once_unread=False)
