"""A proposal and its poll: it may go to a vote only from submitted or in discussion, is in the vote while the poll is
open, has passed or not when a yes / no / abstain poll closes, and hides its polls from whoever may not see it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..common.errors import ServiceError
from ..common.signals import poll_moving, poll_visibility
from ..common.time import utcnow
from ..extensions import db
from ..polls.models import Poll, PollMethod
from ..polls.tally import Outcome
from .models import Proposal, ProposalStatus
from .services import may_see, record_status_event

#: proposal statuses from which a poll may take the proposal to the vote
VOTABLE = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.IN_DISCUSSION})


@poll_moving.connect
def follow_the_poll(poll: Poll, to: str, actor=None, outcome: Outcome | None = None, **_extra) -> None:
    """Refuse a poll on a proposal that cannot go to a vote; move the proposal as its poll opens and closes."""
    if poll.proposal_id is None:
        return
    proposal = db.session.get(Proposal, poll.proposal_id)
    if to in ("draft", "open") and proposal.status not in VOTABLE:
        raise ServiceError(_l("This proposal cannot be put to a vote now."))
    if to == "open":
        _move(proposal, ProposalStatus.IN_VOTE, actor or poll.created_by)
    elif to == "closed" and poll.method == PollMethod.YES_NO_ABSTAIN:
        passed = outcome is Outcome.PASSED
        _move(proposal, ProposalStatus.PASSED if passed else ProposalStatus.NOT_PASSED, actor or poll.created_by)


@poll_visibility.connect
def hide_with_the_proposal(poll: Poll, user, **_extra) -> bool | None:
    """A poll is hidden from whoever may not see its proposal."""
    if poll.proposal_id is None:
        return None
    return may_see(user, db.session.get(Proposal, poll.proposal_id))


def _move(proposal: Proposal, status: str, actor) -> None:
    previous = proposal.status
    proposal.status = status
    proposal.updated_at = utcnow()
    record_status_event(proposal, actor, status, previous)
