"""Poll use cases: create, open (eligibility fixed), cast a ballot, close and tally, results and receipts.

Locking: every vote transaction and the close start with an UPDATE of the poll row guarded by status = 'open'. On
SQLite that statement opens the write transaction (the busy timeout queues it), on PostgreSQL it takes the poll row's
lock; either way votes and the close of one poll run one after the other, and a vote that comes after the close finds
no open poll. The UNIQUE (poll_id, user_id) constraint on participations is what finally holds one ballot per member.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import json
import secrets
from datetime import datetime
from fractions import Fraction
from typing import NamedTuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, bindparam, exists, func, insert, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from ..common.audit import record_audit
from ..common.database import (
    autocommit_connection,
    commit_keeping_loaded,
    execute_on_cursor,
    own_connection,
    session_is_idle,
    session_unused_or_idle,
)
from ..common.errors import ServiceError
from ..common.roles import Role
from ..common.signals import poll_changed
from ..common.time import utcnow
from ..common.tokens import hash_token
from ..extensions import db
from ..members import login_claims
from ..members.models import User
from . import notices, tally
from .models import Proposal, ProposalStatus
from .poll_models import (
    Ballot,
    Participation,
    Poll,
    PollCount,
    PollEligibility,
    PollMethod,
    PollOption,
    PollStatus,
    PollThreshold,
)
from .services import _event

MAX_QUESTION = 200
MAX_LABEL = 200
MAX_OPTIONS = 20
POLL_MANAGERS = frozenset({Role.ADVISOR, Role.ADMIN})
#: proposal statuses from which a poll may take the proposal to the vote
VOTABLE_PROPOSAL = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.IN_DISCUSSION})
THRESHOLDS = {PollThreshold.SIMPLE: tally.Threshold.SIMPLE_MAJORITY,
              PollThreshold.TWO_THIRDS: tally.Threshold.TWO_THIRDS}

ALREADY_VOTED = _l("You have already voted in this poll.")


class InvalidBallot(ServiceError):
    """The ballot does not fit the poll (unknown option, wrong shape): a bad request, not a conflict."""

    def __init__(self, message=None):
        super().__init__(message or _l("That ballot is not valid for this poll. Reload the page and try again."))


def _require_manager(user) -> None:
    if user is None or user.role not in POLL_MANAGERS or not user.is_active:
        raise ServiceError(_l("Only advisors can manage polls."))


def create_poll(advisor, proposal: Proposal | None, question: str, method: str, options: list[str] | None = None,
                secret: bool = False, results_live: bool = False, quorum_percent: int = 0,
                threshold: str = PollThreshold.SIMPLE, agenda_item=None, opens_at: datetime | None = None,
                closes_at: datetime | None = None) -> Poll:
    """An advisor drafts a poll on a proposal or an agenda item; opens_at / closes_at (UTC) schedule it."""
    _require_manager(advisor)
    question = (question or "").strip()
    if not question:
        raise ServiceError(_l("Write the question of the poll."), field="question")
    if len(question) > MAX_QUESTION:
        raise ServiceError(_l("The question can be at most %(n)d characters.", n=MAX_QUESTION), field="question")
    if method not in set(PollMethod):
        raise ServiceError(_l("Choose how members vote."), field="method")
    if threshold not in set(PollThreshold):
        raise ServiceError(_l("Choose the majority needed."), field="threshold")
    if secret and results_live:  # counts moving as a known person votes would tell what they voted
        raise ServiceError(_l("A secret poll shows its results only when it closes."), field="results_live")
    if isinstance(quorum_percent, bool) or not isinstance(quorum_percent, int) or not 0 <= quorum_percent <= 100:
        raise ServiceError(_l("The quorum is a percentage from 0 to 100."), field="quorum_percent")
    labels = [(label or "").strip() for label in (options or [])]
    if method == PollMethod.YES_NO_ABSTAIN:
        labels = []
    else:
        if len(labels) < 2 or any(not label for label in labels):
            raise ServiceError(_l("Give the poll at least two options, none of them empty."), field="options")
        if len(labels) > MAX_OPTIONS:
            raise ServiceError(_l("A poll can have at most %(n)d options.", n=MAX_OPTIONS), field="options")
        if any(len(label) > MAX_LABEL for label in labels):
            raise ServiceError(_l("An option can be at most %(n)d characters.", n=MAX_LABEL), field="options")
        if len({label.casefold() for label in labels}) != len(labels):
            raise ServiceError(_l("Two options have the same text."), field="options")
    if proposal is not None and proposal.status not in VOTABLE_PROPOSAL:
        raise ServiceError(_l("This proposal cannot be put to a vote now."))
    _check_schedule(opens_at, closes_at)
    poll = Poll(proposal_id=proposal.id if proposal is not None else None,
                agenda_item_id=agenda_item.id if agenda_item is not None else None,
                question=question, method=str(method), secret=bool(secret), results_live=bool(results_live),
                quorum_percent=quorum_percent, threshold=str(threshold), status=PollStatus.DRAFT,
                created_by_id=advisor.id, created_at=utcnow(), opens_at=opens_at, closes_at=closes_at)
    poll.options = [PollOption(position=index, label=label) for index, label in enumerate(labels)]
    db.session.add(poll)
    db.session.flush()
    record_audit("poll.created", actor=advisor, poll_id=poll.id, proposal_id=poll.proposal_id,
                 agenda_item_id=poll.agenda_item_id, method=poll.method, secret=poll.secret)
    db.session.commit()
    return poll


def _check_schedule(opens_at: datetime | None, closes_at: datetime | None) -> None:
    now = utcnow()
    if opens_at is not None and opens_at <= now:
        raise ServiceError(_l("The opening time must be in the future."), field="opens_at")
    if closes_at is not None and closes_at <= (opens_at or now):
        raise ServiceError(_l("The closing time must come after the opening."), field="closes_at")


#: the counter of members who voted (turnout), kept beside the per-choice counters
CAST = "_cast"


def _counter_keys(poll: Poll) -> list[str]:
    if poll.method == PollMethod.YES_NO_ABSTAIN:
        return [*tally.CHOICES, CAST]
    return [*(str(option.id) for option in poll.options), CAST]


def open_poll(advisor, poll: Poll) -> None:
    """Open a draft poll: the active members at this moment are its voters, for good."""
    _require_manager(advisor)
    _open(advisor, poll)


def _open(actor, poll: Poll) -> None:
    """Open the poll on behalf of an advisor, or of the schedule when actor is None."""
    if poll.status != PollStatus.DRAFT:
        raise ServiceError(_l("Only a draft poll can be opened."))
    proposal = poll.proposal
    if proposal is not None and proposal.status not in VOTABLE_PROPOSAL:
        raise ServiceError(_l("This proposal cannot be put to a vote now."))
    moved = db.session.execute(
        update(Poll).where(Poll.id == poll.id, Poll.status == PollStatus.DRAFT)
        .values(status=PollStatus.OPEN).execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise ServiceError(_l("Only a draft poll can be opened."))
    now = utcnow()
    members = select(User.id).where(User.role == Role.MEMBER, User.active.is_(True), User.deleted_at.is_(None))
    regions = _meeting_regions(poll)
    if regions:  # a poll in a regional meeting is for the members of its regions
        members = members.where(User.region_id.in_(regions))
    voter_ids = list(db.session.scalars(members))
    db.session.add_all(PollEligibility(poll_id=poll.id, user_id=user_id) for user_id in voter_ids)
    db.session.add_all(PollCount(poll_id=poll.id, choice=key, count=0) for key in _counter_keys(poll))
    poll.status = PollStatus.OPEN
    poll.opened_at = now
    poll.eligible_count = len(voter_ids)
    if proposal is not None:
        previous = proposal.status
        proposal.status = ProposalStatus.IN_VOTE
        proposal.updated_at = now
        _event(proposal, actor or poll.created_by, ProposalStatus.IN_VOTE, previous)
    record_audit("poll.opened", actor=actor, scheduled=actor is None, poll_id=poll.id, proposal_id=poll.proposal_id,
                 eligible=len(voter_ids), method=poll.method, secret=poll.secret)
    db.session.commit()
    poll_changed.send(poll.id, what="opened")
    notices.poll_opened(poll)


def _meeting_regions(poll: Poll) -> list[int]:
    """The regions of the meeting an agenda-item poll belongs to ([] for statewide meetings and other polls)."""
    if poll.agenda_item is None:
        return []
    return [region.id for region in poll.agenda_item.meeting.regions]


def accepting_votes(poll: Poll) -> bool:
    """Open and not past its closing time (a vote then is refused even before the schedule closes it)."""
    return poll.status == PollStatus.OPEN and (poll.closes_at is None or poll.closes_at > utcnow())


class BallotTarget(NamedTuple):
    """What casting a ballot needs to know of a poll, read without loading the ORM object."""

    id: int
    method: str
    secret: bool


_BALLOT_TARGET = select(Poll.__table__.c.id, Poll.__table__.c.method, Poll.__table__.c.secret).where(
    Poll.__table__.c.id == bindparam("poll_id"))


KNOWN_TARGETS_MAX = 1024


def _known_targets() -> dict[int, BallotTarget]:
    """poll id -> BallotTarget, kept by each app in each process: a poll's method and secrecy never change, and
    cast_ballot reads them again under the poll's lock, so a stale entry (a deleted poll whose id came back) is
    caught and dropped there."""
    return current_app.extensions.setdefault("stac_ballot_targets", {})


def ballot_target(poll_id: int) -> BallotTarget | None:
    """The poll's id, method and ballot secrecy, or None when there is no such poll."""
    known = _known_targets()
    target = known.get(poll_id)
    if target is None:
        if session_unused_or_idle(db.session):  # as on the vote's first-ballot path: no Session made for it
            with own_connection(db.engine, autocommit=True) as connection:
                row = connection.execute(_BALLOT_TARGET, {"poll_id": poll_id}).first()
        else:
            row = db.session.connection().execute(_BALLOT_TARGET, {"poll_id": poll_id}).first()
        if row is None:
            return None
        if len(known) >= KNOWN_TARGETS_MAX:
            known.clear()
        target = known[poll_id] = BallotTarget(*row)
    return target


