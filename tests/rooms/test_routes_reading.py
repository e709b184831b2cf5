"""Room pages without JavaScript: the list, reading, posting, sanitized bodies, the meeting panel, Spanish labels."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from stac_youth.extensions import db
from stac_youth.rooms import moderation, rooms, speakers
from stac_youth.rooms.models import Message, MessageReport
from tests.meetings.helpers import make_meeting
from tests.rooms.helpers import _follow, _page, _shown_ids, bulk_messages, client_for, message_count, post, topic_room
from tests.test_xss import VECTORS, audit_html, url_scheme

OWN_TEMPLATE = re.compile(r'<template class="message-template">.*?</template>', re.S)


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
