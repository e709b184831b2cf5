"""What the proposals area holds about a member: for their own-data export, and what erasure changes."""

from __future__ import annotations

from sqlalchemy import select

from ..common.signals import account_erased, collect_personal_data
from ..extensions import db
from ..notifications.mentions import like_mention, without_mentions_of
from .models import Comment, Cosponsor, Proposal


@collect_personal_data.connect
def export_proposal_data(user, **_extra) -> dict:
    """Proposals the user wrote or co-sponsors, and their comments."""
    written = db.session.scalars(select(Proposal).where(Proposal.author_id == user.id).order_by(Proposal.id))
    sponsored = db.session.execute(
        select(Proposal.title, Cosponsor.accepted_at).join(Proposal, Proposal.id == Cosponsor.proposal_id)
        .where(Cosponsor.user_id == user.id)
    ).all()
    comments = db.session.execute(
        select(Proposal.title, Comment.body, Comment.created_at, Comment.deleted_at)
        .join(Proposal, Proposal.id == Comment.proposal_id).where(Comment.author_id == user.id).order_by(Comment.id)
    ).all()
    return {
        "proposals": [{"title": p.title, "summary": p.summary, "description": p.description, "status": p.status,
                       "created_at": p.created_at.isoformat() + "Z"} for p in written],
        "co_sponsorships": [{"proposal": title, "accepted": accepted is not None} for title, accepted in sponsored],
        "proposal_comments": [{"proposal": title, "body": body, "at": at.isoformat() + "Z",
                               "deleted": deleted is not None} for title, body, at, deleted in comments],
    }


@account_erased.connect
def forget_erased_member(user, former_name: str | None = None, **_extra) -> None:
    """Comments that @mention the erased member name a former member instead; the eraser's service commits."""
    if not former_name:
        return
    for comment in db.session.scalars(select(Comment).where(Comment.body.ilike(like_mention(former_name),
                                                                                 escape="\\"))):
        comment.body = without_mentions_of(comment.body, former_name)
