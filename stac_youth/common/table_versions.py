"""Which tables a statement reads and writes, and a version per table that changes after every committed write.

The page cache keeps a rendered page with the versions of the tables it read, and serves it again only while they
are unchanged. A table's version moves when the connection that wrote to it goes back to the pool, that is after its
transaction has committed (or rolled back, which costs a needless miss and nothing else): whoever reads a version
afterwards is sure to read the written rows too. Every statement passes through SQLAlchemy's engine events, ORM and
Core and driver SQL alike, so no write can bypass this; a write whose target is not a known table moves every
version ("*").

Versions live in the process (one server process, as on SQLite) or in Redis when REDIS_URL is set, so that every
process sees every other's writes.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
from collections.abc import Iterable

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

EVERYTHING = "*"
_WRITTEN = "stac_youth_tables_written"  # the pooled connection's info key: tables written since it was checked out
_READS_ONLY = re.compile(
    r"\s*(SELECT|PRAGMA|SAVEPOINT|RELEASE|BEGIN|COMMIT|ROLLBACK|SHOW|SET|EXPLAIN|VACUUM|ANALYZE)\b", re.IGNORECASE)
# "FOR UPDATE" locks and "DO UPDATE" of an upsert name no table of their own
_WRITE_TARGET = re.compile(
    r"\b(INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|(?<!FOR\s)(?<!DO\s)UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"
    r"(?:\"?\w+\"?\.)?\"?(\w+)\"?",
    re.IGNORECASE,
)
_STATEMENTS_REMEMBERED = 4096


class SqlTables:
    """Reads a SQL statement's text for the schema's tables: those it names, and those a write may change."""

    def __init__(self, metadata: MetaData):
        self.names = frozenset(metadata.tables)
        pattern = "|".join(sorted((re.escape(name) for name in self.names), key=len, reverse=True))
        self._named = re.compile(rf"\b({pattern})\b") if pattern else None
        self._cascades = {"DELETE": _cascades(metadata, "ondelete"), "UPDATE": _cascades(metadata, "onupdate")}
        self._reads: dict[str, frozenset[str]] = {}
        self._writes: dict[str, frozenset[str] | None] = {}

    def read_by(self, statement: str) -> frozenset[str]:
        """Every schema table the statement names (a column sharing a table's name adds it too: never too few)."""
        found = self._reads.get(statement)
        if found is None:
            found = frozenset(self._named.findall(statement)) if self._named else frozenset()
            self._remember(self._reads, statement, found)
        return found

    def written_by(self, statement: str) -> frozenset[str] | None:
        """The tables a statement may change, with those its deletes cascade to; None for a read."""
        if statement in self._writes:
            return self._writes[statement]
        writes = [] if _READS_ONLY.match(statement) else _WRITE_TARGET.findall(statement)
        targets = {table.lower() for _verb, table in writes}
        if not writes and (_READS_ONLY.match(statement) or statement.lstrip()[:4].upper() == "WITH"):
            found = None  # a query, or a WITH query that writes nothing
        elif not targets or not targets <= self.names:
            found = frozenset({EVERYTHING})  # DDL, or a table outside the schema: assume anything changed
        else:
            cascaded = (self._cascades.get(verb[:6].upper(), {}).get(table.lower(), ()) for verb, table in writes)
            found = frozenset(itertools.chain(targets, *cascaded))
        self._remember(self._writes, statement, found)
        return found

    @staticmethod
    def _remember(memo: dict, statement: str, value) -> None:
        if len(memo) >= _STATEMENTS_REMEMBERED:  # statements are compiled once each, so this is a safeguard only
            memo.clear()
        memo[statement] = value


def _cascades(metadata: MetaData, rule: str) -> dict[str, frozenset[str]]:
    """Table -> the tables a delete (rule "ondelete") or a key change ("onupdate") there may change too."""
    direct: dict[str, set[str]] = {}
    for table in metadata.tables.values():
        for key in table.foreign_keys:
            if getattr(key, rule):
                direct.setdefault(key.column.table.name, set()).add(table.name)
    closed = {}
    for name in direct:
        seen, todo = set(), list(direct[name])
        while todo:
            other = todo.pop()
            if other not in seen:
                seen.add(other)
                todo.extend(direct.get(other, ()))
        closed[name] = frozenset(seen)
    return closed


class LocalVersions:
    """Table versions of this process alone."""

    def __init__(self):
        self._versions: dict[str, int] = {}
        self._ticks = itertools.count(1)  # one counter for all: a version never comes back, even if bumps race

    def snapshot(self) -> dict[str, int] | None:
        """Every table's current version (a table never written is absent, which reads as 0)."""
        return dict(self._versions)

    def bump(self, tables: Iterable[str]) -> None:
        """Move the version of each table."""
        for table in tables:
            self._versions[table] = next(self._ticks)


class RedisVersions:
    """Table versions shared by every process through one Redis hash, named after the database they describe."""

    def __init__(self, url: str, database: str):
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.key = "stac-youth:table-versions:" + hashlib.sha256(database.encode()).hexdigest()[:16]

    def snapshot(self) -> dict[str, int] | None:
        """Every table's current version, or None when Redis cannot be reached (nothing is served from cache then)."""
        try:
            raw = self._redis.hgetall(self.key)
        except Exception as error:  # noqa: BLE001 - any Redis failure means: do not trust what is cached
            log.warning("table versions unavailable: %r", error)
            return None
        return {name.decode(): int(value) for name, value in raw.items()}

    def bump(self, tables: Iterable[str]) -> None:
        """Move the version of each table, for every process."""
        try:
            with self._redis.pipeline(transaction=False) as pipe:
                for table in tables:
                    pipe.hincrby(self.key, table, 1)
                pipe.execute()
        except Exception as error:  # noqa: BLE001 - the cached pages then live out their time limit at most
            log.error("could not record writes to %s: %r", sorted(tables), error)


def versions_for(redis_url: str | None, engine: Engine) -> LocalVersions | RedisVersions:
    """Redis-backed versions when several processes share the database, else this process's own."""
    if not redis_url:
        return LocalVersions()
    return RedisVersions(redis_url, engine.url.render_as_string(hide_password=True))


def watch_writes(engine: Engine, tables: SqlTables, versions: LocalVersions | RedisVersions) -> None:
    """Note the tables each statement changes on its pooled connection; move their versions when it is returned."""
    @event.listens_for(engine, "after_cursor_execute")
    def _note_write(conn, cursor, statement, parameters, context, executemany):
        written = tables.written_by(statement)
        if written is None:
            return
        if not executemany and statement.lstrip()[:4].upper() != "WITH" and cursor.rowcount == 0:
            return  # an UPDATE or DELETE that matched nothing, an INSERT ... SELECT that found nothing to insert
        conn.info.setdefault(_WRITTEN, set()).update(written)

    @event.listens_for(engine, "checkin")
    def _publish(dbapi_connection, record):
        written = record.info.pop(_WRITTEN, None) if record is not None else None
        if written:
            versions.bump(written)

    @event.listens_for(engine, "invalidate")
    def _publish_lost(dbapi_connection, record, exception):
        _publish(dbapi_connection, record)
