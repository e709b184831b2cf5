"""What the polls area tells people: a poll opened, a poll closed with its outcome."""

from __future__ import annotations

from sqlalchemy import select

from ..common.urls import path_for
from ..extensions import db
from ..members.models import User
from ..notifications import kinds
from ..notifications.services import notify
from .models import Poll, PollEligibility
from .tally import Outcome

#: English message ids of the outcomes, translated for each reader when the notice is shown
OUTCOME_IDS = {Outcome.PASSED.value: "Passed", Outcome.NOT_PASSED.value: "Not passed",
               Outcome.NO_QUORUM.value: "No quorum", Outcome.WITHHELD.value: "Results withheld: fewer than 5 voted"}


def _voters(poll: Poll) -> list[User]:
    return list(db.session.scalars(select(User).join(PollEligibility, PollEligibility.user_id == User.id)
                                   .where(PollEligibility.poll_id == poll.id)))


def poll_opened(poll: Poll) -> None:
    """Every voter of the poll hears that it is open."""
    notify(_voters(poll), kinds.POLL_OPENED, path_for("polls.poll_show", poll_id=poll.id), question=poll.question)


def poll_closed(poll: Poll) -> None:
    """Every voter hears the outcome (results are no longer hidden once the poll is closed)."""
    notify(_voters(poll), kinds.POLL_CLOSED, path_for("polls.poll_show", poll_id=poll.id), question=poll.question,
           outcome_label=OUTCOME_IDS.get(poll.outcome or "", "No quorum"))
