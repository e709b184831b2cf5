"""Database set-up shared by the app and the tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine, Row
from sqlalchemy.orm import make_transient_to_detached


def configure_sqlite(engine: Engine) -> None:
    """SQLite: WAL, foreign keys on, and a busy timeout so writers queue instead of failing."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def commit_keeping_loaded(session) -> None:
    """Commit without expiring loaded objects, so the caller can keep using what it just wrote without reloading.

    Only for hot paths that read nothing another transaction could have changed in between.
    """
    real = session() if callable(session) else session
    real.expire_on_commit = False
    try:
        real.commit()
    finally:
        real.expire_on_commit = True


def session_is_idle(session) -> bool:
    """Whether the session has sent nothing to the database and holds no change it would send, so that statements
    on a connection of its own see all there is to see. Adding a loaded object (the signed-in user) begins a session
    transaction, but without a connection."""
    real = session() if callable(session) else session  # a scoped_session hands out the request's Session
    if real.new or real.dirty or real.deleted:
        return False
    transaction = real.get_transaction()
    return transaction is None or not transaction._connections


def session_unused_or_idle(scoped) -> bool:
    """session_is_idle for a scoped session, true at once when the scope (the request) has not made its Session yet,
    which is then not made here."""
    return not scoped.registry.has() or session_is_idle(scoped)


@contextmanager
def autocommit_connection(session) -> Iterator:
    """A pooled connection of the session's engine, outside the session's transaction (see session_is_idle).

    On PostgreSQL each statement commits by itself, so it costs no BEGIN and no COMMIT round trip; a single statement
    is atomic anyway. The sqlite3 driver already runs reads outside any transaction (and would begin one for a
    write, which the caller then commits or rolls back).
    """
    with own_connection(session.get_bind(), autocommit=True) as connection:
        yield connection


@contextmanager
def own_connection(engine: Engine, autocommit: bool = False) -> Iterator:
    """A pooled connection of the engine; with autocommit, each statement commits by itself on PostgreSQL (see
    autocommit_connection)."""
    with engine.connect() as connection:
        if autocommit and connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


def execute_on_cursor(connection, statement: str, parameters) -> tuple | None:
    """Run one driver statement (as exec_driver_sql takes it) and return its first row, or None.

    It goes through SQLAlchemy's own cursor execution, so the engine's cursor events fire (the page cache's table
    versions, the tests' statement counters) and driver errors come wrapped as sqlalchemy.exc errors, but without the
    execution context and result objects, which on a short statement cost more than the driver's work: about 50 µs a
    statement, a sixth of a ballot. For the ballot's statements only; every other query takes the usual path.
    """
    cursor = connection.connection.cursor()
    try:
        connection._cursor_execute(cursor, statement, parameters)  # SQLAlchemy's own; tests cover every use
        return cursor.fetchone() if cursor.description is not None else None
    finally:
        cursor.close()


def columns_of(model) -> list:
    """Every column of a model's table, in the order instance_from_row expects them."""
    return [attribute.columns[0] for attribute in inspect(model).column_attrs]


def instance_from_row(session, model, row: Row):
    """The session's instance of `model` for a row of columns_of(model), as a query for it would return it.

    For the hottest reads only (the signed-in user, on every request and socket event): the ORM's per-query work
    costs more than the query itself, while this builds the instance straight from the row's values.
    """
    mapper = inspect(model)
    keys = [attribute.key for attribute in mapper.column_attrs]
    known = session.identity_map.get(mapper.identity_key_from_primary_key(
        [row[keys.index(column.key)] for column in mapper.primary_key]))
    if known is not None:
        return known
    instance = mapper.class_manager.new_instance()
    instance.__dict__.update(zip(keys, row, strict=True))
    make_transient_to_detached(instance)  # its values count as loaded from the database, not as changes
    session.add(instance)
    return instance
