"""Set-up through the app's services (run with the `in_app` fixture), for what the journeys do not test themselves.

Each function runs inside an application context of the live server's app and returns ids or plain values.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from stac_youth.common.roles import Role
from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.members.accounts import find_user_by_email
from stac_youth.members.models import User

from .helpers import ADVISOR_EMAIL


def _advisor():
    return find_user_by_email(ADVISOR_EMAIL)


def active_member_count() -> int:
    """The student members a statewide poll opened now would count as its voters."""
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.MEMBER, User.active.is_(True), User.deleted_at.is_(None))
    )


def published_meeting(title: str, items: list[tuple[str, str]]) -> int:
    """A statewide meeting starting in five minutes with these (title, kind) agenda items, published."""
    from stac_youth.meetings import agenda, services

    advisor = _advisor()
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=5)
    meeting = services.create_meeting(
        advisor,
        services.MeetingData(
            title=title,
            description="A meeting with a vote.",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            location="Online",
            video_url=None,
        ),
    )
    for item_title, kind in items:
        agenda.add_item(advisor, meeting, agenda.AgendaItemData(item_title, "", 15, None, kind))
    services.publish_meeting(advisor, meeting)
    return meeting.id


def submitted_proposal(author_email: str, title: str) -> int:
    """A proposal written and submitted by the author, so that it can be put to a vote."""
    from stac_youth.proposals import services
    from stac_youth.proposals.models import Theme

    author = find_user_by_email(author_email)
    theme_id = db.session.scalar(select(Theme.id).where(Theme.active.is_(True)).order_by(Theme.position).limit(1))
    proposal = services.create_proposal(
        author,
        services.ProposalData(
            title=title,
            summary="A proposal put to a vote.",
            description="",
            theme_id=theme_id,
            region_id=None,
        ),
    )
    services.submit_proposal(author, proposal)
    return proposal.id


def open_poll(
    proposal_id: int | None, question: str, method: str, options: list[str] | None = None, item_id: int | None = None
) -> int:
    """An advisor's poll on the proposal (or the agenda item), opened at once: the active members are its voters."""
    from stac_youth.meetings.models import AgendaItem
    from stac_youth.polls import lifecycle
    from stac_youth.proposals.models import Proposal

    advisor = _advisor()
    proposal = db.session.get(Proposal, proposal_id) if proposal_id else None
    item = db.session.get(AgendaItem, item_id) if item_id else None
    poll = lifecycle.create_poll(advisor, proposal, question, method, options or [], agenda_item=item)
    lifecycle.open_poll(advisor, poll)
    return poll.id


def live_meeting(title: str, items: list[tuple[str, str]]) -> tuple[int, int]:
    """A published meeting (see published_meeting) started by the advisor; returns its id and its current item's."""
    from stac_youth.meetings import services
    from stac_youth.meetings.models import Meeting

    meeting_id = published_meeting(title, items)
    state = services.start_meeting(_advisor(), db.session.get(Meeting, meeting_id))
    return meeting_id, state.current_item_id


def option_ids(poll_id: int) -> dict[str, int]:
    """The poll's options by their text."""
    from stac_youth.polls.models import Poll

    return {option.label: option.id for option in db.session.get(Poll, poll_id).options}


def cast_ballots(poll_id: int, ballots: dict[str, object]) -> None:
    """Ballots by email: 'yes' / 'no' / 'abstain', or option texts (approval: a set, ranked choice: in order)."""
    from stac_youth.polls.ballots import cast_ballot
    from stac_youth.polls.models import Poll, PollMethod

    poll = db.session.get(Poll, poll_id)
    ids = {option.label: option.id for option in poll.options}
    for email, choices in ballots.items():
        if poll.method != PollMethod.YES_NO_ABSTAIN:
            choices = [ids[label] for label in choices]
        cast_ballot(find_user_by_email(email), db.session.get(Poll, poll_id), choices)


def close_poll(poll_id: int) -> str:
    """An advisor closes and counts the poll; returns its outcome."""
    from stac_youth.polls import lifecycle
    from stac_youth.polls.models import Poll

    poll = db.session.get(Poll, poll_id)
    lifecycle.close_poll(_advisor(), poll)
    return poll.outcome
