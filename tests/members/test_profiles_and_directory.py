"""Profiles and the directory: saving, Markdown, who sees what, audited adult reads, paging through namesakes."""

from __future__ import annotations

import pytest

from stac_youth.extensions import db
from stac_youth.members.models import County, MemberInterest, Region
from tests.conftest import login
from tests.members.helpers import HIDDEN_AUDIT, _as, _audit_rows, _region, _reload


def _county(region: Region, name: str) -> County:
    return next(county for county in region.counties if county.name == name)


def _profile_form(**changes) -> dict:
    data = {
        "display_name": "Maya Chen",
        "pronouns": "she/her",
        "region_id": "0",
        "county_id": "0",
        "school": "",
        "grade": "",
        "interests": "",
        "bio": "",
        "preferred_language": "en",
        "timezone": "America/Los_Angeles",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- editing ---


def test_edit_profile_saves_fields_and_normalized_interests(app, client, make_user):
    user = make_user("member", email="edit@example.org")
    login(client, user)
    region = _region("Bay Area")
    county = _county(region, "Alameda")
    response = client.post(
        "/profile/edit",
        data=_profile_form(
            display_name="  Maya Chen ",
            pronouns="she/her",
            region_id=str(region.id),
            county_id=str(county.id),
            school="Oakland High School",
            grade="11",
            interests="  Mental Health!!, ART, art ,  student   voice,, Robotics & Coding ",
            bio="Hello",
            hide_school="y",
            preferred_language="es",
            timezone="UTC",
        ),
    )
    assert response.status_code == 302, response.data
    assert response.headers["Location"].endswith(f"/members/{user.id}")

    saved = _reload(user)
    assert saved.display_name == "Maya Chen"
    assert saved.pronouns == "she/her"
    assert saved.region_id == region.id
    assert saved.county_id == county.id
    assert saved.school == "Oakland High School"
    assert saved.grade == "11"
    assert saved.bio == "Hello"
    assert saved.hide_school is True
    assert saved.hide_bio is False
    assert saved.preferred_language == "es"
    assert saved.timezone == "UTC"
    assert saved.interest_tags == ["art", "mental health", "robotics coding", "student voice"]

    # The edit form shows the saved tags back.
    page = client.get("/profile/edit")
    assert b"art, mental health, robotics coding, student voice" in page.data


def test_interests_are_limited_to_12(app, client, make_user):
    user = make_user("member", interests=[MemberInterest(tag="before")])
    login(client, user)
    thirteen = ", ".join(f"topic {n}" for n in range(13))
    response = client.post("/profile/edit", data=_profile_form(display_name="Changed", interests=thirteen))
    assert response.status_code == 200
    assert b"List at most 12 interests." in response.data
    unchanged = _reload(user)
    assert unchanged.interest_tags == ["before"]
    assert unchanged.display_name != "Changed"

    twelve = ", ".join(f"topic {n:02d}" for n in range(12))
    assert client.post("/profile/edit", data=_profile_form(interests=twelve)).status_code == 302
    assert len(_reload(user).interest_tags) == 12

    # Duplicates count once.
    repeated = ", ".join(["same"] * 20)
    assert client.post("/profile/edit", data=_profile_form(interests=repeated)).status_code == 302
    assert _reload(user).interest_tags == ["same"]


def test_county_must_be_in_the_region(app, client, make_user):
    user = make_user("member")
    login(client, user)
    bay = _region("Bay Area")
    fresno = _county(_region("Central Valley"), "Fresno")
    response = client.post(
        "/profile/edit", data=_profile_form(region_id=str(bay.id), county_id=str(fresno.id))
    )
    assert response.status_code == 200
    assert b"Choose a county in your region." in response.data
    assert _reload(user).county_id is None


def test_bio_markdown_is_rendered_and_sanitized(app, client, make_user):
    user = make_user("member")
    login(client, user)
    bio = "I like **bold** ideas and *italics*.\n\n<script>alert(1)</script> [x](javascript:alert(2))"
    assert client.post("/profile/edit", data=_profile_form(bio=bio)).status_code == 302
    page = client.get(f"/members/{user.id}").data
    assert b"<strong>bold</strong>" in page
    assert b"<em>italics</em>" in page
    assert b"<script>alert(1)" not in page
    assert b'href="javascript' not in page


# --- the directory ---


@pytest.fixture
def board(make_user):
    bay, valley = _region("Bay Area"), _region("Central Valley")
    return {
        "maya": make_user("member", display_name="Maya Chen", region_id=bay.id,
                          interests=[MemberInterest(tag="robotics")], email="maya@example.org"),
        "diego": make_user("member", display_name="Diego Hernandez", region_id=valley.id,
                           interests=[MemberInterest(tag="soccer")], email="diego@example.org"),
        "sofia": make_user("member", display_name="Sofia Gutierrez", region_id=bay.id,
                           interests=[MemberInterest(tag="dance")], email="sofia@example.org"),
        "viewer": make_user("member", display_name="Viewer Person", region_id=valley.id, email="viewer@example.org"),
    }


def test_directory_filters_by_region_and_searches_names_and_interests(app, board):
    client = _as(app, board["viewer"])
    bay = _region("Bay Area")

    everyone = client.get("/members").data
    for name in (b"Maya Chen", b"Diego Hernandez", b"Sofia Gutierrez"):
        assert name in everyone

    by_region = client.get(f"/members?region={bay.id}").data
    assert b"Maya Chen" in by_region and b"Sofia Gutierrez" in by_region
    assert b"Diego Hernandez" not in by_region
    assert b"2 members found" in by_region

    by_name = client.get("/members?q=diego").data
    assert b"Diego Hernandez" in by_name
    assert b"Maya Chen" not in by_name

    by_interest = client.get("/members?q=robot").data
    assert b"Maya Chen" in by_interest
    assert b"Diego Hernandez" not in by_interest and b"Sofia Gutierrez" not in by_interest

    both = client.get(f"/members?region={bay.id}&q=soccer").data
    assert b"No members match your search." in both


def test_directory_and_profiles_need_a_login(app, board):
    anonymous = app.test_client()
    for url in ("/members", f"/members/{board['maya'].id}", f"/members/{board['maya'].id}/avatar"):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("role", "sees_email"), [("member", False), ("planner", False),
                                                  ("advisor", True), ("admin", True)])
