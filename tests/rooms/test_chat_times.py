"""Chat times: a time alone today, the day and time before, a separator where the day changes; the full date stays."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from stac_youth.common.time import local_to_utc
from stac_youth.extensions import db
from stac_youth.rooms import times
from stac_youth.rooms.models import Message
from tests.rooms.helpers import client_for, topic_room

LA = "America/Los_Angeles"
TODAY = date(2031, 5, 6)  # a Tuesday
STAMPS = {  # body -> the wall-clock time in Los Angeles it was posted at
    "Last winter": datetime(2030, 12, 24, 16, 5),
    "Sunday night": datetime(2031, 5, 4, 23, 59),
    "Yesterday afternoon": datetime(2031, 5, 5, 16, 5),
    "This morning": datetime(2031, 5, 6, 9, 5),
    "Just now": datetime(2031, 5, 6, 16, 5),
}


@pytest.fixture(autouse=True)
def today_is_fixed(monkeypatch):
    monkeypatch.setattr(times, "_today", lambda zone: TODAY)


@pytest.fixture
def room_with_history(advisor):
    room = topic_room(advisor, "History lounge")
    db.session.add_all([Message(room_id=room.id, author_id=advisor.id, client_id=f"t-{n}", body=body,
                                created_at=local_to_utc(when, LA)) for n, (body, when) in enumerate(STAMPS.items())])
    db.session.commit()
    return room


def _log(html: str) -> list[tuple[str, str, str, str]]:
    """The chat log in order: ("day", label, "", "") per separator, ("message", body, short, full) per message."""
    log = re.search(r'<ol class="chat-list[^"]*">(.*?)</ol>', html, re.S).group(1)
    rows = []
    for row in re.finditer(r'<li class="chat-day" aria-hidden="true" data-day="[\d-]+"><span class="chat-day-label">'
                           r'([^<]+)</span></li>|<li class="chat-message".*?</li>', log, re.S):
        if row.group(1):
            rows.append(("day", row.group(1), "", ""))
            continue
        item = row.group(0)
        time = re.search(r'<time class="chat-time" datetime="[^"]+Z" title="([^"]+)"><span class="chat-time-short" '
                         r'aria-hidden="true">([^<]+)</span><span class="chat-time-full visually-hidden">([^<]+)'
                         r'</span></time>', item)
        assert time and time.group(1) == time.group(3), item  # the title says what the hidden text says
        body = re.search(r'<div class="chat-body"><p>([^<]+)</p>', item).group(1)
        rows.append(("message", body, time.group(2), time.group(3)))
    return rows


def test_times_are_compact_with_a_separator_per_day_and_the_full_date_for_screen_readers(app, make_user,
                                                                                          room_with_history):
    member = make_user("member", timezone=LA)
    html = client_for(app, member).get(f"/rooms/{room_with_history.id}").get_data(as_text=True)
    assert _log(html) == [
        ("day", "Tuesday, December 24, 2030", "", ""),
        ("message", "Last winter", "Dec 24, 2030, 4:05 PM", "Tuesday, December 24, 2030, 4:05 PM"),
        ("day", "Sunday, May 4, 2031", "", ""),
        ("message", "Sunday night", "May 4, 11:59 PM", "Sunday, May 4, 2031, 11:59 PM"),
        ("day", "Yesterday", "", ""),
        ("message", "Yesterday afternoon", "May 5, 4:05 PM", "Monday, May 5, 2031, 4:05 PM"),
        ("day", "Today", "", ""),  # one separator for the day's two messages
        ("message", "This morning", "9:05 AM", "Tuesday, May 6, 2031, 9:05 AM"),
        ("message", "Just now", "4:05 PM", "Tuesday, May 6, 2031, 4:05 PM"),
    ]
    assert 'data-text-today="Today" data-text-yesterday="Yesterday"' in html  # what room.js labels live days with


def test_times_follow_the_readers_language_and_zone(app, make_user, room_with_history):
    member = make_user("member", timezone="America/New_York", preferred_language="es")
    rows = _log(client_for(app, member).get(f"/rooms/{room_with_history.id}").get_data(as_text=True))
    # 11:59 PM on Sunday in Los Angeles is 2:59 on Monday in New York: the day changes with the zone
    assert rows == [
        ("day", "martes, 24 de diciembre de 2030", "", ""),
        ("message", "Last winter", "24 dic 2030, 19:05", "martes, 24 de diciembre de 2030, 19:05"),
        ("day", "Ayer", "", ""),
        ("message", "Sunday night", "5 may, 2:59", "lunes, 5 de mayo de 2031, 2:59"),
        ("message", "Yesterday afternoon", "5 may, 19:05", "lunes, 5 de mayo de 2031, 19:05"),
        ("day", "Hoy", "", ""),
        ("message", "This morning", "12:05", "martes, 6 de mayo de 2031, 12:05"),
        ("message", "Just now", "19:05", "martes, 6 de mayo de 2031, 19:05"),
    ]
