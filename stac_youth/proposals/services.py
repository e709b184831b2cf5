"""Proposal use cases: write, submit, move through the workflow, and who may see what."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload

from ..common.audit import record_audit
from ..common.errors import NotFound, ServiceError
from ..common.roles import Role
from ..common.time import utcnow
from ..extensions import db
from ..members.models import Region
from ..rooms.rooms import open_proposal_room
from .models import Cosponsor, Proposal, ProposalEvent, ProposalStatus, Theme

MAX_TITLE = 120
MAX_SUMMARY = 280
MAX_DESCRIPTION = 20_000

#: status -> the status an advisor may move it to next (voting is opened by a poll, not by hand).
ADVISOR_MOVES = {ProposalStatus.SUBMITTED: ProposalStatus.IN_DISCUSSION}


@dataclass(frozen=True)
class ProposalData:
    title: str
    summary: str
    description: str
    theme_id: int
    region_id: int | None


def is_sponsor(user, proposal: Proposal) -> bool:
    """The author or an accepted co-sponsor."""
    return proposal.author_id == user.id or any(
        sponsor.user_id == user.id and sponsor.accepted_at for sponsor in proposal.sponsors
    )


def may_see(user, proposal: Proposal) -> bool:
    """Drafts are seen only by the author and co-sponsors (invited ones too, to decide); the rest by everyone."""
    if proposal.status != ProposalStatus.DRAFT:
        return True
    return proposal.author_id == user.id or any(sponsor.user_id == user.id for sponsor in proposal.sponsors)


def visible_proposals(user):
    """A query of the proposals the user may see (the same rule as may_see)."""
    invited = exists().where(Cosponsor.proposal_id == Proposal.id, Cosponsor.user_id == user.id)
    return select(Proposal).where(
        or_(Proposal.status != ProposalStatus.DRAFT, Proposal.author_id == user.id, invited)
    )


#: what the proposal page lists, loaded with the proposal: the co-sponsors and the timeline, with their people
PAGE_LOADS = (
    selectinload(Proposal.sponsors).selectinload(Cosponsor.user),
    selectinload(Proposal.events).selectinload(ProposalEvent.actor),
)


def get_visible_proposal(user, proposal_id: int, *options) -> Proposal:
    """The proposal if the user may see it; NotFound otherwise, alike for missing and hidden ones."""
    proposal = db.session.get(Proposal, proposal_id, options=options)
    if proposal is None or not may_see(user, proposal):
        raise NotFound(_l("We could not find that proposal."))
    return proposal


def active_themes() -> list[Theme]:
    """Themes members can choose, in order."""
    return list(db.session.scalars(select(Theme).where(Theme.active.is_(True)).order_by(Theme.position)))


def _validate(data: ProposalData) -> None:
    if not data.title.strip():
        raise ServiceError(_l("Give the proposal a title."), field="title")
    if len(data.title.strip()) > MAX_TITLE:
        raise ServiceError(_l("The title can be at most %(n)d characters.", n=MAX_TITLE), field="title")
    if not data.summary.strip():
        raise ServiceError(_l("Sum up the proposal in one sentence."), field="summary")
    if len(data.summary.strip()) > MAX_SUMMARY:
        raise ServiceError(_l("The summary can be at most %(n)d characters.", n=MAX_SUMMARY), field="summary")
    if len(data.description) > MAX_DESCRIPTION:
        raise ServiceError(_l("The description is too long."), field="description")
    theme = db.session.get(Theme, data.theme_id) if data.theme_id else None
    if theme is None or not theme.active:
        raise ServiceError(_l("Choose a theme from the list."), field="theme_id")
    if data.region_id is not None and db.session.get(Region, data.region_id) is None:
        raise ServiceError(_l("Choose a region from the list."), field="region_id")


def _apply(proposal: Proposal, data: ProposalData) -> None:
    proposal.title = data.title.strip()
    proposal.summary = data.summary.strip()
    proposal.description = data.description.strip()
    proposal.theme_id = data.theme_id
    proposal.region_id = data.region_id
    proposal.updated_at = utcnow()


def record_status_event(proposal: Proposal, actor, to_status: str, from_status: str | None = None) -> None:
    """Date a move of the proposal to another status on its timeline; the caller commits."""
    proposal.events.append(ProposalEvent(actor_id=actor.id, from_status=from_status, to_status=to_status,
                                         created_at=utcnow()))


def record_outcome(proposal: Proposal, actor, status: str, note: str = "") -> None:
    """A later step decided outside this area (the Summit's decision), dated on the timeline; the caller commits."""
    previous = proposal.status
    proposal.status = status
    proposal.updated_at = utcnow()
    proposal.events.append(ProposalEvent(actor_id=actor.id, from_status=previous, to_status=status, note=note,
                                         created_at=utcnow()))


def create_proposal(member, data: ProposalData) -> Proposal:
    """A member starts a draft."""
    if member.role != Role.MEMBER:
        raise ServiceError(_l("Only student members write proposals."))
    _validate(data)
    proposal = Proposal(author_id=member.id, status=ProposalStatus.DRAFT)
    _apply(proposal, data)
    db.session.add(proposal)
    record_status_event(proposal, member, ProposalStatus.DRAFT)
    db.session.commit()
    return proposal


def update_proposal(user, proposal: Proposal, data: ProposalData) -> None:
    """The author or a co-sponsor edits a draft."""
    if proposal.status != ProposalStatus.DRAFT:
        raise ServiceError(_l("Only a draft can be edited."))
    if not is_sponsor(user, proposal):
        raise ServiceError(_l("Only the author and co-sponsors can edit this draft."))
    _validate(data)
    _apply(proposal, data)
    db.session.commit()


def submit_proposal(user, proposal: Proposal) -> None:
    """The author sends the draft to the advisors; everyone can see it from now on."""
    if proposal.author_id != user.id:
        raise ServiceError(_l("Only the author can submit the proposal."))
    if proposal.status != ProposalStatus.DRAFT:
        raise ServiceError(_l("This proposal was already submitted."))
    proposal.status = ProposalStatus.SUBMITTED
    record_status_event(proposal, user, ProposalStatus.SUBMITTED, ProposalStatus.DRAFT)
    db.session.commit()


def advance_proposal(advisor, proposal: Proposal) -> None:
    """An advisor moves a proposal to its next step; discussion opens the proposal's room."""
    target = ADVISOR_MOVES.get(ProposalStatus(proposal.status))
    if target is None:
        raise ServiceError(_l("This proposal cannot be moved on by hand from here."))
    if target == ProposalStatus.IN_DISCUSSION and proposal.room_id is None:
        proposal.room_id = open_proposal_room(advisor, proposal.title).id
    previous = proposal.status
    proposal.status = target
    record_status_event(proposal, advisor, target, previous)
    record_audit("proposal.moved", actor=advisor, proposal_id=proposal.id, old=previous, new=target)
    db.session.commit()


def list_proposals(user, status: str | None = None, theme_id: int | None = None, region_id: int | None = None,
                   query: str = "", page: int = 1):
    """Proposals the user may see, newest first, filtered and searched by title or summary."""
    stmt = visible_proposals(user).options(selectinload(Proposal.theme), selectinload(Proposal.region),
                                           selectinload(Proposal.author))
    if status in set(ProposalStatus):
        stmt = stmt.where(Proposal.status == status)
    if theme_id:
        stmt = stmt.where(Proposal.theme_id == theme_id)
    if region_id:
        stmt = stmt.where(Proposal.region_id == region_id)
    if query.strip():
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Proposal.title.ilike(like), Proposal.summary.ilike(like)))
    return db.paginate(stmt.order_by(Proposal.updated_at.desc(), Proposal.id.desc()), page=page, per_page=20,
                       error_out=False)
