"""Slow clients never starve others: request bodies trickled a byte at a time hold up no one else's page.

The server runs the production command (`gunicorn -k gthread -w 1 --threads 100 --no-control-socket app:app`,
STAC_ENV=production) on a free 127.0.0.1 port, on one of the suite's migrated databases (a SQLite file, or
PostgreSQL with TEST_DATABASE=postgresql) seeded with the demo data. Four anonymous clients open raw sockets and
POST /login with a Content-Length of 4 KB, then send the body one byte every 0.5 to 2 s, so their requests stay in
flight for the whole test. Meanwhile a signed-in member loads the main pages sixteen times: every load answers 200
within 1 s, and every trickling request kept sending and is still open and unanswered after the last load, so the
loads really ran beside them. The sockets and the server are closed whatever happens.
"""

from __future__ import annotations

import contextlib
import secrets
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from benchmarks.harness import Server, free_port, gunicorn_argv
from benchmarks.room_setup import USER_AGENT, cookie_maker
from tests.live_servers import (
    START_WAIT,
    WAIT,
    cookie_header,
    production_app,
    production_env,
    release,
    url_of,
)

pytestmark = pytest.mark.integration

THREADS = 100  # the production command's --threads
MEMBER_EMAIL = "student1@example.org"  # a member of the demo data
DEMO_PASSWORD = "a demo password for the slow client test"  # noqa: S105 - throw-away accounts in a scratch database
PAGES = ("/", "/meetings", "/proposals", "/polls")
ROUNDS = 4  # 16 page loads in all
PAUSE = 0.25  # seconds between two loads, so the loads span several bytes of every trickle
PAGE_BOUND = 1.0  # seconds: every load must answer within this
PAGE_TIMEOUT = 5.0  # seconds a load may wait at all before it counts as starved
TRICKLE_INTERVALS = (0.5, 1.0, 1.5, 2.0)  # seconds between two body bytes, one per slow client
BODY_BYTES = 4096  # the Content-Length the slow clients announce: far more than they send during the test
SIGNED_IN = 'action="/logout"'  # the sign-out form of the navigation bar, on every page of a signed-in member


@dataclass
class LiveServer:
    """The production server and the Cookie header of a signed-in member."""

    server: Server
    cookie: str


@pytest.fixture
def live_server(test_databases, tmp_path) -> Iterator[LiveServer]:
    """A gunicorn production server on a migrated, seeded database; stopped by PID, the database released."""
    from stac_youth.members.accounts import find_user_by_email
    from stac_youth.seed import seed_demo_data

    database_url = test_databases.acquire(tmp_path)
    try:
        secret_key = secrets.token_hex(32)
        app = production_app(database_url, secret_key, tmp_path)
        try:
            with app.app_context():
                seed_demo_data(DEMO_PASSWORD)
                member = find_user_by_email(MEMBER_EMAIL)
                cookie = cookie_header(app, cookie_maker(app)(member))
        finally:
            release(app)
        port = free_port()
        server = Server("slow-clients", gunicorn_argv("app:app", port, THREADS), port,
                        production_env(database_url, secret_key, tmp_path), tmp_path / "gunicorn.log")
        try:
            server.start(timeout=START_WAIT)
            yield LiveServer(server, cookie)
        finally:
            server.stop()
        log = server.log_path.read_text(errors="replace")
        assert "Traceback" not in log, server.log_tail(60)
    finally:
        test_databases.release(database_url)


