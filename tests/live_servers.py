"""Real app servers for the integration tests: scratch databases, `flask db upgrade`, gunicorn stopped by PID.

Servers run the production command (`gunicorn -k gthread -w 1 --threads N app:app`, STAC_ENV=production) on random
127.0.0.1 ports through benchmarks/harness.py, which stops them by PID. Sessions are made without passwords by the
app's own start_session (benchmarks/room_setup.py), in an app the test process builds on the same database and key.
"""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import socketio as python_socketio

from benchmarks.harness import Server, free_port, gunicorn_argv, server_env
from benchmarks.room_setup import USER_AGENT
from stac_youth import create_app
from stac_youth.config import ProductionConfig
from stac_youth.extensions import db

REPO_ROOT = Path(__file__).resolve().parent.parent
WAIT = 10.0  # seconds: the bound of every wait for an answer or a push
START_WAIT = 60.0  # seconds for a server to answer (imports are slow on a busy 2-core machine)
THREADS = 16  # each websocket holds a thread; the tests open a handful per process


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq tools (psycopg, pg_dump) take it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def sibling_database(postgres_url: str, label: str) -> Iterator[str]:
    """A new empty database on the server of the postgres_url fixture, dropped at exit; yields its SQLAlchemy URL."""
    import psycopg

    name = f"stac_{label}_{uuid.uuid4().hex[:8]}"
    admin = libpq_url(postgres_url)

    def execute(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(database_url: str, secret_key: str, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a production server process: this one's, minus app settings, plus these."""
    env = {key: value for key, value in server_env().items()
           if not key.startswith(("FLASK_", "STAC_", "MAIL_", "TRUSTED_PROXIES", "AVATAR_DIR", "PUBLIC_BASE_URL",
                                  "SOCKETIO_CORS_ORIGINS"))}
    return env | {"STAC_ENV": "production", "SECRET_KEY": secret_key, "DATABASE_URL": database_url,
                  "AVATAR_DIR": str(tmp / "avatars"), **extra}


def flask_db_upgrade(env: dict[str, str]) -> None:
    """Migrate the database of `env` the way a deploy does: `flask db upgrade`."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def production_app(database_url: str, secret_key: str, tmp: Path, redis_url: str | None = None):
    """The production app in this process, on the servers' database and key, to write data and sign sessions."""

    class Config(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        REDIS_URL = redis_url
        RATELIMIT_STORAGE_URI = "memory://"
        TRUSTED_PROXIES = 0
        MAIL_BACKEND = "locmem"  # notification emails stay in memory
        POLL_SCHEDULE_SECONDS = 0
        AVATAR_DIR = tmp / "avatars"

        @classmethod
        def secret_key(cls) -> str:
            return secret_key

    return create_app(Config)


def release(app) -> None:
    """Close the app's database connections, so servers and DROP DATABASE see none of ours."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def production_argv(port: int) -> list[str]:
    """The production command on one port; without gunicorn's control socket, whose default path all share."""
    return [*gunicorn_argv("app:app", port, THREADS), "--no-control-socket"]


@contextlib.contextmanager
def gunicorn_servers(names: list[str], env: dict[str, str], log_dir: Path) -> Iterator[list[Server]]:
    """Production servers on ports of their own, started together; stopped by PID at exit, logs free of tracebacks."""
    servers = []
    for name in names:
        port = free_port()
        servers.append(Server(name, production_argv(port), port, env, log_dir / f"{name}.log"))
    try:
        with ThreadPoolExecutor(len(servers)) as pool:
            list(pool.map(lambda server: server.start(timeout=START_WAIT), servers))
        yield servers
    finally:
        with ThreadPoolExecutor(len(servers)) as pool:  # each takes seconds to wind down
            list(pool.map(Server.stop, servers))
    for server in servers:  # a push or a background task that failed is only seen in the log
        assert "Traceback" not in server.log_path.read_text(errors="replace"), server.log_tail(60)


def url_of(server: Server) -> str:
    """The server's base URL."""
    return f"http://127.0.0.1:{server.port}"


def healthz(server: Server) -> dict:
    """The health route's answer as JSON (it must be 200)."""
    answer = requests.get(f"{url_of(server)}/healthz", timeout=WAIT)
    assert answer.status_code == 200, (answer.status_code, answer.text[:300], server.log_tail())
    return answer.json()


class LiveClient:
    """A python-socketio client (websocket transport) in one namespace that keeps every push it gets."""

    def __init__(self, server: Server, cookie: str, namespace: str, events: tuple[str, ...]):
        self.server, self.namespace = server, namespace
        self.pushes: queue.Queue[tuple[str, object]] = queue.Queue()
        self.sio = python_socketio.Client(reconnection=False)
        for event in events:
            self.sio.on(event, self._keeper(event), namespace=namespace)
        self.sio.connect(url_of(server), headers={"Cookie": cookie, "User-Agent": USER_AGENT},
                         namespaces=[namespace], transports=["websocket"], wait_timeout=WAIT)

    def _keeper(self, event: str) -> Callable:
        def keep(payload=None):
            self.pushes.put((event, payload))

        return keep

    def call(self, event: str, payload: dict) -> dict:
        """Emit and wait for the acknowledgement."""
        return self.sio.call(event, payload, namespace=self.namespace, timeout=WAIT)

    def wait_for(self, event: str, matches: Callable[[object], bool]) -> tuple[object, list[tuple[str, object]]]:
        """The first push of `event` that matches, with every push received before it; AssertionError after WAIT."""
        before = []
        deadline = time.monotonic() + WAIT
        while (left := deadline - time.monotonic()) > 0:
            try:
                name, payload = self.pushes.get(timeout=left)
            except queue.Empty:
                break
            if name == event and matches(payload):
                return payload, before
            before.append((name, payload))
        raise AssertionError(f"no matching {event!r} push reached the client of {self.server.name} within {WAIT} s; "
                             f"it got {before!r}")

    def close(self) -> None:
        """Disconnect, whatever state the connection is in."""
        with contextlib.suppress(Exception):  # best effort: the servers are stopped by PID anyway
            self.sio.disconnect()


@contextlib.contextmanager
def live_clients() -> Iterator[Callable[..., LiveClient]]:
    """Make LiveClients; every one is closed at exit."""
    made: list[LiveClient] = []

    def connect(*args, **kwargs) -> LiveClient:
        made.append(LiveClient(*args, **kwargs))
        return made[-1]

    try:
        yield connect
    finally:
        for client in made:
            client.close()


def cookie_header(app, cookie: str) -> str:
    """The Cookie header of a signed session value, under the app's session cookie name (`__Host-session`)."""
    return f"{app.config['SESSION_COOKIE_NAME']}={cookie}"