_OPTIONS = PollOption.__table__
_OPTION_IDS = select(_OPTIONS.c.id).where(_OPTIONS.c.poll_id == bindparam("poll_id")).order_by(_OPTIONS.c.position)


def option_ids(poll_id: int) -> list[int]:
    """The ids of the poll's options, in their order on the ballot."""
    if session_unused_or_idle(db.session):  # as ballot_target: the vote's first-ballot path makes no Session
        with own_connection(db.engine, autocommit=True) as connection:
            return _option_ids_on(connection, poll_id)
    return list(db.session.scalars(_OPTION_IDS, {"poll_id": poll_id}))


def _normalise_choices(method: str, option_ids: list[int], choices):
    """The ballot as stored (JSON-ready), or ServiceError for a malformed one."""
    if method == PollMethod.YES_NO_ABSTAIN:
        if not isinstance(choices, str) or choices not in tally.CHOICES:
            raise InvalidBallot()
        return choices
    if not isinstance(choices, list | tuple) or any(isinstance(c, bool) or not isinstance(c, int) for c in choices):
        raise InvalidBallot()
    if len(set(choices)) != len(choices) or not set(choices) <= set(option_ids):
        raise InvalidBallot()
    if method == PollMethod.APPROVAL:  # any subset, the empty one included (a blank ballot counts for turnout)
        return sorted(choices, key=option_ids.index)
    if not choices:  # ranked choice: at least one preference, in order
        raise InvalidBallot(_l("Rank at least one option."))
    return list(choices)


