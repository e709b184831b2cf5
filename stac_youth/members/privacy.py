"""A member's own data: export everything held about them, or erase the account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from ..common.audit import AuditEvent, record_audit
from ..common.errors import ServiceError
from ..common.i18n import localized_name
from ..common.markdown import forget_rendered_texts
from ..common.passwords import verify_password
from ..common.signals import account_erased, collect_personal_data
from ..common.time import utcnow
from ..extensions import db
from .accounts import close_sockets_of, revoke_sessions
from .avatars import delete_avatar_file
from .models import Invitation, LoginSession, PasswordResetToken, User

FORMER_MEMBER_FIELDS = (
    "display_name", "pronouns", "region_id", "county_id", "school", "grade", "bio", "avatar_filename",
    "password_hash",
)


def _iso(value) -> str | None:
    return value.isoformat() + "Z" if value else None


def export_user_data(user: User) -> dict:
    """Everything the app holds about the user, as JSON-ready data."""
    data = {
        "account": {
            "id": user.id,
            "email": user.email,
            "role": user.role,
            "active": user.active,
            "created_at": _iso(user.created_at),
        },
        "profile": {
            "display_name": user.display_name,
            "pronouns": user.pronouns,
            "region": localized_name(user.region) if user.region else None,
            "county": user.county.name if user.county else None,
            "school": user.school,
            "grade": user.grade,
            "bio": user.bio,
            "interests": user.interest_tags,
            "preferred_language": user.preferred_language,
            "timezone": user.timezone,
            "has_avatar": bool(user.avatar_filename),
            "hide_school": user.hide_school,
            "hide_bio": user.hide_bio,
        },
        "invitations_received": [
            {"email": inv.email, "role": inv.role, "created_at": _iso(inv.created_at), "used_at": _iso(inv.used_at)}
            for inv in db.session.scalars(select(Invitation).where(Invitation.user_id == user.id))
        ],
        "invitations_sent": [
            {"email": inv.email, "role": inv.role, "created_at": _iso(inv.created_at), "status": inv.status(utcnow())}
            for inv in db.session.scalars(select(Invitation).where(Invitation.invited_by_id == user.id))
        ],
        "device_logins": [
            {"created_at": _iso(login.created_at), "expires_at": _iso(login.expires_at),
             "ended_at": _iso(login.ended_at), "remember": login.remember}
            for login in db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id))
        ],
        "password_resets": [
            {"created_at": _iso(reset.created_at), "used_at": _iso(reset.used_at)}
            for reset in db.session.scalars(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
        ],
        "audit_events": [
            {
                "at": _iso(ev.created_at),
                "action": ev.action,
                "by_you": ev.actor_id == user.id,
                "about_you": ev.subject_id == user.id,
            }
            for ev in db.session.scalars(
                select(AuditEvent)
                .where(or_(AuditEvent.actor_id == user.id, AuditEvent.subject_id == user.id))
                .order_by(AuditEvent.id)
            )
        ],
    }
    for _receiver, section in collect_personal_data.send(user):
        data.update(section or {})
    return data


def _forget_invitations(user: User, email: str | None) -> None:
    """Invitations to the erased member keep no email; one still pending is withdrawn."""
    to_them = Invitation.user_id == user.id
    if email:
        to_them = or_(to_them, func.lower(Invitation.email) == email.lower())
    now = utcnow()
    db.session.execute(update(Invitation).where(to_them, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
                       .values(revoked_at=now).execution_options(synchronize_session=False))
    db.session.execute(update(Invitation).where(to_them).values(email="")
                       .execution_options(synchronize_session=False))


def delete_account(user: User, password: str) -> None:
    """Erase the member's personal fields and every copy of their name and email; what they wrote stays."""
    if not verify_password(user.password_hash, password):
        raise ServiceError(_l("Your password is not right."), field="password")
    avatar, former_name, former_email = user.avatar_filename, (user.display_name or "").strip(), user.email
    for field in FORMER_MEMBER_FIELDS:
        setattr(user, field, None)
    user.email = None
    user.active = False
    user.hide_school = True
    user.hide_bio = True
    user.interests = []
    user.deleted_at = utcnow()
    db.session.execute(PasswordResetToken.__table__.delete().where(PasswordResetToken.user_id == user.id))
    revoke_sessions(user)
    _forget_invitations(user, former_email)
    record_audit("account.deleted", actor=user, subject=user)
    account_erased.send(user, former_name=former_name, former_email=former_email)  # each feature rewrites its own
    db.session.commit()
    forget_rendered_texts()  # this process's rendered Markdown may hold texts that named them
    close_sockets_of(user)
    delete_avatar_file(avatar)
