"""The planners' view of every proposal: its vote, support, theme, region, status and decision; summary figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, nulls_last, select
from sqlalchemy.orm import selectinload

from ..common.i18n import localized_pair
from ..extensions import db
from ..members.models import Region
from ..polls.models import Poll, PollStatus
from ..polls.questions import question_text
from ..proposals.models import Proposal, ProposalStatus, Theme
from .models import Decision

PAGE_SIZE = 25
#: a proposal the students passed, whatever the Summit did with it afterwards
PASSED_OR_LATER = (ProposalStatus.PASSED, ProposalStatus.ADOPTED, ProposalStatus.DECLINED,
                   ProposalStatus.UNDER_REVIEW, ProposalStatus.MERGED)


def _latest_closed_polls():
    """proposal id → id of its most recent closed poll."""
    return (select(Poll.proposal_id.label("proposal_id"), func.max(Poll.id).label("poll_id"))
            .where(Poll.status == PollStatus.CLOSED, Poll.proposal_id.is_not(None))
            .group_by(Poll.proposal_id).subquery())


SORTS = {
    "support": lambda: (nulls_last(Poll.support_percent.desc()), Proposal.id.desc()),
    "turnout": lambda: (nulls_last(Poll.turnout_percent.desc()), Proposal.id.desc()),
    "title": lambda: (Proposal.title, Proposal.id),
    "status": lambda: (Proposal.status, Proposal.id),
    "theme": lambda: (Theme.position, Proposal.id),
    "region": lambda: (nulls_last(Region.position), Proposal.id),
    "decision": lambda: (nulls_last(Decision.kind), Proposal.id),
    "newest": lambda: (Proposal.id.desc(),),
}


@dataclass(frozen=True)
class Filters:
    theme_id: int | None = None
    region_id: int | None = None
    status: str | None = None
    decision: str | None = None  # a DecisionKind, or "none" for passed proposals still waiting for one
    sort: str = "support"


@dataclass
class Row:
    proposal: Proposal
    poll: Poll | None
    decision: Decision | None


@dataclass
class Board:
    rows: list[Row]
    page: object  # the Flask-SQLAlchemy pagination of the proposals
    filters: Filters


def proposals_board(filters: Filters, page: int = 1) -> Board:
    """Every proposal past the draft with its latest counted vote and its decision, filtered, sorted, one page."""
    latest = _latest_closed_polls()
    stmt = (select(Proposal)
            .outerjoin(latest, latest.c.proposal_id == Proposal.id)
            .outerjoin(Poll, Poll.id == latest.c.poll_id)
            .outerjoin(Decision, Decision.proposal_id == Proposal.id)
            .join(Theme, Theme.id == Proposal.theme_id)
            .outerjoin(Region, Region.id == Proposal.region_id)
            .where(Proposal.status != ProposalStatus.DRAFT)
            .options(selectinload(Proposal.theme), selectinload(Proposal.region), selectinload(Proposal.author)))
    if filters.theme_id:
        stmt = stmt.where(Proposal.theme_id == filters.theme_id)
    if filters.region_id:
        stmt = stmt.where(Proposal.region_id == filters.region_id)
    if filters.status in set(ProposalStatus):
        stmt = stmt.where(Proposal.status == filters.status)
    if filters.decision == "none":
        stmt = stmt.where(Proposal.status == ProposalStatus.PASSED, Decision.id.is_(None))
    elif filters.decision:
        stmt = stmt.where(Decision.kind == filters.decision)
    order = SORTS.get(filters.sort, SORTS["support"])()
    pagination = db.paginate(stmt.order_by(*order), page=page, per_page=PAGE_SIZE, error_out=False)
    ids = [proposal.id for proposal in pagination.items]
    polls = vote_results(ids)
    decisions = {decision.proposal_id: decision for decision in db.session.scalars(
        select(Decision).options(selectinload(Decision.sessions), selectinload(Decision.merged_into))
        .where(Decision.proposal_id.in_(ids)))}
    rows = [Row(proposal, polls.get(proposal.id), decisions.get(proposal.id)) for proposal in pagination.items]
    return Board(rows, pagination, filters)


@dataclass
class Summary:
    passed_by_theme: list[tuple[str, int]] = field(default_factory=list)
    passed_by_region: list[tuple[str, int]] = field(default_factory=list)
    recent_turnout: list[tuple[str, float]] = field(default_factory=list)  # (question, turnout %) newest first
    average_turnout: float | None = None
    waiting_for_decision: int = 0


def summary(recent: int = 10) -> Summary:
    """Passed proposals by theme and by region, turnout of the recent closed polls, and what waits for a decision."""
    passed = Proposal.status.in_(PASSED_OR_LATER)
    by_theme = [(localized_pair(name, name_es), count) for name, name_es, count in db.session.execute(
        select(Theme.name, Theme.name_es, func.count(Proposal.id)).join(Proposal, Proposal.theme_id == Theme.id)
        .where(passed).group_by(Theme.id, Theme.name, Theme.name_es, Theme.position).order_by(Theme.position))]
    region_name = func.coalesce(Region.name, "")
    by_region = [(localized_pair(name, name_es), count) for name, name_es, count in db.session.execute(
        select(region_name, Region.name_es, func.count(Proposal.id)).select_from(Proposal)
        .outerjoin(Region, Region.id == Proposal.region_id).where(passed)
        .group_by(region_name, Region.name_es, Region.position).order_by(nulls_last(Region.position)))]
    turnout = [(question_text(poll), poll.turnout_percent) for poll in db.session.scalars(
        select(Poll).options(selectinload(Poll.proposal))
        .where(Poll.status == PollStatus.CLOSED, Poll.turnout_percent.is_not(None))
        .order_by(Poll.closed_at.desc()).limit(recent))]
    waiting = db.session.scalar(
        select(func.count(Proposal.id)).outerjoin(Decision, Decision.proposal_id == Proposal.id)
        .where(Proposal.status == ProposalStatus.PASSED, Decision.id.is_(None))) or 0
    average = round(sum(value for _q, value in turnout) / len(turnout), 1) if turnout else None
    return Summary(list(by_theme), list(by_region), list(turnout), average, waiting)


def vote_results(proposal_ids: list[int]) -> dict[int, Poll]:
    """proposal id → its most recent counted poll, for the proposals named."""
    if not proposal_ids:
        return {}
    latest = _latest_closed_polls()
    return {poll.proposal_id: poll for poll in db.session.scalars(
        select(Poll).join(latest, latest.c.poll_id == Poll.id).where(Poll.proposal_id.in_(proposal_ids)))}