def counted_keys(method: str, choices) -> list[str]:
    """The counters a ballot adds one to."""
    if method == PollMethod.YES_NO_ABSTAIN:
        return [choices]
    if method == PollMethod.APPROVAL:
        return [str(option) for option in choices]
    return [str(choices[0])]  # ranked choice: live counters show first preferences


def _bump(connection, poll_id: int, keys: list[str], by: int) -> None:
    """Add `by` to each named counter of the poll, in one statement."""
    if keys:
        connection.execute(_BUMP, {"the_poll": poll_id, "keys": keys, "by": by})


RECEIPT_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
RECEIPT_LENGTH = 16


def _new_receipt() -> str:
    """A receipt code people can copy: 16 base32 characters in groups of four."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def new_receipt() -> str:
    """A fresh receipt code for a vote form."""
    return _new_receipt()


def normalise_receipt(code) -> str | None:
    """The code in its printed form (four groups of four, like ABCD-EFGH-IJKL-MNOP), or None if it is not one."""
    if not isinstance(code, str) or len(code) > 40:
        return None
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(raw) != RECEIPT_LENGTH or not set(raw) <= RECEIPT_ALPHABET:
        return None
    return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def _receipt_hash(code: str) -> str:
    return hash_token("".join(ch for ch in str(code).upper() if ch.isalnum()))


# The vote's statements are built once (on the tables, below the ORM): a ballot is the hottest write of the app.
_POLLS, _COUNTS = Poll.__table__, PollCount.__table__
_ELIGIBILITY, _PARTICIPATIONS, _BALLOTS = PollEligibility.__table__, Participation.__table__, Ballot.__table__
_IS_VOTER = select(
    exists().where(_ELIGIBILITY.c.poll_id == bindparam("poll_id"), _ELIGIBILITY.c.user_id == bindparam("user_id")))
_ADD_BALLOT = insert(_BALLOTS)

# A first ballot's statements are written out and sent to the driver as they are (execute_on_cursor): SQLAlchemy's
# compiling and parameter handling cost more than SQLite's work on them, about a tenth of the ballot's request, and
# an IN list of bound values would be compiled again on every ballot. Times are converted by SQLAlchemy's own
# conversion for the column type, so they compare and read back like every other stored time.
#
# SQLite (no data-modifying WITH): INSERT the participation only while the poll is open with the method and secrecy
# voted for, and only for one of its voters who has not voted yet (it returns a row for a first vote; nothing is
# written and no error raised otherwise), then the ballot and the counters. The INSERT takes the database's write
# lock, written or not, and the transaction holds it; when nothing was written, the lock UPDATE (which changes
# nothing) reads whether the poll is still open. No write touches the poll's row on a first ballot.
_SQLITE_PARTICIPATION = (
    "INSERT INTO poll_participations (poll_id, user_id, created_at) SELECT ?, ?, ?"
    " WHERE EXISTS (SELECT 1 FROM poll_eligibility WHERE poll_id = ? AND user_id = ?)"
    " AND EXISTS (SELECT 1 FROM polls WHERE id = ? AND status = ? AND (closes_at IS NULL OR closes_at > ?)"
    " AND method = ? AND secret = ?){login}"
    " ON CONFLICT (poll_id, user_id) DO NOTHING RETURNING poll_id")
_FIRST_BALLOT_SQLITE_PARTICIPATION = _SQLITE_PARTICIPATION.format(login="")
# The same, written only when the login the session cookie names is an open login of the member (login_claims).
_CLAIMED_BALLOT_SQLITE_PARTICIPATION = _SQLITE_PARTICIPATION.format(
    login=" AND " + login_claims.open_login_condition("sqlite"))
_FIRST_BALLOT_SQLITE_LOCK = (
    "UPDATE polls SET status = status WHERE id = ? AND status = ? AND (closes_at IS NULL OR closes_at > ?)"
    " RETURNING method, secret")
_FIRST_BALLOT_SQLITE_BALLOT = (
    "INSERT INTO ballots (id, poll_id, choices, receipt_hash, voter_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
_FIRST_BALLOT_SQLITE_COUNTERS = "UPDATE poll_counts SET count = count + 1 WHERE poll_id = ? AND choice IN ({})"
_SQLITE = sqlite.dialect()
_SQLITE_TIME = DateTime().dialect_impl(_SQLITE).bind_processor(_SQLITE)

# PostgreSQL: the same in one round trip, as data-modifying WITH queries. It answers no row when the poll is not
# open, else the stored method and secrecy and whether the participation was written. Each round trip made while
# the poll's lock is held makes every other voter of the poll wait: step by step, that was four before the commit.
_FIRST_BALLOT_POSTGRESQL = """
WITH poll AS (
    UPDATE polls SET status = status
    WHERE id = %(poll_id)s::INTEGER AND status = %(open)s
      AND (closes_at IS NULL OR closes_at > %(now)s::TIMESTAMP WITHOUT TIME ZONE)
    RETURNING method, secret),
