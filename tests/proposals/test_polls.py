"""Poll and ballot services: methods, eligibility, one ballot per member, secrecy, receipts, results, concurrency."""

from __future__ import annotations

import os
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import func, inspect, select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.database import session_is_idle
from stac_youth.common.errors import ServiceError
from stac_youth.common.signals import poll_changed
from stac_youth.extensions import db
from stac_youth.members.models import User
from stac_youth.proposals import polls
from stac_youth.proposals.models import ProposalStatus
from stac_youth.proposals.poll_models import Ballot, Participation, Poll, PollCount, PollEligibility
from tests.query_budget import recorded_statements

from .helpers import make_proposal

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
REPEATS = int(os.environ.get("STAC_VOTE_REPEATS", "20"))  # the bar: 20 rounds of 50 members × 5 threads
YNA = "yes_no_abstain"


def _count(model, poll) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.poll_id == poll.id))


def _counters(poll) -> dict[str, int]:
    """The per-choice counters (the turnout counter is checked against the participations)."""
    rows = db.session.execute(select(PollCount.choice, PollCount.count).where(PollCount.poll_id == poll.id))
    counters = dict(rows.tuples().all())
    assert counters.pop(polls.CAST) == _count(Participation, poll)
    return counters


def _open(advisor, method=YNA, options=None, proposal=None, **settings) -> Poll:
    poll = polls.create_poll(advisor, proposal, "Do we adopt it?", method, options, **settings)
    polls.open_poll(advisor, poll)
    return poll


@pytest.fixture
def advisor(make_user):
    return make_user("advisor")


@pytest.fixture
def members(make_user):
    return [make_user("member") for _ in range(5)]


# --- happy paths per method -------------------------------------------------------------------------------------


def test_yes_no_abstain_poll_passes_and_moves_the_proposal(advisor, members):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    poll = polls.create_poll(advisor, proposal, "Adopt peer support circles?", YNA, None, secret=True,
                             quorum_percent=50, threshold="simple")
    assert poll.status == "draft" and proposal.status == ProposalStatus.IN_DISCUSSION
    polls.open_poll(advisor, poll)
    assert poll.status == "open" and poll.eligible_count == 5 and proposal.status == ProposalStatus.IN_VOTE
    for member, choice in zip(members, ["yes", "yes", "no", "abstain"], strict=False):
        code = polls.cast_ballot(member, poll, choice)
        assert len(code) == 19
    assert polls.turnout(poll) == (4, 5)
    assert _counters(poll) == {"yes": 2, "no": 1, "abstain": 1}
    polls.close_poll(advisor, poll)
    assert poll.status == "closed" and poll.closed_at is not None and poll.outcome == "passed"
    assert poll.result["counts"] == {"yes": 2, "no": 1, "abstain": 1}
    assert poll.result["quorum_met"] is True and poll.result["threshold"] == "simple_majority"
    assert proposal.status == ProposalStatus.PASSED
    assert [event.to_status for event in proposal.events][-2:] == ["in_vote", "passed"]
    query = select(AuditEvent.action).where(AuditEvent.action.like("poll.%")).order_by(AuditEvent.id)
    actions = list(db.session.scalars(query))
    assert actions == ["poll.created", "poll.opened", "poll.closed"]


def test_proposal_not_passed_on_two_thirds_or_without_quorum(advisor, members):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    poll = _open(advisor, proposal=proposal, threshold="two_thirds")
    for member, choice in zip(members, ["yes", "yes", "no", "no"], strict=False):
        polls.cast_ballot(member, poll, choice)
    polls.close_poll(advisor, poll)
    assert poll.outcome == "not_passed" and proposal.status == ProposalStatus.NOT_PASSED

    other = make_proposal(members[1], "in_discussion", advisor=advisor, title="Later start times")
    poll = _open(advisor, proposal=other, quorum_percent=60)
    polls.cast_ballot(members[0], poll, "yes")
    polls.close_poll(advisor, poll)
    assert poll.outcome == "no_quorum" and other.status == ProposalStatus.NOT_PASSED


