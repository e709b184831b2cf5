"""Invitation-only sign-up: create, find, revoke and accept invitations."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..common.audit import record_audit
from ..common.errors import ServiceError
from ..common.mailer import send_email
from ..common.passwords import hash_password, password_problem
from ..common.roles import Role
from ..common.time import utcnow
from ..common.tokens import hash_token, new_token
from ..extensions import db
from .models import Invitation, Region, User


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively: store and look them up lower-cased."""
    return email.strip().lower()


def roles_inviter_may_grant(inviter: User) -> list[str]:
    """Admins invite any role; advisors invite members only."""
    if inviter.role == Role.ADMIN:
        return list(Role)
    if inviter.role == Role.ADVISOR:
        return [Role.MEMBER]
    return []


def invite_member(inviter: User, email: str, role: str, region_id: int | None, link_for) -> NewInvitation:
    """Create a single-use invitation valid for 7 days, email its link; only the token's hash is stored."""
    email = normalize_email(email)
    if role not in roles_inviter_may_grant(inviter):
        raise ServiceError(_l("You cannot invite someone with that role."), field="role")
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise ServiceError(_l("Someone with this email already has an account."), field="email")
    if region_id is not None and db.session.get(Region, region_id) is None:
        raise ServiceError(_l("Choose a region from the list."), field="region_id")
    token, token_hash = new_token()
    now = utcnow()
    invitation = Invitation(
        email=email,
        role=role,
        region_id=region_id,
        token_hash=token_hash,
        invited_by_id=inviter.id,
        created_at=now,
        expires_at=now + current_app.config["INVITATION_TTL"],
    )
    db.session.add(invitation)
    db.session.flush()
    record_audit("invitation.created", actor=inviter, invitation_id=invitation.id, role=role)  # the row holds the email
    send_email(
        email,
        "email/invitation_subject.txt",
        "email/invitation.txt",
        language=("en", "es"),
        inviter=inviter,
        invitation=invitation,
        link=link_for(token),
    )
    db.session.commit()  # the invitation and its email, together
    return NewInvitation(invitation=invitation, token=token)


def find_open_invitation(token: str) -> Invitation | None:
    """The pending invitation for a token, or None when unknown, used, revoked or expired."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.status(utcnow()) != "pending":
        return None
    return invitation


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    """Withdraw a pending invitation so its link stops working."""
    if invitation.status(utcnow()) != "pending":
        raise ServiceError(_l("Only a pending invitation can be withdrawn."))
    if actor.role != Role.ADMIN and invitation.invited_by_id != actor.id:
        raise ServiceError(_l("You can only withdraw invitations you sent."))
    invitation.revoked_at = utcnow()
    record_audit("invitation.revoked", actor=actor, invitation_id=invitation.id)
    db.session.commit()


def accept_invitation(token: str, display_name: str, password: str, language: str = "en") -> User:
    """Create the account an invitation was for; the link cannot be used again."""
    now = utcnow()
    invitation = find_open_invitation(token)
    if invitation is None:
        raise ServiceError(_l("This invitation link is not valid any more. Ask for a new one."))
    problem = password_problem(password)
    if problem:
        raise ServiceError(problem, field="password")
    display_name = display_name.strip()
    if not display_name:
        raise ServiceError(_l("Enter the name others will see."), field="display_name")
    # The conditional update claims the invitation atomically, so a double submit creates one account.
    claimed = db.session.execute(
        Invitation.__table__.update()
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise ServiceError(_l("This invitation link is not valid any more. Ask for a new one."))
    user = User(
        email=invitation.email,
        password_hash=hash_password(password),
        role=invitation.role,
        region_id=invitation.region_id,
        display_name=display_name,
        preferred_language=language,
    )
    db.session.add(user)
    db.session.flush()
    invitation.user_id = user.id
    record_audit("invitation.accepted", actor=user, subject=user, invitation_id=invitation.id, role=user.role)
    db.session.commit()
    return user


def list_invitations(viewer: User) -> list[Invitation]:
    """Invitations the viewer may see: all for admins, their own for advisors."""
    query = select(Invitation).order_by(Invitation.created_at.desc())
    if viewer.role != Role.ADMIN:
        query = query.where(Invitation.invited_by_id == viewer.id)
    return list(db.session.scalars(query.limit(200)))