participation AS (
    INSERT INTO poll_participations (poll_id, user_id, created_at)
    SELECT %(poll_id)s::INTEGER, %(user_id)s::INTEGER, %(now)s::TIMESTAMP WITHOUT TIME ZONE FROM poll
    WHERE poll.method = %(method)s::VARCHAR AND poll.secret = %(secret)s::BOOLEAN
      AND EXISTS (SELECT 1 FROM poll_eligibility
                  WHERE poll_id = %(poll_id)s::INTEGER AND user_id = %(user_id)s::INTEGER){login}
    ON CONFLICT (poll_id, user_id) DO NOTHING
    RETURNING poll_id),
ballot AS (
    INSERT INTO ballots (id, poll_id, choices, receipt_hash, voter_id, updated_at)
    SELECT %(ballot_id)s::VARCHAR, poll_id, %(choices)s::TEXT, %(receipt_hash)s::VARCHAR, %(voter_id)s::INTEGER,
           %(updated_at)s::TIMESTAMP WITHOUT TIME ZONE
    FROM participation),
counters AS (
    UPDATE poll_counts SET count = count + 1
    WHERE poll_id = %(poll_id)s::INTEGER AND choice = ANY(%(keys)s::VARCHAR[]) AND EXISTS (SELECT 1 FROM participation))
