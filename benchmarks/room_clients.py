"""The room benchmark's Socket.IO client pieces: a collector of deliveries, connecting, waiting for quiet, measuring
the client's own event-loop lag, and the paced sender (used by room.py and scale.py through room.drive)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from .harness import BenchmarkError

NAMESPACE = "/rooms"
BODY = "Benchmark message {seq}: *hello* everyone, see `agenda item 3`"
CONNECT_TIMEOUT_EACH = 20


class Collector:
    """What the clients saw during one run; handlers only append, the numbers are worked out afterwards."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[int, str, float]] = []  # (receiver index, client_id, monotonic time)
        self.other_events: Counter[str] = Counter()
        self.last_event = time.monotonic()

    def message_handler(self, receiver: int):
        deliveries = self.deliveries

        def on_message(data):
            now = time.monotonic()
            self.last_event = now
            deliveries.append((receiver, data.get("client_id") if isinstance(data, dict) else None, now))

        return on_message

    def other_handler(self, event, *_data):
        self.last_event = time.monotonic()
        self.other_events[event] += 1


def _new_client(headers: dict[str, str]):
    import socketio

    return socketio.AsyncClient(reconnection=False, websocket_extra_options={"headers": dict(headers)})


async def _limited(coros, limit: int) -> list:
    semaphore = asyncio.Semaphore(limit)

    async def one(coro):
        async with semaphore:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros), return_exceptions=True)


async def _connect(client, url: str) -> None:
    await asyncio.wait_for(
        client.connect(url, transports=["websocket"], namespaces=[NAMESPACE], wait_timeout=CONNECT_TIMEOUT_EACH),
        CONNECT_TIMEOUT_EACH + 5,
    )


async def _wait_quiet(collector: Collector, quiet: float, timeout: float) -> float:
    """Wait until no event has arrived for `quiet` seconds; returns the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - collector.last_event < quiet:
        if time.monotonic() - start > timeout:
            raise BenchmarkError(f"clients still receiving events after {timeout:.0f} s (join storm?)")
        await asyncio.sleep(0.1)
    return time.monotonic() - start


async def _loop_lag(lags: list[float], interval: float = 0.01) -> None:
    """Record how late this event loop wakes a 10 ms sleeper: > a few ms means the client itself is the delay."""
    while True:
        before = time.monotonic()
        await asyncio.sleep(interval)
        lags.append((time.monotonic() - before - interval) * 1000)


async def _paced_send(senders, first_sender: int, client_ids: list[str], rate: float, room_id: int,
                      sent_at: list, scheduled: list, acks: list) -> float:
    """Emit one "send" every 1/rate s, rotating over the sender sockets; fills sent_at, scheduled and acks (by
    callback). Returns the scheduled start."""

    def ack_handler(seq: int):
        def on_ack(*args):
            acks[seq] = (time.monotonic(), args[0] if args else None)

        return on_ack

    start = time.monotonic() + 0.05
    for seq, client_id in enumerate(client_ids):
        scheduled[seq] = start + seq / rate
        delay = scheduled[seq] - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        payload = {"room_id": room_id, "body": BODY.format(seq=seq), "client_id": client_id}
        sent_at[seq] = time.monotonic()
        sender = senders[(first_sender + seq) % len(senders)]
        await sender.emit("send", payload, namespace=NAMESPACE, callback=ack_handler(seq))
    return start
