"""Finding 2: a socket stops receiving what its user may no longer see, the moment access changes.

Everything is driven from outside: pages and forms over HTTP, Flask-SocketIO test clients in /rooms, /meetings and
/polls. Maya (Bay Area) and Priya (Capitol Area) follow a statewide meeting; the advisor restricts it to the Bay Area.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stac_youth.common.channels import SocketChannel
from stac_youth.extensions import db
from stac_youth.meetings import services as meeting_services
from stac_youth.meetings.models import Meeting
from stac_youth.members.models import User
from stac_youth.polls import lifecycle
from stac_youth.rooms import events
from stac_youth.rooms.models import Presence, Room
from tests.meetings.helpers import data, make_meeting
from tests.rooms.event_helpers import NS, drain, join, received
from tests.rooms.helpers import client_for, post, region, topic_room

pytestmark = pytest.mark.usefixtures("no_typing_memory")
MEETINGS, POLLS = "/meetings", "/polls"


def _pushes(sock, namespace: str, name: str) -> list:
    """The pushes of one name a socket got since last asked, in one namespace."""
    if namespace == NS:
        return received(sock, name)
    return [push["args"][0] for push in sock.get_received(namespace) if push["name"] == name]


def _edit_form(meeting, region_ids=()) -> dict:
    """The meeting's edit form as an advisor submits it, with these regions ticked."""
    return {"title": meeting.title, "description": "", "starts_at": "2030-01-15T16:00", "ends_at": "2030-01-15T17:30",
            "location": "Room 4", "video_url": "", "region_ids": [str(region_id) for region_id in region_ids]}


def _channels(user) -> set[tuple[str, int]]:
    db.session.expire_all()
    return {(row.kind, row.object_id) for row in db.session.scalars(
        select(SocketChannel).where(SocketChannel.user_id == user.id))}


@pytest.fixture
def statewide(advisor):
    """A published statewide meeting with two agenda items, and its room."""
    meeting = make_meeting(advisor, status="published", items=("Welcome", "Budget"), title="Statewide board")
    room = db.session.scalar(select(Room).where(Room.meeting_id == meeting.id))
    return meeting, room


@pytest.fixture
def following(app, member, other, statewide, socket_client):
    """Maya and Priya each in the meeting's room (/rooms) and on its live screen (/meetings), inboxes emptied."""
    meeting, room = statewide
    socks = {}
    for name, user in (("maya", member), ("priya", other)):
        client = client_for(app, user)
        rooms_sock = socket_client(namespace=NS, http_client=client)
        meetings_sock = socket_client(namespace=MEETINGS, http_client=client)
        assert join(rooms_sock, room.id)["ok"] is True
        assert meetings_sock.emit("join", {"meeting_id": meeting.id}, namespace=MEETINGS, callback=True)["ok"] is True
        rooms_sock.get_received(NS), meetings_sock.get_received(MEETINGS)
        socks[name] = {"http": client, NS: rooms_sock, MEETINGS: meetings_sock}
    return socks


def test_restricting_a_meeting_takes_the_other_regions_sockets_out_of_its_room_and_screen(
        following, statewide, as_advisor, member, other):
    meeting, room = statewide
    maya, priya = following["maya"], following["priya"]
    assert _channels(other) == {("room", room.id), ("meeting", meeting.id)}

    answer = as_advisor.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting, [region("Bay Area").id]))
    assert answer.status_code == 302
    assert priya["http"].get(f"/rooms/{room.id}").status_code == 404  # the page is gone for Priya ...
    assert _pushes(priya[NS], NS, "access_lost") == [{"channel": "room", "id": room.id}]  # ... and she is told live
    assert _pushes(priya[MEETINGS], MEETINGS, "access_lost") == [{"channel": "meeting", "id": meeting.id}]
    assert _channels(other) == set() and _channels(member) == {("room", room.id), ("meeting", meeting.id)}
    assert db.session.scalars(select(Presence.user_id).where(Presence.room_id == room.id)).all() == [member.id]

    as_advisor.post(f"/rooms/{room.id}/messages", data={"body": "Only for the Bay Area now", "client_id": "bay-1"})
    assert [m["html"] for m in _pushes(maya[NS], NS, "message")] == ["<p>Only for the Bay Area now</p>\n"]
    assert _pushes(priya[NS], NS, "message") == []
    assert as_advisor.post(f"/meetings/{meeting.id}/start").status_code == 302
    assert [state["status"] for state in _pushes(maya[MEETINGS], MEETINGS, "state")] == ["live"]
    assert _pushes(priya[MEETINGS], MEETINGS, "state") == []
    assert priya[NS].is_connected(NS) and priya[MEETINGS].is_connected(MEETINGS)  # only the channels are gone


