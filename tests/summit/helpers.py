"""Shared builders for the Summit tests (plain functions, not fixtures)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db
from stac_youth.notifications.models import Notification
from stac_youth.polls import ballots, lifecycle
from stac_youth.summit import services
from stac_youth.summit.models import Decision
from tests.proposals.helpers import make_proposal

YEAR = 2031  # an edition in the future, so that it is the "current" one


def edition_data(**changes) -> services.EditionData:
    values = {"year": YEAR, "title": f"Youth Summit {YEAR}", "starts_on": date(YEAR, 4, 16),
              "ends_on": date(YEAR, 4, 17), "place": "Sacramento"}
    values.update(changes)
    return services.EditionData(**values)


def session_data(**changes) -> services.SessionData:
    values = {"title": "Transit for students", "track": "Access", "starts_at": datetime(YEAR, 4, 16, 17, 0),
              "ends_at": datetime(YEAR, 4, 16, 18, 30), "room": "Hall B", "description": "Getting to **school**."}
    values.update(changes)
    return services.SessionData(**values)


def make_edition(planner, sessions: tuple[str, ...] = ("Transit for students",), **changes):
    """An edition with sessions of these titles (one an hour on the first day)."""
    edition = services.create_edition(planner, edition_data(**changes))
    for hour, title in enumerate(sessions, start=16):
        services.add_session(planner, edition, session_data(title=title, starts_at=datetime(YEAR, 4, 16, hour),
                                                            ends_at=datetime(YEAR, 4, 16, hour, 50)))
    return edition


def voted_proposal(author, advisor, voters, choices=("yes",), method="yes_no_abstain", options=None, **changes):
    """A proposal in discussion put to a poll, the voters' choices cast in order, closed and counted."""
    proposal = make_proposal(author, "in_discussion", advisor=advisor, **changes)
    poll = lifecycle.create_poll(advisor, proposal, f"Adopt {proposal.title}?", method, options)
    lifecycle.open_poll(advisor, poll)
    for voter, choice in zip(voters, choices, strict=False):
        ballots.cast_ballot(voter, poll, choice)
    lifecycle.close_poll(advisor, poll)
    return proposal, poll


def decision_data(kind="adopted", response="Adopted into the transit session.", session_ids=(), merged_into_id=None):
    return services.DecisionData(kind=kind, response=response, session_ids=tuple(session_ids),
                                 merged_into_id=merged_into_id)


def summit_actions() -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.action.like("summit.%")).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def decisions() -> int:
    return count(Decision)


def notifications_of(user, kind: str = "decision") -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                               Notification.kind == kind)))
