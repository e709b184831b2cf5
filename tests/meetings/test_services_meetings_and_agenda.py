"""Meeting services without HTTP: validation, create / update / publish / delete, visibility, the agenda."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.errors import NotFound, ServiceError
from stac_youth.extensions import db
from stac_youth.meetings import agenda, services
from stac_youth.meetings.models import AgendaItem, Meeting
from stac_youth.meetings.visibility import visible_meetings
from tests.meetings.helpers import _positions, actions, data, item_data, make_meeting, region


@pytest.fixture
def advisor(make_user):
    return make_user("advisor")


def _titles(user) -> set[str]:
    return {meeting.title for meeting in db.session.scalars(visible_meetings(user))}


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
    with pytest.raises(ServiceError, match="took place"):
        services.delete_meeting(advisor, ended)
    assert db.session.get(Meeting, ended.id) is not None


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