def test_the_socket_that_lost_the_room_cannot_join_it_again(following, statewide, advisor):
    meeting, room = statewide
    meeting_services.update_meeting(advisor, meeting, data(title=meeting.title, region_ids=(region("Bay Area").id,)))
    priya = following["priya"]
    assert join(priya[NS], room.id) == {"ok": False, "error": "not_found"}
    post(advisor, room, "Still only the Bay Area")
    assert _pushes(priya[NS], NS, "message") == []


def test_a_meeting_edit_that_keeps_everyone_in_keeps_every_socket(following, statewide, as_advisor, member, other):
    meeting, room = statewide
    assert as_advisor.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting)).status_code == 302
    for user in (member, other):
        assert _channels(user) == {("room", room.id), ("meeting", meeting.id)}
    assert _pushes(following["priya"][NS], NS, "access_lost") == []


def test_a_deleted_meeting_takes_every_member_out_of_its_room_and_screen(following, statewide, as_advisor):
    meeting, room = statewide
    assert as_advisor.post(f"/meetings/{meeting.id}/delete", data={"confirmed": "1"}).status_code == 302
    for name in ("maya", "priya"):
        assert _pushes(following[name][NS], NS, "access_lost") == [{"channel": "room", "id": room.id}]
        assert _pushes(following[name][MEETINGS], MEETINGS, "access_lost") == [{"channel": "meeting", "id": meeting.id}]
    assert db.session.scalars(select(SocketChannel)).all() == []


def test_a_raised_hand_goes_down_when_its_member_loses_the_room(following, statewide, advisor, other, connect,
                                                               as_advisor):
    meeting, room = statewide
    watcher = connect(as_advisor)
    assert join(watcher, room.id)["ok"] is True
    priya = following["priya"]
    assert priya[NS].emit("raise_hand", {"room_id": room.id}, namespace=NS, callback=True) == {"ok": True}
    drain(watcher)
    meeting_services.update_meeting(advisor, meeting, data(title=meeting.title, region_ids=(region("Bay Area").id,)))
    pushes = watcher.get_received(NS)
    assert [push["args"][0]["queue"] for push in pushes if push["name"] == "queue"] == [[]]
    people = [[person["id"] for person in push["args"][0]["people"]] for push in pushes if push["name"] == "presence"]
    assert people and other.id not in people[-1]


def test_a_member_who_moves_region_leaves_the_regional_room_of_the_old_one(app, advisor, member, connect):
    bay_room = topic_room(advisor, "Bay Area corner", region_name="Bay Area")
    client = client_for(app, member)
    sock = connect(client)
    assert join(sock, bay_room.id)["ok"] is True
    drain(sock)
    profile = {"display_name": member.display_name, "pronouns": "", "region_id": str(region("Capitol Area").id),
               "county_id": "0", "school": "", "grade": "", "interests": "", "bio": "", "preferred_language": "en",
               "timezone": "America/Los_Angeles"}
    assert client.post("/profile/edit", data=profile).status_code == 302
    assert received(sock, "access_lost") == [{"channel": "room", "id": bay_room.id}]
    post(advisor, bay_room, "Bay Area only")
    assert received(sock, "message") == []
    assert _channels(member) == set()


