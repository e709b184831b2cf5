"""The load test's Socket.IO clients: members with a room page open, receiving what is posted in their room.

Each is a python-socketio AsyncClient (websocket transport) that connects to /rooms with its member's session cookie,
joins its room (the catch-up answer holds the room's latest page of messages) and then listens; like the room page
it confirms its presence with "here" every minute. Every "message" event is recorded with its client id and arrival
time. Errors: a connection or join that fails, a "here" not acknowledged, a disconnect the client did not ask for.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

NAMESPACE = "/rooms"
CONNECT_TIMEOUT = 20.0
CALL_TIMEOUT = 30.0
CONNECT_CONCURRENCY = 20
JOIN_CONCURRENCY = 8
HERE_SECONDS = 60.0


@dataclass
class SocketOutcome:
    """What the socket clients saw."""

    deliveries: list[tuple[int, str, float]] = field(default_factory=list)  # (client, message client_id, time)
    other_events: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    operations: int = 0  # connects, joins and "here" calls made
    connect_seconds: float | None = None
    join_seconds: float | None = None


class Listener:
    """One socket client in one room."""

    def __init__(self, index: int, plan: dict, spec: dict, outcome: SocketOutcome) -> None:
        import socketio

        self.index, self.room_id, self.outcome = index, spec["room_id"], outcome
        self.closing = False
        self.client = socketio.AsyncClient(reconnection=False, websocket_extra_options={"headers": {
            "User-Agent": plan["user_agent"], "Cookie": f"{plan['cookie_name']}={spec['cookie']}"}})
        self.client.on("message", self._on_message, namespace=NAMESPACE)
        self.client.on("disconnect", self._on_disconnect, namespace=NAMESPACE)
        self.client.on("*", self._on_other, namespace=NAMESPACE)

    def _on_message(self, data) -> None:
        client_id = data.get("client_id") if isinstance(data, dict) else None
        self.outcome.deliveries.append((self.index, client_id, time.monotonic()))

    def _on_other(self, event, *_data) -> None:
        self.outcome.other_events[event] += 1

    def _on_disconnect(self, *_reason) -> None:
        if not self.closing:
            self.outcome.errors.append(f"client {self.index}: disconnected by the server")

    async def connect(self, url: str) -> None:
        """Open the websocket to /rooms with the member's cookie (a failure is recorded)."""
        self.outcome.operations += 1
        try:
            await asyncio.wait_for(self.client.connect(url, transports=["websocket"], namespaces=[NAMESPACE],
                                                       wait_timeout=CONNECT_TIMEOUT), CONNECT_TIMEOUT + 5)
        except Exception as error:  # noqa: BLE001 - any failure is an error of the run, recorded
            self.outcome.errors.append(f"client {self.index}: connect failed: {error!r}"[:200])
            self.closing = True

    async def call(self, event: str, payload: dict) -> None:
        """An event the server must acknowledge with ok."""
        if self.closing:
            return
        self.outcome.operations += 1
        try:
            answer = await self.client.call(event, payload, namespace=NAMESPACE, timeout=CALL_TIMEOUT)
        except Exception as error:  # noqa: BLE001 - a timeout or a closed socket is an error of the run
            answer = repr(error)
        if not (isinstance(answer, dict) and answer.get("ok")):
            self.outcome.errors.append(f"client {self.index}: {event} not acknowledged: {str(answer)[:100]}")

    async def here_every_minute(self, stop_at: float) -> None:
        """Confirm presence every HERE_SECONDS (the first one after a random part of a minute) until stop_at."""
        import random

        next_at = time.monotonic() + random.uniform(0, HERE_SECONDS)  # noqa: S311 - spreading, not security
        while next_at < stop_at:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            await self.call("here", {})
            next_at += HERE_SECONDS

    async def close(self) -> None:
        """Disconnect on purpose (not counted as an error)."""
        self.closing = True
        try:
            await asyncio.wait_for(self.client.disconnect(), 10)
        except Exception:  # noqa: BLE001, S110 - closing at the end; nothing left to record
            pass


async def _limited(coros, limit: int) -> None:
    """Await the coroutines, at most `limit` at a time."""
    semaphore = asyncio.Semaphore(limit)

    async def one(coro):
        async with semaphore:
            await coro

    await asyncio.gather(*(one(c) for c in coros))


async def open_all(url: str, plan: dict, outcome: SocketOutcome) -> list[Listener]:
    """Connect every client, then join each to its room; the listeners (failures are in outcome.errors)."""
    listeners = [Listener(k, plan, spec, outcome) for k, spec in enumerate(plan["sockets"])]
    t0 = time.monotonic()
    await _limited([listener.connect(url) for listener in listeners], CONNECT_CONCURRENCY)
    outcome.connect_seconds = time.monotonic() - t0
    t0 = time.monotonic()
    await _limited([listener.call("join", {"room_id": listener.room_id, "last_id": 0}) for listener in listeners],
                   JOIN_CONCURRENCY)
    outcome.join_seconds = time.monotonic() - t0
    return listeners


async def close_all(listeners: list[Listener]) -> None:
    """Disconnect every listener."""
    await asyncio.gather(*(listener.close() for listener in listeners))
