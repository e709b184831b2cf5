"""Migrations agree with the models (SQLite and PostgreSQL), downgrade cleanly, and /healthz reports the database."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from stac_youth import create_app
from stac_youth.config import TestingConfig
from stac_youth.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _app(database_uri: str, tmp_path: Path):
    class _Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_uri
        AVATAR_DIR = tmp_path / "avatars"

    return create_app(_Config)


def _differences() -> list:
    """What `flask db migrate` would generate now: [] when the latest revision matches the models."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _model_tables() -> set[str]:
    return set(db.metadata.tables)


def _upgrade_check_downgrade_upgrade(app) -> None:
    with app.app_context():
        try:
            upgrade(directory=MIGRATIONS)
            assert _model_tables() <= _tables()
            assert _differences() == []
            downgrade(directory=MIGRATIONS, revision="base")
            assert _tables() - {"alembic_version"} == set()
            upgrade(directory=MIGRATIONS)
            assert _model_tables() <= _tables()
            assert _differences() == []
        finally:
            db.session.remove()
            db.engine.dispose()


def test_sqlite_fresh_upgrade_matches_the_models(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)
    with app.app_context():
        try:
            assert _tables() == set()
            upgrade(directory=MIGRATIONS)
            assert _model_tables() <= _tables()
            assert _differences() == []
        finally:
            db.engine.dispose()


def test_sqlite_downgrade_to_base_and_upgrade_again(tmp_path):
    _upgrade_check_downgrade_upgrade(_app(f"sqlite:///{tmp_path / 'roundtrip.db'}", tmp_path))


def test_postgresql_upgrade_matches_the_models_and_round_trips(postgres_url, tmp_path):
    app = _app(postgres_url, tmp_path)
    assert app.extensions["sqlalchemy"] is not None
    _upgrade_check_downgrade_upgrade(app)


def test_the_differences_check_sees_a_model_change(tmp_path):
    """Guard for the check itself: a column the migrations lack is reported."""
    from sqlalchemy import Column, MetaData, String, Table

    app = _app(f"sqlite:///{tmp_path / 'guard.db'}", tmp_path)
    with app.app_context():
        try:
            upgrade(directory=MIGRATIONS)
            changed = MetaData()
            for table in db.metadata.sorted_tables:
                table.to_metadata(changed)
            Table("regions", changed, Column("motto", String(40)), extend_existing=True)
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                diff = compare_metadata(context, changed)
            assert [d[0] for d in diff] == ["add_column"]
        finally:
            db.engine.dispose()


# --- /healthz -------------------------------------------------------------------------------------------------------

def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok", "db": "ok"}


def test_healthz_answers_503_when_the_database_goes_away(migrated_template, tmp_path):
    """SQLite whatever TEST_DATABASE says: the database file is taken away under the running app."""
    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(migrated_template, folder / "app.db")
    app = _app(f"sqlite:///{folder / 'app.db'}", tmp_path)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200

    with app.app_context():
        db.engine.dispose()  # close pooled connections, then take the database away
    shutil.rmtree(folder)

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.is_json
    assert response.get_json() == {"status": "error", "db": "unavailable"}
    body = response.get_data(as_text=True).lower()
    assert "sqlite" not in body and "operationalerror" not in body and str(folder).lower() not in body
    with app.app_context():
        db.engine.dispose()


def test_healthz_answers_503_when_the_database_was_never_reachable(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'missing-folder' / 'app.db'}", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "db": "unavailable"}


def test_healthz_answers_503_when_postgresql_refuses(tmp_path):
    app = _app("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "db": "unavailable"}


def test_healthz_needs_no_login_and_sets_no_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert not any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))
