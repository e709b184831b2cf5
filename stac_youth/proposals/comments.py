"""Comments on proposals: one level of replies, edit own for 15 minutes, delete, report."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..common.audit import record_audit
from ..common.errors import NotFound, ServiceError
from ..common.roles import ADULT_ROLES, Role
from ..common.time import utcnow
from ..extensions import db
from . import notices
from .models import Comment, CommentReport, Proposal, ProposalStatus

EDIT_WINDOW = timedelta(minutes=15)
MAX_COMMENT = 5000
MAX_REASON = 500
#: who comments on proposals: students, and the advisors (and admins) who guide them in the open
COMMENTER_ROLES = frozenset({Role.MEMBER, Role.ADVISOR, Role.ADMIN})


def thread(proposal: Proposal) -> list[Comment]:
    """Top-level comments, oldest first, each with its replies loaded."""
    return list(db.session.scalars(
        select(Comment).where(Comment.proposal_id == proposal.id, Comment.parent_id.is_(None))
        .options(selectinload(Comment.author), selectinload(Comment.replies).selectinload(Comment.author))
        .order_by(Comment.id)
    ))


def get_comment(proposal: Proposal, comment_id: int) -> Comment:
    """A live comment of this proposal, or NotFound."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.proposal_id != proposal.id or comment.deleted_at is not None:
        raise NotFound(_l("We could not find that comment."))
    return comment


def _clean(body) -> str:
    body = (body or "").strip()
    if not body:
        raise ServiceError(_l("Write a comment first."), field="body")
    if len(body) > MAX_COMMENT:
        raise ServiceError(_l("Comments can be at most %(n)d characters.", n=MAX_COMMENT), field="body")
    return body


def may_comment(user) -> bool:
    """Whether this user comments on proposals: members, advisors and admins."""
    return user.role in COMMENTER_ROLES


def shows_role(user) -> bool:
    """Whether a comment's author is an adult, whose role is shown next to their name."""
    return user is not None and not user.is_deleted and user.role in ADULT_ROLES


def add_comment(member, proposal: Proposal, body: str, parent: Comment | None = None) -> Comment:
    """A member, advisor or admin comments, or replies to a top-level comment; an adult's comment is audited."""
    if not may_comment(member):
        raise ServiceError(_l("Only students and advisors comment on proposals."))
    if proposal.status == ProposalStatus.DRAFT:
        raise ServiceError(_l("Comments open once the proposal is submitted."))
    if parent is not None and (parent.proposal_id != proposal.id or parent.parent_id is not None):
        raise ServiceError(_l("You can reply to a comment, not to a reply."))
    comment = Comment(proposal_id=proposal.id, parent_id=parent.id if parent else None, author_id=member.id,
                      body=_clean(body), created_at=utcnow())
    db.session.add(comment)
    if member.role in ADULT_ROLES:
        db.session.flush()
        record_audit("proposal.comment_added", actor=member, proposal_id=proposal.id, comment_id=comment.id)
    db.session.commit()
    notices.mentioned_in_comment(member, comment, proposal)
    return comment


def may_edit(user, comment: Comment) -> bool:
    """Authors edit their own comment for 15 minutes after writing it."""
    return comment.author_id == user.id and utcnow() - comment.created_at <= EDIT_WINDOW


def edit_comment(user, comment: Comment, body: str) -> None:
    """Change one's own comment within the edit window."""
    if not may_edit(user, comment):
        raise ServiceError(_l("You can edit your comment only in the first 15 minutes."))
    comment.body = _clean(body)
    comment.edited_at = utcnow()
    if user.role in ADULT_ROLES:
        record_audit("proposal.comment_edited", actor=user, proposal_id=comment.proposal_id, comment_id=comment.id)
    db.session.commit()


def delete_comment(user, comment: Comment) -> None:
    """Authors delete their own comments; advisors and admins delete any (audited)."""
    staff = user.role in (Role.ADVISOR, Role.ADMIN)
    if comment.author_id != user.id and not staff:
        raise ServiceError(_l("You can delete only your own comments."))
    comment.deleted_at = utcnow()
    if comment.author_id != user.id or user.role in ADULT_ROLES:
        record_audit("proposal.comment_deleted", actor=user, subject=comment.author, proposal_id=comment.proposal_id,
                     comment_id=comment.id)
    db.session.commit()


def report_comment(user, comment: Comment, reason: str) -> CommentReport:
    """Flag a comment for the advisors."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Tell the advisors what is wrong with this comment."), field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(_l("Keep the reason under %(n)d characters.", n=MAX_REASON), field="reason")
    report = CommentReport(comment_id=comment.id, reporter_id=user.id, reason=reason)
    db.session.add(report)
    db.session.commit()
    notices.comment_reported(db.session.get(Proposal, comment.proposal_id))
    return report