SELECT poll.method, poll.secret, EXISTS (SELECT 1 FROM participation) AS written FROM poll
"""
_CLAIMED_BALLOT_POSTGRESQL = _FIRST_BALLOT_POSTGRESQL.format(
    login="\n      AND " + login_claims.open_login_condition("postgresql"))
_FIRST_BALLOT_POSTGRESQL = _FIRST_BALLOT_POSTGRESQL.format(login="")
_BUMP = (update(_COUNTS).where(_COUNTS.c.poll_id == bindparam("the_poll"),
                               _COUNTS.c.choice.in_(bindparam("keys", expanding=True)))
         .values(count=_COUNTS.c.count + bindparam("by")))


def cast_ballot(member, poll: Poll, choices, receipt: str | None = None) -> str:
    """Record a member's ballot and return its receipt code.

    On an open (non-secret) poll a second ballot replaces the first; on a secret poll the first is final. The vote
    form carries a receipt code made when the page was drawn, so a double click sends the same code twice and the
    voter can still be shown it (see verify_receipt); without one, a new code is made here.
    """
    poll_id, member_id = poll.id, member.id
    if member.role != Role.MEMBER or not member.is_active:
        raise ServiceError(_l("Only student members vote in polls."))
    stored, code, ballot = _prepared_ballot(poll, member_id, choices, receipt, option_ids)
    try:
        if not session_is_idle(db.session):  # what the session holds must be seen, and committed with the ballot
            _ballot_under_lock(db.session.connection(), poll, member_id, stored, ballot)
            commit_keeping_loaded(db.session)  # the vote is the hot path: the voter and poll need no reload
        elif not _first_ballot_alone(poll, member_id, stored, ballot):
            with db.engine.begin() as connection:  # a transaction of its own, without the ORM's bookkeeping
                _ballot_under_lock(connection, poll, member_id, stored, ballot)
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(ALREADY_VOTED) from None
    except BaseException:
        db.session.rollback()
        raise
    poll_changed.send(poll_id, what="ballot")
    return code


def cast_claimed_first_ballot(claim: login_claims.LoginClaim, poll: BallotTarget, choices,
                              receipt: str | None = None) -> str | None:
    """A first ballot from the login a session cookie names, unloaded and unchecked (members.login_claims): written,
    with its receipt code returned, only if that login is an open login of an active member who is one of the open
    poll's voters and has not voted, all checked by the statement that writes it. None when nothing was written,
    whatever the reason (a stale login, an adult, a change of vote, a closed poll, a malformed ballot, or a database
    session holding work of its own): the caller then loads the user and answers through cast_ballot."""
    if not session_unused_or_idle(db.session):
        return None
    try:
        if db.engine.dialect.name == "postgresql":
            with own_connection(db.engine, autocommit=True) as connection:  # the one statement commits by itself
                stored, code, ballot = _prepared_ballot(poll, claim.user_id, choices, receipt,
                                                        lambda poll_id: _option_ids_on(connection, poll_id))
                written = _first_ballot_in_one_statement(connection, poll, claim.user_id, stored, ballot, claim)
        else:
            with db.engine.begin() as connection:  # nothing written: an empty transaction, committed
                stored, code, ballot = _prepared_ballot(poll, claim.user_id, choices, receipt,
                                                        lambda poll_id: _option_ids_on(connection, poll_id))
                written = _first_ballot_step_by_step(connection, poll, claim.user_id, stored, ballot, claim)
    except (ServiceError, IntegrityError):
        return None
    if not written:
        return None
    poll_changed.send(poll.id, what="ballot")
    return code


def _prepared_ballot(poll, member_id: int, choices, receipt: str | None, options_of) -> tuple:
    """(choices as stored, receipt code, the ballot row's values), or InvalidBallot; options_of(poll id) reads the
    poll's option ids when the method has options."""
    stored = _normalise_choices(poll.method, options_of(poll.id) if poll.method != PollMethod.YES_NO_ABSTAIN else [],
                                choices)
    code = normalise_receipt(receipt) if receipt else _new_receipt()
    if code is None:
        raise InvalidBallot()
    ballot = {"ballot_id": secrets.token_hex(16), "choices": json.dumps(stored), "receipt_hash": _receipt_hash(code),
              "voter_id": None if poll.secret else member_id}
    return stored, code, ballot


def _option_ids_on(connection, poll_id: int) -> list[int]:
    """option_ids, read on the given connection."""
    return list(connection.scalars(_OPTION_IDS, {"poll_id": poll_id}))


def _check_locked(poll: Poll, locked) -> None:
    """ServiceError unless the poll's lock was taken and the stored poll has the method and secrecy voted for."""
    if locked is None:
        raise ServiceError(_l("This poll is not open for voting."))
    if tuple(locked) != (poll.method, poll.secret):  # a poll's method never changes: this one is another poll
        _known_targets().pop(poll.id, None)
        raise ServiceError(_l("This poll is not open for voting."))


def _first_ballot_alone(poll: Poll, member_id: int, stored, ballot: dict) -> bool:
    """PostgreSQL: the first-ballot statement as a transaction of its own, without the BEGIN and COMMIT round trips.
    False when it wrote nothing (a change of vote or a refusal, which take the poll's lock again in a transaction),
    and at once on SQLite, whose first ballot is several statements."""
    if db.engine.dialect.name != "postgresql":
        return False
    with autocommit_connection(db.session) as connection:  # the one statement commits by itself
        return _first_ballot_in_one_statement(connection, poll, member_id, stored, ballot)


def _ballot_under_lock(connection, poll: Poll, member_id: int, stored, ballot: dict) -> None:
    """In the connection's transaction: a first ballot, or else a change of vote or a refusal, under the poll's lock
    (which the first statement takes and the transaction holds)."""
    if connection.dialect.name == "postgresql":
        written = _first_ballot_in_one_statement(connection, poll, member_id, stored, ballot)
    else:
        written = _first_ballot_step_by_step(connection, poll, member_id, stored, ballot)
    if not written:
        _change_of_vote(connection, poll, member_id, stored, ballot)


def _first_ballot_step_by_step(connection, poll: Poll, member_id: int, stored, ballot: dict,
                               claim: login_claims.LoginClaim | None = None) -> bool:
    """SQLite: write the participation (while the poll is open, for a voter who has not voted, and with a claim only
    from an open login of that member), the ballot and the counters, one statement each. False when no participation
    was written: without a claim, with the lock held and the poll found open."""
    now = _SQLITE_TIME(utcnow())  # before the write lock is taken: a ballot is never dated after the close
    participation = (poll.id, member_id, now, poll.id, member_id,
                     poll.id, PollStatus.OPEN.value, now, poll.method, int(poll.secret))
    if claim is not None:
        login = login_claims.condition_parameters(claim, Role.MEMBER, now)
        if execute_on_cursor(connection, _CLAIMED_BALLOT_SQLITE_PARTICIPATION, participation + tuple(
                login[name] for name in login_claims.CONDITION_PARAMETERS)) is None:
            return False
    elif execute_on_cursor(connection, _FIRST_BALLOT_SQLITE_PARTICIPATION, participation) is None:
        locked = execute_on_cursor(connection, _FIRST_BALLOT_SQLITE_LOCK, (poll.id, PollStatus.OPEN.value, now))
        _check_locked(poll, None if locked is None else (locked[0], bool(locked[1])))
        return False
    execute_on_cursor(connection, _FIRST_BALLOT_SQLITE_BALLOT, (
        ballot["ballot_id"], poll.id, ballot["choices"], ballot["receipt_hash"], ballot["voter_id"],
        None if poll.secret else now))
    keys = counted_keys(poll.method, stored) + [CAST]
    execute_on_cursor(connection, _FIRST_BALLOT_SQLITE_COUNTERS.format(", ".join("?" * len(keys))), (poll.id, *keys))
    return True


def _first_ballot_in_one_statement(connection, poll: Poll, member_id: int, stored, ballot: dict,
                                   claim: login_claims.LoginClaim | None = None) -> bool:
    """PostgreSQL: the same steps as _first_ballot_step_by_step in one round trip (_FIRST_BALLOT_POSTGRESQL, or
    _CLAIMED_BALLOT_POSTGRESQL with a claim)."""
    now = utcnow()
    params = ballot | {
        "poll_id": poll.id, "user_id": member_id, "now": now, "open": PollStatus.OPEN.value,
        "method": poll.method, "secret": poll.secret,
        "updated_at": None if poll.secret else now,
        "keys": counted_keys(poll.method, stored) + [CAST]}
    if claim is not None:
        params |= login_claims.condition_parameters(claim, Role.MEMBER, now)
    row = execute_on_cursor(connection, _CLAIMED_BALLOT_POSTGRESQL if claim else _FIRST_BALLOT_POSTGRESQL, params)
    _check_locked(poll, None if row is None else row[:2])  # (method, secret, written)
    return row[2]


def _change_of_vote(connection, poll: Poll, member_id: int, stored, ballot: dict) -> None:
    """Under the poll's lock, when no participation was written: refuse a non-voter and a second secret ballot,
    replace the member's open ballot otherwise."""
    if not connection.scalar(_IS_VOTER, {"poll_id": poll.id, "user_id": member_id}):
        raise ServiceError(_l("You are not one of the voters of this poll: it opened before you joined."))
    if poll.secret:
        raise ServiceError(ALREADY_VOTED)
    ballot_id, previous = connection.execute(select(_BALLOTS.c.id, _BALLOTS.c.choices).where(
        _BALLOTS.c.poll_id == poll.id, _BALLOTS.c.voter_id == member_id)).one()
    _bump(connection, poll.id, counted_keys(poll.method, json.loads(previous)), -1)
    connection.execute(update(_BALLOTS).where(_BALLOTS.c.id == ballot_id).values(
        choices=ballot["choices"], receipt_hash=ballot["receipt_hash"], updated_at=utcnow()))
    _bump(connection, poll.id, counted_keys(poll.method, stored), 1)


def _jsonable(value):
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"cannot store {value!r}")


