"""Readiness: whether this process can serve traffic now (database, Redis, migrations at head), for /readyz.

Checks are named functions run in order. Each returns a short public status ("ok", "not configured") or raises:
NotReady with a short public reason, or any other exception, answered as "unavailable" and logged. Other features
add their own with register_check(name, check).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import redis
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text

from ..common.outbox import oldest_due_at
from ..common.time import utcnow
from ..extensions import db

log = logging.getLogger(__name__)

OK = "ok"
NOT_CONFIGURED = "not configured"
UNAVAILABLE = "unavailable"
REDIS_TIMEOUT_SECONDS = 2
#: an email due for longer than this means no mail sender is at work (failed tries wait for their retry, not due)
OUTBOX_LATE_AFTER = timedelta(minutes=15)

Check = Callable[[], str]
#: (name, check) in the order they run; names are what /readyz answers with
CHECKS: list[tuple[str, Check]] = []


class NotReady(Exception):
    """A check failed for a reason that may be shown publicly (no addresses, paths or credentials)."""


def register_check(name: str, check: Check) -> None:
    """Add a named check to /readyz (run inside the app context); registering a name again replaces its check."""
    names = [existing for existing, _ in CHECKS]
    if name in names:
        CHECKS[names.index(name)] = (name, check)
    else:
        CHECKS.append((name, check))


def run_checks() -> dict[str, str]:
    """Every check's public status by name; a failure does not stop the checks after it."""
    results = {}
    for name, check in CHECKS:
        try:
            results[name] = check()
        except NotReady as reason:
            log.warning("readiness check %s failed: %s", name, reason)
            results[name] = str(reason)
        except Exception as error:  # noqa: BLE001 - whatever breaks, the answer is "not ready", with the part named
            log.warning("readiness check %s failed: %s: %s", name, type(error).__name__, error)
            results[name] = UNAVAILABLE
    return results


def failed_checks(results: dict[str, str]) -> list[str]:
    """The names of the checks that did not pass."""
    return [name for name, status in results.items() if status not in (OK, NOT_CONFIGURED)]



def check_database() -> str:
    """The database answers SELECT 1."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return OK


def check_redis() -> str:
    """Redis answers PING, when REDIS_URL is set."""
    url = current_app.config["REDIS_URL"]
    if not url:
        return NOT_CONFIGURED
    client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                  socket_timeout=REDIS_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()
    return OK


def migrations_directory() -> Path:
    """The migrations folder beside the package, wherever the process was started."""
    return Path(current_app.root_path).parent / "migrations"


@lru_cache(maxsize=4)
def script_heads(directory: str) -> frozenset[str]:
    """The head revisions of the migration scripts; read once per process, as the code cannot change meanwhile."""
    config = AlembicConfig()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def check_migrations() -> str:
    """The database's Alembic revision is the head of the migration scripts."""
    with db.engine.connect() as connection:
        current = frozenset(MigrationContext.configure(connection).get_current_heads())
    if current != script_heads(str(migrations_directory())):
        raise NotReady("not at head")
    return OK


def check_outbox() -> str:
    """No email has been due for longer than OUTBOX_LATE_AFTER: a mail sender (flask mail-worker) is running."""
    oldest = oldest_due_at()
    if oldest is not None and utcnow() - oldest > OUTBOX_LATE_AFTER:
        raise NotReady("stalled")
    return OK


register_check("database", check_database)
register_check("redis", check_redis)
register_check("migrations", check_migrations)
register_check("outbox", check_outbox)
