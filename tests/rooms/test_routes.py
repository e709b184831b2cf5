"""Room pages through HTTP, without JavaScript: the list, reading and posting, moderation forms, the meeting panel."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from stac_youth.common import policy
from stac_youth.extensions import db
from stac_youth.rooms import moderation, rooms, speakers
from stac_youth.rooms.models import Message, MessageReport, Mute, Room, SpeakerRequest
from tests.meetings.helpers import make_meeting
from tests.rooms.helpers import bulk_messages, client_for, message_count, post, region, reload, topic_room
from tests.test_xss import VECTORS, audit_html, url_scheme


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", display_name="Morgan Advisor")


@pytest.fixture
def member(make_user):
    return make_user("member", display_name="Maya Bay", region_id=region("Bay Area").id)


@pytest.fixture
def other(make_user):
    return make_user("member", display_name="Priya Capitol", region_id=region("Capitol Area").id)


@pytest.fixture
def lounge(advisor):
    return topic_room(advisor, "Statewide lounge")


@pytest.fixture
def as_advisor(app, advisor):
    return client_for(app, advisor)


@pytest.fixture
def as_member(app, member):
    return client_for(app, member)


def _page(client, path: str, **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _follow(response) -> str:
    """The page a form's redirect lands on (flashed messages included)."""
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


OWN_TEMPLATE = re.compile(r'<template class="message-template">.*?</template>', re.S)


def _shown_ids(html: str) -> list[int]:
    """The ids of the messages rendered server-side, in page order (the JS template row has no id)."""
    return [int(number) for number in re.findall(r'data-message-id="(\d+)"', html)]