def tally_poll(poll: Poll):
    """The tally.py result of a poll from its stored ballots."""
    ballots = [json.loads(row) for row in db.session.scalars(select(Ballot.choices).where(Ballot.poll_id == poll.id))]
    quorum = Fraction(poll.quorum_percent, 100)
    if poll.method == PollMethod.YES_NO_ABSTAIN:
        return tally.tally_yes_no_abstain(ballots, poll.eligible_count, quorum, THRESHOLDS[poll.threshold])
    options = option_ids(poll.id)
    if poll.method == PollMethod.APPROVAL:
        return tally.tally_approval([frozenset(b) for b in ballots], options, poll.eligible_count, quorum)
    return tally.tally_ranked_choice([tuple(b) for b in ballots], options, poll.eligible_count, quorum)


def close_poll(advisor, poll: Poll) -> None:
    """Close an open poll, tally it, store the result and move the proposal (yes / no / abstain polls)."""
    _require_manager(advisor)
    _close(advisor, poll)


def _support(result) -> float | None:
    """The figure planners sort by: yes among yes + no, or the winner's share (None without a winner)."""
    if isinstance(result, tally.YesNoResult):
        return result.yes_share
    if isinstance(result, tally.ApprovalResult):
        return next((entry.percent for entry in result.ranking if entry.option == result.winner), None)
    if result.winner is None or not result.rounds:
        return None
    return result.rounds[-1].percentages.get(result.winner)