def test_email_is_shown_to_advisors_and_admins_only(app, make_user, board, role, sees_email):
    viewer = make_user(role)
    client = _as(app, viewer)
    maya = board["maya"]
    directory = client.get("/members").data
    profile = client.get(f"/members/{maya.id}").data
    assert (b"maya@example.org" in directory) is sees_email
    assert (b"maya@example.org" in profile) is sees_email
    assert (b"mailto:" in directory) is sees_email


def test_own_profile_shows_own_email(app, board):
    client = _as(app, board["maya"])
    assert b"maya@example.org" in client.get(f"/members/{board['maya'].id}").data


@pytest.mark.parametrize("role", ["member", "planner"])
def test_hidden_school_and_bio_stay_hidden_from_members_and_planners(app, make_user, student, role):
    client = _as(app, make_user(role))
    profile = client.get(f"/members/{student.id}")
    assert profile.status_code == 200
    assert b"Maya Chen" in profile.data
    assert b"Oakland High School" not in profile.data
    assert b"peer support" not in profile.data
    assert b"Oakland High School" not in client.get("/members").data
    assert _audit_rows(HIDDEN_AUDIT) == []


def test_visible_school_and_bio_are_shown_to_members(app, make_user, student):
    student.hide_school = False
    student.hide_bio = False
    db.session.commit()
    client = _as(app, make_user("member"))
    profile = client.get(f"/members/{student.id}").data
    assert b"Oakland High School" in profile
    assert b"<strong>peer support</strong>" in profile
    assert b"Oakland High School" in client.get("/members").data


def test_the_student_sees_their_own_hidden_fields_without_an_audit_row(app, student):
    client = _as(app, student)
    profile = client.get(f"/members/{student.id}").data
    assert b"Oakland High School" in profile
    assert b"peer support" in profile
    assert _audit_rows(HIDDEN_AUDIT) == []


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_adult_reading_hidden_fields_sees_them_and_is_audited_once_per_view(app, make_user, student, role):
    adult = make_user(role)
    client = _as(app, adult)

    first = client.get(f"/members/{student.id}").data
    assert b"Oakland High School" in first
    assert b"<strong>peer support</strong>" in first
    assert b"this view is recorded in the audit log" in first
    rows = _audit_rows(HIDDEN_AUDIT)
    assert len(rows) == 1
    assert rows[0].actor_id == adult.id
    assert rows[0].subject_id == student.id
    assert sorted(rows[0].details["fields"]) == ["bio", "school"]
    assert rows[0].request_id

    client.get(f"/members/{student.id}")
    assert len(_audit_rows(HIDDEN_AUDIT)) == 2


def test_adult_reading_a_profile_without_hidden_fields_is_not_logged_as_hidden_read(app, make_user, student):
    student.hide_school = False
    student.hide_bio = False
    db.session.commit()
    client = _as(app, make_user("advisor"))
    client.get(f"/members/{student.id}")
    assert _audit_rows(HIDDEN_AUDIT) == []


def test_member_viewing_profiles_writes_no_audit_rows(app, make_user, student):
    client = _as(app, make_user("member"))
    before = len(_audit_rows())
    client.get(f"/members/{student.id}")
    client.get("/members")
    assert len(_audit_rows()) == before


def test_directory_pages_show_every_member_once_when_names_repeat(app, make_user):
    """A hundred members share one name: paging through the directory lists each of them exactly once.

    PostgreSQL sorts a LIMIT/OFFSET page with a heap that does not keep ties in any order, so without a tiebreak
    the pages overlap and some members are never shown."""
    from stac_youth.members import profiles

    viewer = make_user("member", display_name="Aaron Viewer")
    namesakes = {make_user("member", display_name="Alex Kim").id for _ in range(100)}
    seen = []
    for page in range(1, 11):
        listing = profiles.directory(viewer, query="alex kim", page=page, per_page=10)
        seen += [entry.user.id for entry in listing.entries]
    assert sorted(seen) == sorted(namesakes)
