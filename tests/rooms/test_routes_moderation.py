"""Room moderation through the forms: deletes, reports, mutes, locks, hands, new rooms, and 403s for members."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from stac_youth.common import policy
from stac_youth.extensions import db
from stac_youth.rooms import moderation, speakers
from stac_youth.rooms.models import MessageReport, Mute, Room, SpeakerRequest
from tests.rooms.helpers import _follow, _page, _shown_ids, client_for, message_count, post, region, reload, topic_room

# --- moderation through the forms -------------------------------------------------------------------------------


def test_an_advisor_deletes_a_message_and_it_is_gone_for_everyone(app, advisor, member, other, lounge, as_advisor,
                                                                   as_member):
    keep = post(other, lounge, "Keep this one")
    doomed = post(other, lounge, "Unkind words")
    assert "Unkind words" in _page(as_member, f"/rooms/{lounge.id}")
    response = as_advisor.post(f"/rooms/{lounge.id}/messages/{doomed.id}/delete", follow_redirects=True)
    html = _follow(response)
    assert "The message is deleted for everyone." in html
    for viewer in (as_advisor, as_member, client_for(app, other)):
        page = _page(viewer, f"/rooms/{lounge.id}")
        assert "Unkind words" not in page and _shown_ids(page) == [keep.id]
    assert reload(doomed).deleted_at is not None  # kept for the audit
    # a message of another room cannot be reached through this room's URL
    elsewhere = topic_room(advisor, "Climate action")
    stray = post(other, elsewhere, "Elsewhere")
    assert as_advisor.post(f"/rooms/{lounge.id}/messages/{stray.id}/delete").status_code == 404
    assert reload(stray).deleted_at is None


def test_a_report_reaches_the_advisors_who_keep_or_delete(app, advisor, member, other, lounge, as_advisor,
                                                           as_member):
    kept = post(other, lounge, "A strong opinion")
    doomed = post(other, lounge, "Something unkind")
    form_page = _page(as_member, f"/rooms/{lounge.id}/messages/{kept.id}/report")
    assert "A strong opinion" in form_page
    refused = as_member.post(f"/rooms/{lounge.id}/messages/{kept.id}/report", data={"reason": "  "})
    assert refused.status_code == 200 and "Tell the advisors what is wrong" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(MessageReport.id))) == 0
    for message, reason in ((kept, "Feels harsh"), (doomed, "This is bullying")):
        response = as_member.post(f"/rooms/{lounge.id}/messages/{message.id}/report", data={"reason": reason},
                                  follow_redirects=True)
        assert "The advisors will look at this message." in _follow(response)

    queue = _page(as_advisor, "/rooms/reports")
    assert "Feels harsh" in queue and "This is bullying" in queue
    assert "A strong opinion" in queue and "Something unkind" in queue
    reports = {r.message_id: r.id for r in db.session.scalars(select(MessageReport))}

    kept_page = _follow(as_advisor.post(f"/rooms/reports/{reports[kept.id]}", data={"action": "keep"},
                                        follow_redirects=True))
    assert "The report is handled." in kept_page and "Feels harsh" not in kept_page
    deleted_page = _follow(as_advisor.post(f"/rooms/reports/{reports[doomed.id]}", data={"action": "delete"},
                                           follow_redirects=True))
    assert "This is bullying" not in deleted_page
    assert "No reports waiting" in deleted_page

    room_page = _page(as_member, f"/rooms/{lounge.id}")
    assert "A strong opinion" in room_page and "Something unkind" not in room_page
    assert {r.resolution for r in db.session.scalars(select(MessageReport))} == {"kept", "deleted"}
    again = as_advisor.post(f"/rooms/reports/{reports[kept.id]}", data={"action": "delete"}, follow_redirects=True)
    assert "already handled" in _follow(again)
    assert reload(kept).deleted_at is None


def test_a_muted_member_sees_the_notice_and_cannot_post(app, member, lounge, as_advisor, as_member):
    post(member, lounge, "Before the mute")
    mute_page = _page(as_advisor, f"/rooms/{lounge.id}/members/{member.id}/mute")
    assert "Maya Bay" in mute_page
    response = as_advisor.post(f"/rooms/{lounge.id}/members/{member.id}/mute", data={"minutes": "30"},
                               follow_redirects=True)
    assert "Maya Bay is muted in this room." in _follow(response)

    page = _page(as_member, f"/rooms/{lounge.id}")
    assert "An advisor muted you in this room until" in page
    assert "Before the mute" in page  # still readable
    refused = as_member.post(f"/rooms/{lounge.id}/messages", data={"body": "Can I?", "client_id": "m-1"},
                             follow_redirects=True)
    assert "An advisor muted you in this room for a while. You can read, but not post." in _follow(refused)
    assert message_count() == 1

    as_advisor.post(f"/rooms/{lounge.id}/members/{member.id}/unmute")
    assert db.session.scalar(select(func.count(Mute.id))) == 0
    assert "muted you" not in _page(as_member, f"/rooms/{lounge.id}")
    as_member.post(f"/rooms/{lounge.id}/messages", data={"body": "Back", "client_id": "m-2"})
    assert message_count() == 2


def test_a_locked_room_shows_the_note_and_refuses_members(app, lounge, as_advisor, as_member):
    response = as_advisor.post(f"/rooms/{lounge.id}/lock", data={"locked": "1"}, follow_redirects=True)
    html = _follow(response)
    assert "The room is locked." in html and "Unlock the room" in html
    assert reload(lounge).locked

    page = _page(as_member, f"/rooms/{lounge.id}")
    assert "room-locked-note" in page and "Only advisors can post right now." in page
    refused = as_member.post(f"/rooms/{lounge.id}/messages", data={"body": "Hello?", "client_id": "l-1"},
                             follow_redirects=True)
    assert "This room is locked. Only advisors can post right now." in _follow(refused)
    assert message_count() == 0
    as_advisor.post(f"/rooms/{lounge.id}/messages", data={"body": "Advisors only for now", "client_id": "a-1"})
    assert message_count() == 1
    assert "room-locked-note" not in _page(as_advisor, f"/rooms/{lounge.id}")

    reopened = as_advisor.post(f"/rooms/{lounge.id}/lock", data={"locked": "0"}, follow_redirects=True)
    assert "The room is open again." in _follow(reopened)
    assert "room-locked-note" not in _page(as_member, f"/rooms/{lounge.id}")


def test_raise_and_lower_a_hand_through_the_form(app, member, lounge, as_member):
    response = as_member.post(f"/rooms/{lounge.id}/hand", data={"raised": "1"})
    assert response.status_code == 302 and response.headers["Location"] == f"/rooms/{lounge.id}"
    html = _page(as_member, f"/rooms/{lounge.id}")
    assert re.search(rf'<ol class="queue-list person-list">\s*<li data-user-id="{member.id}">.*?'
                     r'<span class="person-name">Maya Bay</span></li>', html, re.S)
    assert 'aria-pressed="true"' in html and ">Lower hand<" in html
    as_member.post(f"/rooms/{lounge.id}/hand", data={"raised": "1"})  # a second raise changes nothing
    assert [r.user_id for r in speakers.queue(lounge.id)] == [member.id]

    as_member.post(f"/rooms/{lounge.id}/hand", data={"raised": "0"})
    html = _page(as_member, f"/rooms/{lounge.id}")
    assert speakers.queue(lounge.id) == []
    assert 'aria-pressed="false"' in html and ">Raise hand<" in html


def test_call_next_through_the_form(app, member, other, lounge, as_advisor):
    speakers.raise_hand(other, lounge)
    speakers.raise_hand(member, lounge)
    html = _follow(as_advisor.post(f"/rooms/{lounge.id}/call-next", follow_redirects=True))
    assert "Priya Capitol has the floor." in html
    assert [r.user_id for r in speakers.queue(lounge.id)] == [member.id]
    as_advisor.post(f"/rooms/{lounge.id}/call-next")
    html = _follow(as_advisor.post(f"/rooms/{lounge.id}/call-next", follow_redirects=True))
    assert "Nobody is waiting to speak." in html


def test_an_advisor_creates_a_regional_room(app, as_advisor, as_member, member):
    bay = region("Bay Area")
    form = _page(as_advisor, "/rooms/new")
    assert "Bay Area" in form and "All members" in form
    response = as_advisor.post("/rooms/new", data={"title": "Bay ideas", "description": "", "region_id": bay.id})
    room = db.session.scalars(select(Room).where(Room.title == "Bay ideas")).one()
    assert response.headers["Location"] == f"/rooms/{room.id}"
    assert room.region_id == bay.id
    assert "Bay ideas" in _page(as_member, "/rooms")
    assert as_advisor.post("/rooms/new", data={"title": "", "region_id": "0"}).status_code == 200
    assert db.session.scalar(select(func.count(Room.id))) == 1


def _moderation_requests(room_id: int, message_id: int, user_id: int, report_id: int) -> list[tuple[str, str]]:
    """(method, path) of every route the policy keeps for advisors, from the URL map and policy.ROUTES."""
    ids = {"room_id": room_id, "message_id": message_id, "user_id": user_id, "report_id": report_id}
    from flask import current_app

    adapter = current_app.url_map.bind("localhost")
    requests = []
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("rooms.") and policy.ROUTES[rule.endpoint] == policy.ADVISORS:
            path = adapter.build(rule.endpoint, {name: ids[name] for name in rule.arguments})
            requests += [(method, path) for method in ("GET", "POST") if method in rule.methods]
    return requests


@pytest.mark.parametrize("role", ["member", "planner"])
def test_members_and_planners_get_403_on_every_moderation_route(app, make_user, advisor, member, other, lounge,
                                                                role):
    message = post(other, lounge, "Keep me")
    report = moderation.report_message(member, message, "Hmm")
    speakers.raise_hand(other, lounge)
    requests = _moderation_requests(lounge.id, message.id, other.id, report.id)
    assert len(requests) >= 10
    client = client_for(app, make_user(role))
    forms = {"minutes": "10", "locked": "1", "action": "delete", "title": "Sneaky room", "region_id": "0"}
    for method, path in requests:
        response = client.open(path, method=method, data=forms if method == "POST" else None)
        assert response.status_code == 403, (role, method, path)
    db.session.expire_all()
    assert reload(message).deleted_at is None and not reload(lounge).locked
    assert reload(report).resolved_at is None
    assert db.session.scalar(select(func.count(Mute.id))) == 0
    assert db.session.scalar(select(func.count(Room.id))) == 1
    assert db.session.scalar(select(func.count(SpeakerRequest.id))) == 1
    page = _page(client, f"/rooms/{lounge.id}")
    assert "Lock the room" not in page and "Call next speaker" not in page and ">Delete" not in page