def _rewrite_in_random_order(poll_id: int) -> None:
    """Write a secret poll's ballots again, in the order of their random ids, inside the close's transaction.

    On PostgreSQL every row carries the id of the transaction that wrote it (xmin) and lies in the table in the
    order it was written, which a dump keeps; a ballot written with its participation row shares both with it.
    Rewritten at the close, every ballot carries the close's transaction id and sits in random order.
    """
    rows = [dict(row) for row in db.session.connection().execute(
        select(_BALLOTS).where(_BALLOTS.c.poll_id == poll_id).order_by(_BALLOTS.c.id)).mappings()]
    if rows:
        db.session.connection().execute(_BALLOTS.delete().where(_BALLOTS.c.poll_id == poll_id))
        db.session.connection().execute(_ADD_BALLOT, rows)


def _close(actor, poll: Poll) -> None:
    """Close the poll on behalf of an advisor, or of the schedule when actor is None."""
    poll_id = poll.id
    try:
        closed = db.session.execute(
            update(Poll).where(Poll.id == poll_id, Poll.status == PollStatus.OPEN)
            .values(status=PollStatus.CLOSED).execution_options(synchronize_session=False)
        )
        if closed.rowcount != 1:
            raise ServiceError(_l("Only an open poll can be closed."))
        db.session.refresh(poll)
        poll.closed_at = utcnow()  # under the lock: every vote stored so far came before it
        result = tally_poll(poll)
        poll.result_json = json.dumps(dataclasses.asdict(result), default=_jsonable, sort_keys=True)
        poll.outcome = result.outcome.value
        poll.turnout_percent = result.turnout
        poll.support_percent = _support(result)
        if poll.secret:
            _rewrite_in_random_order(poll_id)
        proposal = poll.proposal
        if proposal is not None and poll.method == PollMethod.YES_NO_ABSTAIN:
            target = ProposalStatus.PASSED if result.outcome is tally.Outcome.PASSED else ProposalStatus.NOT_PASSED
            previous = proposal.status
            proposal.status = target
            proposal.updated_at = poll.closed_at
            _event(proposal, actor or poll.created_by, target, previous)
        record_audit("poll.closed", actor=actor, scheduled=actor is None, poll_id=poll_id, proposal_id=poll.proposal_id,
                     outcome=poll.outcome, cast=result.cast, eligible=result.eligible)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    poll_changed.send(poll_id, what="closed")
    notices.poll_closed(poll)


