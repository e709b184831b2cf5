"""The textbook anchor app: its prepared sessions sign users in, its ballot needs the CSRF token and stores one row
per (poll, user), its page renders the notes; and the vote report's table check (no timed assertion)."""

from __future__ import annotations

import pytest

from benchmarks import textbook

SECRET = "t" * 64


@pytest.fixture
def prepared(tmp_path):
    url = f"sqlite:///{tmp_path / 'textbook.db'}"
    return url, textbook.prepare(url, 3, SECRET)


def client_of(url, cookie):
    client = textbook.create_app(url, SECRET).test_client()
    client.set_cookie("__Host-session", cookie)
    return client


def test_each_prepared_user_has_a_session_and_a_token_of_its_own(prepared):
    _url, credentials = prepared

    assert len({user_id for user_id, _c, _t in credentials}) == 3
    assert len({cookie for _u, cookie, _t in credentials}) == 3
    assert len({token for _u, _c, token in credentials}) == 3


def test_a_ballot_is_stored_once_and_acknowledged_with_a_redirect(prepared):
    url, credentials = prepared
    user_id, cookie, token = credentials[0]
    client = client_of(url, cookie)

    first = client.post("/vote", data={"csrf_token": token, "poll_id": 1, "choice": "yes"},
                        headers={"User-Agent": textbook.USER_AGENT})
    again = client.post("/vote", data={"csrf_token": token, "poll_id": 1, "choice": "no"},
                        headers={"User-Agent": textbook.USER_AGENT})

    assert first.status_code == 303 and first.headers["Location"].endswith("/voted")
    assert again.status_code == 409
    assert textbook.stored_votes(url) == [(1, user_id)]


def test_a_ballot_without_the_sessions_token_is_refused(prepared):
    url, credentials = prepared
    _user_id, cookie, _token = credentials[0]
    other_token = credentials[1][2]

    answer = client_of(url, cookie).post("/vote", data={"csrf_token": other_token, "poll_id": 1, "choice": "yes"},
                                         headers={"User-Agent": textbook.USER_AGENT})

    assert answer.status_code == 400
    assert textbook.stored_votes(url) == []


def test_the_signed_in_page_renders_the_latest_notes_without_a_new_cookie(prepared):
    url, credentials = prepared

    page = client_of(url, credentials[0][1]).get("/", headers={"User-Agent": textbook.USER_AGENT},
                                                  environ_base={"REMOTE_ADDR": "127.0.0.1"})

    assert page.status_code == 200
    assert b"Textbook User 00000" in page.data
    assert page.data.count(b"<li>") == 20
    assert "Set-Cookie" not in page.headers  # nothing in the session changes: no cookie to sign per request


def test_the_page_needs_a_signed_in_user(prepared):
    url, _credentials = prepared

    assert textbook.create_app(url, SECRET).test_client().get("/").status_code == 401