class _Elements(HTMLParser):
    """Start tags with their attributes, and the tags the chat bodies hold."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.in_body: list[tuple[str, dict]] = []
        self._body_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if self._body_depth:
            self.in_body.append((tag, attributes))
            if tag not in ("br",):
                self._body_depth += 1
        elif "chat-body" in (attributes.get("class") or "").split():
            self._body_depth = 1

    def handle_endtag(self, tag):
        if self._body_depth:
            self._body_depth -= 1


def _elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


# --- the list and reading -------------------------------------------------------------------------------------


def test_room_list_shows_visible_rooms_with_unread_badges(app, advisor, member, other, lounge, as_member):
    topic_room(advisor, "Bay Area students", "Bay Area")
    topic_room(advisor, "Capitol students", "Capitol Area")
    for body in ("One", "Two"):
        post(other, lounge, body)
    post(member, lounge, "My own does not count")
    html = _page(as_member, "/rooms")
    assert "Statewide lounge" in html and "Bay Area students" in html
    assert "Capitol students" not in html
    assert html.count("unread-badge") == 1 and "2 unread" in html

    _page(as_member, f"/rooms/{lounge.id}")  # reading the room clears its badge
    assert "unread-badge" not in _page(as_member, "/rooms")


def test_unread_counts_stop_at_the_cap_in_both_languages(app, advisor, member, other, lounge, as_member):
    """A room nobody opened in a while costs the list at most UNREAD_CAP + 1 rows: it reads "9+ unread"."""
    bulk_messages(lounge, other, rooms.UNREAD_CAP + 5)
    assert {entry.room.id: entry.unread for entry in rooms.list_rooms(member)}[lounge.id] == rooms.UNREAD_CAP + 1
    assert f"{rooms.UNREAD_CAP}+ unread" in _page(as_member, "/rooms")
    as_member.post("/language", data={"lang": "es"})
    assert f"{rooms.UNREAD_CAP}+ sin leer" in _page(as_member, "/rooms")


def test_room_page_renders_the_latest_50_and_pages_back(app, advisor, member, lounge, as_member):
    rows = bulk_messages(lounge, advisor, 120)
    ids = [row.id for row in rows]
    html = _page(as_member, f"/rooms/{lounge.id}")
    assert _shown_ids(html) == ids[70:]
    assert "Message 119" in html and "Message 69" not in html  # the text itself, readable without JavaScript
    assert 'id="composer"' in html

    older = re.search(r'href="(/rooms/\d+\?before=\d+)"[^>]*>Older messages<', html).group(1)
    assert older == f"/rooms/{lounge.id}?before={ids[70]}"
    page = _page(as_member, older)
    assert _shown_ids(page) == ids[20:70]
    assert "Newest messages" in page and 'id="composer"' not in page  # a page of history, not the place to post
    oldest = re.search(r'href="(/rooms/\d+\?before=\d+)"[^>]*>Older messages<', page).group(1)
    last = _page(as_member, oldest)
    assert _shown_ids(last) == ids[:20]
    assert ">Older messages<" not in last


def test_the_message_list_is_a_polite_live_region(app, member, lounge, as_member):
    post(member, lounge, "Hello")
    (log,) = [attrs for tag, attrs in _elements(_page(as_member, f"/rooms/{lounge.id}")).elements
              if "chat-log" in (attrs.get("class") or "").split()]
    assert log["role"] == "log" and log["aria-live"] == "polite"
    assert log.get("aria-label")


def test_a_member_cannot_open_another_regions_room(app, advisor, member, other, as_member):
    capitol = topic_room(advisor, "Capitol students", "Capitol Area")
    message = post(other, capitol, "Capitol only")
    missing = as_member.get(f"/rooms/{capitol.id + 1000}")
    assert missing.status_code == 404
    for method, path, form in (
        ("GET", f"/rooms/{capitol.id}", None),
        ("POST", f"/rooms/{capitol.id}/messages", {"body": "Sneaking in", "client_id": "sneak-1"}),
        ("GET", f"/rooms/{capitol.id}/messages/{message.id}/report", None),
        ("POST", f"/rooms/{capitol.id}/messages/{message.id}/report", {"reason": "Spam"}),
        ("POST", f"/rooms/{capitol.id}/hand", {"raised": "1"}),
    ):
        response = as_member.open(path, method=method, data=form)
        assert response.status_code == 404, (method, path)
        assert b"Capitol only" not in response.data
    assert message_count(capitol) == 1
    assert db.session.scalar(select(func.count(MessageReport.id))) == 0
    assert speakers.queue(capitol.id) == []
    assert _page(client_for(app, other), f"/rooms/{capitol.id}")  # its own region's member gets in


# --- posting without JavaScript ---------------------------------------------------------------------------------


def test_posting_through_the_form_stores_once_per_client_id(app, member, lounge, as_member):
    page = _page(as_member, f"/rooms/{lounge.id}")
    client_id = re.search(r'name="client_id"[^>]*value="([^"]+)"', page).group(1)
    form = {"body": "Hello from a phone without **JavaScript**", "client_id": client_id}
    response = as_member.post(f"/rooms/{lounge.id}/messages", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/rooms/{lounge.id}#composer"
    again = as_member.post(f"/rooms/{lounge.id}/messages", data=form, follow_redirects=True)
    assert message_count(lounge) == 1
    stored = db.session.scalars(select(Message)).one()
    assert (stored.author_id, stored.client_id) == (member.id, client_id)
    html = _follow(again)
    assert "Hello from a phone without <strong>JavaScript</strong>" in html
    assert _shown_ids(html) == [stored.id]
    # every render hands out a fresh client id, so the next message is a new one
    assert re.search(r'name="client_id"[^>]*value="([^"]+)"', html).group(1) != client_id


@pytest.mark.parametrize(("body", "notice"), [("", "Write a message first"), ("   ", "Write a message first"),
                                               ("x" * 2001, "2000")])
def test_an_empty_or_too_long_message_is_refused_with_a_notice(app, lounge, as_member, body, notice):
    response = as_member.post(f"/rooms/{lounge.id}/messages", data={"body": body, "client_id": "c-1"},
                              follow_redirects=True)
    assert notice in _follow(response)
    assert message_count() == 0


def test_message_bodies_are_sanitized_on_the_page(app, advisor, member, lounge, as_advisor):
    vectors = [*VECTORS, "[site](https://example.org/page) and <https://example.org/auto>"]
    db.session.add_all(Message(room_id=lounge.id, author_id=member.id, client_id=f"xss-{number}", body=vector)
                       for number, vector in enumerate(vectors))
    db.session.commit()
    report = moderation.report_message(advisor, db.session.scalars(select(Message)).first(), "Looks odd")
    assert report.id
    pages = {"newest": _page(as_advisor, f"/rooms/{lounge.id}")}
    oldest_shown = _shown_ids(pages["newest"])[0]
    pages["older"] = _page(as_advisor, f"/rooms/{lounge.id}?before={oldest_shown}")
    pages["reports"] = _page(as_advisor, "/rooms/reports")
    first_id = db.session.scalars(select(Message.id).order_by(Message.id)).first()
    pages["report form"] = _page(as_advisor, f"/rooms/{lounge.id}/messages/{first_id}/report")
    assert len(set(_shown_ids(pages["newest"]) + _shown_ids(pages["older"]))) == len(vectors)  # all were shown

    failures = []
    links = []
    for name, html in pages.items():
        html = OWN_TEMPLATE.sub("", html, count=1)  # the panel's own <template> row for the live client
        failures += [f"{name}: {problem}" for problem in audit_html(html)]
        for tag, attrs in _elements(html).in_body:
            if tag not in {"p", "br", "strong", "em", "a", "code"}:
                failures.append(f"{name}: <{tag}> in a message")
            if tag == "a":
                links.append(attrs)
    assert failures == []
    assert links, "the links in the messages were rendered"
    for attrs in links:
        assert url_scheme(attrs.get("href", "")) in {"http", "https", "mailto", None}, attrs
        assert "noopener" in attrs.get("rel", "").split(), attrs
        assert attrs.get("target") == "_blank", attrs
    assert {"href": "https://example.org/page", "rel": "noopener noreferrer nofollow",
            "target": "_blank"} in links


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
    assert re.search(rf'<ol class="queue-list">\s*<li data-user-id="{member.id}">Maya Bay</li>', html)
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


# --- the meeting's room -------------------------------------------------------------------------------------------


def test_the_live_meeting_page_includes_the_meeting_room_panel(app, advisor, member, as_member):
    meeting = make_meeting(advisor, status="live", title="Board meeting", items=("Welcome",))
    room = rooms.room_for_meeting(meeting)
    post(advisor, room, "Welcome to the **board**")
    html = _page(as_member, f"/meetings/{meeting.id}/live")
    assert f'data-room-id="{room.id}"' in html and 'class="room-panel"' in html
    assert "Welcome to the <strong>board</strong>" in html
    assert 'role="log"' in html and 'name="back" value="meeting"' in html
    assert "/static/js/room.js" in html

    response = as_member.post(f"/rooms/{room.id}/hand", data={"raised": "1", "back": "meeting"})
    assert response.headers["Location"] == f"/meetings/{meeting.id}/live"
    assert [r.user_id for r in speakers.queue(room.id)] == [member.id]
    assert "Board meeting" in _page(as_member, f"/rooms/{room.id}")  # the room is named after the meeting


def test_a_draft_meetings_room_is_hidden_from_members(app, advisor, as_member, as_advisor):
    meeting = make_meeting(advisor, status="draft", title="Secret plans")
    room = rooms.room_for_meeting(meeting)
    assert as_member.get(f"/rooms/{room.id}").status_code == 404
    assert "Secret plans" not in _page(as_member, "/rooms")
    assert "Secret plans" in _page(as_advisor, f"/rooms/{room.id}")


# --- Spanish ----------------------------------------------------------------------------------------------------


def test_spanish_labels_for_a_spanish_user(app, make_user, advisor, lounge):
    speaker = make_user("member", display_name="Lucía", preferred_language="es")
    post(advisor, lounge, "Hola")
    client = client_for(app, speaker)
    html = _page(client, f"/rooms/{lounge.id}")
    for label in ("Salas", "Enviar", "Levantar la mano", "Turno de palabra", "Reportar", "Aquí ahora", "Mensajes"):
        assert label in html, label
    for english in (">Send<", ">Raise hand<", "Speakers queue", ">Here now<"):
        assert english not in html, english
    assert "Salas" in _page(client, "/rooms")
