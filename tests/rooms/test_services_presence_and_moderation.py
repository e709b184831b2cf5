"""Room services without HTTP: presence, the speakers queue, moderation and reports, unread counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from stac_youth.common.errors import ServiceError
from stac_youth.common.signals import room_changed
from stac_youth.extensions import db
from stac_youth.rooms import messages, moderation, presence, rooms, speakers
from stac_youth.rooms.models import Message, MessageReport, Mute, Room
from tests.rooms.helpers import NOW, _details, actions, post, reload, topic_room

# --- presence -----------------------------------------------------------------------------------------------------


@pytest.fixture
def presence_changes():
    """The rooms whose presence changed, in the order the signal was sent."""
    seen = []

    def receiver(room_id, what, **_details):
        if what == "presence":
            seen.append(room_id)

    with room_changed.connected_to(receiver):
        yield seen


def test_two_connections_of_one_user_count_as_one_person(app, bay_member, capitol_member, lounge, presence_changes):
    presence.enter(lounge, bay_member, "sid-phone")
    presence.enter(lounge, bay_member, "sid-laptop")
    presence.enter(lounge, bay_member, "sid-laptop")  # joining twice on one connection changes nothing
    assert presence.present_users(lounge.id) == [bay_member]
    presence.enter(lounge, capitol_member, "sid-other")
    assert presence.present_users(lounge.id) == [bay_member, capitol_member]  # by name
    assert presence_changes == [lounge.id, lounge.id]  # told only when a new person came in


def test_leaving_one_connection_keeps_the_person_leaving_both_removes_them(app, advisor, bay_member, lounge,
                                                                          presence_changes):
    other_room = topic_room(advisor, "Climate action")
    presence.enter(lounge, bay_member, "sid-phone")
    presence.enter(lounge, bay_member, "sid-laptop")
    presence.enter(other_room, bay_member, "sid-laptop")
    presence_changes.clear()

    presence.leave(lounge, "sid-phone")
    assert presence.present_users(lounge.id) == [bay_member]
    assert presence_changes == []
    presence.leave_all("sid-laptop")  # the laptop disconnects: it leaves both rooms
    assert presence.present_users(lounge.id) == []
    assert presence.present_users(other_room.id) == []
    assert sorted(presence_changes) == sorted([lounge.id, other_room.id])
    presence.leave_all("sid-laptop")  # a second disconnect of the same connection is harmless
    presence.leave(lounge, "sid-never-joined")


def test_a_connection_that_stops_confirming_stops_counting(app, bay_member, capitol_member, lounge):
    """Rows left by a process that died stop counting once they are not confirmed for PRESENCE_TIMEOUT."""
    with freeze_time(NOW) as frozen:
        presence.enter(lounge, bay_member, "sid-a")
        presence.enter(lounge, capitol_member, "sid-b")
        frozen.tick(presence.PRESENCE_TIMEOUT - timedelta(seconds=1))
        presence.still_here("sid-b")
        assert presence.present_users(lounge.id) == [bay_member, capitol_member]
        frozen.tick(timedelta(seconds=1))
        assert presence.present_users(lounge.id) == [capitol_member]


# --- speakers queue ---------------------------------------------------------------------------------------------


def _queue(room: Room) -> list[int]:
    return [request.user_id for request in speakers.queue(room.id)]


def test_the_queue_keeps_the_order_hands_went_up(app, make_user, advisor, bay_member, capitol_member, lounge):
    third = make_user("member", display_name="Third Hand")
    with freeze_time(NOW) as frozen:  # same instant for all: the order is still the order of raising
        for user in (capitol_member, bay_member, third):
            speakers.raise_hand(user, lounge)
        frozen.tick(timedelta(seconds=5))
        speakers.raise_hand(capitol_member, lounge)  # raising again neither duplicates nor moves the hand
    assert _queue(lounge) == [capitol_member.id, bay_member.id, third.id]

    speakers.lower_hand(bay_member, lounge)
    speakers.lower_hand(bay_member, lounge)  # lowering a lowered hand is harmless
    assert _queue(lounge) == [capitol_member.id, third.id]


def test_call_next_gives_the_floor_to_the_first_hand_and_audits(app, advisor, bay_member, capitol_member, lounge):
    speakers.raise_hand(capitol_member, lounge)
    speakers.raise_hand(bay_member, lounge)
    assert speakers.call_next(advisor, lounge).id == capitol_member.id
    assert _queue(lounge) == [bay_member.id]
    assert speakers.call_next(advisor, lounge).id == bay_member.id
    assert _queue(lounge) == []
    assert [(event["subject_id"], event["room_id"]) for event in _details("room.speaker_called")] == [
        (capitol_member.id, lounge.id), (bay_member.id, lounge.id)]
    with pytest.raises(ServiceError, match="Nobody is waiting"):
        speakers.call_next(advisor, lounge)
    assert actions().count("room.speaker_called") == 2


def test_queues_are_per_room(app, advisor, bay_member, lounge):
    other_room = topic_room(advisor, "Climate action")
    speakers.raise_hand(bay_member, lounge)
    assert _queue(other_room) == []
    with pytest.raises(ServiceError):
        speakers.call_next(advisor, other_room)
    assert _queue(lounge) == [bay_member.id]


# --- moderation -------------------------------------------------------------------------------------------------


def test_delete_keeps_the_row_marks_it_and_audits(app, advisor, bay_member, lounge):
    message = post(bay_member, lounge, "Not kind")
    moderation.delete_message(advisor, message)
    stored = reload(message)
    assert stored.body == "Not kind" and stored.deleted_at is not None and stored.deleted_by_id == advisor.id
    assert _details("room.message_deleted") == [{"room_id": lounge.id, "message_id": message.id,
                                                 "actor_id": advisor.id, "subject_id": bay_member.id}]
    moderation.delete_message(advisor, stored)  # deleting again: no second audit
    assert actions().count("room.message_deleted") == 1
    assert messages.latest_messages(lounge) == ([], False)


def test_mute_and_unmute_are_audited(app, advisor, bay_member, lounge):
    mute = moderation.mute_member(advisor, lounge, bay_member, 30)
    assert mute.muted_by_id == advisor.id
    moderation.mute_member(advisor, lounge, bay_member, 60)  # a new mute replaces the old one
    assert db.session.scalar(select(func.count(Mute.id))) == 1
    moderation.unmute_member(advisor, lounge, bay_member)
    moderation.unmute_member(advisor, lounge, bay_member)  # nothing to lift: no audit
    assert messages.active_mute(lounge, bay_member) is None
    assert actions() == ["room.created", "room.member_muted", "room.member_muted", "room.member_unmuted"]
    assert [(event["subject_id"], event["minutes"]) for event in _details("room.member_muted")] == [
        (bay_member.id, 30), (bay_member.id, 60)]


@pytest.mark.parametrize("minutes", [0, 5, 61, -10])
def test_mute_durations_come_from_the_list(app, advisor, bay_member, lounge, minutes):
    with pytest.raises(ServiceError, match="from the list"):
        moderation.mute_member(advisor, lounge, bay_member, minutes)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Mute.id))) == 0


def test_an_advisor_cannot_mute_themselves(app, advisor, lounge):
    with pytest.raises(ServiceError, match="yourself"):
        moderation.mute_member(advisor, lounge, advisor, 10)


def test_lock_and_unlock_are_audited(app, advisor, lounge):
    moderation.set_locked(advisor, lounge, True)
    moderation.set_locked(advisor, lounge, True)  # no change, no audit
    assert reload(lounge).locked
    moderation.set_locked(advisor, lounge, False)
    assert not reload(lounge).locked
    assert actions() == ["room.created", "room.locked", "room.unlocked"]


def test_a_report_is_one_open_report_per_reporter_and_message(app, advisor, bay_member, capitol_member, lounge):
    message = post(advisor, lounge, "Hmm")
    first = moderation.report_message(bay_member, message, "  Off topic  ")
    assert first.reason == "Off topic" and first.reporter_id == bay_member.id
    assert moderation.report_message(bay_member, message, "Really off topic").id == first.id
    second = moderation.report_message(capitol_member, message, "Unkind")
    assert second.id != first.id
    assert [report.id for report in moderation.open_reports()] == [first.id, second.id]

    moderation.resolve_report(advisor, first, delete=False)
    assert [report.id for report in moderation.open_reports()] == [second.id]
    # once handled, the same person may report it again
    assert moderation.report_message(bay_member, message, "Again").id not in (first.id, second.id)


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "what is wrong"), ("   ", "what is wrong"), (None, "what is wrong"), ("x" * 501, "under 500")],
)
def test_a_report_needs_a_reason_of_at_most_500_characters(app, advisor, bay_member, lounge, reason, message):
    reported = post(advisor, lounge)
    with pytest.raises(ServiceError, match=message) as raised:
        moderation.report_message(bay_member, reported, reason)
    assert raised.value.field == "reason"
    assert db.session.scalar(select(func.count(MessageReport.id))) == 0
    assert moderation.report_message(bay_member, reported, "x" * 500).reason == "x" * 500


def test_resolving_a_report_by_deleting_deletes_and_audits(app, advisor, bay_member, capitol_member, lounge):
    message = post(capitol_member, lounge, "Not kind")
    report = moderation.report_message(bay_member, message, "Unkind")
    moderation.resolve_report(advisor, report, delete=True)
    report = reload(report)
    assert (report.resolution, report.resolved_by_id) == ("deleted", advisor.id) and report.resolved_at
    assert report.message.deleted_at is not None
    assert actions() == ["room.created", "room.message_deleted", "room.report_resolved"]
    assert _details("room.report_resolved") == [{"report_id": report.id, "resolution": "deleted",
                                                 "actor_id": advisor.id, "subject_id": capitol_member.id}]
    with pytest.raises(ServiceError, match="already handled"):
        moderation.resolve_report(advisor, report, delete=False)


def test_resolving_a_report_by_keeping_keeps_the_message(app, advisor, bay_member, capitol_member, lounge):
    message = post(capitol_member, lounge, "Fine, really")
    report = moderation.report_message(bay_member, message, "Unsure")
    moderation.resolve_report(advisor, report, delete=False)
    report = reload(report)
    assert report.resolution == "kept" and report.message.deleted_at is None
    assert actions() == ["room.created", "room.report_resolved"]


# --- room list and unread counts ------------------------------------------------------------------------------


def _unread(user) -> dict[str, int]:
    return {rooms.room_title(entry.room): entry.unread for entry in rooms.list_rooms(user)}


def test_unread_counts_others_messages_after_the_last_read_not_own_not_deleted(
        app, advisor, bay_member, capitol_member, lounge):
    topic_room(advisor, "Quiet room")
    bay_only = topic_room(advisor, "Bay Area students", "Bay Area")
    first = post(capitol_member, lounge, "One")
    post(bay_member, lounge, "My own")
    doomed = post(advisor, lounge, "Deleted")
    third = post(capitol_member, lounge, "Three")
    post(advisor, bay_only, "Only for the Bay")
    moderation.delete_message(advisor, doomed)

    assert _unread(bay_member) == {"Statewide lounge": 2, "Quiet room": 0, "Bay Area students": 1}
    assert _unread(capitol_member) == {"Statewide lounge": 1, "Quiet room": 0}  # not the Bay room at all

    rooms.mark_read(bay_member, lounge, first.id)
    assert _unread(bay_member)["Statewide lounge"] == 1
    rooms.mark_read(bay_member, lounge, third.id)
    assert _unread(bay_member)["Statewide lounge"] == 0
    rooms.mark_read(bay_member, lounge, first.id)  # reading an older id never goes back
    assert _unread(bay_member)["Statewide lounge"] == 0
    post(capitol_member, lounge, "Four")
    assert _unread(bay_member)["Statewide lounge"] == 1
    assert _unread(bay_member)["Quiet room"] == 0


def test_list_rooms_is_empty_without_rooms(app, bay_member):
    assert rooms.list_rooms(bay_member) == []


def test_messages_keep_their_room(app, advisor, bay_member, lounge):
    other_room = topic_room(advisor, "Climate action")
    post(bay_member, lounge, "Here")
    post(bay_member, other_room, "There")
    assert [m.body for m in db.session.scalars(select(Message).where(Message.room_id == lounge.id))] == ["Here"]
