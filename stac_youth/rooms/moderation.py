"""Moderation: delete messages, mute members, lock rooms, and the queue of reports."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..common.audit import record_audit
from ..common.errors import ServiceError
from ..common.signals import room_changed, room_message_deleted
from ..common.time import utcnow
from ..extensions import db
from ..members.models import User
from . import notices
from .models import Message, MessageReport, Mute, Room

MUTE_CHOICES_MINUTES = (10, 30, 60, 24 * 60)
MAX_REASON = 500


def delete_message(advisor, message: Message) -> None:
    """Hide a message for everyone at once; it is kept for the audit."""
    if message.deleted_at is not None:
        return
    message.deleted_at = utcnow()
    message.deleted_by_id = advisor.id
    record_audit("room.message_deleted", actor=advisor, subject=message.author, room_id=message.room_id,
                 message_id=message.id)
    db.session.commit()
    room_message_deleted.send(message)


def mute_member(advisor, room: Room, user: User, minutes: int) -> Mute:
    """Keep a member from posting in the room for a while."""
    if minutes not in MUTE_CHOICES_MINUTES:
        raise ServiceError(_l("Choose how long from the list."))
    if user.id == advisor.id:
        raise ServiceError(_l("You cannot mute yourself."))
    mute = db.session.scalar(select(Mute).where(Mute.room_id == room.id, Mute.user_id == user.id))
    if mute is None:
        mute = Mute(room_id=room.id, user_id=user.id)
        db.session.add(mute)
    mute.until = utcnow() + timedelta(minutes=minutes)
    mute.muted_by_id = advisor.id
    record_audit("room.member_muted", actor=advisor, subject=user, room_id=room.id, minutes=minutes)
    db.session.commit()
    return mute


def unmute_member(advisor, room: Room, user: User) -> None:
    """Let a muted member post again."""
    mute = db.session.scalar(select(Mute).where(Mute.room_id == room.id, Mute.user_id == user.id))
    if mute is None:
        return
    db.session.delete(mute)
    record_audit("room.member_unmuted", actor=advisor, subject=user, room_id=room.id)
    db.session.commit()


def set_locked(advisor, room: Room, locked: bool) -> None:
    """Lock a room (only advisors may post) or open it again."""
    if room.locked == locked:
        return
    room.locked = locked
    record_audit("room.locked" if locked else "room.unlocked", actor=advisor, room_id=room.id)
    db.session.commit()
    room_changed.send(room.id, what="lock", locked=locked)


def report_message(user, message: Message, reason: str) -> MessageReport:
    """Flag a message for the advisors; reporting the same message again keeps one open report."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Tell the advisors what is wrong with this message."), field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(_l("Keep the reason under %(n)d characters.", n=MAX_REASON), field="reason")
    existing = db.session.scalar(select(MessageReport).where(
        MessageReport.message_id == message.id, MessageReport.reporter_id == user.id,
        MessageReport.resolved_at.is_(None),
    ))
    if existing is not None:
        return existing
    report = MessageReport(message_id=message.id, reporter_id=user.id, reason=reason)
    db.session.add(report)
    db.session.commit()
    notices.message_reported(db.session.get(Room, message.room_id))
    return report


def open_reports() -> list[MessageReport]:
    """Reports waiting for an advisor, oldest first."""
    return list(db.session.scalars(
        select(MessageReport).where(MessageReport.resolved_at.is_(None))
        .options(selectinload(MessageReport.message).selectinload(Message.author), selectinload(MessageReport.reporter))
        .order_by(MessageReport.created_at)
    ))


def resolve_report(advisor, report: MessageReport, delete: bool) -> None:
    """Close a report, deleting the message or keeping it."""
    if report.resolved_at is not None:
        raise ServiceError(_l("This report was already handled."))
    if delete:
        delete_message(advisor, report.message)
    report.resolved_at = utcnow()
    report.resolved_by_id = advisor.id
    report.resolution = "deleted" if delete else "kept"
    record_audit("room.report_resolved", actor=advisor, subject=report.message.author,
                 report_id=report.id, resolution=report.resolution)
    db.session.commit()
