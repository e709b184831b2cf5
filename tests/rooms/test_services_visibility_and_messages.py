"""Room services without HTTP: who sees which room, the meeting's room, posting and its limits, catch-up."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from stac_youth.common.errors import NotFound, ServiceError
from stac_youth.extensions import db
from stac_youth.meetings import services as meeting_services
from stac_youth.rooms import messages, moderation, rooms
from stac_youth.rooms.access import may_see_room, visible_rooms
from stac_youth.rooms.models import Room, RoomKind
from tests.meetings.helpers import data as meeting_data
from tests.meetings.helpers import make_meeting
from tests.rooms.helpers import NOW, _details, bulk_messages, message_count, post, region, reload, topic_room


def _visible_titles(user) -> set[str]:
    return {rooms.room_title(room) for room in db.session.scalars(visible_rooms(user))}


def _may_get(user, room: Room) -> bool:
    try:
        return rooms.get_visible_room(user, room.id).id == room.id
    except NotFound:
        return False


# --- visibility -----------------------------------------------------------------------------------------------


def test_topic_rooms_statewide_for_everyone_regional_for_that_region_and_adults(
        app, make_user, advisor, bay_member, capitol_member):
    statewide = topic_room(advisor, "Statewide lounge")
    bay = topic_room(advisor, "Bay Area students", "Bay Area")
    planner, admin = make_user("planner"), make_user("admin")
    no_region = make_user("member", display_name="Nowhere Member")

    expected = {
        bay_member: {"Statewide lounge", "Bay Area students"},
        capitol_member: {"Statewide lounge"},
        no_region: {"Statewide lounge"},
        advisor: {"Statewide lounge", "Bay Area students"},
        planner: {"Statewide lounge", "Bay Area students"},
        admin: {"Statewide lounge", "Bay Area students"},
    }
    for user, titles in expected.items():
        assert _visible_titles(user) == titles, user.display_name
        for room in (statewide, bay):
            assert _may_get(user, room) == (room.title in titles), (user.display_name, room.title)
            assert may_see_room(user, room) == (room.title in titles)


def test_a_meeting_room_follows_the_meeting_including_drafts(app, make_user, advisor, bay_member, capitol_member):
    planner = make_user("planner")
    draft = make_meeting(advisor, "draft", title="Draft meeting")
    regional = make_meeting(advisor, "published", title="Bay meeting", region_ids=(region("Bay Area").id,))
    statewide = make_meeting(advisor, "live", title="Statewide meeting")
    room_of = {meeting.title: rooms.room_for_meeting(meeting) for meeting in (draft, regional, statewide)}

    expected = {
        advisor: {"Draft meeting", "Bay meeting", "Statewide meeting"},
        planner: {"Bay meeting", "Statewide meeting"},  # drafts are for advisors and admins only
        bay_member: {"Bay meeting", "Statewide meeting"},
        capitol_member: {"Statewide meeting"},
    }
    for user, titles in expected.items():
        assert _visible_titles(user) == titles, user.display_name
        for title, room in room_of.items():
            assert _may_get(user, room) == (title in titles), (user.display_name, title)

    meeting_services.publish_meeting(advisor, draft)
    assert _may_get(bay_member, room_of["Draft meeting"])
    assert "Draft meeting" in _visible_titles(capitol_member)


def test_a_missing_room_and_a_hidden_room_are_the_same_not_found(app, advisor, capitol_member):
    hidden = topic_room(advisor, "Bay Area students", "Bay Area")
    with pytest.raises(NotFound) as missing_error:
        rooms.get_visible_room(capitol_member, hidden.id + 1000)
    with pytest.raises(NotFound) as hidden_error:
        rooms.get_visible_room(capitol_member, hidden.id)
    assert str(missing_error.value.message) == str(hidden_error.value.message)


def test_create_topic_room_validates_and_audits(app, advisor):
    with pytest.raises(ServiceError) as raised:
        rooms.create_topic_room(advisor, "   ", "", None)
    assert raised.value.field == "title"
    with pytest.raises(ServiceError) as raised:
        rooms.create_topic_room(advisor, "Somewhere", "", 999_999)
    assert raised.value.field == "region_id"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Room.id))) == 0

    room = rooms.create_topic_room(advisor, "  Climate action  ", " Greener schools. ", None)
    assert (room.kind, room.title, room.description, room.created_by_id) == (
        RoomKind.TOPIC, "Climate action", "Greener schools.", advisor.id)
    assert _details("room.created") == [{"room_id": room.id, "title": "Climate action", "actor_id": advisor.id,
                                         "subject_id": None}]


# --- the meeting's room ---------------------------------------------------------------------------------------


def test_creating_a_meeting_opens_its_room_named_after_it(app, advisor):
    meeting = make_meeting(advisor, title="Proposal workshop")
    room = db.session.scalars(select(Room).where(Room.meeting_id == meeting.id)).one()
    assert room.kind == RoomKind.MEETING
    assert rooms.room_title(room) == room.title == "Proposal workshop"
    assert rooms.room_for_meeting(meeting).id == room.id  # one room per meeting, not a second one

    meeting_services.update_meeting(advisor, meeting, replace(meeting_data(), title="Summit preparation"))
    assert rooms.room_title(reload(room)) == "Summit preparation"  # the name follows the meeting


def test_deleting_a_meeting_takes_its_room_and_messages_along(app, advisor):
    meeting = make_meeting(advisor, title="Meeting to delete")
    room = rooms.room_for_meeting(meeting)
    post(advisor, room, "Soon gone")
    meeting_services.delete_meeting(advisor, meeting)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Room.id)).where(Room.kind == RoomKind.MEETING)) == 0
    assert message_count() == 0
    assert rooms.list_rooms(advisor) == []


# --- posting --------------------------------------------------------------------------------------------------


def test_a_posted_message_is_stored(app, bay_member, lounge):
    posted = messages.post_message(bay_member, lounge, "  Hello **everyone**  ", "abc-1")
    assert posted.created
    stored = reload(posted.message)
    assert (stored.room_id, stored.author_id, stored.client_id, stored.body) == (
        lounge.id, bay_member.id, "abc-1", "Hello **everyone**")
    assert stored.deleted_at is None


def test_the_same_client_id_returns_the_same_message_and_stores_nothing_new(app, bay_member, capitol_member, lounge):
    first = messages.post_message(bay_member, lounge, "Hello", "abc-1")
    again = messages.post_message(bay_member, lounge, "Hello (re-sent)", "abc-1")
    assert not again.created
    assert again.message.id == first.message.id and again.message.body == "Hello"
    assert message_count(lounge) == 1
    # the client id is per author: someone else's "abc-1" is their own message
    other = messages.post_message(capitol_member, lounge, "Hi", "abc-1")
    assert other.created and other.message.id != first.message.id
    assert message_count(lounge) == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write a message first"), ("   \n\t", "Write a message first"), ("x" * 2001, "at most 2000")],
)
def test_bodies_that_are_empty_or_too_long_are_refused(app, bay_member, lounge, body, message):
    with pytest.raises(ServiceError) as raised:
        messages.post_message(bay_member, lounge, body, "abc-1")
    assert message in str(raised.value.message)
    assert message_count() == 0


def test_a_body_of_exactly_2000_characters_is_accepted(app, bay_member, lounge):
    body = "x" * 2000
    assert messages.post_message(bay_member, lounge, body, "abc-1").message.body == body
    # surrounding spaces do not count against the limit
    assert messages.post_message(bay_member, lounge, f"  {body}\n", "abc-2").created


@pytest.mark.parametrize("client_id", ["", "x" * 65])
def test_client_ids_that_are_empty_or_too_long_are_refused(app, bay_member, lounge, client_id):
    with pytest.raises(ServiceError, match="could not be sent"):
        messages.post_message(bay_member, lounge, "Hello", client_id)
    assert message_count() == 0


def test_a_client_id_of_64_characters_is_accepted(app, bay_member, lounge):
    assert messages.post_message(bay_member, lounge, "Hello", "x" * 64).created


@pytest.mark.parametrize(
    ("body", "client_id"),
    [
        (None, "abc-1"), (42, "abc-1"), (["Hello"], "abc-1"), ({"text": "Hello"}, "abc-1"), (b"Hello", "abc-1"),
        ("Hello", None), ("Hello", 7), ("Hello", ["abc-1"]), ("Hello", {"id": 1}), ("Hello", b"abc-1"),
    ],
)
def test_wrong_types_are_refused_with_a_service_error(app, bay_member, lounge, body, client_id):
    with pytest.raises(ServiceError):  # not a TypeError deep inside
        messages.post_message(bay_member, lounge, body, client_id)
    assert message_count() == 0


def test_rate_limit_is_10_messages_per_10_seconds_per_user_and_room(app, advisor, bay_member, capitol_member, lounge):
    other_room = topic_room(advisor, "Climate action")
    with freeze_time(NOW) as frozen:
        for number in range(10):
            post(bay_member, lounge, f"Message {number}", f"fast-{number}")
        with pytest.raises(ServiceError, match="very fast"):
            messages.post_message(bay_member, lounge, "One too many", "fast-10")
        assert message_count(lounge) == 10
        # re-sending one already stored is not a new message and is not refused
        assert messages.post_message(bay_member, lounge, "Message 9", "fast-9").message.body == "Message 9"
        # another room and another user are not affected
        assert post(bay_member, other_room, "Elsewhere")
        assert post(capitol_member, lounge, "Me too")
        frozen.tick(timedelta(seconds=9))
        with pytest.raises(ServiceError, match="very fast"):
            messages.post_message(bay_member, lounge, "Still too fast", "fast-10")
        frozen.tick(timedelta(seconds=1))
        assert messages.post_message(bay_member, lounge, "Allowed again", "fast-10").created
    assert message_count(lounge) == 12


def test_a_locked_room_refuses_members_but_not_advisors(app, make_user, advisor, bay_member, lounge):
    moderation.set_locked(advisor, lounge, True)
    with pytest.raises(ServiceError, match="locked"):
        messages.post_message(bay_member, lounge, "Hello?", "abc-1")
    assert post(advisor, lounge, "Advisors may still post")
    assert post(make_user("admin"), lounge, "So may admins")
    moderation.set_locked(advisor, lounge, False)
    assert post(bay_member, lounge, "Open again")


def test_a_muted_member_is_refused_until_the_mute_ends(app, advisor, bay_member, lounge):
    other_room = topic_room(advisor, "Climate action")
    with freeze_time(NOW) as frozen:
        moderation.mute_member(advisor, lounge, bay_member, 10)
        with pytest.raises(ServiceError, match="muted you"):
            messages.post_message(bay_member, lounge, "Hello?", "abc-1")
        assert post(bay_member, other_room, "Only muted in the one room")
        frozen.tick(timedelta(minutes=9, seconds=59))
        with pytest.raises(ServiceError, match="muted you"):
            messages.post_message(bay_member, lounge, "Hello?", "abc-1")
        frozen.tick(timedelta(seconds=1))
        assert messages.active_mute(lounge, bay_member) is None
        assert messages.post_message(bay_member, lounge, "Back", "abc-1").created


# --- catch-up and paging ----------------------------------------------------------------------------------------


def test_catch_up_returns_the_messages_after_an_id_oldest_first(app, advisor, bay_member, lounge):
    first, second, third = (post(bay_member, lounge, body) for body in ("One", "Two", "Three"))
    missed = messages.catch_up(lounge, first.id)
    assert [message.id for message in missed.messages] == [second.id, third.id]
    assert not missed.has_more and missed.deleted_ids == []
    assert messages.catch_up(lounge, third.id).messages == []


def test_catch_up_returns_at_most_200_and_says_there_is_more(app, bay_member, lounge):
    rows = bulk_messages(lounge, bay_member, 251)
    missed = messages.catch_up(lounge, rows[0].id)
    assert [message.id for message in missed.messages] == [row.id for row in rows[1:201]]
    assert missed.has_more
    rest = messages.catch_up(lounge, missed.messages[-1].id)
    assert [message.id for message in rest.messages] == [row.id for row in rows[201:]]
    assert not rest.has_more


def test_catch_up_leaves_out_deleted_messages_and_lists_recent_deletions(app, advisor, bay_member, lounge):
    with freeze_time(NOW) as frozen:
        old_gone, seen, kept_after, gone_after = (post(bay_member, lounge, body) for body in "ABCD")
        moderation.delete_message(advisor, old_gone)
        frozen.tick(timedelta(days=2))
        moderation.delete_message(advisor, seen)  # deleted since the client last saw it
        moderation.delete_message(advisor, gone_after)
        missed = messages.catch_up(lounge, seen.id)
    assert [message.id for message in missed.messages] == [kept_after.id]
    # the client held `seen` and must drop it; an old deletion (over a day) is not repeated
    assert missed.deleted_ids == [seen.id]


def test_catch_up_without_an_id_gives_the_latest_50(app, bay_member, lounge):
    rows = bulk_messages(lounge, bay_member, 60)
    for after in (None, 0):
        missed = messages.catch_up(lounge, after)
        assert [message.id for message in missed.messages] == [row.id for row in rows[10:]]
        assert not missed.has_more and missed.deleted_ids == []


def test_latest_messages_and_messages_before_page_back_50_at_a_time(app, advisor, bay_member, lounge):
    rows = bulk_messages(lounge, bay_member, 120)
    moderation.delete_message(advisor, rows[119])
    latest, older = messages.latest_messages(lounge)
    assert [m.id for m in latest] == [row.id for row in rows[69:119]] and older
    page, older = messages.messages_before(lounge, latest[0].id)
    assert [m.id for m in page] == [row.id for row in rows[19:69]] and older
    page, older = messages.messages_before(lounge, page[0].id)
    assert [m.id for m in page] == [row.id for row in rows[:19]] and not older
    assert messages.messages_before(lounge, rows[0].id) == ([], False)


def test_get_message_only_finds_messages_of_that_room(app, advisor, bay_member, lounge):
    other_room = topic_room(advisor, "Climate action")
    message = post(bay_member, lounge)
    assert messages.get_message(lounge, message.id).id == message.id
    assert messages.get_message(other_room, message.id) is None
    assert messages.get_message(lounge, message.id + 1000) is None
