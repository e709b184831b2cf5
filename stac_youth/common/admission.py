"""Admission: a server process runs one page request at a time; the rest wait their turn, asleep.

One process runs Python on one core at a time (the GIL), and it holds a thread per open WebSocket (threading
mode), so it has a hundred threads or more. Were every page request let in at once, their threads would take the
interpreter from each other many times per request and wait on each other's database locks: each request then
costs more CPU and the process answers fewer of them. Admitted one at a time (two on PostgreSQL, see
default_concurrency), a request runs nearly undisturbed while the others sleep, which costs nothing. A slow request
(a PDF export, a big upload) must not hold up every page, though: once the running requests have all taken longer
than `patience`, one more is let in, up to `most` at once. Socket.IO's own requests (its long polls wait up to 25
seconds for something to send) pass by, as do the events of open WebSockets, which never come through here.
"""

from __future__ import annotations

import itertools
import threading
import time

from flask import Flask

SOCKET_IO_PATH = "/socket.io"
RETRY_AFTER_SECONDS = "2"


class AdmissionLimit:
    """WSGI middleware: at most `limit` page requests run at once, and up to `most` when the running ones have all
    run longer than `patience` seconds; a request that waited `timeout` seconds for its turn is answered 503 with
    Retry-After, having changed nothing."""

    def __init__(self, wsgi_app, limit: int, timeout: float, patience: float = 0.05, most: int | None = None):
        self.wsgi_app = wsgi_app
        self.limit = limit
        self.timeout = timeout
        self.patience = patience
        self.most = max(most or 4 * limit, limit)
        self._turns = threading.Condition(threading.Lock())
        self._running: dict[int, float] = {}  # ticket -> when it started (monotonic)
        self._tickets = itertools.count()
        self._waiting = 0

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
        deadline = time.monotonic() + self.timeout
        with self._turns:
            while True:
                now = time.monotonic()
                wake_at = self._next_turn(now)
                if wake_at is None:
                    ticket = next(self._tickets)
                    self._running[ticket] = now
                    return ticket
                if now >= deadline:
                    return None
                self._waiting += 1
                try:
                    self._turns.wait(min(wake_at, deadline) - now)
                finally:
                    self._waiting -= 1

    def _next_turn(self, now: float) -> float | None:
        """None when a request may start now, else the latest moment to look again (unless one leaves before)."""
        if len(self._running) >= self.most:
            return float("inf")
        quick = [started + self.patience for started in self._running.values() if now - started < self.patience]
        if len(quick) < self.limit:
            return None
        return min(quick)  # the first running request that outgrows the patience may leave room for one more

    def _leave(self, ticket: int) -> None:
        with self._turns:
            del self._running[ticket]
            if self._waiting:
                self._turns.notify()


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
