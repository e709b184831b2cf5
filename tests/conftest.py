"""Fixtures: a migrated SQLite database per test, clients, factories and service checks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from stac_youth import create_app
from stac_youth.config import TestingConfig
from stac_youth.extensions import db, limiter, socketio

PASSWORD = "correct horse battery staple"
IN_CI = os.environ.get("CI", "").lower() == "true" or os.environ.get("STAC_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A SQLite file upgraded once through the Flask-Migrate revisions; each test gets a copy."""
    from flask_migrate import upgrade

    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    app = _app_for(f"sqlite:///{path}", folder)
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        db.engine.dispose()
    return path


def _app_for(database_uri: str, tmp: Path, **overrides):
    class _Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_uri
        AVATAR_DIR = tmp / "avatars"

    for key, value in overrides.items():
        setattr(_Config, key, value)
    return create_app(_Config)


@pytest.fixture
def make_app(migrated_template, tmp_path):
    """Build an app on a fresh copy of the migrated database, with config overrides."""
    created = []

    def factory(**overrides):
        path = tmp_path / f"test{len(created)}.db"
        shutil.copy(migrated_template, path)
        application = _app_for(f"sqlite:///{path}", tmp_path, **overrides)
        created.append(application)
        return application

    yield factory
    for application in created:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own application context, as in production.

    The `app` fixture keeps an application context open, and Flask reuses an open context for requests,
    so without this `g` (the signed-in user, the CSRF token, the locale) would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """Hash with a low scrypt cost in tests; verification reads the cost from the hash, so the code path is real."""
    from werkzeug.security import generate_password_hash

    from stac_youth.common import passwords

    def cheap(password, method="scrypt:1024:8:1", salt_length=16):
        return generate_password_hash(password, method="scrypt:1024:8:1", salt_length=salt_length)

    monkeypatch.setattr(passwords, "generate_password_hash", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap("timing-equaliser-password"))


@pytest.fixture
def app(make_app):
    application = make_app()
    application.test_client_class = FreshContextClient
    limiter.reset()
    with application.app_context():
        from stac_youth.seed import seed_regions

        seed_regions()
        yield application
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """The messages Flask-Mailman's in-memory backend has sent during the test."""
    mail = app.extensions["mailman"]
    mail.outbox = []
    return mail.outbox


class UserFactory:
    """Creates users directly through the bootstrap service."""

    def __init__(self):
        self.count = 0

    def __call__(self, role: str = "member", email: str | None = None, password: str = PASSWORD, **profile):
        from stac_youth.members.bootstrap import create_account

        self.count += 1
        email = email or f"{role}{self.count}@example.test"
        name = profile.pop("display_name", f"{role.title()} {self.count}")
        return create_account(email, name, password, role, **profile)


@pytest.fixture
def make_user(app):
    return UserFactory()


def login(client, user_or_email, password: str = PASSWORD, remember: bool = False):
    """Sign in through the real login form."""
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


@pytest.fixture
def login_as(client, make_user):
    """Create a user of a role and sign the test client in as them."""

    def _login_as(role: str = "member", **profile):
        user = make_user(role, **profile)
        response = login(client, user)
        assert response.status_code == 302, response.data
        return user

    return _login_as


@pytest.fixture(autouse=True)
def fresh_context_per_socket_event(monkeypatch):
    """Run every Socket.IO event in its own application context, as in production (see FreshContextClient)."""
    from flask_socketio import SocketIO

    original = SocketIO._handle_event

    def handle_in_fresh_context(self, handler, message, namespace, sid, *args):
        environ = self.server.get_environ(sid, namespace=namespace)
        if not environ:
            return original(self, handler, message, namespace, sid, *args)
        with environ["flask.app"].app_context():
            return original(self, handler, message, namespace, sid, *args)

    monkeypatch.setattr(SocketIO, "_handle_event", handle_in_fresh_context)


@pytest.fixture
def socket_client(app, client):
    """A Socket.IO test client sharing the HTTP client's login."""

    def _connect(namespace=None, http_client=None):
        with app.app_context():  # its own context, so no signed-in user cached in `g` leaks in
            return socketio.test_client(app, namespace=namespace, flask_test_client=http_client or client)

    return _connect


def _service_missing(name: str, reason: str):
    if IN_CI:
        pytest.fail(f"{name} is required in CI but not available: {reason}")
    pytest.skip(f"{name} not available here: {reason}")


@pytest.fixture(scope="session")
def postgres_url():
    """A URL of a fresh PostgreSQL database, dropped at the end; skips (fails in CI) without a server."""
    import uuid

    import psycopg

    base = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"stac_test_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as error:  # noqa: BLE001
        _service_missing("PostgreSQL", str(error).strip())
    url = base.rsplit("/", 1)[0] + "/" + name
    yield url.replace("postgresql://", "postgresql+psycopg://", 1)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url():
    """The Redis URL; skips (fails in CI) without a server."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        _service_missing("Redis", str(error).strip())
    return url


@pytest.fixture(scope="session")
def chromium_path():
    """Debian's Chromium; skips (fails in CI) without it."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        _service_missing("Chromium", "install it with `apt-get install -y chromium`")
    return path
