"""Database set-up shared by the app and the tests."""

from __future__ import annotations

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
