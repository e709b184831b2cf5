"""Accounts: sign-in, sessions, passwords, roles and deactivation."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..common.audit import record_audit
from ..common.errors import ServiceError
from ..common.mailer import send_email
from ..common.passwords import hash_password, password_problem, verify_password
from ..common.roles import Role
from ..common.signals import sessions_revoked
from ..common.time import utcnow
from ..common.tokens import hash_token, new_token
from ..extensions import db
from .failed_sign_ins import record_failed_sign_in
from .invitations import normalize_email
from .logins import end_all_logins, open_login_exists
from .models import PasswordResetToken, User


def find_user_by_email(email: str) -> User | None:
    """The live account with this email, compared case-insensitively."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def parse_login_id(login_id) -> tuple[int, int, str] | None:
    """Flask-Login's id "<user>:<session version>:<device token>" as its parts, or None when it is not one."""
    if not isinstance(login_id, str):
        return None
    parts = login_id.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or not parts[2]:
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def load_user_from_login_id(login_id: str) -> User | None:
    """Resolve Flask-Login's id "<user>:<session version>:<device token>"; anything stale means signed out."""
    parts = parse_login_id(login_id)
    if parts is None:
        return None
    user_id, version, token = parts
    user = db.session.scalar(select(User).where(
        User.id == user_id,
        User.session_version == version,
        User.active.is_(True),
        User.deleted_at.is_(None),
        open_login_exists(User.id, token),
    ))
    if user is not None:
        user.login_token = token
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password match, or None; every failure costs one full hash check and is audited."""
    user = find_user_by_email(email)
    usable = user is not None and user.is_active
    # Always one full hash check: a deactivated or unknown account is checked against the dummy hash, so the time
    # a failure takes does not tell which accounts exist or are deactivated.
    if verify_password(user.password_hash if usable else None, password) and usable:
        return user
    record_failed_sign_in(email, user)
    return None


def revoke_sessions(user: User) -> None:
    """End every session and remember cookie of the user by bumping the version in their login id.

    The caller commits, then calls close_sockets_of: live sockets close only once the change is stored,
    so a socket reconnecting at once meets the new version, and a closing socket's own writes (presence) do not
    run inside, or wait on, the caller's open transaction.
    """
    user.session_version = (user.session_version or 1) + 1
    end_all_logins(user)


def close_sockets_of(user: User) -> None:
    """Close the user's live sockets in every namespace; call after the commit that revoked their sessions."""
    sessions_revoked.send(user)


def logout_everywhere(user: User) -> None:
    """Sign the user out on every device; the caller signs the current session in again if it wants."""
    revoke_sessions(user)
    record_audit("sessions.revoked", actor=user, subject=user)
    db.session.commit()
    close_sockets_of(user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password after checking the current one; other sessions end."""
    if not verify_password(user.password_hash, current_password):
        raise ServiceError(_l("Your current password is not right."), field="current_password")
    problem = password_problem(new_password)
    if problem:
        raise ServiceError(problem, field="new_password")
    user.password_hash = hash_password(new_password)
    revoke_sessions(user)
    record_audit("password.changed", actor=user, subject=user)
    db.session.commit()
    close_sockets_of(user)


def request_password_reset(email: str, reset_url_for) -> None:
    """Email a single-use reset link valid for 1 hour, when the email belongs to an active account."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    token, token_hash = new_token()
    now = utcnow()
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + current_app.config["PASSWORD_RESET_TTL"],
        )
    )
    record_audit("password.reset_requested", subject=user)
    send_email(
        user.email,
        "email/password_reset_subject.txt",
        "email/password_reset.txt",
        language=user.preferred_language,
        user=user,
        reset_url=reset_url_for(token),
    )
    db.session.commit()  # the email goes out with the token, or neither does


def find_reset_token(token: str) -> PasswordResetToken | None:
    """The unused, unexpired reset token, or None."""
    reset = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow() or not reset.user.is_active:
        return None
    return reset


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from an emailed token; the token then stops working and sessions end."""
    reset = find_reset_token(token)
    if reset is None:
        raise ServiceError(_l("This reset link is not valid any more. Ask for a new one."))
    problem = password_problem(new_password)
    if problem:
        raise ServiceError(problem, field="password")
    claimed = db.session.execute(
        PasswordResetToken.__table__.update()
        .where(PasswordResetToken.id == reset.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise ServiceError(_l("This reset link is not valid any more. Ask for a new one."))
    user = reset.user
    user.password_hash = hash_password(new_password)
    revoke_sessions(user)
    record_audit("password.reset", actor=user, subject=user)
    db.session.commit()
    close_sockets_of(user)
    return user


def change_role(admin: User, user: User, role: str) -> None:
    """An admin gives a user another role; the user's sessions end."""
    if role not in set(Role):
        raise ServiceError(_l("Choose a role from the list."), field="role")
    if user.id == admin.id:
        raise ServiceError(_l("You cannot change your own role."))
    if user.role == role:
        return
    old = user.role
    user.role = role
    revoke_sessions(user)
    record_audit("user.role_changed", actor=admin, subject=user, old=old, new=role)
    db.session.commit()
    close_sockets_of(user)


def set_active(admin: User, user: User, active: bool) -> None:
    """An admin deactivates or reactivates an account; deactivation ends its sessions."""
    if user.id == admin.id:
        raise ServiceError(_l("You cannot deactivate your own account."))
    if user.is_deleted:
        raise ServiceError(_l("This account was deleted."))
    if user.active == active:
        return
    user.active = active
    if not active:
        revoke_sessions(user)
    record_audit("user.reactivated" if active else "user.deactivated", actor=admin, subject=user)
    db.session.commit()
    if not active:
        close_sockets_of(user)


def set_language(user: User, language: str) -> None:
    """Remember the language the user picked: from now on it wins over the browser's."""
    if language not in current_app.config["LANGUAGES"]:
        raise ServiceError(_l("Choose English or Spanish."))
    user.preferred_language = language
    user.language_chosen = True
    db.session.commit()


def keep_sign_in_language(user: User, language: str, picked: bool) -> None:
    """At sign-in: a language picked with the switch is the user's choice; an account that never chose a language
    takes the browser's one (still not a choice), so the pages after sign-in stay in the sign-in page's language."""
    if language not in current_app.config["LANGUAGES"]:
        return
    if picked:
        set_language(user, language)
    elif not user.language_chosen and user.preferred_language != language:
        user.preferred_language = language
        db.session.commit()
