"""UTC storage and display in the viewer's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "America/Los_Angeles"


def utcnow() -> datetime:
    """The current time as a naive UTC datetime, the form every column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_utc(value: datetime) -> datetime:
    """Attach UTC to a naive datetime read from the database."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def local_to_utc(value: datetime, zone: str) -> datetime:
    """A naive wall-clock time in `zone` as a naive UTC datetime for storage."""
    return value.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(value: datetime, zone: str) -> datetime:
    """A stored naive UTC datetime as a naive wall-clock time in `zone` (for form fields)."""
    return as_utc(value).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
