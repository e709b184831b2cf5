"""Meeting pages for advisors: create and edit in local time, the agenda through the forms, safe rendering."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from stac_youth.extensions import db
from stac_youth.meetings.models import AgendaItem, Meeting
from tests.meetings.helpers import _meeting_count, _page, _reload, client_for, make_meeting, region


def _form(**changes) -> dict:
    values = {
        "title": "Proposal workshop",
        "description": "",
        "starts_at": "2030-01-15T16:00",
        "ends_at": "2030-01-15T17:30",
        "location": "Room 4",
        "video_url": "",
    }
    values.update(changes)
    return values


def _only_meeting() -> Meeting:
    db.session.expire_all()
    return db.session.scalars(select(Meeting)).one()


def _agenda_titles(html: str) -> list[str]:
    agenda = html.split('<ol class="agenda-list', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<h3 class="agenda-item-title">([^<]+?)\s*(?:<|$)', agenda)


# --- creating and editing in local time ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "local_start", "local_end", "utc_start", "utc_end"),
    [
        ("America/Los_Angeles", "2030-01-15T16:00", "2030-01-15T17:30", datetime(2030, 1, 16, 0, 0),
         datetime(2030, 1, 16, 1, 30)),
        ("America/Los_Angeles", "2030-07-15T16:00", "2030-07-15T17:30", datetime(2030, 7, 15, 23, 0),
         datetime(2030, 7, 16, 0, 30)),
        ("America/New_York", "2030-01-15T16:00", "2030-01-15T17:30", datetime(2030, 1, 15, 21, 0),
         datetime(2030, 1, 15, 22, 30)),
    ],
)
def test_advisor_creates_meeting_in_local_time(app, make_user, zone, local_start, local_end, utc_start, utc_end):
    advisor = make_user("advisor", timezone=zone)
    client = client_for(app, advisor)
    bay = region("Bay Area")
    response = client.post("/meetings/new", data=_form(starts_at=local_start, ends_at=local_end,
                                                        region_ids=[str(bay.id)]))
    meeting = _only_meeting()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert (meeting.starts_at, meeting.ends_at) == (utc_start, utc_end)
    assert meeting.status == "draft"
    assert [r.name for r in meeting.regions] == ["Bay Area"]
    assert meeting.created_by_id == advisor.id

    edit = _page(client, f"/meetings/{meeting.id}/edit")
    assert f'value="{local_start}"' in edit
    assert f'value="{local_end}"' in edit
    assert zone in edit


def test_edit_form_shows_times_in_each_viewers_zone_and_saves_back(app, make_user):
    east = make_user("advisor", timezone="America/New_York")
    west = make_user("advisor", timezone="America/Los_Angeles")
    meeting = make_meeting(east, starts_at=datetime(2030, 1, 15, 21, 0), ends_at=datetime(2030, 1, 15, 22, 0))
    uid = meeting.uid
    assert 'value="2030-01-15T16:00"' in _page(client_for(app, east), f"/meetings/{meeting.id}/edit")
    west_client = client_for(app, west)
    assert 'value="2030-01-15T13:00"' in _page(west_client, f"/meetings/{meeting.id}/edit")

    response = west_client.post(f"/meetings/{meeting.id}/edit", data=_form(
        title="Moved later", starts_at="2030-01-15T14:00", ends_at="2030-01-15T15:00"))
    assert response.status_code == 302
    meeting = _reload(meeting)
    assert (meeting.title, meeting.starts_at, meeting.ends_at) == \
        ("Moved later", datetime(2030, 1, 15, 22, 0), datetime(2030, 1, 15, 23, 0))
    assert meeting.uid == uid and meeting.sequence == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": "2030-01-15T15:00"}, "The meeting must end after it starts."),
        ({"video_url": "javascript:alert(1)", "location": ""}, "The video link must start with https:// or http://."),
        ({"location": "", "video_url": ""}, "Give a location, a video link, or both."),
        ({"title": ""}, "This field is required."),
        ({"starts_at": ""}, "Enter a date and time."),
        ({"starts_at": "tomorrow"}, "Not a valid datetime value."),
    ],
)
def test_bad_input_shows_the_error_and_creates_nothing(app, as_advisor, changes, message):
    response = as_advisor.post("/meetings/new", data=_form(**changes))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "Please fix the fields marked below." in html
    assert 'aria-invalid="true"' in html
    assert _meeting_count() == 0


def test_bad_edit_changes_nothing(app, advisor, as_advisor):
    meeting = make_meeting(advisor, title="Unchanged")
    response = as_advisor.post(f"/meetings/{meeting.id}/edit", data=_form(title="Changed", ends_at="2030-01-15T15:00"))
    assert response.status_code == 200
    assert "The meeting must end after it starts." in response.get_data(as_text=True)
    meeting = _reload(meeting)
    assert (meeting.title, meeting.sequence) == ("Unchanged", 0)


def test_members_cannot_create_meetings(app, make_user):
    member = client_for(app, make_user("member"))
    assert member.get("/meetings/new").status_code == 403
    assert member.post("/meetings/new", data=_form()).status_code == 403
    assert _meeting_count() == 0


# --- agenda through the forms ----------------------------------------------------------------------------


def _add_item(client, meeting_id: int, title: str, minutes: int, kind: str = "discussion", presenter: str = ""):
    response = client.post(f"/meetings/{meeting_id}/agenda", data={
        "new-title": title, "new-kind": kind, "new-minutes": str(minutes), "new-presenter": presenter,
        "new-description": "",
    })
    assert response.status_code == 302
    return response


def test_agenda_items_added_reordered_and_timed_against_the_length(app, advisor, as_advisor):
    meeting = make_meeting(advisor)  # 90 minutes long
    _add_item(as_advisor, meeting.id, "Welcome", 20, "presentation", presenter="Kai")
    _add_item(as_advisor, meeting.id, "Discussion", 40)
    _add_item(as_advisor, meeting.id, "Vote on themes", 20, "vote")
    html = _page(as_advisor, f"/meetings/{meeting.id}")
    assert _agenda_titles(html) == ["Welcome", "Discussion", "Vote on themes"]
    assert "Planned: 80 of 90 minutes." in html
    assert "runs" not in html.split('id="agenda-total"', 1)[1].split("</p>", 1)[0]
    assert 'class="alert alert-warning" id="agenda-total"' not in html
    facts = html.split('id="item-', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r"<span>([^<]*)</span>", facts) == ["Presentation", "20 minutes", "Kai"]

    items = {item.title: item.id for item in _reload(meeting).items}
    response = as_advisor.post(f"/meetings/{meeting.id}/agenda/{items['Vote on themes']}/move",
                               data={"direction": "up"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#item-{items['Vote on themes']}")
    as_advisor.post(f"/meetings/{meeting.id}/agenda/{items['Welcome']}/move", data={"direction": "down"})
    html = _page(as_advisor, f"/meetings/{meeting.id}")
    assert _agenda_titles(html) == ["Vote on themes", "Welcome", "Discussion"]
    assert [(i.title, i.position) for i in _reload(meeting).items] == \
        [("Vote on themes", 0), ("Welcome", 1), ("Discussion", 2)]

    # Moving the first item further up is refused with a message, nothing changes.
    as_advisor.post(f"/meetings/{meeting.id}/agenda/{items['Vote on themes']}/move", data={"direction": "up"})
    html = _page(as_advisor, f"/meetings/{meeting.id}")
    assert "This item cannot move further." in html
    assert _agenda_titles(html) == ["Vote on themes", "Welcome", "Discussion"]

    _add_item(as_advisor, meeting.id, "Open mic", 25)
    html = _page(as_advisor, f"/meetings/{meeting.id}")
    assert "Planned: 105 of 90 minutes." in html
    assert "The agenda runs 15 minutes over the meeting." in html
    assert 'class="alert alert-warning" id="agenda-total"' in html


def test_agenda_item_edit_and_delete_through_forms(app, advisor, as_advisor):
    meeting = make_meeting(advisor, items=("First", "Second", "Third"))
    first, second, _third = (item.id for item in meeting.items)
    edit_page = _page(as_advisor, f"/meetings/{meeting.id}/agenda/{second}/edit")
    assert 'value="Second"' in edit_page
    response = as_advisor.post(f"/meetings/{meeting.id}/agenda/{second}/edit", data={
        "title": "Second, renamed", "kind": "break", "minutes": "5", "presenter": "", "description": "",
    })
    assert response.status_code == 302
    assert as_advisor.post(f"/meetings/{meeting.id}/agenda/{first}/delete", data={"confirmed": "1"}).status_code == 302
    assert [(i.title, i.position, i.kind, i.minutes) for i in _reload(meeting).items] == [
        ("Second, renamed", 0, "break", 5), ("Third", 1, "discussion", 10),
    ]
    # An item of another meeting is not reachable through this meeting's URL.
    other = make_meeting(advisor, items=("Elsewhere",))
    elsewhere = f"/meetings/{meeting.id}/agenda/{other.items[0].id}/delete"
    assert as_advisor.post(elsewhere, data={"confirmed": "1"}).status_code == 404
    assert db.session.get(AgendaItem, other.items[0].id) is not None


def test_bad_agenda_item_is_flashed_and_not_added(app, advisor, as_advisor):
    meeting = make_meeting(advisor)
    as_advisor.post(f"/meetings/{meeting.id}/agenda", data={"new-title": "", "new-kind": "discussion",
                                                             "new-minutes": "0"})
    html = _page(as_advisor, f"/meetings/{meeting.id}")
    assert "This field is required." in html
    assert "Minutes must be between 1 and 600." in html
    assert _reload(meeting).items == []


# --- safe rendering --------------------------------------------------------------------------------------


def test_video_link_is_safe_and_description_sanitized(app, advisor, make_user):
    meeting = make_meeting(
        advisor, status="published", video_url="https://meet.example.org/stac?x=1&y=2",
        description="Bring **ideas**.\n\n<script>alert('x')</script>\n\n[bad](javascript:alert(1)) "
                    "<img src=x onerror=alert(2)>",
    )
    html = _page(client_for(app, make_user("member")), f"/meetings/{meeting.id}")
    link = re.search(r'<a href="https://meet\.example\.org/stac\?x=1&amp;y=2"([^>]*)>', html)
    assert link, "video link missing"
    assert 'rel="noopener noreferrer nofollow"' in link.group(1)
    assert 'target="_blank"' in link.group(1)
    description = html.split('<div class="user-content mb-3">', 1)[1].split("</div>", 1)[0]
    assert "<strong>ideas</strong>" in description
    assert "<script" not in description and "<script>alert" not in html
    assert "<img" not in description
    assert 'href="javascript:' not in html


def test_video_link_schemes_other_than_http_are_refused(app, advisor, as_advisor):
    for url in ("javascript:alert(1)", "ftp://example.org/x", "data:text/html,hi", "//example.org"):
        response = as_advisor.post("/meetings/new", data=_form(video_url=url))
        assert "The video link must start with https:// or http://." in response.get_data(as_text=True), url
    assert _meeting_count() == 0
    as_advisor.post("/meetings/new", data=_form(video_url="http://meet.example.org/a", location=""))
    assert _only_meeting().video_url == "http://meet.example.org/a"
