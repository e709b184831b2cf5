"""A first ballot checks the voter's login inside its own statement (members/login_claims.py, policy.CHECKED_IN_WRITE).

The vote route does not load the signed-in user for a first ballot: the statement that writes it holds the user
loader's checks. These tests hold the two to the same answers: every way a login goes stale makes the user loader
answer None and the vote write nothing, and the voter is then answered as the route policy answers (sign-in or 403).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.members.accounts import load_user_from_login_id
from stac_youth.members.models import LoginSession, User
from stac_youth.proposals.poll_models import Ballot, Participation
from tests.meetings.helpers import client_for
from tests.proposals.poll_helpers import count, counters, new_poll


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", display_name="Ada Advisor")


@pytest.fixture
def voter(make_user):
    return make_user("member", display_name="Vera Voter")


@pytest.fixture
def loader_calls(app, monkeypatch):
    """The login ids the app's user loader is asked for, in order."""
    calls = []
    loader = app.login_manager._user_callback

    def counting(login_id):
        calls.append(login_id)
        return loader(login_id)

    monkeypatch.setattr(app.login_manager, "_user_callback", counting)
    return calls


def _login_id(client) -> str:
    with client.session_transaction() as session:
        return session["_user_id"]


def test_a_first_ballot_is_stored_without_loading_the_voter(app, advisor, voter, loader_calls):
    poll = new_poll(advisor)
    client = client_for(app, voter)
    loader_calls.clear()
    response = client.post(f"/polls/{poll.id}/vote", data={"choice": "yes"})
    assert response.status_code == 303 and response.headers["Location"] == f"/polls/{poll.id}/voted"
    assert response.headers["Cache-Control"] == "no-store"  # a signed-in answer, though no user was loaded
    assert loader_calls == []
    assert count(Participation, poll) == 1 and count(Ballot, poll) == 1 and counters(poll) == {
        "yes": 1, "no": 0, "abstain": 0}
    changed = client.post(f"/polls/{poll.id}/vote", data={"choice": "no"})  # a change of vote: the full path
    assert changed.status_code == 303 and loader_calls == [_login_id(client)]
    assert count(Ballot, poll) == 1 and counters(poll) == {"yes": 0, "no": 1, "abstain": 0}


def _end_device_login(user):
    db.session.execute(update(LoginSession).where(LoginSession.user_id == user.id).values(ended_at=utcnow()))


def _expire_device_login(user):
    db.session.execute(update(LoginSession).where(LoginSession.user_id == user.id).values(
        expires_at=utcnow() - timedelta(seconds=1)))


def _bump_session_version(user):
    user.session_version += 1


def _deactivate(user):
    user.active = False


def _delete(user):
    user.deleted_at = utcnow()


@pytest.mark.parametrize("make_stale", [_end_device_login, _expire_device_login, _bump_session_version, _deactivate,
                                        _delete])
def test_a_stale_login_stores_no_ballot_and_is_sent_to_sign_in(app, advisor, voter, make_stale):
    poll = new_poll(advisor)  # the voter is one of its voters: only the login is wrong
    client = client_for(app, voter)
    login_id = _login_id(client)
    make_stale(db.session.get(User, voter.id))
    db.session.commit()
    assert load_user_from_login_id(login_id) is None
    response = client.post(f"/polls/{poll.id}/vote", data={"choice": "yes"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert count(Participation, poll) == 0 and count(Ballot, poll) == 0 and counters(poll)["yes"] == 0


def test_a_login_of_another_device_token_stores_nothing(app, advisor, voter, make_user):
    poll = new_poll(advisor)
    client = client_for(app, make_user("member"))
    user_id, version, _token = _login_id(client_for(app, voter)).split(":")
    forged = f"{user_id}:{version}:not-the-token-of-any-login"
    with client.session_transaction() as session:
        session["_user_id"] = forged
    assert load_user_from_login_id(forged) is None
    assert client.post(f"/polls/{poll.id}/vote", data={"choice": "yes"}).status_code == 302
    assert count(Participation, poll) == 0


def test_a_voter_made_an_adult_after_signing_in_gets_403_and_stores_nothing(app, advisor, voter, loader_calls):
    poll = new_poll(advisor)
    client = client_for(app, voter)
    db.session.get(User, voter.id).role = "advisor"
    db.session.commit()
    assert client.post(f"/polls/{poll.id}/vote", data={"choice": "yes"}).status_code == 403
    assert loader_calls  # refused by the statement, then answered by the route policy on the loaded user
    assert count(Participation, poll) == 0 and count(Ballot, poll) == 0