def apply_schedule(now: datetime | None = None, poll_id: int | None = None, agenda_item_id: int | None = None) -> int:
    """Open the draft polls whose opening time has come and close the open ones whose closing time has passed
    (all of them, the one poll named, or those of one agenda item)."""
    now = now or utcnow()
    done = 0
    due_to_open = select(Poll).where(Poll.status == PollStatus.DRAFT, Poll.opens_at.is_not(None), Poll.opens_at <= now)
    due_to_close = select(Poll).where(Poll.status == PollStatus.OPEN, Poll.closes_at.is_not(None),
                                      Poll.closes_at <= now)
    if poll_id is not None:
        due_to_open = due_to_open.where(Poll.id == poll_id)
        due_to_close = due_to_close.where(Poll.id == poll_id)
    if agenda_item_id is not None:
        due_to_open = due_to_open.where(Poll.agenda_item_id == agenda_item_id)
        due_to_close = due_to_close.where(Poll.agenda_item_id == agenda_item_id)
    for poll in db.session.scalars(due_to_open).all():
        try:
            _open(None, poll)
            done += 1
        except ServiceError:
            db.session.rollback()  # opened by another process, or its proposal can no longer go to a vote
    for poll in db.session.scalars(due_to_close).all():
        try:
            _close(None, poll)
            done += 1
        except ServiceError:
            db.session.rollback()  # closed by another process or an advisor meanwhile
    return done


def turnout(poll: Poll) -> tuple[int, int]:
    """(members who voted, eligible members), read from the counter the ballots keep."""
    voted = db.session.scalar(select(PollCount.count).where(PollCount.poll_id == poll.id, PollCount.choice == CAST))
    if voted is None:  # a draft has no counters yet
        voted = db.session.scalar(select(func.count()).select_from(Participation)
                                  .where(Participation.poll_id == poll.id))
    return voted or 0, poll.eligible_count


def results(viewer, poll: Poll) -> dict | None:
    """Counts when the poll is closed (the final tally) or shows results live; None otherwise, for every role.

    Never contains voter ids.
    """
    if poll.status == PollStatus.CLOSED and poll.result_json:
        return {"final": True, **json.loads(poll.result_json)}
    if poll.status != PollStatus.OPEN or not poll.results_live:
        return None
    counts = dict(db.session.execute(select(PollCount.choice, PollCount.count).where(PollCount.poll_id == poll.id))
                  .tuples().all())
    cast, eligible = counts.pop(CAST, 0), poll.eligible_count
    return {"final": False, "counts": counts, "cast": cast, "eligible": eligible,
            "turnout": tally.percent(cast, eligible)}


def verify_receipt(poll: Poll, code: str) -> bool:
    """Whether a ballot with this receipt code is stored (and so counted) in the poll."""
    if not isinstance(code, str) or not code.strip():
        return False
    return bool(db.session.scalar(select(exists().where(Ballot.poll_id == poll.id,
                                                        Ballot.receipt_hash == _receipt_hash(code)))))

