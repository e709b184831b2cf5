"""/readyz: 200 when the database, Redis (when configured) and the migrations are ready, else 503 naming the part."""

from __future__ import annotations

import shutil

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import text

from stac_youth.extensions import db
from stac_youth.home import readiness

REFUSING_REDIS = "redis://127.0.0.1:1/0"


def test_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok",
                                   "checks": {"database": "ok", "redis": "not configured", "migrations": "ok",
                                              "outbox": "ok"}}


def test_healthz_stays_the_cheap_database_check(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "db": "ok"}


def test_redis_that_answers_is_ready(app, client, redis_url):
    app.config["REDIS_URL"] = redis_url
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["redis"] == "ok"


def test_redis_that_refuses_answers_503_naming_redis(app, client):
    app.config["REDIS_URL"] = REFUSING_REDIS
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "failed": ["redis"],
                                   "checks": {"database": "ok", "redis": "unavailable", "migrations": "ok",
                                              "outbox": "ok"}}


def test_a_database_gone_answers_503_naming_the_database(make_app, migrated_template, tmp_path):
    """SQLite whatever TEST_DATABASE says: the database file is taken away under the running app."""
    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(migrated_template, folder / "app.db")
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'app.db'}")
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        db.engine.dispose()
    shutil.rmtree(folder)

    response = client.get("/readyz")
    assert response.status_code == 503
    answer = response.get_json()
    assert answer["status"] == "error" and "database" in answer["failed"]
    assert answer["checks"]["database"] == "unavailable"
    body = response.get_data(as_text=True).lower()
    assert "sqlite" not in body and str(folder).lower() not in body


def set_revision(revision: str) -> None:
    db.session.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})
    db.session.commit()


def test_a_database_behind_the_migrations_answers_503_naming_migrations(app, client):
    config = AlembicConfig()
    config.set_main_option("script_location", str(readiness.migrations_directory()))
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    set_revision(scripts.get_revision(head).down_revision)
    try:
        response = client.get("/readyz")
    finally:
        set_revision(head)  # a PostgreSQL test database is emptied and reused, its alembic_version kept
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "failed": ["migrations"],
                                   "checks": {"database": "ok", "redis": "not configured", "migrations": "not at head",
                                              "outbox": "ok"}}
    assert client.get("/readyz").status_code == 200


def test_another_part_can_register_a_check(client, monkeypatch):
    monkeypatch.setattr(readiness, "CHECKS", list(readiness.CHECKS))

    def backlog():
        raise readiness.NotReady("backlog too long")

    readiness.register_check("backlog", backlog)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["backlog"]
    assert response.get_json()["checks"]["backlog"] == "backlog too long"

    readiness.register_check("backlog", lambda: readiness.OK)  # the same name again replaces the check
    assert client.get("/readyz").get_json()["checks"] == {
        "database": "ok", "redis": "not configured", "migrations": "ok", "outbox": "ok", "backlog": "ok"}


@pytest.mark.parametrize("url", [None, REFUSING_REDIS])
def test_readyz_needs_no_session(make_app, url):
    app = make_app()
    app.config["REDIS_URL"] = url
    response = app.test_client().get("/readyz")
    assert response.status_code == (200 if url is None else 503)
    assert "Set-Cookie" not in response.headers
