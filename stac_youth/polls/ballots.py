"""Casting a ballot: one path, one transaction.

A first ballot writes its own rows (the participation, then the ballot), then takes the poll's lock, an UPDATE of
the poll row guarded by status = 'open', and moves the counters. The lock makes the ballots and the close of one
poll take turns, and it is held for the counters and the commit alone: on PostgreSQL every ballot of a poll waits on
that row, so what it holds decides how many ballots a second a poll takes. (On SQLite the first write takes the
database's write lock instead; the busy timeout queues the others.) A ballot whose poll closed meanwhile finds no
open poll and writes nothing. The UNIQUE (poll_id, user_id) constraint on participations is what finally holds one
ballot per member: a second ballot meets it and, on an open poll, replaces the first under the lock.
"""

from __future__ import annotations

import json
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..common.errors import ServiceError
from ..common.roles import Role
from ..common.signals import poll_changed
from ..common.time import utcnow
from ..extensions import db
from . import tally
from .counts import CAST, bump, counted_keys
from .models import Ballot, Participation, Poll, PollEligibility, PollMethod, PollStatus
from .receipts import new_receipt, normalise_receipt, receipt_hash

ALREADY_VOTED = _l("You have already voted in this poll.")
NOT_OPEN = _l("This poll is not open for voting.")
NOT_A_VOTER = _l("You are not one of the voters of this poll: it opened before you joined.")


class InvalidBallot(ServiceError):
    """The ballot does not fit the poll (unknown option, wrong shape): a bad request, not a conflict."""

    def __init__(self, message=None):
        super().__init__(message or _l("That ballot is not valid for this poll. Reload the page and try again."))


def accepting_votes(poll: Poll) -> bool:
    """Open and not past its closing time (a vote then is refused even before the schedule closes it)."""
    return poll.status == PollStatus.OPEN and (poll.closes_at is None or poll.closes_at > utcnow())


def option_ids(poll: Poll) -> list[int]:
    """The ids of the poll's options, in their order on the ballot."""
    return [option.id for option in poll.options]


def normalise_choices(poll: Poll, choices):
    """The ballot as stored (JSON-ready), or InvalidBallot for a malformed one."""
    if poll.method == PollMethod.YES_NO_ABSTAIN:
        if not isinstance(choices, str) or choices not in tally.CHOICES:
            raise InvalidBallot()
        return choices
    if not isinstance(choices, list | tuple) or any(isinstance(c, bool) or not isinstance(c, int) for c in choices):
        raise InvalidBallot()
    options = option_ids(poll)
    if len(set(choices)) != len(choices) or not set(choices) <= set(options):
        raise InvalidBallot()
    if poll.method == PollMethod.APPROVAL:  # any subset, the empty one included (a blank ballot counts for turnout)
        return sorted(choices, key=options.index)
    if not choices:  # ranked choice: at least one preference, in order
        raise InvalidBallot(_l("Rank at least one option."))
    return list(choices)


def cast_ballot(member, poll: Poll, choices, receipt: str | None = None) -> str:
    """Record a member's ballot and return its receipt code.

    On an open (non-secret) poll a second ballot replaces the first; on a secret poll the first is final. The vote
    form carries a receipt code made when the page was drawn, so a double click sends the same code twice and the
    voter can still be shown it (see receipts.verify_receipt); without one, a new code is made here.
    """
    if member.role != Role.MEMBER or not member.is_active:
        raise ServiceError(_l("Only student members vote in polls."))
    stored = normalise_choices(poll, choices)
    code = normalise_receipt(receipt) if receipt else new_receipt()
    if code is None:
        raise InvalidBallot()
    poll_id, member_id, now = poll.id, member.id, utcnow()  # dated before the lock: never after the close
    try:
        if not db.session.scalar(select(exists().where(PollEligibility.poll_id == poll_id,
                                                       PollEligibility.user_id == member_id))):
            raise ServiceError(NOT_A_VOTER if accepting_votes(poll) else NOT_OPEN)  # a draft has no voters yet
        _first_ballot(poll, member_id, stored, code, now)
        db.session.commit()
    except IntegrityError:  # the member has voted: a secret ballot is final, an open one is replaced
        db.session.rollback()
        if poll.secret:
            raise ServiceError(ALREADY_VOTED) from None
        _change_of_vote(poll, member_id, stored, code, now)
    except BaseException:
        db.session.rollback()
        raise
    poll_changed.send(poll_id, what="ballot")
    return code


def _lock_open_poll(poll_id: int, now) -> None:
    """Take the poll's lock while it is open and before its closing time, or refuse the ballot."""
    locked = db.session.execute(
        update(Poll).where(Poll.id == poll_id, Poll.status == PollStatus.OPEN,
                           or_(Poll.closes_at.is_(None), Poll.closes_at > now))
        .values(status=Poll.status).execution_options(synchronize_session=False))
    if locked.rowcount != 1:
        raise ServiceError(NOT_OPEN)


def _first_ballot(poll: Poll, member_id: int, stored, code: str, now) -> None:
    """The participation (the UNIQUE check), the ballot (without its voter on a secret poll), the lock, the counters."""
    db.session.execute(insert(Participation).values(poll_id=poll.id, user_id=member_id, created_at=now))
    db.session.execute(insert(Ballot).values(
        id=secrets.token_hex(16), poll_id=poll.id, choices=json.dumps(stored), receipt_hash=receipt_hash(code),
        voter_id=None if poll.secret else member_id, updated_at=None if poll.secret else now))
    _lock_open_poll(poll.id, now)
    bump(poll.id, [*counted_keys(poll.method, stored), CAST], 1)


def _change_of_vote(poll: Poll, member_id: int, stored, code: str, now) -> None:
    """In a transaction of its own, under the lock: replace the member's open ballot and move the counters with it."""
    try:
        _lock_open_poll(poll.id, now)
        ballot = db.session.scalars(select(Ballot).where(Ballot.poll_id == poll.id, Ballot.voter_id == member_id)).one()
        bump(poll.id, counted_keys(poll.method, json.loads(ballot.choices)), -1)
        ballot.choices = json.dumps(stored)
        ballot.receipt_hash = receipt_hash(code)
        ballot.updated_at = now
        db.session.flush()
        bump(poll.id, counted_keys(poll.method, stored), 1)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
