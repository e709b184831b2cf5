"""T6 for Socket.IO: every registered handler in every namespace takes junk without an unhandled exception.

Handlers are read from the live server (socketio.server.handlers), never listed by hand, so an event added later is
fuzzed too. Payloads are JSON-like values: huge strings, deep nesting, ints beyond 64 bits, NaN and infinities,
lone surrogates, the right keys with the wrong types, and real ids so the handlers get past their first check.
Also here: event names nobody registered, and the XSS corpus sent as chat messages.
"""

from __future__ import annotations

import math
import os
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from stac_youth.common import policy
from stac_youth.common.time import utcnow
from stac_youth.extensions import db, socketio
from stac_youth.meetings import services as meeting_services
from stac_youth.members.models import Region
from stac_youth.polls import lifecycle
from stac_youth.rooms import events, messages, rooms
from stac_youth.rooms.models import Message, Presence, Room
from tests.conftest import login

try:
    from tests.test_xss import VECTORS, audit_html, url_scheme
except ImportError:  # pragma: no cover - the T7 module moved: keep a small corpus of our own
    VECTORS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
               '<a href="javascript&colon;alert(1)">x</a>', "<svg onload=alert(1)>"]
    audit_html = url_scheme = None

MAX_EXAMPLES = int(os.environ.get("STAC_FUZZ_EXAMPLES", "300"))
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
    database=None,
)
#: The keys the handlers read; a payload often has them, with values of any type.
KEYS = ("room_id", "last_id", "body", "client_id", "before_id", "message_id", "meeting_id", "step", "poll_id")
SKIPPED = ("connect", "disconnect")


# --- strategies ---------------------------------------------------------------------------------------------------

def _repeat(chunk: str, length: int) -> str:
    return (chunk * (length // len(chunk) + 1))[:length]


def _nest(leaf, depth: int, as_dict: bool):
    value = leaf
    for level in range(depth):
        value = {"room_id": value, f"k{level}": level} if as_dict else [value]
    return value


ints = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2, 3, -1, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**40]),
)
floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([1.0, 0.5, -0.0, 1e308, math.inf])
huge_strings = st.builds(
    _repeat,
    st.sampled_from(["a", "é", "\u202e", "<script>", "\x00", "😀", "\ud800", "**x** ", "[x](javascript:1)"]),
    st.integers(min_value=1_000, max_value=100_000),
)
odd_strings = st.sampled_from(["", " ", "\x00", "\ud800", "a\udfff", "\ufeff", "1", "-1", "1e400", "NaN", "null",
                               "true", "[]", "{}", "__proto__", "constructor", "%s%n", "\u202egnp.exe", "\r\n"])
strings = st.one_of(st.text(max_size=40), odd_strings, huge_strings)
leaves = st.one_of(st.none(), st.booleans(), ints, floats, strings)
json_values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=12)), children, max_size=6),
    max_leaves=25,
)
deep_values = st.builds(_nest, leaves, st.integers(min_value=1, max_value=200), st.booleans())
right_keys_wrong_types = st.fixed_dictionaries({}, optional={key: json_values for key in KEYS})


def _plausible(ids: dict) -> st.SearchStrategy:
    """The right keys, often with ids that exist, so the handlers run past their first check."""
    some_room = st.sampled_from(ids["rooms"]) | ints
    some_message = st.sampled_from(ids["messages"]) | ints
    return st.fixed_dictionaries(
        {"room_id": some_room},
        optional={
            "last_id": some_message | json_values,
            "before_id": some_message | json_values,
            "message_id": some_message | json_values,
            "body": strings | json_values,
            "client_id": st.text(min_size=1, max_size=70) | json_values,
            "meeting_id": st.sampled_from(ids["meetings"]) | ints,
            "step": st.sampled_from([1, -1, 0, 2, True]) | json_values,
            "poll_id": st.sampled_from(ids["polls"]) | ints | json_values,
        },
    )


def payloads(ids: dict) -> st.SearchStrategy:
    return st.one_of(json_values, deep_values, right_keys_wrong_types, _plausible(ids))


