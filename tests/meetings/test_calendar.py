"""Calendar files: one meeting as .ics, and the personal feed at a secret URL."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from stac_youth.extensions import db
from stac_youth.meetings import agenda, services
from stac_youth.meetings.models import CalendarFeed, Meeting
from tests.meetings.helpers import client_for, data, item_data, make_meeting, region

TRICKY = "Reunión, ñandú; café\nsegunda línea"
STARTS = datetime(2030, 1, 16, 0, 0)  # 4:00 PM in Los Angeles the day before
ENDS = datetime(2030, 1, 16, 1, 30)


@pytest.fixture
def advisor(make_user):
    return make_user("advisor")


def _ics(client, meeting_id: int) -> Calendar:
    response = client.get(f"/meetings/{meeting_id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert f'filename="meeting-{meeting_id}.ics"' in response.headers["Content-Disposition"]
    return Calendar.from_ical(response.data)


def _one_event(calendar: Calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def test_meeting_ics_has_one_event_in_los_angeles_time(app, advisor, make_user):
    meeting = make_meeting(advisor, status="published", starts_at=STARTS, ends_at=ENDS,
                           description="Bring ideas.", video_url="https://meet.example.org/w")
    agenda.add_item(advisor, meeting, item_data("Welcome", minutes=20))
    agenda.add_item(advisor, meeting, item_data("Writing in groups", minutes=35))
    member = make_user("member", timezone="America/New_York")  # the file is in LA time whatever the viewer's zone

    calendar = _ics(client_for(app, member), meeting.id)
    event = _one_event(calendar)
    for name in ("DTSTART", "DTEND"):
        assert event[name].params["TZID"] == "America/Los_Angeles"
    assert event.decoded("DTSTART").replace(tzinfo=None) == datetime(2030, 1, 15, 16, 0)
    assert _as_utc(event.decoded("DTSTART")) == STARTS
    assert _as_utc(event.decoded("DTEND")) == ENDS
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Los_Angeles"]

    description = str(event["DESCRIPTION"])
    link = f"{app.config['PUBLIC_BASE_URL']}/meetings/{meeting.id}"
    assert "Bring ideas." in description
    assert "1. Welcome (20 min)" in description
    assert "2. Writing in groups (35 min)" in description
    assert "https://meet.example.org/w" in description
    assert description.rstrip().endswith(link)
    assert str(event["URL"]) == link
    assert str(event["UID"]) == f"meeting-{meeting.uid}@stac-youth"
    assert "STATUS" not in event


def test_location_is_the_place_or_the_join_link_and_links_use_the_public_address(make_app, make_user):
    app = make_app(PUBLIC_BASE_URL="https://stac.example.org/youth")
    with app.app_context():
        advisor = make_user("advisor")
        online = make_meeting(advisor, status="published", location="", video_url="https://meet.example.org/w")
        in_person = make_meeting(advisor, status="published", location="Room 12, Capitol Annex",
                                 video_url="https://meet.example.org/h")
        client = client_for(app, advisor)
        online_event = _one_event(_ics(client, online.id))
        place_event = _one_event(_ics(client, in_person.id))
    assert str(online_event["LOCATION"]) == "https://meet.example.org/w"  # where to go: the join link
    assert str(place_event["LOCATION"]) == "Room 12, Capitol Annex"  # the place first; the link is in the text
    assert "https://meet.example.org/h" in str(place_event["DESCRIPTION"])
    for meeting, event in ((online, online_event), (in_person, place_event)):
        link = f"https://stac.example.org/youth/meetings/{meeting.id}"  # never the Host the request claimed
        assert str(event["URL"]) == link
        assert str(event["DESCRIPTION"]).rstrip().endswith(link)


def test_uid_is_stable_and_sequence_grows_across_edits(app, advisor):
    meeting = make_meeting(advisor, status="published", starts_at=STARTS, ends_at=ENDS)
    client = client_for(app, advisor)
    before = _one_event(_ics(client, meeting.id))

    services.update_meeting(advisor, meeting, data(title="Moved", starts_at=datetime(2030, 1, 17, 0, 0),
                                                   ends_at=datetime(2030, 1, 17, 1, 0)))
    after = _one_event(_ics(client, meeting.id))
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert str(after["SUMMARY"]) == "Moved"
    assert _as_utc(after.decoded("DTSTART")) == datetime(2030, 1, 17, 0, 0)


def test_tricky_text_round_trips_exactly(app, advisor):
    meeting = make_meeting(advisor, status="published", title=TRICKY, location=TRICKY, description=TRICKY)
    response = client_for(app, advisor).get(f"/meetings/{meeting.id}.ics")
    assert response.status_code == 200
    lines = response.data.replace(b"\r\n ", b"").split(b"\r\n")  # unfolded content lines
    assert not any(b"\n" in line or b"\r" in line for line in lines)
    calendar = Calendar.from_ical(response.data)
    event = _one_event(calendar)
    assert str(event["SUMMARY"]) == TRICKY
    assert str(event["LOCATION"]) == TRICKY
    assert str(event["DESCRIPTION"]).startswith(TRICKY)
    assert "X-WR-CALNAME:Reunión\\, ñandú\\; café\\nsegunda línea".encode() in lines  # RFC 5545 escapes


def test_draft_ics_is_for_staff_only_and_tentative(app, advisor, make_user):
    meeting = make_meeting(advisor)
    assert client_for(app, make_user("member")).get(f"/meetings/{meeting.id}.ics").status_code == 404
    assert str(_one_event(_ics(client_for(app, advisor), meeting.id))["STATUS"]) == "TENTATIVE"


# --- the personal feed -----------------------------------------------------------------------------------


def _new_feed_url(client) -> str:
    response = client.post("/calendar/feed")
    assert response.status_code == 200
    match = re.search(r'value="(http://localhost/calendar/feed/[A-Za-z0-9_-]+\.ics)"', response.get_data(as_text=True))
    assert match, "feed URL not shown"
    return match.group(1)


def _feed_summaries(url: str, app) -> set[str]:
    response = app.test_client().get(url)  # no login: the token is the key
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "private" in response.headers["Cache-Control"]
    return {str(event["SUMMARY"]) for event in Calendar.from_ical(response.data).walk("VEVENT")}


def test_feed_lists_what_the_user_may_see(app, advisor, make_user):
    bay, capitol = region("Bay Area"), region("Capitol Area")
    member = make_user("member", region_id=bay.id)
    make_meeting(advisor, status="published", title="Statewide")
    make_meeting(advisor, status="published", title="Bay only", region_ids=(bay.id,))
    make_meeting(advisor, status="published", title="Capitol only", region_ids=(capitol.id,))
    make_meeting(advisor, status="ended", title="Already over")
    make_meeting(advisor, title="Still a draft")

    client = client_for(app, member)
    page = client.get("/calendar").get_data(as_text=True)
    assert "/calendar/feed/" not in page and "Make my calendar link" in page

    url = _new_feed_url(client)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert _feed_summaries(url, app) == {"Statewide", "Bay only", "Already over"}

    # Shown once: the calendar page afterwards does not repeat it.
    page = client.get("/calendar").get_data(as_text=True)
    assert token not in page
    assert "You already have a calendar link." in page

    # Only the token's hash is kept.
    feed = db.session.scalars(select(CalendarFeed)).one()
    assert feed.user_id == member.id
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_hash

    # Advisors' feeds still leave drafts out, but have every region.
    advisor_url = _new_feed_url(client_for(app, advisor))
    assert _feed_summaries(advisor_url, app) == {"Statewide", "Bay only", "Capitol only", "Already over"}


def test_regenerating_turns_the_old_url_off(app, make_user):
    member = make_user("member")
    client = client_for(app, member)
    old = _new_feed_url(client)
    new = _new_feed_url(client)
    assert old != new
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    assert len(db.session.scalars(select(CalendarFeed)).all()) == 1


def test_unknown_token_and_deactivated_user_404(app, make_user):
    member = make_user("member")
    url = _new_feed_url(client_for(app, member))
    anonymous = app.test_client()
    assert anonymous.get("/calendar/feed/not-a-real-token.ics").status_code == 404
    assert anonymous.get(url).status_code == 200

    db.session.expire_all()
    db.session.get(type(member), member.id).active = False
    db.session.commit()
    assert anonymous.get(url).status_code == 404


def test_feed_follows_edits_of_visibility(app, advisor, make_user):
    bay, capitol = region("Bay Area"), region("Capitol Area")
    member = make_user("member", region_id=bay.id)
    meeting = make_meeting(advisor, status="published", title="Moving", region_ids=(bay.id,))
    url = _new_feed_url(client_for(app, member))
    assert _feed_summaries(url, app) == {"Moving"}
    services.update_meeting(advisor, db.session.get(Meeting, meeting.id),
                            data(title="Moving", region_ids=(capitol.id,)))
    assert _feed_summaries(url, app) == set()
