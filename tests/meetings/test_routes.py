"""Meeting pages through HTTP: forms in local time, agenda editing, RSVP, check-in, minutes, live screen."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from stac_youth.extensions import db
from stac_youth.meetings import services
from stac_youth.meetings.models import AgendaItem, Attendance, Meeting, MinutesRevision, Rsvp
from tests.meetings.helpers import around_now, client_for, make_meeting, region


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", display_name="Morgan Advisor")


@pytest.fixture
def as_advisor(app, advisor):
    return client_for(app, advisor)


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


def _meeting_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Meeting))


def _only_meeting() -> Meeting:
    db.session.expire_all()
    return db.session.scalars(select(Meeting)).one()


def _reload(meeting: Meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _agenda_titles(html: str) -> list[str]:
    agenda = html.split('<ol class="agenda-list', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<h3 class="h6 mb-1">([^<]+?)\s*(?:<|$)', agenda)


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
    assert "Presentation · 20 minutes · Kai" in html

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
    assert as_advisor.post(f"/meetings/{meeting.id}/agenda/{first}/delete").status_code == 302
    assert [(i.title, i.position, i.kind, i.minutes) for i in _reload(meeting).items] == [
        ("Second, renamed", 0, "break", 5), ("Third", 1, "discussion", 10),
    ]
    # An item of another meeting is not reachable through this meeting's URL.
    other = make_meeting(advisor, items=("Elsewhere",))
    assert as_advisor.post(f"/meetings/{meeting.id}/agenda/{other.items[0].id}/delete").status_code == 404
    assert db.session.get(AgendaItem, other.items[0].id) is not None


def test_bad_agenda_item_is_flashed_and_not_added(app, advisor, as_advisor):
    meeting = make_meeting(advisor)
    as_advisor.post(f"/meetings/{meeting.id}/agenda", data={"new-title": "", "new-kind": "discussion",
                                                             "new-minutes": "0"})
    html = _page(as_advisor, f"/meetings/{meeting.id}")
    assert "This field is required." in html
    assert "Minutes must be between 1 and 600." in html
    assert _reload(meeting).items == []


# --- publishing, RSVP and check-in -----------------------------------------------------------------------


def test_publish_makes_the_meeting_visible_to_members(app, advisor, as_advisor, make_user):
    member = client_for(app, make_user("member"))
    meeting = make_meeting(advisor, title="Hidden until published")
    assert member.get(f"/meetings/{meeting.id}").status_code == 404
    assert member.get(f"/meetings/{meeting.id}.ics").status_code == 404
    assert "Hidden until published" not in _page(member, "/meetings")

    assert member.post(f"/meetings/{meeting.id}/publish").status_code == 403
    assert _reload(meeting).status == "draft"

    response = as_advisor.post(f"/meetings/{meeting.id}/publish")
    assert response.status_code == 302
    assert _reload(meeting).status == "published"
    assert "Hidden until published" in _page(member, f"/meetings/{meeting.id}")
    assert "Hidden until published" in _page(member, "/meetings")


def test_region_meeting_404s_for_other_regions(app, advisor, make_user):
    meeting = make_meeting(advisor, status="published", region_ids=(region("Bay Area").id,))
    bay = client_for(app, make_user("member", region_id=region("Bay Area").id))
    capitol = client_for(app, make_user("member", region_id=region("Capitol Area").id))
    assert bay.get(f"/meetings/{meeting.id}").status_code == 200
    assert capitol.get(f"/meetings/{meeting.id}").status_code == 404


def test_rsvp_and_check_in_and_who_sees_names(app, advisor, as_advisor, make_user):
    zoe = make_user("member", display_name="Zoe Quintanilla")
    omar = make_user("member", display_name="Omar Villalobos")
    meeting = make_meeting(advisor, status="published", **around_now(10))
    as_zoe, as_omar = client_for(app, zoe), client_for(app, omar)

    page = _page(as_zoe, f"/meetings/{meeting.id}")
    assert "Will you come?" in page and "Check in" in page
    assert as_zoe.post(f"/meetings/{meeting.id}/rsvp", data={"answer": "maybe"}).status_code == 302
    assert as_zoe.post(f"/meetings/{meeting.id}/rsvp", data={"answer": "yes"}).status_code == 302
    assert as_omar.post(f"/meetings/{meeting.id}/rsvp", data={"answer": "no"}).status_code == 302
    assert as_zoe.post(f"/meetings/{meeting.id}/check-in").status_code == 302
    assert as_zoe.post(f"/meetings/{meeting.id}/check-in").status_code == 302  # twice: still one row

    db.session.expire_all()
    assert {(r.user_id, r.answer) for r in db.session.scalars(select(Rsvp))} == {(zoe.id, "yes"), (omar.id, "no")}
    assert [a.user_id for a in db.session.scalars(select(Attendance))] == [zoe.id]

    zoe_page = _page(as_zoe, f"/meetings/{meeting.id}")
    assert "You are checked in." in zoe_page
    assert re.search(r'id="rsvp-yes" value="yes"\s+checked', zoe_page)

    omar_page = _page(as_omar, f"/meetings/{meeting.id}")
    assert "Yes: 1 · Maybe: 0 · No: 1 · Checked in: 1" in omar_page
    assert "Zoe Quintanilla" not in omar_page
    assert "Nobody has checked in yet." not in omar_page and "Answers" not in omar_page

    advisor_page = _page(as_advisor, f"/meetings/{meeting.id}")
    assert "Yes: 1 · Maybe: 0 · No: 1 · Checked in: 1" in advisor_page
    assert "Zoe Quintanilla: Yes" in advisor_page
    assert "Omar Villalobos: No" in advisor_page
    checked_in = advisor_page.split("Checked in</h3>", 1)[1].split("</ul>", 1)[0]
    assert "Zoe Quintanilla" in checked_in and "Omar Villalobos" not in checked_in


def test_check_in_before_the_window_is_refused(app, advisor, make_user):
    member = make_user("member")
    meeting = make_meeting(advisor, status="published", **around_now(60))
    client = client_for(app, member)
    page = _page(client, f"/meetings/{meeting.id}")
    assert "Check-in opens 15 minutes before the meeting starts." in page
    assert f'action="/meetings/{meeting.id}/check-in"' not in page
    client.post(f"/meetings/{meeting.id}/check-in")
    assert "closes when it ends" in _page(client, f"/meetings/{meeting.id}")
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_advisors_do_not_rsvp(app, advisor, as_advisor):
    meeting = make_meeting(advisor, status="published", **around_now(5))
    assert as_advisor.post(f"/meetings/{meeting.id}/rsvp", data={"answer": "yes"}).status_code == 403
    assert as_advisor.post(f"/meetings/{meeting.id}/check-in").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Rsvp)) == 0


# --- minutes ---------------------------------------------------------------------------------------------


def test_minutes_after_the_end_with_history(app, advisor, as_advisor, make_user):
    second_advisor = make_user("advisor", display_name="Dolores Segunda")
    meeting = make_meeting(advisor, status="live")

    as_advisor.post(f"/meetings/{meeting.id}/minutes", data={"body": "Too early"})
    assert db.session.scalar(select(func.count()).select_from(MinutesRevision)) == 0

    assert as_advisor.post(f"/meetings/{meeting.id}/end").status_code == 302
    assert _reload(meeting).status == "ended"
    response = as_advisor.post(f"/meetings/{meeting.id}/minutes", data={"body": "**Present:** 11 students"})
    assert response.status_code == 302
    second = client_for(app, second_advisor)
    assert "**Present:** 11 students" in _page(second, f"/meetings/{meeting.id}/minutes")
    second.post(f"/meetings/{meeting.id}/minutes", data={"body": "**Present:** 12 students"})
    second.post(f"/meetings/{meeting.id}/minutes", data={"body": "**Present:** 12 students"})  # unchanged

    rows = list(db.session.scalars(select(MinutesRevision).order_by(MinutesRevision.id)))
    assert [(r.body, r.author_id) for r in rows] == [
        ("**Present:** 11 students", advisor.id), ("**Present:** 12 students", second_advisor.id),
    ]

    member = client_for(app, make_user("member"))
    detail = _page(member, f"/meetings/{meeting.id}")
    assert "<strong>Present:</strong> 12 students" in detail
    assert "Last saved by Dolores Segunda" in detail
    history = _page(member, f"/meetings/{meeting.id}/minutes/history")
    assert history.index("12 students") < history.index("11 students")  # newest first
    assert "Saved by Dolores Segunda" in history and "Saved by Morgan Advisor" in history
    assert member.post(f"/meetings/{meeting.id}/minutes", data={"body": "Mine"}).status_code == 403


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


# --- live screen without JavaScript -----------------------------------------------------------------------


def _current_item_ids(html: str) -> list[str]:
    items = re.findall(r"<li class=\"agenda-item([^\"]*)\" data-item-id=\"(\d+)\"[^>]*>", html)
    current = [item_id for classes, item_id in items if "is-current" in classes]
    tags = re.findall(r"<li [^>]*aria-current=\"step\"[^>]*>", html)
    assert len(tags) == len(current)
    return current


def test_live_page_highlights_and_advances_without_js(app, advisor, as_advisor, make_user):
    meeting = make_meeting(advisor, status="published", items=("Opening", "Main topic", "Closing"))
    ids = [str(item.id) for item in meeting.items]
    member = client_for(app, make_user("member"))
    assert _current_item_ids(_page(member, f"/meetings/{meeting.id}/live")) == []

    response = as_advisor.post(f"/meetings/{meeting.id}/start")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{meeting.id}/live")
    live = _page(as_advisor, f"/meetings/{meeting.id}/live")
    assert _current_item_ids(live) == [ids[0]]
    assert re.search(rf'<li class="agenda-item is-current" data-item-id="{ids[0]}"[^>]*aria-current="step"', live)
    assert 'name="step" value="next"' in live

    assert as_advisor.post(f"/meetings/{meeting.id}/advance", data={"step": "next"}).status_code == 302
    assert _current_item_ids(_page(member, f"/meetings/{meeting.id}/live")) == [ids[1]]
    member_live = _page(member, f"/meetings/{meeting.id}/live")
    assert 'name="step"' not in member_live  # no controls for members

    # A member cannot move the meeting.
    assert member.post(f"/meetings/{meeting.id}/advance", data={"step": "next"}).status_code == 403
    assert member.post(f"/meetings/{meeting.id}/end").status_code == 403
    current = _reload(meeting)
    assert (current.status, current.current_item_id) == ("live", int(ids[1]))

    as_advisor.post(f"/meetings/{meeting.id}/advance", data={"step": "previous"})
    assert _current_item_ids(_page(as_advisor, f"/meetings/{meeting.id}/live")) == [ids[0]]
    as_advisor.post(f"/meetings/{meeting.id}/advance", data={"step": "previous"})
    live = _page(as_advisor, f"/meetings/{meeting.id}/live")
    assert "This is already the first agenda item." in live
    assert _current_item_ids(live) == [ids[0]]


def test_live_meeting_cannot_be_deleted_through_the_page(app, advisor, as_advisor):
    meeting = make_meeting(advisor, status="live", items=("Only",))
    as_advisor.post(f"/meetings/{meeting.id}/delete")
    assert _reload(meeting) is not None
    assert "End the meeting before deleting it." in _page(as_advisor, f"/meetings/{meeting.id}")
    services.end_meeting(advisor, _reload(meeting))
    response = as_advisor.post(f"/meetings/{meeting.id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/meetings")
    assert _meeting_count() == 0


# --- Spanish ---------------------------------------------------------------------------------------------


def test_spanish_member_sees_spanish_labels(app, advisor, make_user):
    meeting = make_meeting(advisor, status="published", items=("Bienvenida",), **around_now(5))
    client = client_for(app, make_user("member", preferred_language="es"))
    html = _page(client, f"/meetings/{meeting.id}")
    assert "Registrar llegada" in html
    assert "¿Vas a venir?" in html
    assert "Asistencia" in html
    assert "Reuniones" in html
    assert "Will you come?" not in html and ">Check in<" not in html
    assert "Reuniones" in _page(client, "/meetings")


def test_meeting_list_shows_regions_and_filters(app, advisor, make_user):
    make_meeting(advisor, status="published", title="Bay gathering", region_ids=(region("Bay Area").id,),
                 **around_now(3 * 24 * 60))
    make_meeting(advisor, status="published", title="Statewide gathering")
    client = client_for(app, make_user("admin"))
    capitol = region("Capitol Area").id
    filtered = _page(client, f"/meetings?region={capitol}")
    assert "Statewide gathering" in filtered and "Bay gathering" not in filtered
    everything = _page(client, "/meetings")
    assert "Statewide gathering" in everything and "Bay gathering" in everything


def test_meeting_list_shows_the_members_answer_and_attendance(app, advisor, make_user):
    from stac_youth.meetings import attendance

    member = make_user("member")
    meeting = make_meeting(advisor, status="published", title="Answered meeting", **around_now(5))
    attendance.set_rsvp(member, meeting, "yes")
    attendance.check_in(member, meeting)
    response = client_for(app, member).get("/meetings")
    assert response.status_code == 200
    row = response.get_data(as_text=True).split("Answered meeting", 1)[1].split("</li>", 1)[0]
    assert "Your answer: Yes" in row
    assert "1 attended" in row
