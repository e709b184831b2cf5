"""Background loops of a server process, started once, by its first request (not at import or in CLI commands)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask

from ..extensions import socketio


def start_on_first_request(app: Flask, target: Callable, *args) -> None:
    """Run target(*args) as a Socket.IO background task when this process serves its first request, once."""
    lock = threading.Lock()
    started = []

    @app.before_request
    def start_background_loop():
        if started:
            return
        with lock:
            if not started:
                started.append(socketio.start_background_task(target, *args))
