"""Open-loop and closed-loop request drivers, latency figures and goal verdicts shared by vote, pages and live.

Open loop: every request has a start time fixed before the run (a steady rate, or Poisson arrivals per user); it
is started at that time whether or not earlier requests have been answered, so a slow server makes requests pile up
and wait, as real users arriving on their own would, instead of slowing the arrivals down (the closed-loop
flattery of coordinated omission). Each request's latency is measured from its *scheduled* start, and how late the
client itself started it is recorded (`start_lag`), so a reader can tell when the instrument fell behind.

Closed loop (saturation): N virtual users, each with its own session, each sending its next request as soon as the
last one is answered, for a fixed window; the figure is answers per second.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .harness import percentile


def steady_schedule(count: int, rate: float, offset: float = 0.0) -> list[float]:
    """`count` start times (seconds from the run's start) at a steady `rate` a second: offset, offset + 1/rate..."""
    if rate <= 0:
        raise ValueError("rate must be positive")
    return [offset + n / rate for n in range(count)]


def poisson_schedule(rate: float, duration: float, rng: random.Random, offset: float = 0.0) -> list[float]:
    """Start times of a Poisson process of `rate` a second over [offset, offset + duration): exponential gaps."""
    if rate <= 0:
        raise ValueError("rate must be positive")
    times, at = [], offset
    while True:
        at += rng.expovariate(rate)
        if at >= offset + duration:
            return times
        times.append(at)


def merge_schedules(per_user: dict[int, list[float]]) -> list[tuple[float, int]]:
    """(start time, user) of every user's arrivals, in time order."""
    return sorted((at, user) for user, times in per_user.items() for at in times)


@dataclass
class Result:
    """One request: what it was, when it was due, when it started and ended (monotonic), and how it went."""

    kind: str
    due: float
    started: float
    ended: float
    status: int | None
    error: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def ms(self) -> float:
        """Latency from the scheduled start (open loop) to the answer."""
        return (self.ended - self.due) * 1000

    @property
    def start_lag_ms(self) -> float:
        return (self.started - self.due) * 1000


async def run_open_loop(schedule: list[tuple[float, object]], send: Callable[[object, float], Awaitable[Result]],
                        t0: float | None = None) -> list[Result]:
    """Start send(item, due) at each scheduled time (seconds after t0, default now + 0.1 s) without waiting for
    earlier ones; every result once all are done."""
    t0 = time.monotonic() + 0.1 if t0 is None else t0
    tasks = []
    for offset, item in schedule:
        due = t0 + offset
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(item, due)))
    return list(await asyncio.gather(*tasks))


async def run_closed_loop(users: int, seconds: float, send: Callable[[int, float], Awaitable[Result | None]],
                          warmup: float = 1.0) -> tuple[list[Result], float, float]:
    """Each of `users` sends its next request as soon as the last one is answered (send(user, now) returns None when
    that user has nothing left to send) for warmup + seconds; (results, window start, window end)."""
    start = time.monotonic()
    window = (start + warmup, start + warmup + seconds)
    results: list[Result] = []

    async def user(index: int) -> None:
        while time.monotonic() < window[1]:
            result = await send(index, time.monotonic())
            if result is None:
                return
            results.append(result)

    await asyncio.gather(*(user(i) for i in range(users)))
    return results, window[0], window[1]


def latency_figures(values_ms: list[float]) -> dict:
    """p50, p95, p99 and max (ms) of a list of latencies; None each for an empty list."""
    values = sorted(values_ms)
    return {"count": len(values), "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
            "p99_ms": percentile(values, 99), "max_ms": values[-1] if values else None}


def rate_in_window(results: list[Result], start: float, end: float, ok: Callable[[Result], bool]) -> dict:
    """Answers that ended inside [start, end): how many a second were good, and their latencies (from the start)."""
    inside = [r for r in results if start <= r.ended < end]
    good = [r for r in inside if ok(r)]
    seconds = end - start
    return {"ok_per_second": len(good) / seconds if seconds > 0 else None, "in_window": len(inside),
            "bad_in_window": len(inside) - len(good),
            **latency_figures([(r.ended - r.started) * 1000 for r in good])}


def ratio(a, b) -> float | None:
    """a / b, or None when either is missing or b is 0."""
    return a / b if a is not None and b not in (None, 0) else None


OPERATORS = {"<": lambda v, t: v < t, "<=": lambda v, t: v <= t, ">=": lambda v, t: v >= t,
             "==": lambda v, t: v == t}


def goal(metric: str, value, op: str, target, app=None, anchor=None, unit: str = "") -> dict:
    """One goal's row: its value against `op target` (a missing value or a NaN never passes)."""
    met = value is not None and not (isinstance(value, float) and math.isnan(value)) and OPERATORS[op](value, target)
    return {"metric": metric, "value": value, "app": app, "anchor": anchor, "goal": f"{op} {target}{unit}",
            "pass": bool(met)}


def verdict_line(goals: list[dict]) -> str:
    """'all goals MET' or which were not."""
    failed = [g["metric"] for g in goals if not g["pass"]]
    if not failed:
        return f"VERDICT: all {len(goals)} goals MET"
    return f"VERDICT: NOT MET ({len(failed)} of {len(goals)} goals missed: {', '.join(failed)})"
