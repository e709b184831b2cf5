"""Ballot receipts: a code the voter keeps, stored only as a hash, that proves their ballot is counted."""

from __future__ import annotations

import base64
import secrets

from sqlalchemy import exists, select

from ..common.tokens import hash_token
from ..extensions import db
from .models import Ballot, Poll

RECEIPT_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
RECEIPT_LENGTH = 16


def new_receipt() -> str:
    """A receipt code people can copy: 16 base32 characters in groups of four."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalise_receipt(code) -> str | None:
    """The code in its printed form (four groups of four, like ABCD-EFGH-IJKL-MNOP), or None if it is not one."""
    if not isinstance(code, str) or len(code) > 40:
        return None
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(raw) != RECEIPT_LENGTH or not set(raw) <= RECEIPT_ALPHABET:
        return None
    return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_hash(code: str) -> str:
    """What is stored of a receipt code: its hash, whatever its grouping and case."""
    return hash_token("".join(ch for ch in str(code).upper() if ch.isalnum()))


def verify_receipt(poll: Poll, code: str) -> bool:
    """Whether a ballot with this receipt code is stored (and so counted) in the poll."""
    if not isinstance(code, str) or not code.strip():
        return False
    return bool(db.session.scalar(select(exists().where(Ballot.poll_id == poll.id,
                                                        Ballot.receipt_hash == receipt_hash(code)))))
