"""The own-data export gathers what every feature holds about the member."""

import json

from stac_youth.meetings import attendance
from stac_youth.rooms import messages, rooms
from tests.conftest import login
from tests.test_home import _meeting


def test_export_includes_meeting_answers_and_room_messages(client, make_user):
    advisor = make_user("advisor")
    member = make_user("member")
    meeting = _meeting(advisor, "Workshop", 3)
    attendance.set_rsvp(member, meeting, "yes")
    lounge = rooms.create_topic_room(advisor, "Lounge", "", None)
    messages.post_message(member, lounge, "My idea: later school start", "m1")
    login(client, member)
    data = json.loads(client.get("/account/export.json").data)
    assert data["meeting_rsvps"][0]["meeting"] == "Workshop" and data["meeting_rsvps"][0]["answer"] == "yes"
    assert data["room_messages"] == [
        {"room": "Lounge", "body": "My idea: later school start", "at": data["room_messages"][0]["at"],
         "deleted": False}
    ]
