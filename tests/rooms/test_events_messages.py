"""Rooms over Socket.IO: sending and its refusals, wrong payload shapes, history, read markers, storable text."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from stac_youth.common.time import utcnow
from stac_youth.common.urls import path_for
from stac_youth.extensions import db, socketio
from stac_youth.members.models import User
from stac_youth.rooms import moderation, rooms
from stac_youth.rooms.models import Message
from tests.rooms.event_helpers import NS, call, drain, fresh, join, received, send, store_messages
from tests.rooms.helpers import client_for

pytestmark = pytest.mark.usefixtures("no_typing_memory")


RATE_LIMITED_EN = "You are sending messages very fast. Wait a few seconds and try again."
RATE_LIMITED_ES = "Estás enviando mensajes muy rápido. Espera unos segundos e inténtalo otra vez."
LOCKED_EN = "This room is locked. Only advisors can post right now."
MUTED_EN = "An advisor muted you in this room for a while. You can read, but not post."


def message_count(room_id: int) -> int:
    return db.session.scalar(select(func.count(Message.id)).where(Message.room_id == room_id))


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
