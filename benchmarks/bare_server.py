"""The anchor for the room benchmark: a bare Flask-SocketIO broadcast server in the app's async mode.

One namespace (/rooms, like the app): "join" joins a room, "send" broadcasts the payload to the room with a
server timestamp and acknowledges. No auth, no database, no rendering: what is left is the cost of Socket.IO
itself under the same gunicorn command (`gunicorn -k gthread -w 1 --threads N benchmarks.bare_server:app`).
"""

from __future__ import annotations

import time

from flask import Flask
from flask_socketio import SocketIO, join_room

NAMESPACE = "/rooms"

app = Flask(__name__)
socketio = SocketIO(app, async_mode="threading", max_http_buffer_size=65536)


@app.get("/")
def index():
    return "bare broadcast server\n"


@socketio.on("join", namespace=NAMESPACE)
def join(payload):
    join_room(f"room:{payload['room_id']}")
    return {"ok": True}


@socketio.on("send", namespace=NAMESPACE)
def send(payload):
    message = {
        "room_id": payload["room_id"],
        "client_id": payload["client_id"],
        "body": payload["body"],
        "server_ts": time.time(),
    }
    socketio.emit("message", message, to=f"room:{payload['room_id']}", namespace=NAMESPACE)
    return {"ok": True}