def test_approval_poll(advisor, members):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    poll = _open(advisor, "approval", ["Wellness", "Transit", "Climate"], proposal=proposal)
    a, b, c = (option.id for option in poll.options)
    polls.cast_ballot(members[0], poll, [a, b])
    polls.cast_ballot(members[1], poll, [b])
    polls.cast_ballot(members[2], poll, [])  # a blank approval ballot counts for turnout
    assert _counters(poll) == {str(a): 1, str(b): 2, str(c): 0}
    polls.close_poll(advisor, poll)
    assert poll.outcome == "passed" and poll.result["winner"] == b and poll.result["cast"] == 3
    assert proposal.status == ProposalStatus.IN_VOTE  # approval polls leave the proposal alone


def test_ranked_choice_poll(advisor, members):
    poll = _open(advisor, "ranked_choice", ["Wellness", "Transit", "Climate"])
    a, b, c = (option.id for option in poll.options)
    for member, ranking in zip(members, [[a, b], [a], [b, a], [c, b], [c, a, b]], strict=True):
        polls.cast_ballot(member, poll, ranking)
    assert _counters(poll) == {str(a): 2, str(b): 1, str(c): 2}  # live counters: first preferences
    polls.close_poll(advisor, poll)
    assert poll.outcome == "passed" and poll.result["winner"] in (a, c)
    assert len(poll.result["rounds"]) >= 2


@pytest.mark.parametrize(("method", "options", "bad"), [
    (YNA, None, "maybe"), (YNA, None, ["yes"]), (YNA, None, None),
    ("approval", ["A", "B"], "yes"), ("approval", ["A", "B"], [999]), ("approval", ["A", "B"], "dup"),
    ("ranked_choice", ["A", "B"], []), ("ranked_choice", ["A", "B"], [True]), ("ranked_choice", ["A", "B"], "dup"),
])
def test_malformed_ballots_are_refused(advisor, members, method, options, bad):
    poll = _open(advisor, method, options)
    if bad == "dup":
        bad = [poll.options[0].id, poll.options[0].id]
    with pytest.raises(ServiceError):
        polls.cast_ballot(members[0], poll, bad)
    assert _count(Participation, poll) == 0 and _count(Ballot, poll) == 0


@pytest.mark.parametrize(("changes", "field"), [
    ({"question": " "}, "question"), ({"method": "plurality"}, "method"), ({"quorum_percent": 101}, "quorum_percent"),
    ({"threshold": "unanimous"}, "threshold"), ({"method": "approval", "options": ["Only one"]}, "options"),
    ({"method": "approval", "options": ["Same", "same"]}, "options"),
])
def test_create_poll_validates(advisor, changes, field):
    values = {"question": "Which theme?", "method": YNA, "options": None, "quorum_percent": 0, "threshold": "simple"}
    values.update(changes)
    with pytest.raises(ServiceError) as refused:
        polls.create_poll(advisor, None, **values)
    assert refused.value.field == field


def test_only_advisors_create_open_and_close(make_user, advisor):
    for role in ("member", "planner"):
        with pytest.raises(ServiceError):
            polls.create_poll(make_user(role), None, "Q?", YNA)
    poll = polls.create_poll(advisor, None, "Q?", YNA)
    with pytest.raises(ServiceError):
        polls.open_poll(make_user("member"), poll)
    polls.open_poll(advisor, poll)
    with pytest.raises(ServiceError):
        polls.open_poll(advisor, poll)
    with pytest.raises(ServiceError):
        polls.close_poll(make_user("planner"), poll)
    polls.close_poll(advisor, poll)
    with pytest.raises(ServiceError):
        polls.close_poll(advisor, poll)


# --- eligibility and one ballot per member ----------------------------------------------------------------------


def test_adults_and_late_members_cannot_vote(make_user, advisor, members):
    poll = _open(advisor)
    for role in ("advisor", "planner", "admin"):
        with pytest.raises(ServiceError):
            polls.cast_ballot(make_user(role), poll, "yes")
    late = make_user("member")
    with pytest.raises(ServiceError, match="opened before you joined"):
        polls.cast_ballot(late, poll, "yes")
    assert _count(PollEligibility, poll) == 5 and _count(Participation, poll) == 0


