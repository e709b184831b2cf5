"""A tab that closes ends its websocket normally (close code 1001, "going away"): no 500 and no traceback logged.

Run against the real development entry point, `python app.py` with FLASK_DEBUG=1 (what `make run` users turn on),
in a process group of its own (the reloader starts a child), stopped by that group's id.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import requests
import websocket

from benchmarks.harness import free_port
from stac_youth import create_app
from stac_youth.config import TestingConfig
from stac_youth.extensions import db
from stac_youth.members.bootstrap import create_account

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "going-away-password-1001"
WAIT = 60.0  # seconds: start-up of the server (and its reloader's child) on a busy machine
GOING_AWAY = 1001


def _member(database_url: str, tmp: Path) -> None:
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        AVATAR_DIR = tmp / "avatars"

    app = create_app(Config)
    with app.app_context():
        create_account("tab@example.org", "Tab Closer", PASSWORD, "member")
        db.session.remove()
        db.engine.dispose()


@contextlib.contextmanager
def _development_server(database: Path, log_path: Path):
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("STAC_", "FLASK_", "PUBLIC_BASE_URL", "MAIL_", "HOST", "PORT", "TRUSTED_HOSTS"))}
    env |= {"STAC_ENV": "development", "FLASK_DEBUG": "1", "PORT": str(port), "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": "socket-close-test-key", "PYTHONUNBUFFERED": "1"}
    with log_path.open("w") as log:
        server = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/login", timeout=5).status_code == 200:
                    break
            assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.3)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)  # the group this test started: the server and its reloaded child
        server.wait(timeout=30)


def _signed_in_cookie(base: str) -> str:
    session = requests.Session()
    page = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = session.post(f"{base}/login", data={"csrf_token": token, "email": "tab@example.org",
                                                 "password": PASSWORD}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def _open_sockets(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return conn.execute("SELECT count(*) FROM socket_connections").fetchone()[0]


def test_a_tab_closing_its_websocket_logs_no_error(tmp_path, migrated_template):
    database = tmp_path / "app.db"
    shutil.copy(migrated_template, database)
    _member(f"sqlite:///{database}", tmp_path)
    log_path = tmp_path / "server.log"
    with _development_server(database, log_path) as base:
        ws = websocket.create_connection(base.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
                                         cookie=_signed_in_cookie(base), origin=base, timeout=10)
        assert ws.recv().startswith("0{")  # engine.io open
        ws.send("40/rooms,")
        assert ws.recv().startswith("40/rooms,{")  # the namespace accepted the signed-in member
        assert _open_sockets(database) == 1
        ws.close(status=GOING_AWAY)  # what a browser sends when its tab closes

        deadline = time.monotonic() + 10
        while _open_sockets(database) and time.monotonic() < deadline:  # the server saw the close
            time.sleep(0.1)
        assert _open_sockets(database) == 0
        time.sleep(1.5)  # the request of the websocket ends just after its disconnect handlers ran
        assert requests.get(f"{base}/login", timeout=10).status_code == 200  # still serving
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert not re.search(r'GET /socket\.io/[^"]*" 500', log), log[-3000:]  # (the status may follow colour codes)
