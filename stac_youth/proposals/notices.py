"""What the proposals area tells people: co-sponsor invitations, mentions, reported comments."""

from __future__ import annotations

from sqlalchemy import select

from ..common.roles import Role
from ..common.urls import path_for
from ..extensions import db
from ..members.models import User
from ..notifications import kinds
from ..notifications.mentions import mentioned_in
from ..notifications.services import notify


def cosponsor_invited(author: User, member: User, proposal) -> None:
    """The invited member hears who asks them to co-sponsor what."""
    notify([member], kinds.COSPONSOR_INVITED, path_for("proposals.detail", proposal_id=proposal.id),
           actor=author, title=proposal.title)


def mentioned_in_comment(author: User, comment, proposal) -> None:
    """People named with @ in a comment (except the author) hear where."""
    named = [user for user in mentioned_in(comment.body) if user.id != author.id]
    if named:
        notify(named, kinds.MENTION, path_for("proposals.detail", proposal_id=proposal.id) + f"#comment-{comment.id}",
               actor=author, place=proposal.title)


def comment_reported(proposal) -> None:
    """Advisors and admins hear that a comment waits for moderation."""
    staff = db.session.scalars(select(User).where(User.role.in_((Role.ADVISOR, Role.ADMIN)), User.active.is_(True),
                                                  User.deleted_at.is_(None)))
    notify(list(staff), kinds.REPORT, path_for("proposals.detail", proposal_id=proposal.id) + "#comments",
           place=proposal.title)