def test_a_remembered_poll_that_is_not_the_one_stored_refuses_the_ballot_and_is_forgotten(advisor, members):
    poll = _open(advisor, secret=True)
    assert polls.ballot_target(poll.id) == (poll.id, poll.method, True)
    # As if the poll had been deleted and its id given to a new, open one: what this process remembers is wrong.
    stale = polls.BallotTarget(poll.id, poll.method, False)
    polls._known_targets()[poll.id] = stale
    with pytest.raises(ServiceError, match="not open"):
        polls.cast_ballot(members[0], stale, "yes")
    assert _count(Participation, poll) == 0 and _count(Ballot, poll) == 0
    assert polls.ballot_target(poll.id) == (poll.id, poll.method, True)  # read again from the database
    polls.cast_ballot(members[0], polls.ballot_target(poll.id), "yes")
    assert _count(Participation, poll) == 1 and _count(Ballot, poll) == 1


def test_duplicate_secret_ballot_is_refused_and_final(advisor, members):
    poll = _open(advisor, secret=True)
    polls.cast_ballot(members[0], poll, "yes")
    with pytest.raises(ServiceError) as refused:
        polls.cast_ballot(members[0], poll, "no")
    assert str(refused.value) == "You have already voted in this poll."
    assert _count(Participation, poll) == 1 and _count(Ballot, poll) == 1
    assert _counters(poll) == {"yes": 1, "no": 0, "abstain": 0}


def test_a_first_ballot_is_dated_and_counted_as_the_orm_reads_it(advisor, members):
    poll = _open(advisor, secret=False)
    when = datetime(2031, 3, 4, 5, 6, 7, 890123)
    with freeze_time(when):
        polls.cast_ballot(members[0], poll, "abstain")
    db.session.expire_all()
    participation = db.session.scalar(select(Participation).where(Participation.poll_id == poll.id))
    ballot = db.session.scalar(select(Ballot).where(Ballot.poll_id == poll.id))
    assert (participation.user_id, participation.created_at) == (members[0].id, when)
    assert (ballot.voter_id, ballot.updated_at, ballot.choice_data) == (members[0].id, when, "abstain")
    assert _counters(poll) == {"yes": 0, "no": 0, "abstain": 1}


def test_a_ballot_sees_and_commits_what_the_session_holds_when_it_is_not_idle(advisor, members, make_user):
    poll = _open(advisor)
    db.session.commit()
    late = make_user("member")  # joined after the poll opened: made a voter here, in the session, not committed yet
    db.session.add(PollEligibility(poll_id=poll.id, user_id=late.id))
    db.session.flush()
    assert not session_is_idle(db.session)
    polls.cast_ballot(late, poll, "yes")  # in the session's transaction, which has the eligibility row
    db.session.rollback()  # nothing left to undo: the ballot's commit took the eligibility row with it
    assert db.session.get(PollEligibility, (poll.id, late.id)) is not None
    assert _count(Participation, poll) == 1 and _counters(poll) == {"yes": 1, "no": 0, "abstain": 0}


def test_a_change_of_vote_takes_the_lock_again_in_a_transaction_of_its_own(advisor, members, make_user):
    poll = _open(advisor, secret=False)
    polls.cast_ballot(members[0], poll, "yes")
    db.session.commit()
    assert session_is_idle(db.session)
    polls.cast_ballot(members[0], poll, "no")
    assert session_is_idle(db.session)
    assert _count(Participation, poll) == 1 and _count(Ballot, poll) == 1
    assert _counters(poll) == {"yes": 0, "no": 1, "abstain": 0}
    late = make_user("member")  # joined after the poll opened
    db.session.commit()
    with pytest.raises(ServiceError, match="not one of the voters"):
        polls.cast_ballot(late, poll, "yes")
    assert _count(Participation, poll) == 1