def test_a_demoted_advisor_loses_the_draft_meetings_room_at_once(app, advisor, make_user, connect, socket_client):
    draft = make_meeting(advisor, status="draft", title="Planning, not published")
    room = db.session.scalar(select(Room).where(Room.meeting_id == draft.id))
    sock = connect(client_for(app, advisor))
    assert join(sock, room.id)["ok"] is True
    colleague = make_user("advisor", display_name="Cora Colleague")
    colleague_sock = connect(client_for(app, colleague))
    assert join(colleague_sock, room.id)["ok"] is True
    drain(sock, colleague_sock)
    admin_client = client_for(app, make_user("admin"))
    assert admin_client.post(f"/admin/users/{advisor.id}/role", data={"role": "member"}).status_code == 302
    assert not sock.is_connected(NS)  # the role change closes every socket of the demoted advisor
    post(colleague, room, "Draft notes")
    assert [m["html"] for m in received(colleague_sock, "message")] == ["<p>Draft notes</p>\n"]
    assert _channels(advisor) == set()


def test_a_poll_watcher_of_a_restricted_meeting_stops_getting_its_turnout(app, advisor, member, other, statewide,
                                                                         socket_client):
    meeting, _room = statewide
    poll = lifecycle.create_poll(advisor, None, "Adopt the budget?", "yes_no_abstain", results_live=True,
                                 agenda_item=meeting.items[1])
    lifecycle.open_poll(advisor, poll)
    watchers = {}
    for user in (member, other):
        watchers[user.id] = socket_client(namespace=POLLS, http_client=client_for(app, user))
        assert watchers[user.id].emit("watch", {"poll_id": poll.id}, namespace=POLLS, callback=True)["ok"] is True
        watchers[user.id].get_received(POLLS)
    meeting_services.update_meeting(advisor, meeting, data(title=meeting.title, region_ids=(region("Bay Area").id,)))
    assert _pushes(watchers[other.id], POLLS, "access_lost") == [{"channel": "poll", "id": poll.id}]
    lifecycle.close_poll(advisor, poll)
    assert [push["status"] for push in _pushes(watchers[member.id], POLLS, "status")] == ["closed"]
    assert _pushes(watchers[other.id], POLLS, "status") == []


def test_access_lost_between_the_join_check_and_the_join_is_caught(following, statewide, advisor, monkeypatch,
                                                                    other):
    """The advisor's edit commits while Priya's join is handled, after her room was found visible: still refused."""
    meeting, room = statewide
    priya = following["priya"]
    assert priya[NS].emit("leave", {"room_id": room.id}, namespace=NS, callback=True) == {"ok": True}
    find_room = events._room
    meeting_id, advisor_id, bay_id = meeting.id, advisor.id, region("Bay Area").id

    def room_found_then_restricted(payload):
        found = find_room(payload)
        editing = db.session.get(Meeting, meeting_id)  # the advisor's request, in its own session
        meeting_services.update_meeting(db.session.get(User, advisor_id), editing,
                                        data(title=editing.title, region_ids=(bay_id,)))
        return found

    monkeypatch.setattr(events, "_room", room_found_then_restricted)
    assert join(priya[NS], room.id) == {"ok": False, "error": "gone"}
    post(advisor, room, "After the edit")
    assert _pushes(priya[NS], NS, "message") == []
    assert ("room", room.id) not in _channels(other)


def test_channel_rows_follow_joins_leaves_and_closed_sockets(following, statewide, member):
    meeting, room = statewide
    maya = following["maya"]
    assert maya[NS].emit("leave", {"room_id": room.id}, namespace=NS, callback=True) == {"ok": True}
    assert _channels(member) == {("meeting", meeting.id)}
    maya[MEETINGS].disconnect(namespace=MEETINGS)
    assert _channels(member) == set()

