"""Fixtures shared by the rooms tests: an advisor, two regional members and a lounge; the Socket.IO people and room."""

from __future__ import annotations

import pytest

from stac_youth.rooms import events, rooms
from tests.rooms.event_helpers import NS, drain, join
from tests.rooms.helpers import client_for, region, topic_room


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", display_name="Morgan Advisor")


@pytest.fixture
def member(bay_member):
    """The Bay Area member (tests/conftest.py), by the name the page tests give them."""
    return bay_member


@pytest.fixture
def other(capitol_member):
    """The Capitol Area member (tests/conftest.py), by the name the page tests give them."""
    return capitol_member


@pytest.fixture
def lounge(advisor):
    return topic_room(advisor, "Statewide lounge")


@pytest.fixture
def as_advisor(app, advisor):
    return client_for(app, advisor)


@pytest.fixture
def as_member(app, member):
    return client_for(app, member)


@pytest.fixture
def no_typing_memory(monkeypatch):
    """The typing throttle is kept per process; each test starts with an empty one (the event modules use it)."""
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
