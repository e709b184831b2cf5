"""The page cache: a session's page comes back without its queries until something it read is written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from stac_youth.common import page_cache
from stac_youth.extensions import db
from stac_youth.rooms import rooms
from tests.conftest import login
from tests.meetings.helpers import client_for
from tests.proposals.helpers import make_proposal, theme
from tests.query_budget import recorded_statements
from tests.rooms.helpers import post, region, topic_room

CLIENT_ID = re.compile(r'name="client_id"[^>]*value="([^"]+)"')


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", display_name="Morgan Advisor")


@pytest.fixture
def member(make_user):
    return make_user("member", display_name="Maya Bay", region_id=region("Bay Area").id)


@pytest.fixture
def lounge(advisor, member):
    room = topic_room(advisor, "Statewide lounge")
    post(member, room, "First message of the day")
    return room


def load(client, url: str) -> tuple[str, list[str]]:
    """The page's text and the statements its request ran."""
    with recorded_statements(db.engine) as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True), statements


def page_queries(statements: list[str]) -> list[str]:
    """The statements beyond the signed-in user's read, which every request makes."""
    return [s for s in statements if "login_sessions" not in s]


def test_a_page_comes_back_without_a_single_query(app, member, lounge):
    client = client_for(app, member)
    load(client, f"/rooms/{lounge.id}")  # marks the room read: a write to what the page reads, so rendered again
    first, first_statements = load(client, f"/rooms/{lounge.id}")
    second, second_statements = load(client, f"/rooms/{lounge.id}")
    assert page_queries(first_statements)
    assert second_statements == []  # not even the signed-in user's: the page was rendered for this very cookie
    assert CLIENT_ID.sub("", first) == CLIENT_ID.sub("", second)
    assert "First message of the day" in second


def test_a_stored_page_keeps_the_signed_in_headers(app, member, lounge):
    client = client_for(app, member)
    for _ in range(3):
        response = client.get(f"/rooms/{lounge.id}")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers and "Cookie" in response.headers["Vary"]


def test_the_same_cookie_from_another_browser_is_rendered_for_it(app, member, lounge):
    client = client_for(app, member)
    for _ in range(2):
        load(client, f"/rooms/{lounge.id}")
    elsewhere = app.test_client()
    elsewhere.set_cookie("session", client.get_cookie("session").value)
    with recorded_statements(db.engine) as statements:
        response = elsewhere.get(f"/rooms/{lounge.id}", headers={"User-Agent": "Another browser/1.0"})
    assert response.status_code == 200 and page_queries(statements)


def test_a_new_message_shows_on_the_next_load(app, member, advisor, lounge):
    client = client_for(app, member)
    load(client, f"/rooms/{lounge.id}")
    load(client, f"/rooms/{lounge.id}")
    post(advisor, lounge, "Breaking news from the advisor")
    page, statements = load(client, f"/rooms/{lounge.id}")
    assert "Breaking news from the advisor" in page
    assert page_queries(statements)


def test_a_write_outside_the_orm_shows_too(app, member):
    client = client_for(app, member)
    proposal = make_proposal(member, status="submitted", title="Free bus passes for students")
    assert "Free bus passes for students" in load(client, "/proposals")[0]
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE proposals SET title = 'Free metro passes' WHERE id = :id"), {"id": proposal.id})
    page = load(client, "/proposals")[0]
    assert "Free metro passes" in page and "Free bus passes" not in page


def test_a_write_to_a_table_the_page_does_not_read_keeps_it(app, member, lounge):
    client = client_for(app, member)
    load(client, f"/rooms/{lounge.id}")
    load(client, f"/rooms/{lounge.id}")
    theme("Climate and environment")  # proposals' themes: nothing on a room page
    assert page_queries(load(client, f"/rooms/{lounge.id}")[1]) == []


def test_an_update_that_changes_nothing_keeps_the_page(app, member, lounge):
    client = client_for(app, member)
    load(client, f"/rooms/{lounge.id}")
    load(client, f"/rooms/{lounge.id}")
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE rooms SET title = 'Gone' WHERE id = -1"))
    assert page_queries(load(client, f"/rooms/{lounge.id}")[1]) == []


def test_another_session_gets_its_own_page(app, make_user, member, lounge):
    other = make_user("member", display_name="Priya Capitol", region_id=region("Capitol Area").id)
    mine, theirs = client_for(app, member), client_for(app, other)
    load(mine, f"/rooms/{lounge.id}")
    page, statements = load(theirs, f"/rooms/{lounge.id}")
    assert f'href="/members/{other.id}"' in page and f'href="/members/{member.id}"' not in page
    assert page_queries(statements)


