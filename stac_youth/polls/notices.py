"""What the polls area tells people: a poll opened, a poll closed with its outcome."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..common.urls import path_for
from ..extensions import db
from ..members.models import User
from ..notifications import kinds
from ..notifications.services import notify
from .models import Poll, PollEligibility
from .questions import question_text
from .tally import Outcome

#: English message ids of the outcomes, translated for each reader when the notice is shown
OUTCOME_IDS = {Outcome.PASSED.value: "Passed", Outcome.NOT_PASSED.value: "Not passed",
               Outcome.NO_QUORUM.value: "No quorum", Outcome.WITHHELD.value: "Results withheld: fewer than 5 voted"}


def _voters(poll: Poll) -> list[User]:
    return list(db.session.scalars(select(User).join(PollEligibility, PollEligibility.user_id == User.id)
                                   .where(PollEligibility.poll_id == poll.id)))


def poll_opened(poll: Poll) -> None:
    """Every voter of the poll hears that it is open."""
    notify(_voters(poll), kinds.POLL_OPENED, path_for("polls.poll_show", poll_id=poll.id), question=poll.question,
           poll_id=poll.id)


def poll_closed(poll: Poll) -> None:
    """Every voter hears the outcome (results are no longer hidden once the poll is closed)."""
    notify(_voters(poll), kinds.POLL_CLOSED, path_for("polls.poll_show", poll_id=poll.id), question=poll.question,
           poll_id=poll.id, outcome_label=OUTCOME_IDS.get(poll.outcome or "", "No quorum"))


def _question_now(values: dict) -> str | None:
    """A poll notice's question in the reader's language, drawn from its poll (the stored English when it is gone)."""
    poll = db.session.get(Poll, values["poll_id"]) if isinstance(values.get("poll_id"), int) else None
    return question_text(poll) if poll is not None else None


def _load_polls(values: list[dict]) -> None:
    """Load the polls (and their proposals) that many notices name, in one query."""
    ids = {value["poll_id"] for value in values if isinstance(value.get("poll_id"), int)}
    if ids:
        db.session.scalars(select(Poll).options(selectinload(Poll.proposal)).where(Poll.id.in_(ids))).all()


kinds.register_drawn_param("question", _question_now, _load_polls)
