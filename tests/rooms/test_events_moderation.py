"""Rooms over Socket.IO: typing, the speakers queue, and moderation pushed live from sockets and HTTP."""

from __future__ import annotations

import pytest

from stac_youth.rooms import events, rooms
from stac_youth.rooms.models import Message
from tests.rooms.event_helpers import call, drain, fresh, join, received, send, store_messages

pytestmark = pytest.mark.usefixtures("no_typing_memory")


# --- typing -------------------------------------------------------------------------------------------------------

class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now


def test_typing_reaches_the_others_not_the_sender_and_is_throttled(people, room, joined, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(events, "time", clock)
    assert call(joined["member"], "typing", {"room_id": room.id}) == {"ok": True}
    expected = {"room_id": room.id, "user": {"id": people["member"].id, "name": "Mia Member", "initials": "MM",
                                             "avatar_url": None}}
    assert received(joined["advisor"], "typing") == [expected]
    assert received(joined["other"], "typing") == [expected]
    assert received(joined["member"], "typing") == []
    clock.now += 1.0
    assert call(joined["member"], "typing", {"room_id": room.id}) == {"ok": True}
    assert received(joined["advisor"], "typing") == []  # within two seconds: not again
    assert call(joined["other"], "typing", {"room_id": room.id}) == {"ok": True}  # the throttle is per person
    assert [t["user"]["id"] for t in received(joined["advisor"], "typing")] == [people["other"].id]
    clock.now += 1.5
    assert call(joined["member"], "typing", {"room_id": room.id}) == {"ok": True}
    assert received(joined["advisor"], "typing") == [expected]


# --- the speakers queue -------------------------------------------------------------------------------------------

def _queue_ids(push: dict) -> list[int]:
    return [p["id"] for p in push["queue"]]


def test_hands_and_call_next_push_the_queue_in_order_to_everyone(people, room, joined):
    member_id, other_id = people["member"].id, people["other"].id
    assert call(joined["member"], "raise_hand", {"room_id": room.id}) == {"ok": True}
    assert call(joined["other"], "raise_hand", {"room_id": room.id}) == {"ok": True}
    assert call(joined["member"], "raise_hand", {"room_id": room.id}) == {"ok": True}  # already up: no change
    for sock in joined.values():
        pushes = received(sock, "queue")
        assert [_queue_ids(p) for p in pushes] == [[member_id], [member_id, other_id]]
        assert all(p["room_id"] == room.id and p["called"] is None for p in pushes)
    assert call(joined["member"], "lower_hand", {"room_id": room.id}) == {"ok": True}
    assert call(joined["member"], "raise_hand", {"room_id": room.id}) == {"ok": True}
    for sock in joined.values():
        assert [_queue_ids(p) for p in received(sock, "queue")] == [[other_id], [other_id, member_id]]
    assert join(joined["advisor"], room.id)["queue"][0]["id"] == other_id

    ack = call(joined["advisor"], "call_next", {"room_id": room.id})
    assert ack["ok"] is True and ack["called"]["id"] == other_id
    for sock in joined.values():
        pushes = received(sock, "queue")
        assert len(pushes) == 1 and _queue_ids(pushes[0]) == [member_id]
        assert pushes[0]["called"]["id"] == other_id
    assert call(joined["advisor"], "call_next", {"room_id": room.id})["called"]["id"] == member_id
    assert call(joined["advisor"], "call_next", {"room_id": room.id}) == {
        "ok": False, "error": "Nobody is waiting to speak."}


def test_members_may_not_call_next_or_delete(people, room, joined):
    message_id = send(joined["other"], room.id, "hello", "c1")["message"]["id"]
    assert call(joined["member"], "raise_hand", {"room_id": room.id})["ok"]
    drain(*joined.values())
    assert call(joined["member"], "call_next", {"room_id": room.id}) == {"ok": False, "error": "forbidden"}
    assert call(joined["member"], "delete_message", {"room_id": room.id, "message_id": message_id}) == {
        "ok": False, "error": "forbidden"}
    assert fresh(Message, message_id).deleted_at is None
    assert join(joined["member"], room.id)["queue"][0]["id"] == people["member"].id
    assert received(joined["advisor"], "deleted") == [] and received(joined["advisor"], "queue") == []


# --- moderation ---------------------------------------------------------------------------------------------------

def test_an_advisors_deletion_is_pushed_to_everyone(people, room, joined):
    message_id = send(joined["member"], room.id, "oops", "c1")["message"]["id"]
    drain(*joined.values())
    assert call(joined["advisor"], "delete_message", {"room_id": room.id, "message_id": message_id}) == {"ok": True}
    for sock in joined.values():
        assert received(sock, "deleted") == [{"room_id": room.id, "id": message_id}]
    assert fresh(Message, message_id).deleted_at is not None
    # deleting again changes nothing and pushes nothing
    assert call(joined["advisor"], "delete_message", {"room_id": room.id, "message_id": message_id}) == {"ok": True}
    assert received(joined["member"], "deleted") == []


def test_deleting_a_message_of_another_room_through_this_one_is_refused(people, room, joined):
    elsewhere = rooms.create_topic_room(people["advisor"], "Elsewhere", "", None)
    message_id = store_messages(elsewhere, people["member"], 1)[0]
    ack = call(joined["advisor"], "delete_message", {"room_id": room.id, "message_id": message_id})
    assert ack == {"ok": False, "error": "not_found"}
    assert fresh(Message, message_id).deleted_at is None
    assert call(joined["advisor"], "delete_message", {"room_id": room.id, "message_id": 10**6}) == {
        "ok": False, "error": "not_found"}


def test_locking_over_http_pushes_the_room_state(people, room, joined):
    response = people["advisor_client"].post(f"/rooms/{room.id}/lock", data={"locked": "1"})
    assert response.status_code == 302
    for sock in joined.values():
        assert received(sock, "room") == [{"room_id": room.id, "locked": True}]
    people["advisor_client"].post(f"/rooms/{room.id}/lock", data={"locked": "0"})
    assert received(joined["member"], "room") == [{"room_id": room.id, "locked": False}]
    # a member may not lock
    assert people["member_client"].post(f"/rooms/{room.id}/lock", data={"locked": "1"}).status_code == 403
    assert received(joined["member"], "room") == []


def test_deleting_over_http_pushes_the_deletion(people, room, joined):
    message_id = send(joined["member"], room.id, "oops", "c1")["message"]["id"]
    drain(*joined.values())
    response = people["advisor_client"].post(f"/rooms/{room.id}/messages/{message_id}/delete")
    assert response.status_code == 302
    assert received(joined["other"], "deleted") == [{"room_id": room.id, "id": message_id}]


def test_a_message_posted_over_http_is_pushed_live(people, room, joined):
    response = people["member_client"].post(f"/rooms/{room.id}/messages", data={"body": "no js", "client_id": "h1"})
    assert response.status_code == 302
    pushes = received(joined["advisor"], "message")
    assert len(pushes) == 1 and pushes[0]["client_id"] == "h1" and pushes[0]["author"]["id"] == people["member"].id
