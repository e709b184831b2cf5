"""Rooms over Socket.IO (namespace /rooms): every event, every refusal, the live pushes and catch-up on reconnect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from stac_youth.common.time import utcnow
from stac_youth.common.urls import path_for
from stac_youth.extensions import db, socketio
from stac_youth.meetings import services as meeting_services
from stac_youth.members import accounts
from stac_youth.members.models import Region, User
from stac_youth.rooms import events, moderation, rooms
from stac_youth.rooms.models import Message, Presence, Room
from tests.conftest import login

NS = "/rooms"

RATE_LIMITED_EN = "You are sending messages very fast. Wait a few seconds and try again."
RATE_LIMITED_ES = "Estás enviando mensajes muy rápido. Espera unos segundos e inténtalo otra vez."
LOCKED_EN = "This room is locked. Only advisors can post right now."
MUTED_EN = "An advisor muted you in this room for a while. You can read, but not post."


# --- helpers ------------------------------------------------------------------------------------------------------

def region(name: str) -> Region:
    return db.session.scalar(select(Region).where(Region.name == name))


def client_for(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def join(sock, room_id, **extra):
    return sock.emit("join", {"room_id": room_id, **extra}, namespace=NS, callback=True)


def send(sock, room_id, body, client_id):
    return sock.emit("send", {"room_id": room_id, "body": body, "client_id": client_id}, namespace=NS, callback=True)


def call(sock, event, payload):
    return sock.emit(event, payload, namespace=NS, callback=True)


def received(sock, name: str) -> list[dict]:
    """The pushes of one name a socket got since last asked (the others are dropped).

    Flask-SocketIO's test client stores the payload of an event named "message" as is, of others in a list.
    """
    return [push["args"] if push["name"] == "message" else push["args"][0]
            for push in sock.get_received(NS) if push["name"] == name]


def drain(*socks) -> None:
    for sock in socks:
        if sock.is_connected(NS):
            sock.get_received(NS)


def message_count(room_id: int) -> int:
    return db.session.scalar(select(func.count(Message.id)).where(Message.room_id == room_id))


def store_messages(room: Room, author: User, count: int, start: int = 0) -> list[int]:
    """Messages written straight to the database (long ago, so no rate limit applies); their ids in order."""
    created = utcnow() - timedelta(hours=1)
    rows = [Message(room_id=room.id, author_id=author.id, client_id=f"stored-{start + n}", body=f"message {start + n}",
                    created_at=created + timedelta(milliseconds=n)) for n in range(count)]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


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


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


# --- fixtures -----------------------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def no_typing_memory(monkeypatch):
    """The typing throttle is kept per process; each test starts with an empty one."""
    monkeypatch.setattr(events, "_last_typing", {})


@pytest.fixture
def people(app, make_user):
    bay = region("Bay Area")
    advisor = make_user("advisor", display_name="Ada Advisor")
    member = make_user("member", display_name="Mia Member", region_id=bay.id)
    other = make_user("member", display_name="Omar Other", region_id=bay.id)
    admin = make_user("admin", display_name="Ann Admin")
    return {
        "advisor": advisor, "member": member, "other": other, "admin": admin,
        "advisor_client": client_for(app, advisor), "member_client": client_for(app, member),
        "other_client": client_for(app, other),
    }


@pytest.fixture
def room(people):
    return rooms.create_topic_room(people["advisor"], "Climate", "Let us talk", None)


@pytest.fixture
def connect(socket_client):
    def _connect(http_client):
        sock = socket_client(namespace=NS, http_client=http_client)
        assert sock.is_connected(namespace=NS)
        return sock

    return _connect


@pytest.fixture
def joined(people, room, connect):
    """Advisor, member and other each with one socket joined to the room, their inboxes emptied."""
    socks = {name: connect(people[f"{name}_client"]) for name in ("advisor", "member", "other")}
    for sock in socks.values():
        assert join(sock, room.id)["ok"] is True
    drain(*socks.values())
    return socks


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


# --- sending ------------------------------------------------------------------------------------------------------

def test_send_stores_the_message_before_it_is_broadcast(people, room, joined, monkeypatch):
    seen_in_db = []
    original = socketio.emit

    def spy(event, *args, **kwargs):
        if event == "message":
            with db.engine.connect() as connection:  # another connection sees only committed rows
                count = connection.execute(text("SELECT count(*) FROM messages WHERE id = :id"),
                                           {"id": args[0]["id"]}).scalar()
            seen_in_db.append(count)
        return original(event, *args, **kwargs)

    monkeypatch.setattr(socketio, "emit", spy)
    ack = send(joined["member"], room.id, "Hello **all** <script>alert(1)</script>", "client-1")
    assert ack["ok"] is True and ack["duplicate"] is False
    assert seen_in_db == [1]
    stored = fresh(Message, ack["message"]["id"])
    assert stored is not None and stored.body == "Hello **all** <script>alert(1)</script>"
    assert stored.author_id == people["member"].id and stored.client_id == "client-1"


def test_others_get_the_sanitized_message_with_author_and_time(people, room, joined):
    member = db.session.get(User, people["member"].id)
    member.avatar_filename = "abc.webp"
    db.session.commit()
    ack = send(joined["member"], room.id, "Hello **all** <script>alert(1)</script> [x](javascript:alert(1))", "c1")
    for name in ("advisor", "other"):
        pushes = received(joined[name], "message")
        assert pushes == [ack["message"]]
    message = ack["message"]
    assert message["room_id"] == room.id and message["client_id"] == "c1"
    assert "<strong>all</strong>" in message["html"]
    assert "<script" not in message["html"] and 'href="javascript' not in message["html"]
    assert message["author"] == {"id": member.id, "name": "Mia Member", "initials": "MM",
                                 "avatar_url": path_for("members.avatar", user_id=member.id)}
    assert message["created_at"].endswith("Z")
    assert abs((utcnow() - fresh(Message, message["id"]).created_at).total_seconds()) < 60


def test_a_resend_with_the_same_client_id_is_idempotent(people, room, joined):
    first = send(joined["member"], room.id, "once", "same-id")
    drain(*joined.values())
    again = send(joined["member"], room.id, "once", "same-id")
    assert again["ok"] is True and again["duplicate"] is True
    assert again["message"]["id"] == first["message"]["id"]
    assert received(joined["advisor"], "message") == [] and received(joined["member"], "message") == []
    assert message_count(room.id) == 1
    # the client id is per author: another person may use the same one
    assert send(joined["other"], room.id, "mine", "same-id")["duplicate"] is False
    assert message_count(room.id) == 2


def test_the_eleventh_message_in_ten_seconds_is_refused(people, room, joined):
    for n in range(10):
        assert send(joined["member"], room.id, f"m{n}", f"c{n}")["ok"] is True
    drain(*joined.values())
    assert send(joined["member"], room.id, "too fast", "c10") == {"ok": False, "error": RATE_LIMITED_EN}
    assert received(joined["advisor"], "message") == []
    assert message_count(room.id) == 10
    assert send(joined["other"], room.id, "someone else may", "c10")["ok"] is True  # the limit is per person


def test_the_rate_limit_message_is_in_the_users_language(people, room, connect, app, make_user):
    spanish = make_user("member", display_name="Sofía", preferred_language="es")
    sock = connect(client_for(app, spanish))
    assert join(sock, room.id)["ok"]
    for n in range(10):
        assert send(sock, room.id, f"hola {n}", f"c{n}")["ok"]
    assert send(sock, room.id, "hola", "c10") == {"ok": False, "error": RATE_LIMITED_ES}


def test_a_muted_member_cannot_post(people, room, joined):
    moderation.mute_member(people["advisor"], room, people["member"], 10)
    assert send(joined["member"], room.id, "hi", "c1") == {"ok": False, "error": MUTED_EN}
    assert message_count(room.id) == 0
    assert received(joined["advisor"], "message") == []
    moderation.unmute_member(people["advisor"], room, people["member"])
    assert send(joined["member"], room.id, "hi", "c1")["ok"] is True


def test_a_locked_room_takes_posts_from_advisors_only(people, room, joined):
    moderation.set_locked(people["advisor"], room, True)
    assert send(joined["member"], room.id, "hi", "c1") == {"ok": False, "error": LOCKED_EN}
    assert send(joined["advisor"], room.id, "advisors may", "c1")["ok"] is True
    assert message_count(room.id) == 1
    assert join(joined["member"], room.id)["room"]["locked"] is True


MISSING = object()
ROOM_ID_AS_TEXT = object()
WRONG_SEND_SHAPES = [
    {"body": 5},
    {"client_id": ["c1"]},
    {"client_id": ""},
    {"client_id": "x" * 65},
    {"body": "   "},
    {"body": None},
    {"body": {"text": "hi"}},
    {"body": "x" * 2001},
    {"body": MISSING},
    {"client_id": MISSING},
    {"room_id": MISSING},
    {"room_id": ROOM_ID_AS_TEXT},
    {"room_id": True},
    {"room_id": 1.0},
    {"room_id": 2**63},
    {"room_id": -1},
]


def test_wrong_shapes_are_refused_and_nothing_is_stored(people, room, joined):
    for shape in WRONG_SEND_SHAPES:
        merged = {"room_id": room.id, "body": "hi", "client_id": "c1", **shape}
        payload = {key: str(room.id) if value is ROOM_ID_AS_TEXT else value
                   for key, value in merged.items() if value is not MISSING}
        ack = call(joined["member"], "send", payload)
        assert isinstance(ack, dict) and ack["ok"] is False, (shape, ack)
        assert joined["member"].is_connected(NS)
    assert message_count(room.id) == 0
    assert received(joined["advisor"], "message") == []


EVENTS = ["join", "leave", "send", "history", "read", "typing", "raise_hand", "lower_hand", "call_next",
          "delete_message"]


def test_every_event_refuses_a_payload_without_a_usable_room_id(people, room, connect):
    sock = connect(people["advisor_client"])
    shapes = [{"body": "x"}, {"room_id": str(room.id)}, [room.id], None, room.id, f"{room.id}", {"room_id": [room.id]}]
    for event in EVENTS:
        for payload in shapes:
            ack = call(sock, event, payload)
            assert isinstance(ack, dict) and ack["ok"] is False, (event, payload, ack)
            assert sock.is_connected(NS)
    assert message_count(room.id) == 0


# --- history and read ---------------------------------------------------------------------------------------------

def test_history_pages_back_oldest_first(people, room, joined):
    ids = store_messages(room, people["advisor"], 120)
    moderation.delete_message(people["advisor"], db.session.get(Message, ids[5]))
    page = call(joined["member"], "history", {"room_id": room.id, "before_id": ids[70]})
    assert [m["id"] for m in page["messages"]] == ids[20:70] and page["has_more"] is True
    page = call(joined["member"], "history", {"room_id": room.id, "before_id": ids[20]})
    assert [m["id"] for m in page["messages"]] == ids[:5] + ids[6:20] and page["has_more"] is False
    assert call(joined["member"], "history", {"room_id": room.id, "before_id": ids[0]}) == {
        "ok": True, "messages": [], "has_more": False}
    assert call(joined["member"], "history", {"room_id": room.id})["ok"] is False
    assert call(joined["member"], "history", {"room_id": room.id, "before_id": "5"})["ok"] is False


def _unread(user_id: int, room_id: int) -> int:
    db.session.expire_all()
    entries = rooms.list_rooms(db.session.get(User, user_id))
    return {entry.room.id: entry.unread for entry in entries}[room_id]


def test_read_moves_the_unread_count_forward_only(people, room, joined):
    ids = [send(joined["advisor"], room.id, f"m{n}", f"c{n}")["message"]["id"] for n in range(3)]
    member_id = people["member"].id
    assert _unread(member_id, room.id) == 3
    assert call(joined["member"], "read", {"room_id": room.id, "message_id": ids[1]}) == {"ok": True}
    assert _unread(member_id, room.id) == 1
    assert call(joined["member"], "read", {"room_id": room.id, "message_id": ids[0]}) == {"ok": True}
    assert _unread(member_id, room.id) == 1  # never backwards
    assert call(joined["member"], "read", {"room_id": room.id, "message_id": ids[2]}) == {"ok": True}
    assert _unread(member_id, room.id) == 0
    assert _unread(people["other"].id, room.id) == 3  # someone else's count is theirs
    assert call(joined["member"], "read", {"room_id": room.id, "message_id": "1"})["ok"] is False


def test_joining_with_missed_messages_marks_them_read(people, room, connect):
    ids = store_messages(room, people["advisor"], 4)
    sock = connect(people["member_client"])
    assert _unread(people["member"].id, room.id) == 4
    join(sock, room.id, last_id=ids[1])
    assert _unread(people["member"].id, room.id) == 0


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



@pytest.mark.parametrize("body, client_id, stored", [
    ("\ud800 lone surrogate", "c1", "\ufffd"),  # JSON may carry a lone surrogate; no database stores one
    ("ok", "\udfff", "ok"),
    ("nul \x00 byte", "c1", "nul  byte"),  # PostgreSQL text refuses NUL
    ("ok", "nul\x00", "ok"),
])
def test_text_a_database_cannot_store_is_made_storable(people, room, joined, body, client_id, stored):
    ack = send(joined["member"], room.id, body, client_id)
    assert ack["ok"] is True, ack
    row = fresh(Message, ack["message"]["id"])
    assert stored in row.body and "\x00" not in row.body + row.client_id
    assert (row.body + row.client_id).encode("utf-8")  # raises on a surrogate
    assert send(joined["member"], room.id, body, client_id)["duplicate"] is True  # the same client id again
    assert send(joined["member"], room.id, "\x00 \x00", "c9") == {"ok": False, "error": "Write a message first."}
