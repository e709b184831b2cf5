"""What the meetings area holds about a member: for their own-data export, and what erasure changes."""

from __future__ import annotations

from sqlalchemy import func, select

from ..common.signals import account_erased, collect_personal_data
from ..extensions import db
from .models import AgendaItem, Attendance, Meeting, Rsvp


@collect_personal_data.connect
def export_meeting_data(user, **_extra) -> dict:
    """RSVPs and check-ins of the user."""
    rsvps = db.session.execute(
        select(Meeting.title, Rsvp.answer, Rsvp.updated_at).join(Meeting, Meeting.id == Rsvp.meeting_id)
        .where(Rsvp.user_id == user.id)
    ).all()
    attended = db.session.execute(
        select(Meeting.title, Attendance.checked_in_at).join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Attendance.user_id == user.id)
    ).all()
    return {
        "meeting_rsvps": [{"meeting": title, "answer": answer, "at": at.isoformat() + "Z"}
                          for title, answer, at in rsvps],
        "meeting_check_ins": [{"meeting": title, "at": at.isoformat() + "Z"} for title, at in attended],
    }


@account_erased.connect
def forget_erased_member(user, former_name: str | None = None, **_extra) -> None:
    """Agenda items whose presenter was the erased member, by name, lose that name; the eraser's service commits."""
    if not former_name:
        return
    for item in db.session.scalars(select(AgendaItem).where(func.lower(AgendaItem.presenter) == former_name.lower())):
        item.presenter = None
