"""Meeting pages for attending: publishing, RSVP and check-in, minutes, the live screen, Spanish, the list."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from stac_youth.extensions import db
from stac_youth.meetings import services
from stac_youth.meetings.models import Attendance, MinutesRevision, Rsvp
from tests.meetings.helpers import _meeting_count, _page, _reload, around_now, client_for, make_meeting, region

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


def _attendance_tiles(html: str) -> dict[str, int]:
    """The attendance section's stat tiles: label -> number."""
    section = html.split('id="attendance-title"', 1)[1].split("</section>", 1)[0]
    tiles = re.findall(r'stat-tile-value">(\d+)</p>\s*<p class="stat-tile-label">([^<]+)</p>', section)
    return {label: int(value) for value, label in tiles}


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
    assert _attendance_tiles(omar_page) == {"Coming": 1, "Maybe": 0, "Not coming": 1, "Checked in": 1}
    assert "Zoe Quintanilla" not in omar_page
    assert "Nobody has checked in yet." not in omar_page and "Answers" not in omar_page

    advisor_page = _page(as_advisor, f"/meetings/{meeting.id}")
    assert _attendance_tiles(advisor_page) == {"Coming": 1, "Maybe": 0, "Not coming": 1, "Checked in": 1}
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

    assert as_advisor.post(f"/meetings/{meeting.id}/end", data={"confirmed": "1"}).status_code == 302
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


def test_live_or_ended_meeting_cannot_be_deleted_through_the_page(app, advisor, as_advisor):
    meeting = make_meeting(advisor, status="live", items=("Only",))
    as_advisor.post(f"/meetings/{meeting.id}/delete", data={"confirmed": "1"})
    assert _reload(meeting) is not None
    assert "A live meeting cannot be deleted." in _page(as_advisor, f"/meetings/{meeting.id}")
    services.end_meeting(advisor, _reload(meeting))
    response = as_advisor.post(f"/meetings/{meeting.id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{meeting.id}")
    assert "This meeting took place, so it cannot be deleted" in _page(as_advisor, f"/meetings/{meeting.id}")
    assert _meeting_count() == 1


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
    card = response.get_data(as_text=True).split("Answered meeting", 1)[1].split('class="meeting-card', 1)[0]
    assert re.search(r'status-badge tone-success rsvp-badge rsvp-yes">.*?<span>You’re going</span>', card)
    assert "1 attended" in card
