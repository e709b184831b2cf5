"""Live counters: one row per choice and one for turnout, kept in each ballot's transaction."""

from __future__ import annotations

import json

from sqlalchemy import func, select, update

from ..common.small_counts import publishable
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


def shown_turnout(poll: Poll) -> tuple[int | None, int | None]:
    """(members who voted, eligible members) as people see them: on a secret poll, each is None under 5."""
    cast, eligible = turnout(poll)
    if not poll.secret:
        return cast, eligible
    return (cast if publishable(cast) else None), (eligible if publishable(eligible) else None)


def withheld(poll: Poll) -> bool:
    """A closed secret poll whose results are withheld for good: fewer than 5 members voted."""
    return poll.status == PollStatus.CLOSED and poll.outcome == tally.Outcome.WITHHELD.value


def results(viewer, poll: Poll) -> dict | None:
    """Counts when the poll is closed (the final tally) or shows results live; None otherwise, for every role.

    None too for a secret poll that is not closed, or whose results are withheld. Never contains voter ids.
    """
    if poll.status == PollStatus.CLOSED and poll.result_json:
        stored = json.loads(poll.result_json)
        if stored.get("withheld") or (poll.secret and not publishable(stored.get("cast"))):
            return None
        return {"final": True, **stored}
    if poll.status != PollStatus.OPEN or not poll.results_live or poll.secret:
        return None
    counts = dict(db.session.execute(select(PollCount.choice, PollCount.count).where(PollCount.poll_id == poll.id))
                  .tuples().all())
    cast, eligible = counts.pop(CAST, 0), poll.eligible_count
    return {"final": False, "counts": counts, "cast": cast, "eligible": eligible,
            "turnout": tally.percent(cast, eligible)}
