"""What poll pages show: who may see a poll, the viewer's part in it, turnout and the live payload."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..common.errors import NotFound
from ..common.roles import Role
from ..common.signals import poll_visibility
from ..extensions import db
from ..meetings.models import AgendaItem, Meeting
from ..meetings.visibility import may_see as may_see_meeting
from ..members.models import User
from . import counts, lifecycle, tally
from .ballots import accepting_votes
from .models import Ballot, Participation, Poll, PollEligibility, PollStatus


def may_manage(user) -> bool:
    """Advisors and admins create, open and close polls."""
    return user.role in lifecycle.POLL_MANAGERS


def may_see_poll(user, poll: Poll) -> bool:
    """Drafts only to advisors; otherwise whoever may see the poll's meeting, and its proposal (poll_visibility)."""
    if may_manage(user):
        return True
    if poll.status == PollStatus.DRAFT:
        return False
    if any(answer is False for _receiver, answer in poll_visibility.send(poll, user=user)):
        return False
    if poll.agenda_item is not None and not may_see_meeting(user, poll.agenda_item.meeting):
        return False
    return True


def get_visible_poll(user, poll_id: int) -> Poll:
    """The poll if the user may see it; NotFound otherwise, alike for missing and hidden ones."""
    poll = db.session.get(Poll, poll_id)
    if poll is None or not may_see_poll(user, poll):
        raise NotFound(_l("We could not find that poll."))
    return poll


def visible_polls(user, limit: int = 50) -> list[Poll]:
    """Recent polls the user may see, open ones first, with the meetings and regions that decide it loaded."""
    query = select(Poll).options(
        selectinload(Poll.proposal),
        selectinload(Poll.agenda_item).selectinload(AgendaItem.meeting).selectinload(Meeting.regions),
    )
    if not may_manage(user):
        query = query.where(Poll.status != PollStatus.DRAFT)
    order = (Poll.status != PollStatus.OPEN, Poll.id.desc())
    rows = db.session.scalars(query.order_by(*order).limit(limit * 2)).all()
    return [poll for poll in rows if may_see_poll(user, poll)][:limit]


def polls_of_proposal(proposal_id: int, user) -> list[Poll]:
    """The polls on a proposal that the user may see, newest first."""
    rows = db.session.scalars(select(Poll).where(Poll.proposal_id == proposal_id).order_by(Poll.id.desc())).all()
    return [poll for poll in rows if may_see_poll(user, poll)]


def poll_of_item(item_id: int, user) -> Poll | None:
    """The poll of an agenda item the live screen shows: the open one, else the newest the user may see."""
    rows = db.session.scalars(select(Poll).where(Poll.agenda_item_id == item_id)
                              .order_by(Poll.status != PollStatus.OPEN, Poll.id.desc())).all()
    return next((poll for poll in rows if may_see_poll(user, poll)), None)


def open_polls_to_vote(member) -> list[Poll]:
    """Open polls the member may vote in and has not voted in yet."""
    voted = select(Participation.poll_id).where(Participation.user_id == member.id)
    query = (select(Poll).options(selectinload(Poll.proposal)).join(PollEligibility, PollEligibility.poll_id == Poll.id)
             .where(PollEligibility.user_id == member.id, Poll.status == PollStatus.OPEN, Poll.id.not_in(voted))
             .order_by(Poll.id.desc()))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class VoterPart:
    """The viewer's relation to a poll."""

    eligible: bool
    voted: bool
    may_vote: bool  # eligible, open, and not a final (secret) ballot already cast
    may_change: bool  # an open-ballot vote that can still be replaced
    current_choices: object | None  # on open ballots only: what the viewer voted


def voter_part(user, poll: Poll) -> VoterPart:
    """Whether the viewer may vote (or change their vote) now."""
    if user.role != Role.MEMBER:
        return VoterPart(False, False, False, False, None)
    eligible = db.session.get(PollEligibility, (poll.id, user.id)) is not None
    voted = db.session.scalar(select(func.count()).select_from(Participation)
                              .where(Participation.poll_id == poll.id, Participation.user_id == user.id)) > 0
    current = None
    if voted and not poll.secret:
        ballot = db.session.scalar(select(Ballot).where(Ballot.poll_id == poll.id, Ballot.voter_id == user.id))
        current = ballot.choice_data if ballot is not None else None
    is_open = poll.status == PollStatus.OPEN and accepting_votes(poll)
    may_vote = eligible and is_open and (not voted or not poll.secret)
    return VoterPart(eligible, voted, may_vote, may_vote and voted, current)


def voters(viewer, poll: Poll) -> list[tuple[User, object | None]]:
    """For advisors, on an open ballot: who voted, and what once the results may be seen. [] for anyone else, and
    for everyone on a secret ballot (who voted, next to a small or unanimous result, would tell how they voted)."""
    if not may_manage(viewer) or poll.secret:
        return []
    show_choices = counts.results(viewer, poll) is not None
    people = db.session.scalars(
        select(User).join(Participation, Participation.user_id == User.id)
        .where(Participation.poll_id == poll.id).order_by(User.display_name)
    ).all()
    choices = {}
    if show_choices:
        choices = dict(db.session.execute(select(Ballot.voter_id, Ballot.choices).where(Ballot.poll_id == poll.id))
                       .tuples().all())
    return [(person, _decode(choices.get(person.id))) for person in people]


def _decode(raw: str | None):
    return json.loads(raw) if raw else None


def live_payload(poll: Poll) -> dict:
    """What a live screen shows of a poll: status and turnout always (on a secret poll, no number under 5: cast and
    turnout are None while fewer than 5 voted, eligible too with fewer than 5 voters), counts when results may be
    seen."""
    cast, eligible = counts.shown_turnout(poll)
    payload = {"poll_id": poll.id, "status": poll.status, "cast": cast, "eligible": eligible,
               "turnout": tally.percent(cast, eligible) if cast is not None else None}
    shown = counts.results(None, poll)  # the same for every role
    if shown is not None and not shown.get("final"):
        payload["counts"] = shown["counts"]
    return payload