def test_a_copy_of_a_signed_out_cookie_gets_no_stored_page(app, member, lounge):
    client = client_for(app, member)
    load(client, f"/rooms/{lounge.id}")
    load(client, f"/rooms/{lounge.id}")
    copy = app.test_client()
    cookie = client.get_cookie("session")
    copy.set_cookie("session", cookie.value)
    assert copy.get(f"/rooms/{lounge.id}").status_code == 200
    client.post("/logout")
    response = copy.get(f"/rooms/{lounge.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_deactivated_member_gets_no_stored_page(app, make_user, member, lounge):
    client = client_for(app, member)
    load(client, f"/rooms/{lounge.id}")
    db.session.execute(text("UPDATE users SET active = false WHERE id = :id"), {"id": member.id})
    db.session.commit()
    assert client.get(f"/rooms/{lounge.id}").status_code != 200


def test_a_flashed_message_is_shown_once_and_never_stored(app, member, lounge):
    client = client_for(app, member)
    response = client.post(f"/rooms/{lounge.id}/messages", data={"body": "", "client_id": "empty-1"},
                           follow_redirects=True)
    notice = "Write a message first."
    assert notice in response.get_data(as_text=True)
    again, statements = load(client, f"/rooms/{lounge.id}")
    assert notice not in again and page_queries(statements)


def test_each_load_gets_a_new_message_form_id(app, member, lounge):
    client = client_for(app, member)
    ids = []
    for _ in range(3):
        page, statements = load(client, f"/rooms/{lounge.id}")
        ids.append(CLIENT_ID.search(page).group(1))
    assert page_queries(statements) == []  # the last load came from the cache
    assert len(set(ids)) == 3 and all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids)


def test_a_language_change_renders_the_page_again(app, member, lounge):
    client = client_for(app, member)
    assert "Send" in load(client, f"/rooms/{lounge.id}")[0]
    client.post("/language", data={"lang": "es", "next": f"/rooms/{lounge.id}"})
    page, statements = load(client, f"/rooms/{lounge.id}")
    assert 'lang="es"' in page and page_queries(statements)


def test_a_stored_page_lives_its_time_limit_at_most(app, member, lounge, monkeypatch):
    client = client_for(app, member)
    load(client, f"/rooms/{lounge.id}")
    load(client, f"/rooms/{lounge.id}")
    later = page_cache.time.monotonic() + app.config["PAGE_CACHE_SECONDS"] + 1
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    assert page_queries(load(client, f"/rooms/{lounge.id}")[1])


def test_expired_pages_are_dropped_as_new_ones_are_stored(app, make_user, member, lounge, monkeypatch):
    first, second = client_for(app, member), client_for(app, make_user("member"))
    for client in (first, second):
        load(client, f"/rooms/{lounge.id}")  # the first load draws the session's CSRF secret: not stored
    load(first, f"/rooms/{lounge.id}")
    cache = app.extensions["page_cache"]
    assert len(cache) == 1
    later = page_cache.time.monotonic() + app.config["PAGE_CACHE_SECONDS"] + 1
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: later)
    load(second, f"/rooms/{lounge.id}")  # the first session's page is not asked for again
    assert len(cache) == 1  # only the new page: memory holds the pages of the last PAGE_CACHE_SECONDS at most


def test_pages_are_dropped_beyond_the_size_limit(app, member, advisor):
    cache = app.extensions["page_cache"]
    cache.max_bytes = 1
    client = client_for(app, member)
    room = topic_room(advisor, "Statewide lounge")
    load(client, f"/rooms/{room.id}")
    assert len(cache) == 0
    assert page_queries(load(client, f"/rooms/{room.id}")[1])


def test_the_cache_can_be_turned_off(make_app, make_user):
    app = make_app(PAGE_CACHE_SECONDS=0)
    with app.app_context():
        from stac_youth.seed import seed_regions

        seed_regions()
        member = make_user("member", display_name="Maya Bay")
        client = app.test_client()
        assert login(client, member).status_code == 302
        load(client, "/proposals")
        assert page_queries(load(client, "/proposals")[1])
        assert len(app.extensions["page_cache"]) == 0


def test_a_write_in_another_process_reaches_this_one_through_redis(make_app, make_user, redis_url):
    first = make_app(REDIS_URL=redis_url)
    url = first.config["SQLALCHEMY_DATABASE_URI"]
    second = make_app(REDIS_URL=redis_url, SQLALCHEMY_DATABASE_URI=url)
    with first.app_context():
        from stac_youth.seed import seed_regions

        seed_regions()
        member = make_user("member", display_name="Maya Bay")
        proposal = make_proposal(member, status="submitted", title="Free bus passes for students")
        client = first.test_client()
        assert login(client, member).status_code == 302
        assert "Free bus passes" in load(client, "/proposals")[0]  # keeps the new CSRF secret in the session
        load(client, "/proposals")
        assert page_queries(load(client, "/proposals")[1]) == []
    with second.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE proposals SET title = 'Free metro passes' WHERE id = :id"),
                               {"id": proposal.id})
        db.session.remove()
        db.engine.dispose()
    with first.app_context():
        assert "Free metro passes" in load(client, "/proposals")[0]


def test_room_reads_and_presence_rows_do_not_need_a_new_render_of_other_pages(app, member, lounge):
    client = client_for(app, member)
    load(client, "/proposals")
    load(client, "/proposals")
    rooms.mark_read(member, lounge, 10**6)  # a room's read marker: nothing on the proposal list
    assert page_queries(load(client, "/proposals")[1]) == []
