"""What the meetings area holds about a member, for their own-data export."""

from __future__ import annotations

from sqlalchemy import select

from ..common.signals import collect_personal_data
from ..extensions import db
from .models import Attendance, Meeting, Rsvp


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
