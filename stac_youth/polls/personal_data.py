"""What the polls area holds about a member, for their own-data export."""

from __future__ import annotations

import json

from sqlalchemy import select

from ..common.signals import collect_personal_data
from ..extensions import db
from .models import Ballot, Participation, Poll


@collect_personal_data.connect
def export_poll_data(user, **_extra) -> dict:
    """The polls the user voted in, with their choices where the ballot is not secret."""
    voted = db.session.execute(
        select(Poll.id, Poll.question, Participation.created_at).join(Poll, Poll.id == Participation.poll_id)
        .where(Participation.user_id == user.id).order_by(Participation.id)
    ).all()
    open_ballots = dict(db.session.execute(
        select(Ballot.poll_id, Ballot.choices).where(Ballot.voter_id == user.id)).tuples().all())
    # secret ballots are linked to nobody, so only the choices of open ballots can be listed
    return {"polls_voted_in": [{"poll": question, "at": at.isoformat() + "Z",
                                "open_ballot_choices": json.loads(open_ballots[poll_id]) if poll_id in open_ballots
                                else None} for poll_id, question, at in voted]}
