"""The live meeting screen over Socket.IO (namespace /meetings): join, advance, pushes, and sockets that close."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.meetings import agenda, services
from stac_youth.meetings.models import Meeting
from stac_youth.members import accounts
from stac_youth.members.models import Region, User
from tests.conftest import PASSWORD, login

NS = "/meetings"


def _meeting(advisor, status: str = "published", region_ids: tuple[int, ...] = ()) -> Meeting:
    start = utcnow() + timedelta(minutes=5)
    meeting = services.create_meeting(advisor, services.MeetingData(
        title="Board meeting", description="", starts_at=start, ends_at=start + timedelta(hours=1),
        location="Room 4", video_url=None, region_ids=region_ids,
    ))
    for title in ("Welcome", "Budget", "Vote"):
        agenda.add_item(advisor, meeting, agenda.AgendaItemData(
            title=title, description="", minutes=10, presenter=None, kind="discussion",
        ))
    if status in ("published", "live"):
        services.publish_meeting(advisor, meeting)
    if status == "live":
        services.start_meeting(advisor, meeting)
    return meeting


def _client_for(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def _item_ids(meeting_id: int) -> list[int]:
    db.session.expire_all()
    return [item.id for item in db.session.get(Meeting, meeting_id).items]


def _current_item_id(meeting_id: int) -> int | None:
    db.session.expire_all()
    return db.session.get(Meeting, meeting_id).current_item_id


def _states(sock) -> list[dict]:
    """The "state" pushes a socket has received since last asked."""
    return [message["args"][0] for message in sock.get_received(NS) if message["name"] == "state"]


def _join(sock, payload):
    return sock.emit("join", payload, namespace=NS, callback=True)


@pytest.fixture
def people(app, make_user):
    advisor = make_user("advisor")
    member = make_user("member")
    return {"advisor": advisor, "member": member,
            "advisor_client": _client_for(app, advisor), "member_client": _client_for(app, member)}


@pytest.fixture
def live(people):
    return _meeting(people["advisor"], status="live")


@pytest.fixture
def connect(socket_client):
    def _connect(http_client):
        sock = socket_client(namespace=NS, http_client=http_client)
        assert sock.is_connected(namespace=NS)
        return sock

    return _connect


# --- connecting and joining -------------------------------------------------------------------------------------

def test_anonymous_connection_is_refused(app, socket_client):
    sock = socket_client(namespace=NS, http_client=app.test_client())
    assert not sock.is_connected(namespace=NS)


def test_join_a_visible_meeting_answers_its_current_state(people, live, connect):
    member = connect(people["member_client"])
    ack = _join(member, {"meeting_id": live.id})
    assert ack["ok"] is True
    assert ack["state"]["meeting_id"] == live.id
    assert ack["state"]["status"] == "live"
    assert ack["state"]["current_item_id"] == _item_ids(live.id)[0]
    assert ack["state"]["item_started_at"].endswith("Z")


def test_join_a_published_meeting_not_yet_live(people, connect):
    meeting = _meeting(people["advisor"])
    ack = _join(connect(people["member_client"]), {"meeting_id": meeting.id})
    assert ack["ok"] is True
    assert ack["state"]["status"] == "published" and ack["state"]["current_item_id"] is None


def test_a_member_cannot_join_a_draft_and_it_looks_missing(people, connect):
    draft = _meeting(people["advisor"], status="draft")
    member = connect(people["member_client"])
    assert _join(member, {"meeting_id": draft.id}) == {"ok": False, "error": "not_found"}
    assert _join(member, {"meeting_id": draft.id + 1000}) == {"ok": False, "error": "not_found"}
    # the advisor may
    assert _join(connect(people["advisor_client"]), {"meeting_id": draft.id})["ok"] is True


@pytest.mark.parametrize("payload", [
    "1", ["meeting_id", 1], [1], {"meeting_id": "1"}, {"meeting_id": True}, {"meeting_id": False}, {},
    {"meeting_id": 2**63}, {"meeting_id": 10**40}, {"meeting_id": -1}, {"meeting_id": 0}, {"meeting_id": 1.0},
    {"meeting_id": None}, {"meeting_id": {"id": 1}}, {"meeting_id": [1]}, {"nested": {"meeting_id": 1}}, None, 7,
])
def test_junk_join_payloads_are_refused_without_an_exception(people, live, connect, payload):
    member = connect(people["member_client"])
    ack = _join(member, payload)
    assert isinstance(ack, dict) and ack["ok"] is False, ack
    assert member.is_connected(namespace=NS)
    assert _join(member, {"meeting_id": live.id})["ok"] is True  # the socket still works afterwards


@pytest.mark.parametrize("payload", [
    {"meeting_id": 10**40, "step": 1}, {"meeting_id": "1", "step": 1}, {"step": 1}, "advance", [1, 1],
    {"meeting_id": 1, "step": 2}, {"meeting_id": 1, "step": True}, {"meeting_id": 1, "step": "next"},
    {"meeting_id": 1, "step": 1.0}, {"meeting_id": 1, "step": None}, {"meeting_id": 1},
])
def test_junk_advance_payloads_are_refused_without_an_exception(people, live, connect, payload):
    advisor = connect(people["advisor_client"])
    before = _current_item_id(live.id)
    ack = advisor.emit("advance", payload, namespace=NS, callback=True)
    assert isinstance(ack, dict) and ack["ok"] is False, ack
    assert _current_item_id(live.id) == before


def test_a_member_of_another_region_cannot_join_a_region_only_meeting(app, people, make_user, connect):
    north, south = db.session.scalars(db.select(Region).order_by(Region.id).limit(2)).all()
    meeting = _meeting(people["advisor"], status="live", region_ids=(north.id,))
    inside = make_user("member", region_id=north.id)
    outside = make_user("member", region_id=south.id)
    assert _join(connect(_client_for(app, inside)), {"meeting_id": meeting.id})["ok"] is True
    stranger = connect(_client_for(app, outside))
    assert _join(stranger, {"meeting_id": meeting.id}) == {"ok": False, "error": "not_found"}
    # and so receives none of its pushes
    advisor = connect(people["advisor_client"])
    assert advisor.emit("advance", {"meeting_id": meeting.id, "step": 1}, namespace=NS, callback=True)["ok"]
    assert _states(stranger) == []


# --- moving the live meeting --------------------------------------------------------------------------------------

def test_advisor_advance_reaches_joined_member_sockets(people, live, connect):
    member, advisor = connect(people["member_client"]), connect(people["advisor_client"])
    assert _join(member, {"meeting_id": live.id})["ok"]
    first, second, _third = _item_ids(live.id)
    member.get_received(NS)

    ack = advisor.emit("advance", {"meeting_id": live.id, "step": 1}, namespace=NS, callback=True)
    assert ack["ok"] is True and ack["state"]["current_item_id"] == second
    assert _current_item_id(live.id) == second
    states = _states(member)
    assert [state["current_item_id"] for state in states] == [second]
    assert states[0]["meeting_id"] == live.id and states[0]["status"] == "live"

    assert advisor.emit("advance", {"meeting_id": live.id, "step": -1}, namespace=NS, callback=True)["ok"]
    assert [state["current_item_id"] for state in _states(member)] == [first]


def test_advance_past_the_last_item_is_refused_and_pushes_nothing(people, live, connect):
    member, advisor = connect(people["member_client"]), connect(people["advisor_client"])
    _join(member, {"meeting_id": live.id})
    member.get_received(NS)
    ack = advisor.emit("advance", {"meeting_id": live.id, "step": -1}, namespace=NS, callback=True)
    assert ack["ok"] is False and ack["error"]
    assert _states(member) == []


def test_a_member_cannot_advance(people, live, connect):
    member, watcher = connect(people["member_client"]), connect(people["advisor_client"])
    _join(member, {"meeting_id": live.id})
    _join(watcher, {"meeting_id": live.id})
    member.get_received(NS)
    watcher.get_received(NS)
    before = _current_item_id(live.id)

    ack = member.emit("advance", {"meeting_id": live.id, "step": 1}, namespace=NS, callback=True)
    assert ack == {"ok": False, "error": "forbidden"}
    assert _current_item_id(live.id) == before
    assert _states(member) == [] and _states(watcher) == []


def test_http_advance_pushes_state_to_joined_sockets(people, live, connect):
    member = connect(people["member_client"])
    _join(member, {"meeting_id": live.id})
    member.get_received(NS)
    second = _item_ids(live.id)[1]

    response = people["advisor_client"].post(f"/meetings/{live.id}/advance", data={"step": "next"})
    assert response.status_code == 302
    assert _current_item_id(live.id) == second
    assert [state["current_item_id"] for state in _states(member)] == [second]


def test_http_end_pushes_the_ended_state(people, live, connect):
    member = connect(people["member_client"])
    _join(member, {"meeting_id": live.id})
    member.get_received(NS)
    assert people["advisor_client"].post(f"/meetings/{live.id}/end", data={"confirmed": "1"}).status_code == 302
    assert [(state["status"], state["current_item_id"]) for state in _states(member)] == [("ended", None)]


def test_starting_a_meeting_pushes_to_sockets_that_joined_before(people, connect):
    meeting = _meeting(people["advisor"])
    member = connect(people["member_client"])
    assert _join(member, {"meeting_id": meeting.id})["state"]["status"] == "published"
    member.get_received(NS)
    services.start_meeting(people["advisor"], meeting)
    states = _states(member)
    assert [(state["status"], state["current_item_id"]) for state in states] == [("live", _item_ids(meeting.id)[0])]


def test_pushes_stay_in_their_meeting(people, live, connect):
    other = _meeting(people["advisor"], status="live")
    member = connect(people["member_client"])
    _join(member, {"meeting_id": other.id})
    member.get_received(NS)
    advisor = connect(people["advisor_client"])
    assert advisor.emit("advance", {"meeting_id": live.id, "step": 1}, namespace=NS, callback=True)["ok"]
    assert _states(member) == []


def test_a_reconnecting_member_gets_the_current_state_in_the_join_answer(people, live, connect):
    member = connect(people["member_client"])
    _join(member, {"meeting_id": live.id})
    member.disconnect(namespace=NS)
    assert not member.is_connected(namespace=NS)

    advisor = connect(people["advisor_client"])
    for _ in range(2):
        assert advisor.emit("advance", {"meeting_id": live.id, "step": 1}, namespace=NS, callback=True)["ok"]
    third = _item_ids(live.id)[2]

    again = connect(people["member_client"])
    ack = _join(again, {"meeting_id": live.id})
    assert ack["ok"] is True and ack["state"]["current_item_id"] == third


# --- sockets close when the session ends ---------------------------------------------------------------------------

def _joined_member_socket(people, live, connect):
    sock = connect(people["member_client"])
    assert _join(sock, {"meeting_id": live.id})["ok"]
    return sock


def test_logging_out_disconnects_the_meetings_socket(people, live, connect):
    sock = _joined_member_socket(people, live, connect)
    assert people["member_client"].post("/logout").status_code == 302
    assert not sock.is_connected(namespace=NS)


def test_a_password_change_disconnects_the_meetings_socket(people, live, connect):
    sock = _joined_member_socket(people, live, connect)
    response = people["member_client"].post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "another long passphrase 42"}
    )
    assert response.status_code == 302
    assert not sock.is_connected(namespace=NS)


def test_a_role_change_disconnects_the_meetings_socket(people, live, connect, make_user):
    sock = _joined_member_socket(people, live, connect)
    admin = make_user("admin")
    accounts.change_role(admin, db.session.get(User, people["member"].id), "planner")
    assert not sock.is_connected(namespace=NS)


def test_deactivation_disconnects_the_meetings_socket(people, live, connect, make_user):
    sock = _joined_member_socket(people, live, connect)
    admin = make_user("admin")
    accounts.set_active(admin, db.session.get(User, people["member"].id), False)
    assert not sock.is_connected(namespace=NS)


def test_after_logout_the_browser_cannot_open_a_new_meetings_socket(people, live, connect, socket_client):
    _joined_member_socket(people, live, connect)
    people["member_client"].post("/logout")
    sock = socket_client(namespace=NS, http_client=people["member_client"])
    assert not sock.is_connected(namespace=NS)
