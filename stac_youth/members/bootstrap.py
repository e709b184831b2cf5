"""Accounts made outside the invitation flow: the first admin and demo data."""

from __future__ import annotations

from ..common.audit import record_audit
from ..common.passwords import hash_password, password_problem
from ..extensions import db
from .accounts import find_user_by_email
from .invitations import normalize_email
from .models import User


def create_account(email: str, display_name: str, password: str, role: str, **profile) -> User:
    """Create an active account directly; raises ValueError when the email is taken or the password weak."""
    if find_user_by_email(email) is not None:
        raise ValueError(f"{email} already has an account.")
    problem = password_problem(password)
    if problem:
        raise ValueError(str(problem))
    user = User(
        email=normalize_email(email),
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        # like the migration that added the flag: a stored language other than the default was picked
        language_chosen=profile.pop("language_chosen", profile.get("preferred_language", "en") != "en"),
        **profile,
    )
    db.session.add(user)
    db.session.flush()
    record_audit("account.created_by_command", subject=user, role=role)
    db.session.commit()
    return user
