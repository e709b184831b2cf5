"""Poll lifecycle: an advisor drafts a poll, opens it (its voters fixed), closes it (tallied, the result stored),
or the schedule does it at the times set."""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import datetime
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, update

from ..common.audit import record_audit
from ..common.errors import ServiceError
from ..common.roles import Role
from ..common.signals import agenda_item_deleting, poll_changed, poll_moving
from ..common.small_counts import publishable
from ..common.time import utcnow
from ..extensions import db
from ..members.models import User
from . import notices, questions, tally
from .ballots import option_ids
from .counts import counter_keys
from .models import Ballot, Poll, PollCount, PollEligibility, PollMethod, PollOption, PollStatus, PollThreshold

MAX_QUESTION = 200
MAX_LABEL = 200
MAX_OPTIONS = 20
POLL_MANAGERS = frozenset({Role.ADVISOR, Role.ADMIN})
#: the quorum a new poll's form starts with: half of the eligible members must vote (the advisor may change it)
DEFAULT_QUORUM_PERCENT = 50
THRESHOLDS = {PollThreshold.SIMPLE: tally.Threshold.SIMPLE_MAJORITY,
              PollThreshold.TWO_THIRDS: tally.Threshold.TWO_THIRDS}

def _moving(poll: Poll, to: str, actor) -> None:
    """Tell the poll's owner it moves (poll_moving), in the transaction; a refusal rolls the move back."""
    try:
        poll_moving.send(poll, to=to, actor=actor)
    except ServiceError:
        db.session.rollback()
        raise


def _require_manager(user) -> None:
    if user is None or user.role not in POLL_MANAGERS or not user.is_active:
        raise ServiceError(_l("Only advisors can manage polls."))


def create_poll(advisor, proposal, question: str, method: str, options: list[str] | None = None,
                secret: bool = False, results_live: bool = False, quorum_percent: int = 0,
                threshold: str = PollThreshold.SIMPLE, agenda_item=None, opens_at: datetime | None = None,
                closes_at: datetime | None = None) -> Poll:
    """An advisor drafts a poll on a proposal (kept by its id) or an agenda item; opens_at / closes_at (UTC) schedule
    it. The proposal's area may refuse it (poll_moving), e.g. for a proposal that can no longer go to a vote. The
    app's suggested question, in any language, is kept as its kind: each reader reads it in their own language."""
    _require_manager(advisor)
    question, question_kind = questions.recognise(proposal, question, MAX_QUESTION)
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
    _check_schedule(opens_at, closes_at)
    poll = Poll(proposal_id=proposal.id if proposal is not None else None,
                agenda_item_id=agenda_item.id if agenda_item is not None else None,
                question=question, question_kind=question_kind, method=str(method), secret=bool(secret),
                results_live=bool(results_live), quorum_percent=quorum_percent, threshold=str(threshold),
                status=PollStatus.DRAFT, created_by_id=advisor.id, created_at=utcnow(), opens_at=opens_at,
                closes_at=closes_at)
    poll.options = [PollOption(position=index, label=label) for index, label in enumerate(labels)]
    db.session.add(poll)
    db.session.flush()
    _moving(poll, "draft", advisor)
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


def open_poll(advisor, poll: Poll) -> None:
    """Open a draft poll: the active members at this moment are its voters, for good."""
    _require_manager(advisor)
    _open(advisor, poll)


