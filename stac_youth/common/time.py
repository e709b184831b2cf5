"""UTC storage and display in the viewer's zone."""

from __future__ import annotations

from datetime import UTC, datetime

DEFAULT_TIMEZONE = "America/Los_Angeles"


def utcnow() -> datetime:
    """The current time as a naive UTC datetime, the form every column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_utc(value: datetime) -> datetime:
    """Attach UTC to a naive datetime read from the database."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
