"""Shared helpers for the rooms Socket.IO tests: emitting events, reading pushes, stored messages."""

from __future__ import annotations

from datetime import timedelta

from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.members.models import User
from stac_youth.rooms.models import Message, Room

NS = "/rooms"


def join(sock, room_id, **extra):
    return sock.emit("join", {"room_id": room_id, **extra}, namespace=NS, callback=True)


def send(sock, room_id, body, client_id):
    return sock.emit("send", {"room_id": room_id, "body": body, "client_id": client_id}, namespace=NS, callback=True)


def call(sock, event, payload):
    return sock.emit(event, payload, namespace=NS, callback=True)


def received(sock, name: str) -> list[dict]:
    """The pushes of one name a socket got since last asked (the others are dropped).

    Flask-SocketIO's test client stores the payload of an event named "message" as is, of others in a list.
    """
    return [push["args"] if push["name"] == "message" else push["args"][0]
            for push in sock.get_received(NS) if push["name"] == name]


def drain(*socks) -> None:
    for sock in socks:
        if sock.is_connected(NS):
            sock.get_received(NS)


def store_messages(room: Room, author: User, count: int, start: int = 0) -> list[int]:
    """Messages written straight to the database (long ago, so no rate limit applies); their ids in order."""
    created = utcnow() - timedelta(hours=1)
    rows = [Message(room_id=room.id, author_id=author.id, client_id=f"stored-{start + n}", body=f"message {start + n}",
                    created_at=created + timedelta(milliseconds=n)) for n in range(count)]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)
