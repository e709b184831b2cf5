"""Ballots under concurrency: parallel duplicate submissions (SQLite and PostgreSQL) and a close racing with votes."""

from __future__ import annotations

import os
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from stac_youth.common.errors import ServiceError
from stac_youth.extensions import db
from stac_youth.members.models import User
from stac_youth.polls import ballots, lifecycle
from stac_youth.polls.models import Ballot, Participation, Poll

from .poll_helpers import count as _count
from .poll_helpers import counters as _counters
from .poll_helpers import new_poll as _open

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
REPEATS = int(os.environ.get("STAC_VOTE_REPEATS", "20"))  # the bar: 20 rounds of 50 members × 5 threads


@pytest.fixture
def advisor(make_user):
    return make_user("advisor")


# --- concurrency ------------------------------------------------------------------------------------------------

INTENTS = ("yes", "no", "abstain")


def _vote_in_thread(app, poll_id: int, user_id: int, choice: str) -> str:
    with app.app_context():
        try:
            ballots.cast_ballot(db.session.get(User, user_id), db.session.get(Poll, poll_id), choice)
            return "ok"
        except ServiceError as error:
            return str(error)


def _storm(app, advisor, member_ids: list[int], secret: bool) -> None:
    """50 members x 5 identical submissions in parallel; one participation, one ballot and one count each."""
    poll = _open(advisor, secret=secret)
    poll_id = poll.id
    intents = {user_id: INTENTS[index % 3] for index, user_id in enumerate(member_ids)}
    jobs = [user_id for user_id in member_ids for _ in range(5)]
    random.shuffle(jobs)
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda user_id: _vote_in_thread(app, poll_id, user_id, intents[user_id]), jobs))
    db.session.expire_all()
    poll = db.session.get(Poll, poll_id)
    if secret:
        assert outcomes.count("ok") == len(member_ids)
        assert outcomes.count("You have already voted in this poll.") == 4 * len(member_ids)
    else:
        assert outcomes.count("ok") == len(jobs)
    assert _count(Participation, poll) == len(member_ids) and _count(Ballot, poll) == len(member_ids)
    counters = _counters(poll)
    assert sum(counters.values()) == len(member_ids)
    assert counters == {choice: list(intents.values()).count(choice) for choice in INTENTS}
    lifecycle.close_poll(advisor, poll)
    assert poll.result["counts"] == counters


@pytest.mark.parametrize("secret", [True, False], ids=["secret", "open"])
def test_parallel_duplicate_ballots(app, make_user, advisor, secret):
    """On the suite's database: SQLite, or PostgreSQL under TEST_DATABASE=postgresql (the test below always is).

    Slow by design (tens of seconds): 20 rounds of 250 racing submissions, the bar for no duplicate ballot.
    """
    member_ids = [make_user("member").id for _ in range(50)]
    for _ in range(REPEATS):
        _storm(app, advisor, member_ids, secret)


@pytest.mark.sqlite_only  # under TEST_DATABASE=postgresql the test above is this one
@pytest.mark.parametrize("secret", [True, False], ids=["secret", "open"])
def test_parallel_duplicate_ballots_postgres(make_app, postgres_url, secret):
    """The same storms on PostgreSQL in the SQLite pass; slow by design, as the test above."""
    from flask_migrate import upgrade

    from stac_youth.members.bootstrap import create_account

    pg_app = make_app(SQLALCHEMY_DATABASE_URI=postgres_url)
    with pg_app.app_context():
        upgrade(directory=MIGRATIONS)
        tag = uuid.uuid4().hex[:6]
        advisor = create_account(f"advisor-{tag}@example.test", "Advisor", "correct horse battery staple", "advisor")
        member_ids = [create_account(f"m{n}-{tag}@example.test", f"Member {n}", "correct horse battery staple",
                                     "member").id for n in range(50)]
        for _ in range(REPEATS):
            _storm(pg_app, advisor, member_ids, secret=secret)
        db.session.remove()


def test_close_racing_with_votes(app, make_user, advisor):
    """A close lands among 50 racing votes, 20 rounds: slow by design (the close must land at varied points)."""
    member_ids = [make_user("member").id for _ in range(50)]
    for _ in range(REPEATS):
        poll = _open(advisor, secret=False)
        poll_id, advisor_id = poll.id, advisor.id

        def close_it(poll_id=poll_id, advisor_id=advisor_id):
            with app.app_context():
                lifecycle.close_poll(db.session.get(User, advisor_id), db.session.get(Poll, poll_id))
                return "closed"

        jobs = [lambda user_id=user_id, poll_id=poll_id: _vote_in_thread(app, poll_id, user_id, "yes")
                for user_id in member_ids]
        jobs.insert(random.randint(5, 45), close_it)
        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = list(pool.map(lambda job: job(), jobs))
        db.session.expire_all()
        poll = db.session.get(Poll, poll_id)
        voted = outcomes.count("ok")
        assert outcomes.count("closed") == 1
        assert outcomes.count("This poll is not open for voting.") == len(member_ids) - voted
        participations = db.session.scalars(select(Participation).where(Participation.poll_id == poll_id)).all()
        ballots = db.session.scalars(select(Ballot).where(Ballot.poll_id == poll_id)).all()
        assert len(participations) == len(ballots) == voted
        assert {p.user_id for p in participations} == {b.voter_id for b in ballots}
        assert all(p.created_at <= poll.closed_at for p in participations)
        assert all(b.updated_at <= poll.closed_at for b in ballots)
        assert poll.result["cast"] == voted and poll.result["counts"]["yes"] == voted