def test_open_poll_vote_change_keeps_one_participation_and_ballot(advisor, members):
    poll = _open(advisor, secret=False)
    first = polls.cast_ballot(members[0], poll, "yes")
    second = polls.cast_ballot(members[0], poll, "no")
    assert _count(Participation, poll) == 1 and _count(Ballot, poll) == 1
    assert _counters(poll) == {"yes": 0, "no": 1, "abstain": 0}
    ballot = db.session.scalar(select(Ballot).where(Ballot.poll_id == poll.id))
    assert ballot.voter_id == members[0].id and ballot.updated_at is not None and ballot.choice_data == "no"
    assert polls.verify_receipt(poll, second) and not polls.verify_receipt(poll, first)
    polls.close_poll(advisor, poll)
    assert poll.result["counts"] == {"yes": 0, "no": 1, "abstain": 0}


def test_a_first_ballot_takes_one_statement_on_postgresql_and_three_on_sqlite(advisor, members):
    poll = _open(advisor, method="approval", options=["Parks", "Buses", "Libraries"], secret=True)
    options = polls.option_ids(poll.id)
    db.session.commit()
    with recorded_statements(db.engine) as statements:
        polls.cast_ballot(members[0], poll, [options[0], options[2]])
    writes = [statement for statement in statements if not statement.lstrip().upper().startswith("SELECT")]
    # Every round trip made under the poll's lock holds up the other voters of the poll.
    assert len(writes) == (1 if db.engine.dialect.name == "postgresql" else 3), statements
    # A transaction of its own, outside the session: on PostgreSQL no BEGIN or COMMIT round trip either.
    assert session_is_idle(db.session)
    assert _count(Participation, poll) == 1 and _count(Ballot, poll) == 1
    assert _counters(poll) == {str(options[0]): 1, str(options[1]): 0, str(options[2]): 1}
    ballot = db.session.scalar(select(Ballot).where(Ballot.poll_id == poll.id))
    assert ballot.voter_id is None and ballot.updated_at is None
    with pytest.raises(ServiceError, match="already voted"):
        polls.cast_ballot(members[0], poll, [options[1]])
    assert _counters(poll) == {str(options[0]): 1, str(options[1]): 0, str(options[2]): 1}


def test_vote_after_close_is_refused(advisor, members):
    poll = _open(advisor)
    polls.close_poll(advisor, poll)
    with pytest.raises(ServiceError, match="not open"):
        polls.cast_ballot(members[0], poll, "yes")
    draft = polls.create_poll(advisor, None, "Not yet?", YNA)
    with pytest.raises(ServiceError, match="not open"):
        polls.cast_ballot(members[0], draft, "yes")
    assert _count(Participation, poll) == 0


# --- secrecy, receipts, results ---------------------------------------------------------------------------------


def test_secret_ballots_carry_no_voter_time_or_link(advisor, members):
    poll = _open(advisor, secret=True)
    for member in members:
        polls.cast_ballot(member, poll, "yes")
    rows = db.session.execute(select(Ballot.voter_id, Ballot.updated_at).where(Ballot.poll_id == poll.id)).all()
    assert len(rows) == 5 and all(voter is None and updated is None for voter, updated in rows)
    inspector = inspect(db.engine)
    ballot_columns = {column["name"] for column in inspector.get_columns("ballots")}
    assert ballot_columns == {"id", "poll_id", "choices", "receipt_hash", "voter_id", "updated_at"}
    assert {fk["referred_table"] for fk in inspector.get_foreign_keys("ballots")} == {"polls", "users"}
    participation_columns = {column["name"] for column in inspector.get_columns("poll_participations")}
    assert participation_columns == {"id", "poll_id", "user_id", "created_at"}
    assert "poll_participations" not in {fk["referred_table"] for fk in inspector.get_foreign_keys("ballots")}
    assert "ballots" not in {fk["referred_table"] for fk in inspector.get_foreign_keys("poll_participations")}
    ids = [row for row in db.session.scalars(select(Ballot.id).where(Ballot.poll_id == poll.id))]
    assert all(len(ballot_id) == 32 for ballot_id in ids)
    if db.engine.dialect.name == "sqlite":  # no hidden rowid to betray the order of casting
        with pytest.raises(Exception, match="rowid"):
            db.session.execute(db.text("SELECT rowid FROM ballots")).all()
        db.session.rollback()


