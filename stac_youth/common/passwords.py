"""Password rules: 12 to 128 characters, not a common password; scrypt hashes."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 128
_DUMMY_HASH = generate_password_hash("timing-equaliser-password", method="scrypt")


@cache
def common_passwords() -> frozenset[str]:
    """The common-password list shipped with zxcvbn (tens of thousands of entries)."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str) -> str | None:
    """Why a password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(n)d characters.", n=MAX_LENGTH)
    if password.lower() in common_passwords() or password.strip().lower() in common_passwords():
        return _l("This password is too common. Choose one that is harder to guess.")
    return None


def hash_password(password: str) -> str:
    """A scrypt hash of the password."""
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; an account without a hash still costs one hash check, to keep timing even."""
    if not password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)
