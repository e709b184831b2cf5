"""Meeting services without HTTP: the live meeting, RSVP and check-in, attendance, minutes, the meeting list."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.errors import ServiceError
from stac_youth.extensions import db
from stac_youth.meetings import agenda, attendance, listing, minutes, services
from stac_youth.meetings.models import AgendaItem, Attendance, Meeting, MinutesRevision, Rsvp
from tests.meetings.helpers import _positions, actions, make_meeting, region

NOW = datetime(2031, 5, 6, 17, 0)


@pytest.fixture
def advisor(make_user):
    return make_user("advisor")


# --- live ------------------------------------------------------------------------------------------------


def test_live_meeting_runs_through_its_agenda(app, advisor):
    meeting = make_meeting(advisor, items=("First", "Second", "Third"))
    first, second, third = (item.id for item in meeting.items)
    with pytest.raises(ServiceError):
        services.start_meeting(advisor, meeting)  # a draft cannot go live
    services.publish_meeting(advisor, meeting)
    with pytest.raises(ServiceError):
        services.move_current_item(advisor, meeting, 1)  # not live yet

    state = services.start_meeting(advisor, meeting)
    assert (meeting.status, state.status, state.current_item_id) == ("live", "live", first)
    assert state.item_started_at is not None
    payload = state.as_payload()
    assert payload["current_item_id"] == first and payload["item_started_at"].endswith("Z")

    with pytest.raises(ServiceError, match="first"):
        services.move_current_item(advisor, meeting, -1)
    assert services.move_current_item(advisor, meeting, 1).current_item_id == second
    assert services.move_current_item(advisor, meeting, 1).current_item_id == third
    with pytest.raises(ServiceError, match="last"):
        services.move_current_item(advisor, meeting, 1)
    with pytest.raises(ServiceError):
        services.move_current_item(advisor, meeting, 2)
    assert services.move_current_item(advisor, meeting, -1).current_item_id == second
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).current_item_id == second

    meeting = db.session.get(Meeting, meeting.id)
    state = services.end_meeting(advisor, meeting)
    assert (state.status, state.current_item_id, state.item_started_at) == ("ended", None, None)
    with pytest.raises(ServiceError):
        services.end_meeting(advisor, meeting)
    tail = [a for a in actions() if a.startswith("meeting.") and a not in ("meeting.created", "meeting.published")]
    assert tail == ["meeting.started", "meeting.item_moved", "meeting.item_moved", "meeting.item_moved",
                    "meeting.ended"]


def test_live_meeting_cannot_delete_its_current_item(app, advisor):
    meeting = make_meeting(advisor, status="live", items=("First", "Second"))
    current = meeting.current_item
    with pytest.raises(ServiceError):
        agenda.delete_item(advisor, current)
    assert db.session.get(AgendaItem, current.id) is not None
    other = meeting.items[1]
    agenda.delete_item(advisor, other)
    assert _positions(meeting) == [("First", 0)]


def test_live_state_changes_are_signalled(app, advisor):
    from stac_youth.common.signals import meeting_state_changed

    received = []

    def listener(meeting_id, state, **_extra):
        received.append((meeting_id, state.status, state.current_item_id))

    meeting = make_meeting(advisor, status="published", items=("First", "Second"))
    with meeting_state_changed.connected_to(listener):
        services.start_meeting(advisor, meeting)
        services.move_current_item(advisor, meeting, 1)
        services.end_meeting(advisor, meeting)
    ids = [item.id for item in meeting.items]
    assert received == [(meeting.id, "live", ids[0]), (meeting.id, "live", ids[1]), (meeting.id, "ended", None)]


def test_start_without_agenda_has_no_current_item(app, advisor):
    meeting = make_meeting(advisor, status="published")
    state = services.start_meeting(advisor, meeting)
    assert state.current_item_id is None
    with pytest.raises(ServiceError):
        services.move_current_item(advisor, meeting, 1)


def test_every_change_is_audited_with_actor_and_meeting(app, advisor):
    meeting = make_meeting(advisor, status="ended", items=("One",))
    minutes.save_minutes(advisor, meeting, "Notes")
    meeting_id = meeting.id
    with pytest.raises(ServiceError):  # an ended meeting is kept: refused, and nothing more is written
        services.delete_meeting(advisor, meeting)
    assert actions() == [
        "meeting.created", "agenda.item_added", "meeting.published", "meeting.started", "meeting.ended",
        "meeting.minutes_saved",
    ]
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id.is_not(None))):
        assert event.actor_id == advisor.id
        assert json.loads(event.detail)["meeting_id"] == meeting_id


# --- RSVP and check-in --------------------------------------------------------------------------------------


def test_rsvp_answers_and_changes(app, advisor, bay_member):
    meeting = make_meeting(advisor, status="published")
    for answer in ("yes", "no", "maybe"):
        attendance.set_rsvp(bay_member, meeting, answer)
        rows = list(db.session.scalars(select(Rsvp).where(Rsvp.meeting_id == meeting.id)))
        assert [(row.user_id, row.answer) for row in rows] == [(bay_member.id, answer)]
    with pytest.raises(ServiceError):
        attendance.set_rsvp(bay_member, meeting, "perhaps")
    assert attendance.summarize(bay_member, meeting).my_rsvp == "maybe"


@pytest.mark.parametrize("status", ["draft", "ended"])
def test_rsvp_refused_on_drafts_and_ended_meetings(app, advisor, bay_member, status):
    meeting = make_meeting(advisor, status=status)
    with pytest.raises(ServiceError):
        attendance.set_rsvp(bay_member, meeting, "yes")
    assert db.session.scalar(select(func.count()).select_from(Rsvp)) == 0


def test_rsvp_allowed_while_live(app, advisor, bay_member):
    meeting = make_meeting(advisor, status="live")
    assert attendance.set_rsvp(bay_member, meeting, "yes").answer == "yes"


def _meeting_at(advisor, minutes_from_now: int, status: str = "published", length: int = 60) -> Meeting:
    starts = NOW + timedelta(minutes=minutes_from_now)
    return make_meeting(advisor, status=status, starts_at=starts, ends_at=starts + timedelta(minutes=length))


def _attendance_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attendance))


@freeze_time(NOW)
def test_check_in_opens_exactly_fifteen_minutes_before(app, advisor, bay_member):
    too_early = _meeting_at(advisor, 16)
    with pytest.raises(ServiceError):
        attendance.check_in(bay_member, too_early)
    assert attendance.summarize(bay_member, too_early).can_check_in is False

    on_time = _meeting_at(advisor, 15)
    assert attendance.summarize(bay_member, on_time).can_check_in is True
    row = attendance.check_in(bay_member, on_time)
    assert (row.meeting_id, row.user_id, row.checked_in_at) == (on_time.id, bay_member.id, NOW)
    assert _attendance_count() == 1


@freeze_time(NOW)
def test_check_in_closes_at_the_end(app, advisor, bay_member):
    ended_by_clock = _meeting_at(advisor, -61)  # ended a minute ago, still "published"
    with pytest.raises(ServiceError):
        attendance.check_in(bay_member, ended_by_clock)
    just_ending = _meeting_at(advisor, -60)  # ends right now: still open
    attendance.check_in(bay_member, just_ending)
    assert _attendance_count() == 1


@freeze_time(NOW)
def test_check_in_refused_on_draft_and_ended_status(app, advisor, bay_member):
    for status in ("draft", "ended"):
        meeting = _meeting_at(advisor, 0, status=status)
        with pytest.raises(ServiceError):
            attendance.check_in(bay_member, meeting)
    live = _meeting_at(advisor, -10, status="live")
    attendance.check_in(bay_member, live)
    assert _attendance_count() == 1


def test_double_check_in_keeps_one_row_and_the_first_time(app, advisor, bay_member):
    with freeze_time(NOW):
        meeting = _meeting_at(advisor, 5)
        first = attendance.check_in(bay_member, meeting)
    with freeze_time(NOW + timedelta(minutes=3)):
        second = attendance.check_in(bay_member, meeting)
    assert second.id == first.id
    assert second.checked_in_at == NOW
    assert _attendance_count() == 1
    summary = attendance.summarize(bay_member, meeting)
    assert summary.checked_in is True
    assert summary.can_check_in is False


def test_summary_counts_for_members_names_for_advisors(app, advisor, make_user, bay_member, capitol_member):
    planner = make_user("planner")
    admin = make_user("admin")
    with freeze_time(NOW):
        meeting = _meeting_at(advisor, 0)
        attendance.set_rsvp(bay_member, meeting, "yes")
        attendance.set_rsvp(capitol_member, meeting, "maybe")
        attendance.check_in(bay_member, meeting)

        member_view = attendance.summarize(capitol_member, meeting)
        assert member_view.counts == {"yes": 1, "no": 0, "maybe": 1}
        assert member_view.attended == 1
        assert member_view.my_rsvp == "maybe"
        assert member_view.checked_in is False
        assert member_view.can_check_in is True
        assert member_view.rsvps == [] and member_view.attendees == []
        planner_view = attendance.summarize(planner, meeting)
        assert planner_view.rsvps == [] and planner_view.attendees == []

        for viewer in (advisor, admin):
            staff_view = attendance.summarize(viewer, meeting)
            assert staff_view.counts == {"yes": 1, "no": 0, "maybe": 1}
            assert {(row.user.display_name, row.answer) for row in staff_view.rsvps} == {
                ("Maya Bay", "yes"), ("Priya Capitol", "maybe"),
            }
            assert [row.user.display_name for row in staff_view.attendees] == ["Maya Bay"]


def test_list_helpers_count_per_meeting(app, advisor, bay_member):
    with freeze_time(NOW):
        one = _meeting_at(advisor, 0)
        two = _meeting_at(advisor, 0)
        attendance.set_rsvp(bay_member, one, "no")
        attendance.check_in(bay_member, two)
    assert attendance.attendance_counts([one.id, two.id]) == {two.id: 1}
    assert attendance.my_rsvps(bay_member, [one.id, two.id]) == {one.id: "no"}
    assert attendance.attendance_counts([]) == {} and attendance.my_rsvps(bay_member, []) == {}


# --- minutes -----------------------------------------------------------------------------------------------


def _revisions(meeting: Meeting) -> list[MinutesRevision]:
    return list(db.session.scalars(
        select(MinutesRevision).where(MinutesRevision.meeting_id == meeting.id).order_by(MinutesRevision.id)
    ))


def test_minutes_only_after_the_end(app, advisor):
    for status in ("draft", "published", "live"):
        meeting = make_meeting(advisor, status=status)
        with pytest.raises(ServiceError):
            minutes.save_minutes(advisor, meeting, "Too early")
        assert _revisions(meeting) == []


def test_minutes_revisions_keep_author_and_time(app, advisor, make_user):
    other = make_user("advisor", display_name="Second Advisor")
    meeting = make_meeting(advisor, status="ended")
    with pytest.raises(ServiceError):
        minutes.save_minutes(advisor, meeting, "   ")

    with freeze_time(NOW):
        first = minutes.save_minutes(advisor, meeting, "  First draft  ")
    with freeze_time(NOW + timedelta(hours=1)):
        same = minutes.save_minutes(other, meeting, "First draft")
        assert same.id == first.id  # identical text: no new revision
        second = minutes.save_minutes(other, meeting, "Second draft")

    rows = _revisions(meeting)
    assert [(row.body, row.author_id, row.created_at) for row in rows] == [
        ("First draft", advisor.id, NOW),
        ("Second draft", other.id, NOW + timedelta(hours=1)),
    ]
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.latest_minutes.id == second.id
    assert actions().count("meeting.minutes_saved") == 2
    # Going back to earlier text is a change too, so it is a new revision.
    minutes.save_minutes(advisor, meeting, "First draft")
    assert len(_revisions(meeting)) == 3


# --- listing ----------------------------------------------------------------------------------------------


def test_meeting_list_splits_upcoming_and_past_and_filters_by_region(app, advisor, bay_member):
    bay, capitol = region("Bay Area"), region("Capitol Area")
    with freeze_time(NOW):
        make_meeting(advisor, status="published", title="Statewide soon",
                     starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=2, hours=1))
        make_meeting(advisor, status="published", title="Bay soon", region_ids=(bay.id,),
                     starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=1, hours=1))
        make_meeting(advisor, status="published", title="Capitol soon", region_ids=(capitol.id,),
                     starts_at=NOW + timedelta(days=3), ends_at=NOW + timedelta(days=3, hours=1))
        make_meeting(advisor, status="published", title="Published, clock ran out",
                     starts_at=NOW - timedelta(days=1), ends_at=NOW - timedelta(days=1) + timedelta(hours=1))
        make_meeting(advisor, status="ended", title="Ended early",
                     starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(hours=2))
        make_meeting(advisor, status="live", title="Live now",
                     starts_at=NOW - timedelta(minutes=10), ends_at=NOW + timedelta(minutes=50))
        make_meeting(advisor, title="Draft soon",
                     starts_at=NOW + timedelta(days=4), ends_at=NOW + timedelta(days=4, hours=1))

        everything = listing.meeting_list(advisor)
        assert [m.title for m in everything.upcoming] == [
            "Live now", "Bay soon", "Statewide soon", "Capitol soon", "Draft soon",
        ]
        assert [m.title for m in everything.past] == ["Ended early", "Published, clock ran out"]

        in_bay = listing.meeting_list(advisor, region_id=bay.id)
        assert [m.title for m in in_bay.upcoming] == ["Live now", "Bay soon", "Statewide soon", "Draft soon"]
        in_capitol = listing.meeting_list(advisor, region_id=capitol.id)
        assert [m.title for m in in_capitol.upcoming] == ["Live now", "Statewide soon", "Capitol soon", "Draft soon"]
        assert [m.title for m in in_capitol.past] == ["Ended early", "Published, clock ran out"]

        member = listing.meeting_list(bay_member)
        assert [m.title for m in member.upcoming] == ["Live now", "Bay soon", "Statewide soon"]
        assert [m.title for m in member.past] == ["Ended early", "Published, clock ran out"]
        assert [m.title for m in listing.meeting_list(bay_member, region_id=capitol.id).upcoming] == [
            "Live now", "Statewide soon",
        ]


def test_meeting_list_carries_my_rsvps_and_attendance(app, advisor, bay_member):
    with freeze_time(NOW):
        meeting = _meeting_at(advisor, 5)
        attendance.set_rsvp(bay_member, meeting, "yes")
        attendance.check_in(bay_member, meeting)
        view = listing.meeting_list(bay_member)
    assert view.rsvps == {meeting.id: "yes"}
    assert view.attended == {meeting.id: 1}
