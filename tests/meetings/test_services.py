"""Meeting services without HTTP: validation, visibility, agenda, live state, attendance, minutes, listing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.errors import NotFound, ServiceError
from stac_youth.extensions import db
from stac_youth.meetings import agenda, attendance, listing, minutes, services
from stac_youth.meetings.models import AgendaItem, Attendance, Meeting, MinutesRevision, Rsvp
from stac_youth.meetings.visibility import visible_meetings
from tests.meetings.helpers import actions, data, item_data, make_meeting, region

NOW = datetime(2031, 5, 6, 17, 0)


@pytest.fixture
def advisor(make_user):
    return make_user("advisor")


@pytest.fixture
def bay_member(make_user):
    return make_user("member", display_name="Maya Bay", region_id=region("Bay Area").id)


@pytest.fixture
def capitol_member(make_user):
    return make_user("member", display_name="Priya Capitol", region_id=region("Capitol Area").id)


def _titles(user) -> set[str]:
    return {meeting.title for meeting in db.session.scalars(visible_meetings(user))}


def _positions(meeting: Meeting) -> list[tuple[str, int]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(AgendaItem.title, AgendaItem.position).where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position)
    ).all()
    return [tuple(row) for row in rows]


# --- create / update / publish / delete ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "   "}, "title", "title"),
        ("end_before_start", "ends_at", "end after it starts"),
        ("end_equals_start", "ends_at", "end after it starts"),
        ({"video_url": "javascript:alert(1)"}, "video_url", "https://"),
        ({"video_url": "ftp://files.example.org/meeting"}, "video_url", "https://"),
        ({"video_url": "https://"}, "video_url", "https://"),
        ({"location": None, "video_url": None}, "location", "location"),
        ({"location": "", "video_url": ""}, "location", "location"),
        ({"region_ids": (999_999,)}, "region_ids", "regions"),
    ],
)
def test_create_refuses_bad_input_and_creates_nothing(app, advisor, changes, field, message):
    base = data()
    if changes == "end_before_start":
        changes = {"ends_at": base.starts_at - timedelta(minutes=1)}
    elif changes == "end_equals_start":
        changes = {"ends_at": base.starts_at}
    with pytest.raises(ServiceError) as raised:
        services.create_meeting(advisor, replace(base, **changes))
    assert raised.value.field == field
    assert message in str(raised.value.message)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0
    assert "meeting.created" not in actions()


def test_unknown_region_among_known_ones_is_refused(app, advisor):
    with pytest.raises(ServiceError):
        services.create_meeting(advisor, data(region_ids=(region("Bay Area").id, 999_999)))


def test_create_makes_a_draft_with_regions_and_audit(app, advisor):
    bay, capitol = region("Bay Area"), region("Capitol Area")
    meeting = services.create_meeting(
        advisor,
        data(title="  Kickoff  ", video_url="https://meet.example.org/x", location=None,
             region_ids=(bay.id, capitol.id)),
    )
    assert meeting.status == "draft"
    assert meeting.title == "Kickoff"
    assert meeting.location is None
    assert {r.name for r in meeting.regions} == {"Bay Area", "Capitol Area"}
    assert meeting.created_by_id == advisor.id
    assert len(meeting.uid) == 36
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.created"))
    assert event.actor_id == advisor.id
    assert event.details["meeting_id"] == meeting.id


def test_update_keeps_uid_and_bumps_sequence(app, advisor):
    meeting = make_meeting(advisor)
    uid, sequence = meeting.uid, meeting.sequence
    services.update_meeting(advisor, meeting, data(title="Renamed", location="Room 9"))
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.uid == uid
    assert meeting.sequence == sequence + 1
    assert (meeting.title, meeting.location) == ("Renamed", "Room 9")
    services.publish_meeting(advisor, meeting)
    assert meeting.sequence == sequence + 2
    assert actions() == ["meeting.created", "meeting.updated", "meeting.published"]


def test_update_validates_too(app, advisor):
    meeting = make_meeting(advisor, title="Original")
    with pytest.raises(ServiceError):
        services.update_meeting(advisor, meeting, data(title=""))
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).title == "Original"
    assert "meeting.updated" not in actions()


def test_ended_meeting_cannot_be_edited(app, advisor):
    meeting = make_meeting(advisor, status="ended")
    with pytest.raises(ServiceError):
        services.update_meeting(advisor, meeting, data(title="Late change"))


def test_publish_only_drafts(app, advisor):
    meeting = make_meeting(advisor)
    services.publish_meeting(advisor, meeting)
    assert meeting.status == "published"
    with pytest.raises(ServiceError):
        services.publish_meeting(advisor, meeting)
    assert actions().count("meeting.published") == 1


def test_delete_removes_the_meeting_and_its_agenda_but_not_a_live_one(app, advisor):
    meeting = make_meeting(advisor, items=("One", "Two"))
    meeting_id = meeting.id
    services.delete_meeting(advisor, meeting)
    assert db.session.get(Meeting, meeting_id) is None
    assert db.session.scalar(select(func.count()).select_from(AgendaItem)) == 0
    assert actions()[-1] == "meeting.deleted"

    live = make_meeting(advisor, status="live", items=("One",))
    with pytest.raises(ServiceError):
        services.delete_meeting(advisor, live)
    assert db.session.get(Meeting, live.id) is not None

    ended = make_meeting(advisor, status="ended", items=("One",))
    services.delete_meeting(advisor, ended)
    assert db.session.get(Meeting, ended.id) is None


# --- visibility ------------------------------------------------------------------------------------------


def test_drafts_are_hidden_from_members_and_planners(app, advisor, make_user, bay_member):
    planner = make_user("planner")
    admin = make_user("admin")
    draft = make_meeting(advisor, title="Secret draft")
    for user in (bay_member, planner):
        with pytest.raises(NotFound):
            services.get_visible_meeting(user, draft.id)
        assert "Secret draft" not in _titles(user)
    for user in (advisor, admin):
        assert services.get_visible_meeting(user, draft.id) is draft
        assert "Secret draft" in _titles(user)

    services.publish_meeting(advisor, draft)
    assert services.get_visible_meeting(bay_member, draft.id).id == draft.id
    assert services.get_visible_meeting(planner, draft.id).id == draft.id
    assert "Secret draft" in _titles(bay_member)


def test_missing_meeting_is_not_found(app, advisor):
    with pytest.raises(NotFound):
        services.get_visible_meeting(advisor, 424242)


def test_region_meetings_are_for_their_regions_and_adults(app, advisor, make_user, bay_member, capitol_member):
    planner = make_user("planner", region_id=region("Southern Coast").id)
    bay_only = make_meeting(advisor, status="published", title="Bay only", region_ids=(region("Bay Area").id,))
    make_meeting(advisor, status="published", title="Statewide")

    assert services.get_visible_meeting(bay_member, bay_only.id).id == bay_only.id
    with pytest.raises(NotFound):
        services.get_visible_meeting(capitol_member, bay_only.id)
    assert services.get_visible_meeting(planner, bay_only.id).id == bay_only.id
    assert services.get_visible_meeting(advisor, bay_only.id).id == bay_only.id

    assert _titles(bay_member) == {"Bay only", "Statewide"}
    assert _titles(capitol_member) == {"Statewide"}
    assert _titles(planner) == {"Bay only", "Statewide"}


# --- agenda ----------------------------------------------------------------------------------------------


def test_agenda_add_update_delete_move_keeps_positions(app, advisor):
    meeting = make_meeting(advisor)
    a = agenda.add_item(advisor, meeting, item_data("A"))
    b = agenda.add_item(advisor, meeting, item_data("B"))
    c = agenda.add_item(advisor, meeting, item_data("C"))
    d = agenda.add_item(advisor, meeting, item_data("D"))
    assert _positions(meeting) == [("A", 0), ("B", 1), ("C", 2), ("D", 3)]

    agenda.move_item(advisor, db.session.get(AgendaItem, c.id), -1)
    assert _positions(meeting) == [("A", 0), ("C", 1), ("B", 2), ("D", 3)]
    agenda.move_item(advisor, db.session.get(AgendaItem, a.id), 1)
    assert _positions(meeting) == [("C", 0), ("A", 1), ("B", 2), ("D", 3)]

    with pytest.raises(ServiceError):
        agenda.move_item(advisor, db.session.get(AgendaItem, c.id), -1)  # already first
    with pytest.raises(ServiceError):
        agenda.move_item(advisor, db.session.get(AgendaItem, d.id), 1)  # already last
    assert _positions(meeting) == [("C", 0), ("A", 1), ("B", 2), ("D", 3)]

    agenda.update_item(advisor, db.session.get(AgendaItem, b.id),
                       item_data("B2", minutes=25, kind="vote", presenter="  Kai  ", description=" **x** "))
    db.session.expire_all()
    edited = db.session.get(AgendaItem, b.id)
    assert (edited.title, edited.minutes, edited.kind, edited.presenter, edited.description) == \
        ("B2", 25, "vote", "Kai", "**x**")

    agenda.delete_item(advisor, db.session.get(AgendaItem, a.id))
    assert _positions(meeting) == [("C", 0), ("B2", 1), ("D", 2)]
    agenda.delete_item(advisor, db.session.get(AgendaItem, c.id))
    assert _positions(meeting) == [("B2", 0), ("D", 1)]
    assert db.session.get(AgendaItem, a.id) is None

    assert [action for action in actions() if action.startswith("agenda.")] == [
        "agenda.item_added", "agenda.item_added", "agenda.item_added", "agenda.item_added",
        "agenda.item_moved", "agenda.item_moved",
        "agenda.item_updated",
        "agenda.item_deleted", "agenda.item_deleted",
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"title": " "}, "title"), ({"minutes": 0}, "minutes"), ({"minutes": 601}, "minutes"),
     ({"kind": "party"}, "kind")],
)
def test_agenda_item_validation(app, advisor, changes, field):
    meeting = make_meeting(advisor)
    with pytest.raises(ServiceError) as raised:
        agenda.add_item(advisor, meeting, item_data(**({"title": "Fine"} | changes)))
    assert raised.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AgendaItem)) == 0


def test_item_of_another_meeting_is_not_found(app, advisor):
    one = make_meeting(advisor, items=("Mine",))
    other = make_meeting(advisor)
    with pytest.raises(NotFound):
        agenda.get_item(other, one.items[0].id)
    assert agenda.get_item(one, one.items[0].id).title == "Mine"


def test_agenda_of_ended_meeting_is_frozen(app, advisor):
    meeting = make_meeting(advisor, status="ended", items=("Only",))
    with pytest.raises(ServiceError):
        agenda.add_item(advisor, meeting, item_data("Late"))
    with pytest.raises(ServiceError):
        agenda.delete_item(advisor, meeting.items[0])


def test_planned_minutes_against_length(app, advisor):
    meeting = make_meeting(advisor)
    for title, length in (("A", 30), ("B", 45), ("C", 25)):
        agenda.add_item(advisor, meeting, item_data(title, minutes=length))
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.length_minutes == 90
    assert meeting.planned_minutes == 100


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
    services.delete_meeting(advisor, meeting)
    assert actions() == [
        "meeting.created", "agenda.item_added", "meeting.published", "meeting.started", "meeting.ended",
        "meeting.minutes_saved", "meeting.deleted",
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
