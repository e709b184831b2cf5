"""Co-sponsors: the author invites members, who accept or decline."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..common.errors import ServiceError
from ..common.roles import Role
from ..common.signals import access_changed
from ..common.time import utcnow
from ..extensions import db
from ..members.models import User
from . import notices
from .models import Cosponsor, Proposal, ProposalStatus

MAX_COSPONSORS = 10


def invite_cosponsor(author, proposal: Proposal, member: User | None) -> Cosponsor:
    """Ask another active member to co-sponsor the proposal."""
    if proposal.author_id != author.id:
        raise ServiceError(_l("Only the author can invite co-sponsors."))
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED):
        raise ServiceError(_l("Co-sponsors can join until the proposal goes to discussion."))
    if member is None or member.role != Role.MEMBER or not member.is_active or member.id == author.id:
        raise ServiceError(_l("Choose another student member."), field="user_id")
    if any(sponsor.user_id == member.id for sponsor in proposal.sponsors):
        raise ServiceError(_l("This member was already invited."), field="user_id")
    if len(proposal.sponsors) >= MAX_COSPONSORS:
        raise ServiceError(_l("A proposal can have at most %(n)d co-sponsors.", n=MAX_COSPONSORS))
    sponsor = Cosponsor(proposal=proposal, user_id=member.id, invited_at=utcnow())
    db.session.add(sponsor)
    db.session.commit()
    notices.cosponsor_invited(author, member, proposal)
    return sponsor


def invitation_for(user, proposal: Proposal) -> Cosponsor | None:
    """The user's co-sponsor invitation on the proposal (accepted or not), if any."""
    return next((sponsor for sponsor in proposal.sponsors if sponsor.user_id == user.id), None)


def _invitation(user, proposal: Proposal) -> Cosponsor:
    sponsor = invitation_for(user, proposal)
    if sponsor is None:
        raise ServiceError(_l("You were not invited to co-sponsor this proposal."))
    return sponsor


def accept_cosponsorship(user, proposal: Proposal) -> None:
    """The invited member agrees to co-sponsor."""
    sponsor = _invitation(user, proposal)
    if sponsor.accepted_at is None:
        sponsor.accepted_at = utcnow()
        db.session.commit()


def decline_cosponsorship(user, proposal: Proposal) -> None:
    """The invited member says no, or stops co-sponsoring."""
    sponsor = _invitation(user, proposal)
    db.session.delete(sponsor)
    db.session.commit()
    access_changed.send("proposal", ids=[proposal.id])  # a draft is hidden from them from now on


def invitable_members(proposal: Proposal) -> list[User]:
    """Active student members the author could still invite."""
    taken = {sponsor.user_id for sponsor in proposal.sponsors} | {proposal.author_id}
    members = db.session.scalars(
        select(User).where(User.role == Role.MEMBER, User.active.is_(True), User.deleted_at.is_(None))
        .order_by(User.display_name)
    )
    return [member for member in members if member.id not in taken]
