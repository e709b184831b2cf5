"""Random single-use tokens of which only a hash is stored."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh URL-safe token and the SHA-256 hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token, the only form kept in the database."""
    return hashlib.sha256(token.encode()).hexdigest()
