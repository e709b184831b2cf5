"""Presence pushes are coalesced per room: people arriving together cost one push of the list, not one each."""

from __future__ import annotations

import time

import pytest

from tests.rooms.event_helpers import join, received
from tests.rooms.helpers import client_for

pytestmark = pytest.mark.usefixtures("no_typing_memory")

INTERVAL = 2.0  # long enough that four joins land within it on a loaded runner


def _wait_for_presence(sock, timeout: float = 5.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    pushes: list[dict] = []
    while not pushes and time.monotonic() < deadline:
        time.sleep(0.05)
        pushes = received(sock, "presence")
    return pushes


def test_people_arriving_within_the_interval_are_pushed_once_with_everyone(app, people, room, joined, connect,
                                                                           make_user):
    app.config["PRESENCE_PUSH_SECONDS"] = INTERVAL
    newcomers = [make_user("member", display_name=f"New {n}") for n in range(4)]
    sockets = [connect(client_for(app, person)) for person in newcomers]
    started = time.monotonic()
    for sock in sockets:
        assert join(sock, room.id)["ok"]
    assert time.monotonic() - started < INTERVAL, "the joins must land within one interval for this test"
    assert received(joined["advisor"], "presence") == []  # nothing pushed while people arrive
    pushes = _wait_for_presence(joined["advisor"])
    time.sleep(INTERVAL * 2)  # a second push would come by now
    pushes += received(joined["advisor"], "presence")
    assert len(pushes) == 1, pushes
    shown = {p["id"] for p in pushes[0]["people"]}
    assert {person.id for person in newcomers} <= shown and people["member"].id in shown


def test_a_push_after_the_interval_shows_who_arrived_since(app, people, room, joined, connect, make_user):
    app.config["PRESENCE_PUSH_SECONDS"] = INTERVAL
    first, later = make_user("member", display_name="First"), make_user("member", display_name="Later")
    assert join(connect(client_for(app, first)), room.id)["ok"]
    assert first.id in {p["id"] for p in _wait_for_presence(joined["member"])[-1]["people"]}
    assert join(connect(client_for(app, later)), room.id)["ok"]
    assert later.id in {p["id"] for p in _wait_for_presence(joined["member"])[-1]["people"]}
