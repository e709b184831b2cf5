"""Device logins: each sign-in is a row its cookies point to, so one device can sign out on its own."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, exists, select, update

from ..common.signals import login_ended
from ..common.time import utcnow
from ..common.tokens import hash_token, new_token
from ..extensions import db
from .models import LoginSession, User


def open_login(user: User, remember: bool) -> str:
    """Record a new device login and return its token: 12 hours, or 14 days with remember-me."""
    token, token_hash = new_token()
    now = utcnow()
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"]
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at <= now))
    db.session.add(
        LoginSession(user_id=user.id, token_hash=token_hash, remember=remember, created_at=now,
                     expires_at=now + lifetime)
    )
    db.session.commit()
    return token


def open_login_exists(user_id, token: str | None, token_hash=None, now=None):
    """A SQL condition: the device login is the user's, not ended and not expired (values or bound parameters)."""
    return exists().where(
        LoginSession.token_hash == (token_hash if token_hash is not None else hash_token(token)),
        LoginSession.user_id == user_id,
        LoginSession.ended_at.is_(None),
        LoginSession.expires_at > (now if now is not None else utcnow()),
    )


def close_login(user: User, token: str | None) -> None:
    """End one device login; its session and remember cookies stop working, copies included."""
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == hash_token(token), LoginSession.user_id == user.id)
            .values(ended_at=utcnow())
        )
        db.session.commit()
        login_ended.send(user, token=token)


def end_all_logins(user: User) -> None:
    """End every device login of the user; the caller commits."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def open_logins(user: User) -> list[LoginSession]:
    """The user's device logins that still work, newest first."""
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None), LoginSession.expires_at > utcnow())
            .order_by(LoginSession.created_at.desc())
        )
    )
