"""What members rely on is kept: deletion refused, cancel and restore with notices, undo of a deleted agenda item."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.errors import ServiceError
from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.meetings import agenda, attendance, calendar, cancellation, services
from stac_youth.meetings.models import AgendaItem, Meeting
from stac_youth.notifications.models import Notification
from stac_youth.notifications.services import text_of
from tests.meetings.helpers import _positions, _reload, actions, around_now, item_data, make_meeting


def _notices(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_a_meeting_members_answered_cannot_be_deleted_but_can_be_cancelled(app, advisor, make_user):
    answered, silent = make_user("member"), make_user("member")
    meeting = make_meeting(advisor, status="published", items=("Welcome",))
    assert cancellation.deletion_refusal(meeting) is None
    attendance.set_rsvp(answered, meeting, "no")
    with pytest.raises(ServiceError, match="Cancel it instead"):
        services.delete_meeting(advisor, meeting)
    assert _reload(meeting) is not None and "meeting.deleted" not in actions()
    before = len(_notices(silent))

    cancellation.cancel_meeting(advisor, _reload(meeting), "  The school is closed for a storm.  ")
    meeting = _reload(meeting)
    assert meeting.status == "cancelled" and meeting.sequence == 2  # published (1), cancelled (2)
    assert cancellation.cancellation_reason(meeting) == "The school is closed for a storm."
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.cancelled")).one()
    assert event.actor_id == advisor.id
    assert json.loads(event.detail)["reason"] == "The school is closed for a storm."
    told = _notices(answered)[-1]
    assert told.kind == "meeting_cancelled" and told.link == f"/meetings/{meeting.id}"
    assert "is cancelled. Reason: The school is closed for a storm." in text_of(told)
    with force_locale("es"):
        assert "Motivo: The school is closed for a storm." in text_of(told)  # drawn in the reader's language
    assert len(_notices(silent)) == before  # only those who answered are told
    with pytest.raises(ServiceError, match="Cancel it instead"):  # still relied on
        services.delete_meeting(advisor, meeting)


def test_cancel_needs_a_reason_and_a_published_meeting(app, advisor):
    meeting = make_meeting(advisor, status="published")
    for reason in ("", "   ", "x" * (cancellation.MAX_REASON + 1)):
        with pytest.raises(ServiceError) as refused:
            cancellation.cancel_meeting(advisor, meeting, reason)
        assert refused.value.field == "reason"
    for status in ("draft", "live", "ended"):
        with pytest.raises(ServiceError, match="Only a published meeting"):
            cancellation.cancel_meeting(advisor, make_meeting(advisor, status=status), "Because")
    assert _reload(meeting).status == "published" and "meeting.cancelled" not in actions()


def test_a_cancelled_meeting_is_frozen_until_restored(app, advisor, make_user):
    member = make_user("member")
    meeting = make_meeting(advisor, status="published", items=("Welcome",))
    attendance.set_rsvp(member, meeting, "yes")
    cancellation.cancel_meeting(advisor, meeting, "Storm")
    meeting = _reload(meeting)
    for action in (lambda: services.start_meeting(advisor, meeting),
                   lambda: attendance.set_rsvp(member, meeting, "no"),
                   lambda: agenda.add_item(advisor, meeting, item_data("More")),
                   lambda: agenda.delete_item(advisor, meeting.items[0]),
                   lambda: services.update_meeting(advisor, meeting, _same(meeting))):
        with pytest.raises(ServiceError):
            action()
    assert b"STATUS:CANCELLED" in calendar.meeting_ics(meeting, "https://example.test/m")

    cancellation.restore_meeting(advisor, meeting)
    meeting = _reload(meeting)
    assert meeting.status == "published" and meeting.sequence == 3
    assert cancellation.cancellation_reason(meeting) is None
    assert b"STATUS:CANCELLED" not in calendar.meeting_ics(meeting, "https://example.test/m")
    assert _notices(member)[-1].kind == "meeting_restored"
    assert actions()[-2:] == ["meeting.cancelled", "meeting.restored"]
    with pytest.raises(ServiceError, match="Only a cancelled meeting"):
        cancellation.restore_meeting(advisor, meeting)


def _same(meeting: Meeting) -> services.MeetingData:
    return services.MeetingData(title=meeting.title, description="", starts_at=meeting.starts_at,
                                ends_at=meeting.ends_at, location=meeting.location, video_url=None)


def test_a_cancelled_meeting_whose_time_has_passed_cannot_be_restored(app, advisor):
    meeting = make_meeting(advisor, status="published", **around_now(5))
    cancellation.cancel_meeting(advisor, meeting, "Nobody could come")
    meeting = _reload(meeting)
    assert cancellation.may_restore(meeting)
    meeting.starts_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert not cancellation.may_restore(meeting)
    with pytest.raises(ServiceError, match="time has passed"):
        cancellation.restore_meeting(advisor, meeting)
    assert _reload(meeting).status == "cancelled"


def test_attendance_alone_also_keeps_a_meeting(app, advisor, make_user):
    member = make_user("member")
    meeting = make_meeting(advisor, status="published", **around_now(5))
    attendance.check_in(member, meeting)  # no answer, only the check-in
    assert attendance.members_who_answered(meeting) == []
    with pytest.raises(ServiceError):
        services.delete_meeting(advisor, _reload(meeting))


def test_a_deleted_agenda_item_comes_back_with_its_place_and_fields(app, advisor):
    meeting = make_meeting(advisor, status="published", items=("One", "Two", "Three"))
    two = meeting.items[1]
    agenda.update_item(advisor, two, item_data("Two", minutes=25, kind="vote", presenter="Ana",
                                               description="Decide *now*"))
    two_id = two.id
    token = agenda.delete_item(advisor, two)
    assert _positions(meeting) == [("One", 0), ("Three", 1)]

    restored = agenda.restore_item(advisor, _reload(meeting), token)
    assert restored.id == two_id
    assert _positions(meeting) == [("One", 0), ("Two", 1), ("Three", 2)]
    item = db.session.get(AgendaItem, two_id)
    assert (item.minutes, item.kind, item.presenter, item.description) == (25, "vote", "Ana", "Decide *now*")
    assert actions()[-2:] == ["agenda.item_deleted", "agenda.item_restored"]
    with pytest.raises(ServiceError, match="already back"):  # the same Undo sent twice adds nothing
        agenda.restore_item(advisor, _reload(meeting), token)
    assert len(_reload(meeting).items) == 3


def test_an_undo_token_works_only_for_its_meeting_and_unaltered(app, advisor):
    meeting = make_meeting(advisor, status="published", items=("One", "Two"))
    other = make_meeting(advisor, status="published", items=("Elsewhere",))
    token = agenda.delete_item(advisor, meeting.items[0])
    for where, sent in ((other, token), (meeting, token[:-2] + "xx"), (meeting, "not a token")):
        with pytest.raises(ServiceError, match="too late to undo"):
            agenda.restore_item(advisor, _reload(where), sent)
    assert _positions(meeting) == [("Two", 0)]
    assert _positions(other) == [("Elsewhere", 0)]


def test_an_undo_token_expires(app, advisor, monkeypatch):
    meeting = make_meeting(advisor, status="published", items=("One", "Two"))
    token = agenda.delete_item(advisor, meeting.items[0])
    monkeypatch.setattr(agenda, "UNDO_SECONDS", -1)
    with pytest.raises(ServiceError, match="too late to undo"):
        agenda.restore_item(advisor, _reload(meeting), token)
