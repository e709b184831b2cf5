"""Admission: a server process runs one page request at a time; the rest wait their turn, asleep.

One process runs Python on one core at a time (the GIL), and it holds a thread per open WebSocket (threading
mode), so it has a hundred threads or more. Were every page request let in at once, their threads would take the
interpreter from each other many times per request and wait on each other's database locks: each request then
costs more CPU and the process answers fewer of them. Admitted one at a time (two on PostgreSQL, see
default_concurrency), a request runs nearly undisturbed while the others sleep, which costs nothing. A slow request
(a PDF export, a big upload) must not hold up every page, though: once the running requests have all taken longer
than `patience`, the next request to arrive or leave lets one more in, up to `most` at once. Waiting requests go
in arrival order, each asleep on its own lock until a leaving request hands it its turn. Socket.IO's own requests
(its long polls wait up to 25 seconds for something to send) pass by, as do the events of open WebSockets, which
never come through here.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque

from flask import Flask

SOCKET_IO_PATH = "/socket.io"
RETRY_AFTER_SECONDS = "2"


class _Turn:
    """One waiting request: asleep on its own lock until a leaving request hands it a ticket."""

    __slots__ = ("bell", "ticket")

    def __init__(self):
        self.bell = threading.Lock()
        self.bell.acquire()
        self.ticket: int | None = None


class AdmissionLimit:
    """WSGI middleware: at most `limit` page requests run at once, and up to `most` when the running ones have all
    run longer than `patience` seconds; the others wait in arrival order, and a request that waited `timeout` seconds
    for its turn is answered 503 with Retry-After, having changed nothing."""

    def __init__(self, wsgi_app, limit: int, timeout: float, patience: float = 0.05, most: int | None = None):
        self.wsgi_app = wsgi_app
        self.limit = limit
        self.timeout = timeout
        self.patience = patience
        self.most = max(most or 4 * limit, limit)
        self._lock = threading.Lock()
        self._running: dict[int, float] = {}  # ticket -> when it started (monotonic)
        self._queue: deque[_Turn] = deque()
        self._tickets = itertools.count()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(SOCKET_IO_PATH):
            return self.wsgi_app(environ, start_response)
        ticket = self._enter()
        if ticket is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Retry-After", RETRY_AFTER_SECONDS)])
            return [b"The server is busy. Try again in a moment.\n"]
        try:
            # The app's work is done when it returns: pages are built whole, and a file (an avatar) is only sent
            # afterwards by the server, which is I/O and needs no turn.
            return self.wsgi_app(environ, start_response)
        finally:
            self._leave(ticket)

    def _enter(self) -> int | None:
        """Wait for a turn; the ticket to hand back to _leave, or None when none came within the timeout."""
        now = time.monotonic()
        with self._lock:
            self._let_in_waiting(now)  # an arrival is also a moment to let in those waiting beside slow requests
            if not self._queue and self._has_room(now):
                return self._start(now)
            turn = _Turn()
            self._queue.append(turn)  # behind everyone already waiting: no request overtakes another
        turn.bell.acquire(timeout=self.timeout)
        with self._lock:
            if turn.ticket is None:  # the deadline passed, and no leaving request had handed it a turn
                self._queue.remove(turn)
            return turn.ticket

    def _has_room(self, now: float) -> bool:
        """Fewer than `limit` running requests are still within the patience, and fewer than `most` run at all."""
        if len(self._running) >= self.most:
            return False
        return sum(1 for started in self._running.values() if now - started < self.patience) < self.limit

    def _start(self, now: float) -> int:
        ticket = next(self._tickets)
        self._running[ticket] = now
        return ticket

    def _leave(self, ticket: int) -> None:
        with self._lock:
            del self._running[ticket]
            self._let_in_waiting(time.monotonic())

    def _let_in_waiting(self, now: float) -> None:
        """Hand each free turn straight to the first in line (a request arriving now cannot take it first), and wake
        it; the caller holds the lock."""
        while self._queue and self._has_room(now):
            turn = self._queue.popleft()
            turn.ticket = self._start(now)
            turn.bell.release()


def default_concurrency(database_uri: str) -> int:
    """One request at a time on SQLite (its calls are short and its writes take turns anyway); two on PostgreSQL,
    where a request waiting for the server's answer or its commit would otherwise leave the core idle."""
    return 1 if database_uri.startswith("sqlite") else 2


def init_admission(app: Flask) -> None:
    """Wrap the app (Socket.IO's middleware included) unless HTTP_CONCURRENCY is 0, which admits everything."""
    limit = app.config["HTTP_CONCURRENCY"]
    if limit is None:
        limit = default_concurrency(app.config["SQLALCHEMY_DATABASE_URI"])
    if limit:
        app.wsgi_app = AdmissionLimit(app.wsgi_app, limit, app.config["HTTP_ADMISSION_TIMEOUT"],
                                      patience=app.config["HTTP_SLOW_REQUEST_MS"] / 1000)
