"""Numbers read from query strings and forms stay within a database integer."""

from __future__ import annotations

#: the largest value of an integer column on PostgreSQL (SQLite's go up to 2**63 - 1)
MAX_ID = 2**31 - 1


def database_int(value: str) -> int:
    """A positive integer that an id or page column can hold; ValueError otherwise, so `args.get` uses its default."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"{value!r} is outside 1..{MAX_ID}")
    return number
