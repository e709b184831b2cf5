"""RSVPs and check-ins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..common.errors import ServiceError
from ..common.roles import Role
from ..common.time import utcnow
from ..extensions import db
from ..members.models import User
from .models import Attendance, Meeting, MeetingStatus, Rsvp, RsvpAnswer

CHECK_IN_OPENS_BEFORE = timedelta(minutes=15)


@dataclass
class AttendanceSummary:
    """Counts everyone sees; the names only for advisors and admins."""

    counts: dict[str, int]
    attended: int
    my_rsvp: str | None
    checked_in: bool
    can_check_in: bool
    rsvps: list[Rsvp] = field(default_factory=list)
    attendees: list[Attendance] = field(default_factory=list)


def set_rsvp(user, meeting: Meeting, answer: str) -> Rsvp:
    """Answer yes, no or maybe; answering again changes the answer."""
    if answer not in set(RsvpAnswer):
        raise ServiceError(_l("Answer yes, no or maybe."))
    if meeting.status not in (MeetingStatus.PUBLISHED, MeetingStatus.LIVE):
        raise ServiceError(_l("You can answer only for an upcoming or live meeting."))
    rsvp = db.session.scalar(select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == user.id))
    if rsvp is None:
        rsvp = Rsvp(meeting_id=meeting.id, user_id=user.id)
        db.session.add(rsvp)
    rsvp.answer = answer
    rsvp.updated_at = utcnow()
    db.session.commit()
    return rsvp


def check_in_open(meeting: Meeting, now=None) -> bool:
    """Check-in runs from 15 minutes before the start until the end of a published or live meeting."""
    now = now or utcnow()
    return (
        meeting.status in (MeetingStatus.PUBLISHED, MeetingStatus.LIVE)
        and meeting.starts_at - CHECK_IN_OPENS_BEFORE <= now <= meeting.ends_at
    )


def check_in(user, meeting: Meeting) -> Attendance:
    """Record that the user is at the meeting; checking in twice keeps the first time."""
    if not check_in_open(meeting):
        raise ServiceError(_l("Check-in opens 15 minutes before the meeting starts and closes when it ends."))
    existing = db.session.scalar(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.user_id == user.id)
    )
    if existing:
        return existing
    attendance = Attendance(meeting_id=meeting.id, user_id=user.id, checked_in_at=utcnow())
    db.session.add(attendance)
    try:
        db.session.commit()
    except IntegrityError:  # a double click raced us: the first check-in stands
        db.session.rollback()
        attendance = db.session.scalar(
            select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.user_id == user.id)
        )
    return attendance


def summarize(viewer, meeting: Meeting) -> AttendanceSummary:
    """RSVP counts, attendance count and the viewer's own state; names for advisors and admins."""
    counts = {answer.value: 0 for answer in RsvpAnswer}
    counts.update(
        dict(db.session.execute(
            select(Rsvp.answer, func.count(Rsvp.id)).where(Rsvp.meeting_id == meeting.id).group_by(Rsvp.answer)
        ).all())
    )
    attended = db.session.scalar(select(func.count(Attendance.id)).where(Attendance.meeting_id == meeting.id))
    my_rsvp = db.session.scalar(select(Rsvp.answer).where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == viewer.id))
    checked_in = db.session.scalar(
        select(Attendance.id).where(Attendance.meeting_id == meeting.id, Attendance.user_id == viewer.id)
    ) is not None
    summary = AttendanceSummary(counts=counts, attended=attended, my_rsvp=my_rsvp, checked_in=checked_in,
                                can_check_in=check_in_open(meeting) and not checked_in)
    if viewer.role in (Role.ADVISOR, Role.ADMIN):
        summary.rsvps = list(db.session.scalars(
            select(Rsvp).where(Rsvp.meeting_id == meeting.id).options(selectinload(Rsvp.user))
            .order_by(Rsvp.answer, Rsvp.updated_at)
        ))
        summary.attendees = list(db.session.scalars(
            select(Attendance).where(Attendance.meeting_id == meeting.id).options(selectinload(Attendance.user))
            .order_by(Attendance.checked_in_at)
        ))
    return summary


def attendance_counts(meeting_ids: list[int]) -> dict[int, int]:
    """Attendance per meeting, for lists."""
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        select(Attendance.meeting_id, func.count(Attendance.id))
        .where(Attendance.meeting_id.in_(meeting_ids))
        .group_by(Attendance.meeting_id)
    ).all()
    return dict(rows)


def my_rsvps(user, meeting_ids: list[int]) -> dict[int, str]:
    """The user's answers per meeting, for lists."""
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        select(Rsvp.meeting_id, Rsvp.answer).where(Rsvp.user_id == user.id, Rsvp.meeting_id.in_(meeting_ids))
    ).all()
    return dict(rows)


def members_who_answered(meeting: Meeting) -> list:
    """The members who answered the meeting's invitation (yes, maybe or no)."""
    return list(db.session.scalars(
        select(User).join(Rsvp, Rsvp.user_id == User.id).where(Rsvp.meeting_id == meeting.id).order_by(User.id)
    ))


def is_relied_on(meeting: Meeting) -> bool:
    """Whether a member answered the meeting's invitation or checked in to it."""
    answered = select(Rsvp.id).where(Rsvp.meeting_id == meeting.id).limit(1)
    attended = select(Attendance.id).where(Attendance.meeting_id == meeting.id).limit(1)
    return db.session.scalar(answered) is not None or db.session.scalar(attended) is not None
