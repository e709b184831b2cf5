"""Failed sign-ins: the audit row, naming nobody for unknown accounts, and a notice to the owner when they repeat."""

from __future__ import annotations

from hashlib import sha256

from flask import current_app
from limits import parse

from ..common.audit import record_audit
from ..common.signals import sign_in_failures_repeated
from ..extensions import db, limiter
from .invitations import normalize_email
from .models import User


def account_key(email: str) -> str:
    """The typed account as a key for counters: hashed, so no limit store holds an email."""
    return sha256(normalize_email(email).encode()).hexdigest()


def record_failed_sign_in(email: str, user: User | None) -> None:
    """Audit a failed sign-in (for an unknown account only the note "unknown"); tell the owner when failures repeat."""
    if user is None:
        record_audit("login.failed", account="unknown")
    else:
        record_audit("login.failed", subject=user)
    db.session.commit()
    # Counted whatever the account's state, so the count costs the same time for every email typed.
    if _failures_repeat(account_key(email)) and user is not None and user.is_active:
        sign_in_failures_repeated.send(user)


def _failures_repeat(key: str) -> bool:
    """Count a failure on the account: True once per window, after more failures than LOGIN_FAILURE_NOTICE_AFTER."""
    threshold = parse(current_app.config["LOGIN_FAILURE_NOTICE_AFTER"])
    once = type(threshold)(1, threshold.multiples)
    if limiter.limiter.hit(threshold, "login-failures", key):
        return False
    return limiter.limiter.hit(once, "login-failure-notice", key)
