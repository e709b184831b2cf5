"""Fixtures: a migrated database per test (SQLite, or PostgreSQL with TEST_DATABASE=postgresql), clients, factories
and service checks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from stac_youth import create_app
from stac_youth.config import TestingConfig
from stac_youth.extensions import db, limiter, socketio

from . import databases

PASSWORD = "correct horse battery staple"
IN_CI = os.environ.get("CI", "").lower() == "true" or os.environ.get("STAC_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A SQLite file upgraded once through the Flask-Migrate revisions, whatever TEST_DATABASE says."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    databases.migrate(f"sqlite:///{path}", folder)
    return path


def pytest_report_header(config) -> str:
    """Say which database the suite runs on."""
    return f"database: {databases.backend_from_env()} (TEST_DATABASE)"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    """Mark by the fixtures used: `database` on tests given the TEST_DATABASE backend, `e2e` on browser tests.

    `make test-postgres` runs `-m "database and not e2e and not sqlite_only"`: a test that gets no database from
    TEST_DATABASE would run the same on PostgreSQL, so it runs once, in `make test`.
    """
    for item in items:
        used = getattr(item, "fixturenames", ())
        if "test_databases" in used:
            item.add_marker(pytest.mark.database)
        if "browser" in used:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def test_databases(request, tmp_path_factory):
    """Where every fixture-built app gets its migrated database: the backend that TEST_DATABASE names."""
    if databases.backend_from_env() == "sqlite":
        yield databases.SqliteDatabases(request.getfixturevalue("migrated_template"))
        return
    server = databases.postgres_server_from_env()
    try:
        provider = databases.PostgresDatabases(server, tmp_path_factory.mktemp("postgres"))
    except Exception as error:  # noqa: BLE001 - any failure to reach or prepare the server ends the run
        pytest.exit(f"TEST_DATABASE=postgresql, but no database could be prepared on {server}: {error}", returncode=3)
    try:
        yield provider
    finally:
        provider.close()


def _app_for(database_uri: str, tmp: Path, **overrides):
    class _Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_uri
        AVATAR_DIR = tmp / "avatars"

    for key, value in overrides.items():
        setattr(_Config, key, value)
    return create_app(_Config)


@pytest.fixture
def make_app(test_databases, tmp_path):
    """Build an app on its own fresh migrated database, with config overrides."""
    created = []
    acquired = []

    def factory(**overrides):
        url = overrides.pop("SQLALCHEMY_DATABASE_URI", None)
        if url is None:
            url = test_databases.acquire(tmp_path)
            acquired.append(url)
        application = _app_for(url, tmp_path, **overrides)
        created.append(application)
        return application

    yield factory
    for application in created:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
    for url in acquired:
        test_databases.release(url)


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
    """Hash with a low scrypt cost in every test (see use_cheap_password_hashes)."""
    use_cheap_password_hashes(monkeypatch)


def use_cheap_password_hashes(monkeypatch) -> None:
    """Hash with a low scrypt cost; verification reads the cost from the hash, so the code path is real."""
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
    """The messages Flask-Mailman's in-memory backend has sent during the test; reading it first runs the real
    mail sender over the committed outbox rows (tests/outbox_delivery.py)."""
    from .outbox_delivery import DeliveredMail

    mail = app.extensions["mailman"]
    mail.outbox = []
    return DeliveredMail(app, mail.outbox)


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


@pytest.fixture
def bay_member(make_user):
    """A member of the Bay Area region (the meetings and rooms tests' regional member)."""
    from tests.meetings.helpers import region

    return make_user("member", display_name="Maya Bay", region_id=region("Bay Area").id)


@pytest.fixture
def capitol_member(make_user):
    """A member of the Capitol Area region, for what the Bay Area member must not see."""
    from tests.meetings.helpers import region

    return make_user("member", display_name="Priya Capitol", region_id=region("Capitol Area").id)


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

    server = databases.postgres_server_from_env()
    name = f"stac_test_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as error:  # noqa: BLE001
        _service_missing("PostgreSQL", str(error).strip())
    yield databases.sqlalchemy_url(server, name)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def xdist_worker_index() -> int:
    """The number of this pytest-xdist worker (gw0 is 0, gw1 is 1, ...); 0 in a serial run."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def redis_url_of_worker(url: str, index: int) -> str:
    """url on a Redis database of the worker's own: 15, 13, 11, ... counted down from url's, two apart.

    The number just above each stays free for tests that need a second deployment's database (the worker's own
    plus one), so no two workers touch the same keys or Socket.IO channel (one per database number).
    """
    from urllib.parse import urlsplit, urlunsplit

    scheme, netloc, path, query, fragment = urlsplit(url)
    number = (int(path.strip("/") or 0) - 2 * index) % 16
    return urlunsplit((scheme, netloc, f"/{number}", query, fragment))


@pytest.fixture(scope="session")
def redis_url():
    """The Redis URL of this worker's own database; skips (fails in CI) without a server."""
    import redis

    url = redis_url_of_worker(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"), xdist_worker_index())
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


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Debian Chromium for the whole session, shared by tests/e2e and tests/screens.

    Playwright's sync API runs one instance per thread at a time, so there is one, not one per directory.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def nginx_path():
    """Debian's nginx (the deploy guide's reverse proxy); skips (fails in CI) without it."""
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(path).exists():
        _service_missing("nginx", "install it with `apt-get install -y nginx`")
    return path