class Trickler:
    """An anonymous client POSTing /login on a raw socket: the headers at once, then one body byte per interval."""

    def __init__(self, port: int, interval: float, stop: threading.Event):
        self.interval, self.stop = interval, stop
        self.body = (b"email=slow%40example.test&password=" + b"x" * BODY_BYTES)[:BODY_BYTES]
        self.sent = 0
        self.error: OSError | None = None
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        try:
            self.sock.sendall(f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {USER_AGENT}\r\n"
                              "Content-Type: application/x-www-form-urlencoded\r\n"
                              f"Content-Length: {BODY_BYTES}\r\n\r\n".encode())
        except OSError:
            self.close()
            raise
        self.thread = threading.Thread(target=self._trickle, name=f"trickle-{interval}", daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while self.sent < BODY_BYTES - 1:  # never the last byte: the request must stay unfinished
            try:
                self.sock.sendall(self.body[self.sent:self.sent + 1])
            except OSError as error:
                self.error = error
                return
            self.sent += 1
            if self.stop.wait(self.interval):
                return

    def answer(self) -> bytes | None:
        """What the server sent back or did to the connection so far; None while it is open and unanswered."""
        readable, _, _ = select.select([self.sock], [], [], 0)
        if not readable:
            return None
        try:
            return self.sock.recv(300, socket.MSG_PEEK) or b"(connection closed by the server)"
        except OSError as error:
            return repr(error).encode()

    def still_trickling(self) -> bool:
        return self.error is None and self.thread.is_alive() and self.answer() is None

    def state(self) -> str:
        return (f"every {self.interval} s: sent {self.sent} bytes, error {self.error!r}, "
                f"thread alive {self.thread.is_alive()}, answer {self.answer()!r}")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


@contextlib.contextmanager
def tricklers(port: int) -> Iterator[list[Trickler]]:
    """The slow clients, one per interval, trickling until exit; their threads stopped and sockets closed then."""
    stop = threading.Event()
    made: list[Trickler] = []
    try:
        for interval in TRICKLE_INTERVALS:
            made.append(Trickler(port, interval, stop))
        yield made
    finally:
        stop.set()
        for trickler in made:
            trickler.thread.join(timeout=WAIT)
            trickler.close()


def load(live: LiveServer, path: str) -> tuple[int | str, float]:
    """One page load by the member: its status (or the error) and its wall time in seconds."""
    started = time.monotonic()
    try:
        answer = requests.get(f"{url_of(live.server)}{path}", allow_redirects=False, timeout=PAGE_TIMEOUT,
                              headers={"Cookie": live.cookie, "User-Agent": USER_AGENT})
    except requests.RequestException as error:
        return f"{type(error).__name__}", time.monotonic() - started
    signed_in = answer.status_code != 200 or SIGNED_IN in answer.text
    return answer.status_code if signed_in else "200, signed out", time.monotonic() - started


def test_slow_clients_trickling_request_bodies_do_not_hold_up_a_members_pages(live_server):
    for path in PAGES:  # first renders out of the way, and the member is signed in
        status, _ = load(live_server, path)
        assert status == 200, (path, status, live_server.server.log_tail())

    loads: list[tuple[str, int | str, float]] = []
    with tricklers(live_server.server.port) as slow:
        deadline = time.monotonic() + WAIT
        while any(trickler.sent < 2 for trickler in slow) and time.monotonic() < deadline:
            time.sleep(0.05)  # every slow client sent its headers and two body bytes, over an interval ago
        assert all(trickler.still_trickling() and trickler.sent >= 2 for trickler in slow), \
            [trickler.state() for trickler in slow]
        sent_before = [trickler.sent for trickler in slow]

        for path in PAGES * ROUNDS:
            status, seconds = load(live_server, path)
            loads.append((path, status, seconds))
            if status != 200 or seconds >= PAGE_BOUND:
                break  # starved: no need to wait out the other loads
            time.sleep(PAUSE)

        trickling = [trickler.still_trickling() for trickler in slow]
        sent_after = [trickler.sent for trickler in slow]
        states = [trickler.state() for trickler in slow]

    slowest: dict[str, float] = {}
    for path, _, seconds in loads:
        slowest[path] = max(seconds, slowest.get(path, 0.0))
    print("slowest load of each page while trickling (s):", {path: round(s, 3) for path, s in slowest.items()})
    report = [(path, status, round(seconds, 3)) for path, status, seconds in loads]
    assert all(status == 200 and seconds < PAGE_BOUND for _, status, seconds in loads), \
        f"page loads beside {len(slow)} slow clients: {report}"
    assert len(loads) == len(PAGES) * ROUNDS, report
    assert all(trickling), states  # the slow requests were in flight from the first load to the last
    assert all(after > before for before, after in zip(sent_before, sent_after, strict=True)), states
