"""What the polls area holds about a member, for their own-data export."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..common.signals import collect_personal_data
from ..extensions import db
from .models import Ballot, Participation, Poll
from .questions import question_text
from .results import describe_ballot


@collect_personal_data.connect
def export_poll_data(user, **_extra) -> dict:
    """The polls the user voted in, with their choices in words ("1. B, 2. A") where the ballot is not secret."""
    voted = db.session.execute(
        select(Poll, Participation.created_at).join(Poll, Poll.id == Participation.poll_id)
        .options(selectinload(Poll.proposal), selectinload(Poll.options))
        .where(Participation.user_id == user.id).order_by(Participation.id)
    ).tuples().all()
    open_ballots = dict(db.session.execute(
        select(Ballot.poll_id, Ballot.choices).where(Ballot.voter_id == user.id)).tuples().all())
    # secret ballots are linked to nobody, so only the choices of open ballots can be listed
    return {"polls_voted_in": [{"poll": question_text(poll), "at": at.isoformat() + "Z",
                                "open_ballot_choices": describe_ballot(poll, json.loads(open_ballots[poll.id]))
                                if poll.id in open_ballots else None} for poll, at in voted]}