# --- fixtures -----------------------------------------------------------------------------------------------------

def _client_for(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


@pytest.fixture(autouse=True)
def no_typing_memory(monkeypatch):
    monkeypatch.setattr(events, "_last_typing", {})


@pytest.fixture
def world(app, make_user, socket_client):
    """A member and an advisor connected to every namespace, rooms (one hidden from the member), a live meeting."""
    bay = db.session.scalar(select(Region).where(Region.name == "Bay Area"))
    valley = db.session.scalar(select(Region).where(Region.name == "Central Valley"))
    advisor = make_user("advisor", display_name="Ada Advisor")
    member = make_user("member", display_name="Mia Member", region_id=bay.id)
    topic = rooms.create_topic_room(advisor, "Climate", "", None)
    hidden = rooms.create_topic_room(advisor, "Valley only", "", valley.id)
    start = utcnow() + timedelta(minutes=5)
    meeting = meeting_services.create_meeting(advisor, meeting_services.MeetingData(
        title="Board", description="", starts_at=start, ends_at=start + timedelta(hours=1), location="Room 4",
        video_url=None,
    ))
    meeting_services.publish_meeting(advisor, meeting)
    meeting_services.start_meeting(advisor, meeting)
    open_poll = lifecycle.create_poll(advisor, None, "Open poll?", "yes_no_abstain", results_live=True)
    lifecycle.open_poll(advisor, open_poll)
    draft_poll = lifecycle.create_poll(advisor, None, "Draft poll?", "yes_no_abstain")  # the member may not watch it
    for number in range(3):
        messages.post_message(advisor, topic, f"hello {number}", f"seed-{number}")
        messages.post_message(advisor, hidden, f"hidden {number}", f"seed-{number}")
    ids = {
        "rooms": [room.id for room in db.session.scalars(select(Room))],
        "messages": list(db.session.scalars(select(Message.id))),
        "meetings": [meeting.id],
        "polls": [open_poll.id, draft_poll.id],
    }
    clients = {"member": _client_for(app, member), "advisor": _client_for(app, advisor)}
    handlers = sorted((namespace, event) for namespace, table in socketio.server.handlers.items()
                      for event in table if event not in SKIPPED)
    sockets = {}
    for who, http_client in clients.items():
        for namespace in socketio.server.handlers:
            sock = socket_client(namespace=namespace, http_client=http_client)
            assert sock.is_connected(namespace), (who, namespace)
            sockets[who, namespace] = sock
    return {"ids": ids, "handlers": handlers, "sockets": sockets, "clients": clients, "topic": topic,
            "advisor": advisor, "member": member}


def _is_acceptable_ack(ack) -> bool:
    """An answer a client can rely on: {"ok": True/False, ...}, or nothing at all."""
    if ack is None or ack == []:  # the test client gives [] for an acknowledgement without arguments
        return True
    return isinstance(ack, dict) and ack.get("ok") in (True, False)


def _still_works(app, world) -> None:
    """After the fuzzing: the health check answers, and a normal join and send work for both people."""
    response = world["clients"]["member"].get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
    room_id = world["topic"].id
    messages.RATE_LIMIT_COUNT, limit = 10**9, messages.RATE_LIMIT_COUNT  # the fuzz may have used up the limit
    try:
        for who in ("member", "advisor"):
            sock = world["sockets"][who, "/rooms"]
            assert sock.is_connected("/rooms")
            assert sock.emit("join", {"room_id": room_id}, namespace="/rooms", callback=True)["ok"] is True
            ack = sock.emit("send", {"room_id": room_id, "body": f"still here, {who}", "client_id": f"after-{who}"},
                            namespace="/rooms", callback=True)
            assert ack["ok"] is True and ack["duplicate"] is False, ack
    finally:
        messages.RATE_LIMIT_COUNT = limit


# --- every handler, junk payloads ---------------------------------------------------------------------------------

def test_the_fuzz_reaches_every_registered_handler(world):
    assert ("/rooms", "send") in world["handlers"] and ("/meetings", "advance") in world["handlers"]
    assert ("/polls", "watch") in world["handlers"]
    assert len(world["handlers"]) >= 13
    # every event of the socket policy is fuzzed (the handlers are read from the server, the policy names them all);
    # "*" stands for the events a namespace does not know, fuzzed by test_unknown_events_get_an_error_answer
    in_policy = {key for key in policy.SOCKET_EVENTS if key[1] not in (*SKIPPED, "*")}
    assert set(world["handlers"]) == in_policy


def test_every_handler_answers_junk_with_a_refusal_and_never_raises(app, world):
    """Slow by design (tens of seconds): 300 Hypothesis payloads (STAC_FUZZ_EXAMPLES) for every handler."""
    sockets, handlers = world["sockets"], world["handlers"]

    @FUZZ_SETTINGS
    @given(payload=payloads(world["ids"]), who=st.sampled_from(["member", "advisor"]))
    def run(payload, who):
        for namespace, event in handlers:
            sock = sockets[who, namespace]
            ack = sock.emit(event, payload, namespace=namespace, callback=True)
            assert _is_acceptable_ack(ack), (namespace, event, ack)
            assert sock.is_connected(namespace), (namespace, event)

    run()
    _still_works(app, world)


@pytest.mark.parametrize("args", [(), (None, None), ({"room_id": 1}, {"room_id": 1}), ({"room_id": 1}, "x", [1])],
                         ids=["none", "two-nulls", "two-payloads", "three"])
def test_every_handler_refuses_a_wrong_number_of_arguments(app, world, args):
    """socket.emit("join") or emit("join", a, b) from a client: an "invalid" answer, not a TypeError."""
    for who in ("member", "advisor"):
        for namespace, event in world["handlers"]:
            sock = world["sockets"][who, namespace]
            ack = sock.emit(event, *args, namespace=namespace, callback=True)
            assert isinstance(ack, dict) and ack["ok"] is False, (namespace, event, args, ack)
            assert sock.is_connected(namespace)
    _still_works(app, world)


ODD_EVENT_NAMES = ["here", "message", "json", "*", "__proto__", "JOIN", "join ", "send\x00", "connect_error"]


def test_unknown_events_get_an_error_answer(app, world):
    known = {event for table in socketio.server.handlers.values() for event in table}
    sockets = world["sockets"]

    @FUZZ_SETTINGS
    @given(name=st.one_of(st.text(min_size=1, max_size=60), st.sampled_from(ODD_EVENT_NAMES)),
           payload=json_values, namespace=st.sampled_from(sorted(socketio.server.handlers)))
    def run(name, payload, namespace):
        if name in known:
            return
        sock = sockets["member", namespace]
        ack = sock.emit(name, payload, namespace=namespace, callback=True)
        assert ack == {"ok": False, "error": "unknown_event"}, (name, ack)
        assert sock.is_connected(namespace)

    run()
    _still_works(app, world)


def test_a_client_cannot_fake_the_connect_and_disconnect_events(app, world):
    """python-socketio hands an EVENT named "connect"/"disconnect" to those handlers: it must change nothing."""
    room_id = world["topic"].id
    sock = world["sockets"]["member", "/rooms"]
    assert sock.emit("join", {"room_id": room_id}, namespace="/rooms", callback=True)["ok"] is True
    for name in ("disconnect", "connect"):
        for args in ((), ("transport close",), ({"x": 1},)):
            sock.emit(name, *args, namespace="/rooms", callback=True)
            assert sock.is_connected("/rooms")
    db.session.expire_all()
    present = set(db.session.scalars(select(Presence.user_id).where(Presence.room_id == room_id)))
    assert world["member"].id in present  # still shown as here: a fake disconnect does not remove presence
    _still_works(app, world)


# --- XSS vectors as chat messages ---------------------------------------------------------------------------------

CHAT_TAGS = {"p", "br", "strong", "em", "a", "code"}
SAFE_SCHEMES = {"http", "https", "mailto"}


class FragmentAudit(HTMLParser):
    """What a pushed message's html may hold: the chat tags, href on links (http/https/mailto), nothing that runs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in CHAT_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            elif tag == "a" and name == "href":
                scheme = url_scheme(value or "") if url_scheme else (value or "").split(":", 1)[0].lower()
                if scheme is not None and ":" in (value or "") and scheme not in SAFE_SCHEMES:
                    self.problems.append(f"href={value!r}")
            elif not (tag == "a" and name in ("target", "rel")):
                self.problems.append(f"{name}= on <{tag}>")

    handle_startendtag = handle_starttag


def fragment_problems(html: str) -> list[str]:
    parser = FragmentAudit()
    parser.feed(html)
    parser.close()
    return parser.problems


class PageLinks(HTMLParser):
    """Page-level checks when tests/test_xss.py is not importable: scripts, on*, link schemes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            self.problems.append("<script>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"{name}=")
            if name == "href" and value and ":" in value.split("/", 1)[0]:
                if value.split(":", 1)[0].strip().lower() not in SAFE_SCHEMES:
                    self.problems.append(f"href={value!r}")

    handle_startendtag = handle_starttag


def page_problems(html: str) -> list[str]:
    if audit_html is not None:
        return audit_html(html)
    parser = PageLinks()
    parser.feed(html)
    parser.close()
    return parser.problems


def test_the_audits_catch_what_they_look_for():
    assert fragment_problems('<p><a href="javascript:x">x</a><img src=x onerror=1><script></script></p>')
    assert fragment_problems('<a href="https://ok.example" onclick="x">x</a>')
    assert fragment_problems('<a href="https://ok.example" rel="noopener" target="_blank">x</a>') == []
    assert page_problems('<p><a href="javascript:alert(1)">x</a></p>')
    assert page_problems("<script>alert(1)</script>")


def test_xss_vectors_sent_as_messages_arrive_sanitized_live_and_on_the_page(app, world, socket_client, monkeypatch):
    monkeypatch.setattr(messages, "RATE_LIMIT_COUNT", 10_000)
    room_id = world["topic"].id
    sender = world["sockets"]["member", "/rooms"]
    watcher = socket_client(namespace="/rooms", http_client=world["clients"]["advisor"])
    assert sender.emit("join", {"room_id": room_id}, namespace="/rooms", callback=True)["ok"]
    assert watcher.emit("join", {"room_id": room_id}, namespace="/rooms", callback=True)["ok"]
    watcher.get_received("/rooms")
    # the page's own markup (the live client's <template>) is the baseline; the vectors must add nothing to it
    baseline = page_problems(world["clients"]["member"].get(f"/rooms/{room_id}").get_data(as_text=True))

    sent = {}
    for number, vector in enumerate(VECTORS):
        ack = sender.emit("send", {"room_id": room_id, "body": vector, "client_id": f"xss-{number}"},
                          namespace="/rooms", callback=True)
        assert ack["ok"] is True, (vector, ack)
        sent[ack["message"]["id"]] = vector
        assert fragment_problems(ack["message"]["html"]) == [], (vector, ack["message"]["html"])

    pushed = [push["args"] for push in watcher.get_received("/rooms") if push["name"] == "message"]
    assert sorted(push["id"] for push in pushed) == sorted(sent)
    for push in pushed:
        assert fragment_problems(push["html"]) == [], (sent[push["id"]], push["html"])

    seen: set[int] = set()
    url = f"/rooms/{room_id}"
    for _page in range(10):  # the page shows 50 at a time: follow "Older messages" until every vector is seen
        response = world["clients"]["member"].get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert page_problems(html) == baseline, url
        seen |= {message_id for message_id in sent if f'id="message-{message_id}"' in html}
        if seen == set(sent):
            break
        shown = sorted(message_id for message_id in sent if f'id="message-{message_id}"' in html)
        url = f"/rooms/{room_id}?before={shown[0]}"
    assert seen == set(sent)
