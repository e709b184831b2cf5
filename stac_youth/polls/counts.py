"""Live counters: one row per choice and one for turnout, kept in each ballot's transaction."""

from __future__ import annotations

import json

from sqlalchemy import func, select, update

from ..extensions import db
from . import tally
from .models import Participation, Poll, PollCount, PollMethod, PollStatus

#: the counter of members who voted (turnout), kept beside the per-choice counters
CAST = "_cast"


def counter_keys(poll: Poll) -> list[str]:
    """Every counter a poll keeps: its choices (or option ids) and the turnout."""
    if poll.method == PollMethod.YES_NO_ABSTAIN:
        return [*tally.CHOICES, CAST]
    return [*(str(option.id) for option in poll.options), CAST]


def counted_keys(method: str, choices) -> list[str]:
    """The counters a ballot adds one to."""
    if method == PollMethod.YES_NO_ABSTAIN:
        return [choices]
    if method == PollMethod.APPROVAL:
        return [str(option) for option in choices]
    return [str(choices[0])]  # ranked choice: live counters show first preferences


def bump(poll_id: int, keys: list[str], by: int) -> None:
    """Add `by` to each named counter of the poll, in one statement of the session's transaction."""
    if keys:
        db.session.execute(update(PollCount).where(PollCount.poll_id == poll_id, PollCount.choice.in_(keys))
                           .values(count=PollCount.count + by).execution_options(synchronize_session=False))


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
