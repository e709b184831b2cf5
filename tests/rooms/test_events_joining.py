"""Rooms over Socket.IO: connecting, joining with catch-up, presence, hidden rooms, leaving, closing sockets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from stac_youth.common.time import utcnow
from stac_youth.extensions import db, socketio
from stac_youth.meetings import services as meeting_services
from stac_youth.members import accounts
from stac_youth.members.models import User
from stac_youth.rooms import events, moderation, rooms
from stac_youth.rooms.models import Message, Presence, Room
from tests.rooms.event_helpers import NS, call, drain, join, received, send, store_messages
from tests.rooms.helpers import client_for, region

pytestmark = pytest.mark.usefixtures("no_typing_memory")


def meeting(advisor, status: str = "published", region_ids: tuple[int, ...] = ()):
    start = utcnow() + timedelta(days=1)
    created = meeting_services.create_meeting(advisor, meeting_services.MeetingData(
        title="Board meeting", description="", starts_at=start, ends_at=start + timedelta(hours=1),
        location="Room 4", video_url=None, region_ids=region_ids,
    ))
    if status == "published":
        meeting_services.publish_meeting(advisor, created)
    return created


def meeting_room(meeting_id: int) -> Room:
    return db.session.scalar(select(Room).where(Room.meeting_id == meeting_id))


# --- connecting and joining -----------------------------------------------------------------------------------------

def test_anonymous_connection_is_refused(app, socket_client):
    sock = socket_client(namespace=NS, http_client=app.test_client())
    assert not sock.is_connected(namespace=NS)


def test_join_answers_missed_messages_oldest_first_presence_and_queue(people, room, connect):
    ids = store_messages(room, people["advisor"], 3)
    advisor = connect(people["advisor_client"])
    ack = join(advisor, room.id, last_id=ids[0])
    assert ack["ok"] is True
    assert ack["room"] == {"id": room.id, "locked": False}
    assert [m["id"] for m in ack["messages"]] == ids[1:]
    assert ack["has_more"] is False and ack["deleted_ids"] == []
    assert [p["id"] for p in ack["presence"]] == [people["advisor"].id]
    assert ack["queue"] == []


def test_a_socket_that_closes_while_its_join_is_handled_is_left_alone(people, room, connect, monkeypatch):
    sock = connect(people["member_client"])
    find_room = events._room

    def room_of_a_page_just_left(payload):
        sid = socketio.server.manager.sid_from_eio_sid(sock.eio_sid, NS)
        socketio.server.manager.disconnect(sid, NS)  # the browser left the page before the join was handled
        return find_room(payload)

    monkeypatch.setattr(events, "_room", room_of_a_page_just_left)
    assert join(sock, room.id) == {"ok": False, "error": "gone"}
    assert db.session.scalar(select(func.count()).select_from(Presence)) == 0


def test_join_without_last_id_gives_the_latest_messages(people, room, connect):
    ids = store_messages(room, people["advisor"], 60)
    ack = join(connect(people["member_client"]), room.id)
    assert [m["id"] for m in ack["messages"]] == ids[-50:]


def test_join_catch_up_is_capped_at_200_with_has_more(people, room, connect):
    ids = store_messages(room, people["advisor"], 250)
    member = connect(people["member_client"])
    ack = join(member, room.id, last_id=ids[9])
    assert [m["id"] for m in ack["messages"]] == ids[10:210]
    assert ack["has_more"] is True
    ack = join(member, room.id, last_id=ids[209])
    assert [m["id"] for m in ack["messages"]] == ids[210:]
    assert ack["has_more"] is False


def test_join_reports_deletions_the_client_may_still_show(people, room, connect):
    ids = store_messages(room, people["member"], 3)
    moderation.delete_message(people["advisor"], db.session.get(Message, ids[1]))
    ack = join(connect(people["other_client"]), room.id, last_id=ids[2])
    assert ack["messages"] == [] and ack["deleted_ids"] == [ids[1]]


def test_presence_is_per_person_not_per_tab(people, room, connect):
    first, second = connect(people["member_client"]), connect(people["member_client"])
    assert join(first, room.id)["ok"] and join(second, room.id)["ok"]
    advisor = connect(people["advisor_client"])
    ack = join(advisor, room.id)
    assert sorted(p["id"] for p in ack["presence"]) == sorted([people["member"].id, people["advisor"].id])
    assert db.session.scalar(select(func.count()).select_from(Presence).where(Presence.room_id == room.id)) == 3


def test_a_second_tab_of_someone_present_pushes_no_presence(people, room, joined, connect):
    tab = connect(people["member_client"])
    assert join(tab, room.id)["ok"]
    assert received(joined["advisor"], "presence") == []


def test_a_new_person_joining_pushes_presence_to_everyone(people, room, joined, make_user, app, connect):
    newcomer = make_user("member", display_name="Nia New")
    sock = connect(client_for(app, newcomer))
    assert join(sock, room.id)["ok"]
    for name in ("advisor", "member", "other"):
        pushes = received(joined[name], "presence")
        assert len(pushes) == 1 and pushes[0]["room_id"] == room.id
        assert newcomer.id in {p["id"] for p in pushes[0]["people"]}


def test_rooms_of_another_region_are_hidden_from_members(people, connect):
    south = rooms.create_topic_room(people["advisor"], "South only", "", region("Southern Coast").id)
    bay = rooms.create_topic_room(people["advisor"], "Bay only", "", region("Bay Area").id)
    member = connect(people["member_client"])
    assert join(member, south.id) == {"ok": False, "error": "not_found"}
    assert join(member, south.id + 1000) == {"ok": False, "error": "not_found"}  # missing looks the same
    assert join(member, bay.id)["ok"] is True
    assert join(connect(people["advisor_client"]), south.id)["ok"] is True


def test_a_draft_meetings_room_is_hidden_until_published(people, connect):
    draft = meeting(people["advisor"], status="draft")
    room = meeting_room(draft.id)
    member = connect(people["member_client"])
    assert join(member, room.id) == {"ok": False, "error": "not_found"}
    assert join(connect(people["advisor_client"]), room.id)["ok"] is True
    meeting_services.publish_meeting(people["advisor"], draft)
    assert join(member, room.id)["ok"] is True


def test_a_regional_meetings_room_is_hidden_from_other_regions(people, connect):
    regional = meeting(people["advisor"], region_ids=(region("Bay Area").id,))
    room = meeting_room(regional.id)
    assert join(connect(people["member_client"]), room.id)["ok"] is True
    db.session.get(User, people["other"].id).region_id = region("Central Valley").id
    db.session.commit()
    assert join(connect(people["other_client"]), room.id) == {"ok": False, "error": "not_found"}


def test_a_socket_that_was_refused_gets_nothing_from_that_room(people, connect):
    south = rooms.create_topic_room(people["advisor"], "Elsewhere", "", region("Central Valley").id)
    member = connect(people["member_client"])
    assert join(member, south.id)["ok"] is False
    advisor = connect(people["advisor_client"])
    assert join(advisor, south.id)["ok"]
    assert send(advisor, south.id, "advisors only", "c1")["ok"]
    assert member.get_received(NS) == []


def test_leave_stops_the_pushes(people, room, joined):
    assert call(joined["member"], "leave", {"room_id": room.id}) == {"ok": True}
    assert send(joined["advisor"], room.id, "after you left", "c1")["ok"]
    assert received(joined["member"], "message") == []
    assert len(received(joined["other"], "message")) == 1


# --- sockets that close -------------------------------------------------------------------------------------------

def _present(room_id: int) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(Presence.user_id).where(Presence.room_id == room_id)))


def test_logout_disconnects_the_rooms_socket_and_clears_presence(people, room, joined):
    people["member_client"].post("/logout")
    assert not joined["member"].is_connected(NS)
    assert people["member"].id not in _present(room.id)
    pushes = received(joined["advisor"], "presence")
    assert [sorted(p["id"] for p in push["people"]) for push in pushes] == [
        sorted([people["advisor"].id, people["other"].id])]
    assert joined["other"].is_connected(NS)


def test_a_role_change_disconnects_the_rooms_socket(people, room, joined):
    accounts.change_role(people["admin"], db.session.get(User, people["member"].id), "advisor")
    assert not joined["member"].is_connected(NS)
    assert people["member"].id not in _present(room.id)
    assert joined["advisor"].is_connected(NS) and joined["other"].is_connected(NS)


def test_deactivation_disconnects_the_rooms_socket(people, room, joined, socket_client):
    accounts.set_active(people["admin"], db.session.get(User, people["other"].id), False)
    assert not joined["other"].is_connected(NS)
    assert people["other"].id not in _present(room.id)
    # and the browser cannot open a new one
    assert not socket_client(namespace=NS, http_client=people["other_client"]).is_connected(NS)


def test_sockets_close_only_once_the_revocation_is_stored(people, room, joined, monkeypatch):
    """Otherwise a socket reconnecting at once would still pass with the old session, and the closing socket's own
    write (presence) would wait on the revoking transaction."""
    seen = []
    original = socketio.server.disconnect

    def spy(sid, namespace=None, **kwargs):
        with db.engine.connect() as connection:
            seen.append(connection.execute(text("SELECT role FROM users WHERE id = :id"),
                                           {"id": people["member"].id}).scalar())
        return original(sid, namespace=namespace, **kwargs)

    monkeypatch.setattr(socketio.server, "disconnect", spy)
    accounts.change_role(people["admin"], db.session.get(User, people["member"].id), "advisor")
    assert seen and set(seen) == {"advisor"}
    assert not joined["member"].is_connected(NS)


def test_disconnect_removes_presence_and_pushes_it(people, room, joined):
    joined["other"].disconnect(namespace=NS)
    assert _present(room.id) == {people["advisor"].id, people["member"].id}
    for name in ("advisor", "member"):
        pushes = received(joined[name], "presence")
        assert len(pushes) == 1
        assert sorted(p["id"] for p in pushes[0]["people"]) == sorted([people["advisor"].id, people["member"].id])


def test_closing_one_of_two_tabs_keeps_the_person_present(people, room, joined, connect):
    tab = connect(people["member_client"])
    assert join(tab, room.id)["ok"]
    drain(*joined.values())
    tab.disconnect(namespace=NS)
    assert people["member"].id in _present(room.id)
    assert received(joined["advisor"], "presence") == []
    joined["member"].disconnect(namespace=NS)
    assert people["member"].id not in _present(room.id)
    assert len(received(joined["advisor"], "presence")) == 1


def test_a_reconnecting_client_gets_exactly_what_it_missed_once_in_order(people, room, joined, connect):
    first = send(joined["advisor"], room.id, "before the tunnel", "a0")["message"]["id"]
    assert [m["id"] for m in received(joined["member"], "message")] == [first]
    joined["member"].disconnect(namespace=NS)  # the phone goes into a tunnel

    missed = [send(joined["advisor"], room.id, f"while away {n}", f"a{n + 1}")["message"]["id"] for n in range(3)]
    missed.append(send(joined["other"], room.id, "me too", "o1")["message"]["id"])

    back = connect(people["member_client"])
    ack = join(back, room.id, last_id=first)
    assert [m["id"] for m in ack["messages"]] == missed
    assert ack["messages"][0]["html"].strip() == "<p>while away 0</p>"
    later = send(joined["advisor"], room.id, "welcome back", "a9")["message"]["id"]
    assert [m["id"] for m in received(back, "message")] == [later]  # nothing of the catch-up twice

    # joining again with the newest id gets nothing new
    assert join(back, room.id, last_id=later)["messages"] == []