def test_receipts_verify(advisor, members):
    poll = _open(advisor, secret=True)
    code = polls.cast_ballot(members[0], poll, "abstain")
    assert polls.verify_receipt(poll, code)
    assert polls.verify_receipt(poll, code.lower().replace("-", " "))
    assert not polls.verify_receipt(poll, "AAAA-BBBB-CCCC-DDDD")
    assert not polls.verify_receipt(poll, "")
    other = _open(advisor, secret=True)
    assert not polls.verify_receipt(other, code)


def test_hidden_results_are_hidden_for_every_role_until_close(make_user, advisor, members):
    viewers = [members[0], advisor, make_user("planner"), make_user("admin")]
    poll = _open(advisor, secret=True, results_live=False)
    polls.cast_ballot(members[0], poll, "yes")
    assert all(polls.results(viewer, poll) is None for viewer in viewers)
    polls.close_poll(advisor, poll)
    final = [polls.results(viewer, poll) for viewer in viewers]
    assert all(result["final"] and result["counts"]["yes"] == 1 for result in final)
    assert str(members[0].id) not in {str(value) for value in final[0].values() if not isinstance(value, dict)}


def test_live_results_show_counters_and_turnout(advisor, members):
    poll = _open(advisor, results_live=True)
    polls.cast_ballot(members[0], poll, "yes")
    polls.cast_ballot(members[1], poll, "no")
    live = polls.results(members[2], poll)
    assert live == {"final": False, "counts": {"yes": 1, "no": 1, "abstain": 0}, "cast": 2, "eligible": 5,
                    "turnout": 40.0}


def test_poll_changed_is_sent_after_commit(advisor, members):
    seen = []

    def receiver(poll_id, what):
        seen.append((poll_id, what, db.session.get(Poll, poll_id).status))

    poll_changed.connect(receiver)
    try:
        poll = _open(advisor)
        polls.cast_ballot(members[0], poll, "yes")
        polls.close_poll(advisor, poll)
    finally:
        poll_changed.disconnect(receiver)
    assert seen == [(poll.id, "opened", "open"), (poll.id, "ballot", "open"), (poll.id, "closed", "closed")]


# --- concurrency ------------------------------------------------------------------------------------------------

INTENTS = ("yes", "no", "abstain")


def _vote_in_thread(app, poll_id: int, user_id: int, choice: str) -> str:
    with app.app_context():
        try:
            polls.cast_ballot(db.session.get(User, user_id), db.session.get(Poll, poll_id), choice)
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
    polls.close_poll(advisor, poll)
    assert poll.result["counts"] == counters


@pytest.mark.parametrize("secret", [True, False], ids=["secret", "open"])
def test_parallel_duplicate_ballots(app, make_user, advisor, secret):
    """On the suite's database: SQLite, or PostgreSQL under TEST_DATABASE=postgresql (the test below always is)."""
    member_ids = [make_user("member").id for _ in range(50)]
    for _ in range(REPEATS):
        _storm(app, advisor, member_ids, secret)


@pytest.mark.parametrize("secret", [True, False], ids=["secret", "open"])
def test_parallel_duplicate_ballots_postgres(make_app, postgres_url, secret):
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
    member_ids = [make_user("member").id for _ in range(50)]
    for _ in range(REPEATS):
        poll = _open(advisor, secret=False)
        poll_id, advisor_id = poll.id, advisor.id

        def close_it(poll_id=poll_id, advisor_id=advisor_id):
            with app.app_context():
                polls.close_poll(db.session.get(User, advisor_id), db.session.get(Poll, poll_id))
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


def test_a_secret_poll_cannot_show_live_results(advisor):
    with pytest.raises(ServiceError, match="A secret poll shows its results only when it closes.") as refused:
        polls.create_poll(advisor, None, "Secret and live?", YNA, secret=True, results_live=True)
    assert refused.value.field == "results_live"
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0