def _open(actor, poll: Poll) -> None:
    """Open the poll on behalf of an advisor, or of the schedule when actor is None."""
    if poll.status != PollStatus.DRAFT:
        raise ServiceError(_l("Only a draft poll can be opened."))
    moved = db.session.execute(
        update(Poll).where(Poll.id == poll.id, Poll.status == PollStatus.DRAFT)
        .values(status=PollStatus.OPEN).execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.rollback()
        raise ServiceError(_l("Only a draft poll can be opened."))
    now = utcnow()
    voter_ids = list(db.session.scalars(_voters_now(poll)))
    db.session.add_all(PollEligibility(poll_id=poll.id, user_id=user_id) for user_id in voter_ids)
    db.session.add_all(PollCount(poll_id=poll.id, choice=key, count=0) for key in counter_keys(poll))
    poll.status = PollStatus.OPEN
    poll.opened_at = now
    poll.eligible_count = len(voter_ids)
    _moving(poll, "open", actor)
    record_audit("poll.opened", actor=actor, scheduled=actor is None, poll_id=poll.id, proposal_id=poll.proposal_id,
                 eligible=len(voter_ids), method=poll.method, secret=poll.secret)
    db.session.commit()
    poll_changed.send(poll.id, what="opened")
    notices.poll_opened(poll)


def _voters_now(poll: Poll):
    """The ids of the members who would be the poll's voters if it opened now."""
    members = select(User.id).where(User.role == Role.MEMBER, User.active.is_(True), User.deleted_at.is_(None))
    regions = _meeting_regions(poll)
    if regions:  # a poll in a regional meeting is for the members of its regions
        members = members.where(User.region_id.in_(regions))
    return members


def too_few_to_publish(poll: Poll) -> bool:
    """A secret poll with fewer than 5 voters (a draft: were it opened now), whose results can never be published."""
    if not poll.secret:
        return False
    if poll.status != PollStatus.DRAFT:
        return not publishable(poll.eligible_count)
    return not publishable(db.session.scalar(select(func.count()).select_from(_voters_now(poll).subquery())))


def _meeting_regions(poll: Poll) -> list[int]:
    """The regions of the meeting an agenda-item poll belongs to ([] for statewide meetings and other polls)."""
    if poll.agenda_item is None:
        return []
    return [region.id for region in poll.agenda_item.meeting.regions]


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
    options = option_ids(poll)
    if poll.method == PollMethod.APPROVAL:
        return tally.tally_approval([frozenset(b) for b in ballots], options, poll.eligible_count, quorum)
    return tally.tally_ranked_choice([tuple(b) for b in ballots], options, poll.eligible_count, quorum)


def close_poll(advisor, poll: Poll) -> None:
    """Close an open poll, tally it and store the result (its proposal follows through poll_moving)."""
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
    """On PostgreSQL, write a secret poll's ballots again, in the order of their random ids, inside the close's
    transaction.

    SQLite keeps the ballots table WITHOUT ROWID, so its rows lie in the order of their random ids from the first
    ballot on and nothing is left to shuffle. PostgreSQL cannot do that: every row carries the id of the transaction
    that wrote it (xmin) and lies in the heap in the order it was written, which a dump keeps; a ballot written with
    its participation row shares both with it. Rewritten at the close, every ballot carries the close's transaction
    id and sits in random order.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return
    ballots = Ballot.__table__
    rows = [dict(row) for row in db.session.execute(
        select(ballots).where(ballots.c.poll_id == poll_id).order_by(ballots.c.id)).mappings()]
    if rows:
        db.session.execute(ballots.delete().where(ballots.c.poll_id == poll_id))
        db.session.execute(insert(ballots), rows)


def _store_result(poll: Poll, result) -> tally.Outcome:
    """Store the tally on the poll; a secret poll with fewer than 5 ballots stores no count, only that its results
    are withheld (and so decides nothing, like a vote without quorum)."""
    if poll.secret and not publishable(result.cast):
        poll.result_json = json.dumps({"withheld": True, "eligible": result.eligible})
        poll.outcome = tally.Outcome.WITHHELD.value
        poll.turnout_percent = poll.support_percent = None
        return tally.Outcome.WITHHELD
    poll.result_json = json.dumps(dataclasses.asdict(result), default=_jsonable, sort_keys=True)
    poll.outcome = result.outcome.value
    poll.turnout_percent = result.turnout
    poll.support_percent = _support(result)
    return result.outcome


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
        outcome = _store_result(poll, result)
        if poll.secret:
            _rewrite_in_random_order(poll_id)
        poll_moving.send(poll, to="closed", actor=actor, outcome=outcome)
        # a withheld result keeps its number of ballots out of the audit log too
        shown = {"cast": result.cast} if outcome is not tally.Outcome.WITHHELD else {}
        record_audit("poll.closed", actor=actor, scheduled=actor is None, poll_id=poll_id, proposal_id=poll.proposal_id,
                     outcome=poll.outcome, eligible=result.eligible, **shown)
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


@agenda_item_deleting.connect
def _keep_polls_that_opened(item, **_extra) -> None:
    """An agenda item whose poll opened (its voters fixed, its ballots perhaps cast) is not deleted: refused."""
    opened = db.session.scalar(select(Poll.id).where(Poll.agenda_item_id == item.id, Poll.status != PollStatus.DRAFT)
                               .limit(1))
    if opened is not None:
        raise ServiceError(_l("This agenda item has a poll that members could vote in, so it cannot be deleted: "
                              "its ballots and result are kept."))
