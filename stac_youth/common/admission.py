"""Admission: a server process runs only a few page requests at once; the rest wait their turn, asleep.

One process runs Python on one core at a time (the GIL), and it holds a thread per open WebSocket (threading
mode), so it has a hundred threads or more. Were every page request let in at once, their threads would take the
interpreter from each other many times per request and wait on each other's database locks: each request then
costs more CPU and the process answers fewer of them. Admitted a few at a time, requests run nearly undisturbed
while the others sleep on a semaphore, which costs nothing. Socket.IO's own requests (its long polls wait up to
25 seconds for something to send) pass by, as do the events of open WebSockets, which never come through here.
"""

from __future__ import annotations

import threading

from flask import Flask

SOCKET_IO_PATH = "/socket.io"
RETRY_AFTER_SECONDS = "2"


class AdmissionLimit:
    """WSGI middleware: at most `limit` page requests inside the app at once; a request that waited `timeout`
    seconds for its turn is answered 503 with Retry-After, having changed nothing."""

    def __init__(self, wsgi_app, limit: int, timeout: float):
        self.wsgi_app = wsgi_app
        self.limit = limit
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(limit)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(SOCKET_IO_PATH):
            return self.wsgi_app(environ, start_response)
        if not self._slots.acquire(timeout=self.timeout):
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Retry-After", RETRY_AFTER_SECONDS)])
            return [b"The server is busy. Try again in a moment.\n"]
        try:
            # The app's work is done when it returns: pages are built whole, and a file (an avatar) is only sent
            # afterwards by the server, which is I/O and needs no slot.
            return self.wsgi_app(environ, start_response)
        finally:
            self._slots.release()


def init_admission(app: Flask) -> None:
    """Wrap the app (Socket.IO's middleware included) when HTTP_CONCURRENCY is set; 0 admits everything."""
    limit = app.config["HTTP_CONCURRENCY"]
    if limit:
        app.wsgi_app = AdmissionLimit(app.wsgi_app, limit, app.config["HTTP_ADMISSION_TIMEOUT"])
