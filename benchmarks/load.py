"""Load test: 50 HTTP users and 200 Socket.IO clients in 4 rooms on a realistic data set, for a bounded time.

For each database kind (a temporary SQLite file; a scratch PostgreSQL database created and dropped here) the app is
seeded by benchmarks/load_setup.py (benchmarks/dataset.py: 300 members, 40 meetings, 500 proposals, 200 polls,
100,000 ballots, 50,000 messages; `--quick`: the small set) and started under the production command
(`STAC_ENV=production gunicorn -k gthread -w 1 --threads 300 app:app`). First the 200 socket clients connect and
join their rooms (benchmarks/load_sockets.py, 50 a room); then the 50 HTTP users (benchmarks/load_users.py) browse
the main pages, vote, post room messages through the room page's form and comment, with think time, for --duration
seconds (default 180, quick 3) while the sockets listen. Afterwards deliveries are drained, every client closes,
the server is stopped by PID and the messages found stored are matched with the deliveries. The loader is asyncio
(aiohttp and python-socketio in this one process), not locust: locust needs requests newer than the one pinned
here, gevent's monkey-patching (which would not share a process with the asyncio socket clients) and a pytest
plugin that every test run would load.

Reported: error rate (HTTP errors, socket errors, lost deliveries over all operations; goal 0), p50/p95/p99 per page
and of socket delivery (form post -> each receiver), the worker's RSS (from /proc/<pid>/status) when it answered,
after the sockets joined, mid-run and at the end, its growth, and CPU of the server, this client and other processes.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

from .harness import (
    BenchmarkError,
    Server,
    environment,
    free_port,
    gunicorn_argv,
    machine_busy_seconds,
    percentile,
    scratch_postgres,
    server_env,
    server_errors,
)
from .load_report import delivery_stats, goals, memory_stats, page_stats, print_database
from .load_sockets import SocketOutcome, close_all, open_all
from .load_users import run_users
from .setups import Setup, start_setup

HELP = "load test: 50 HTTP users and 200 Socket.IO clients in 4 rooms for 3 minutes; error rate, p95s, memory growth"
DATABASES = ("sqlite", "postgresql")
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Settings:
    duration: float
    quick_data: bool
    users: int = 50
    sockets: int = 200
    rooms: int = 4
    threads: int = 300  # each websocket holds a gthread thread
    databases: tuple[str, ...] = DATABASES
    seed: int = 2026
    quiet: float = 2.0  # seconds of calm after the sockets joined, and without a delivery that end the drain


PROFILES = {
    "quick": Settings(duration=3, quick_data=True, users=16, sockets=40, quiet=0.5),
    "default": Settings(duration=180, quick_data=False),
    "full": Settings(duration=600, quick_data=False),
}

SETUP_TIMEOUT = 600
SERVER_START_TIMEOUT = 60
SAMPLE_SECONDS = 1.0
DRAIN_TIMEOUT = 30.0


def add_arguments(parser) -> None:
    """The load subcommand's own options."""
    parser.add_argument("--database", choices=DATABASES, help="one database kind only (default: both)")
    parser.add_argument("--duration", type=float, help="seconds of load (quick 3, default 180, full 600)")
    parser.add_argument("--users", type=int, help="HTTP users (quick 16, 50)")
    parser.add_argument("--sockets", type=int, help="Socket.IO clients (quick 40, 200)")
    parser.add_argument("--rooms", type=int, help="rooms the sockets are spread over (4)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help="PostgreSQL to CREATE/DROP the scratch database through (BENCH_POSTGRES_URL, else "
                             f"{DEFAULT_POSTGRES_URL})")


def settings_from(args, profile: str) -> Settings:
    """The profile's settings with the command-line overrides."""
    base = asdict(PROFILES[profile])
    for name in ("duration", "users", "sockets", "rooms"):
        value = getattr(args, name, None)
        if value is not None:
            base[name] = value
    if getattr(args, "database", None):
        base["databases"] = (args.database,)
    return Settings(**base)


def start_app_setup(kind: str, url: str, settings: Settings, tmp: Path) -> Setup:
    """Start load_setup (seeding, sessions, what each user does) in its own process."""
    args = ["--users", str(settings.users), "--sockets", str(settings.sockets), "--rooms", str(settings.rooms)]
    return start_setup("load_setup", f"setup-{kind}", args + (["--quick"] if settings.quick_data else []), tmp, url)


def rss_kb(pid: int) -> int | None:
    """VmRSS of a process in kB, from /proc/<pid>/status; None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


async def _sample_rss(pid: int, samples: list) -> None:
    """(time, VmRSS kB) of the process every SAMPLE_SECONDS until cancelled."""
    while True:
        value = rss_kb(pid)
        if value is not None:
            samples.append((time.monotonic(), value))
        await asyncio.sleep(SAMPLE_SECONDS)


async def _loop_lag(lags: list[float], interval: float = 0.05) -> None:
    """How late this event loop wakes a sleeper, in ms: the client itself being the bottleneck shows here."""
    while True:
        before = time.monotonic()
        await asyncio.sleep(interval)
        lags.append((time.monotonic() - before - interval) * 1000)


async def _drain(sockets: SocketOutcome, quiet: float) -> float:
    """Wait until no delivery has arrived for `quiet` seconds (at most DRAIN_TIMEOUT); the seconds waited."""
    start = time.monotonic()
    seen, last_change = -1, start
    while time.monotonic() - start < DRAIN_TIMEOUT:
        if len(sockets.deliveries) != seen:
            seen, last_change = len(sockets.deliveries), time.monotonic()
        elif time.monotonic() - last_change >= quiet:
            break
        await asyncio.sleep(0.1)
    return time.monotonic() - start


async def drive(url: str, plan: dict, settings: Settings, server: Server, log) -> dict:
    """Sockets in, HTTP users for the duration, drain, sockets out; the raw observations."""
    moments = {"start": time.monotonic()}
    samples: list = [(moments["start"], rss_kb(server.workers[0]) or 0)]  # the server as it answered
    sampler = asyncio.ensure_future(_sample_rss(server.workers[0], samples))
    lags: list[float] = []
    sockets = SocketOutcome()
    listeners = []
    try:
        listeners = await open_all(url, plan, sockets)
        log(f"{len(listeners)} sockets connected in {sockets.connect_seconds:.1f} s and joined in "
            f"{sockets.join_seconds:.1f} s ({len(sockets.errors)} errors)")
        await asyncio.sleep(settings.quiet)
        moments["connected"] = time.monotonic()
        cpu0 = (server.cpu_seconds(), time.process_time(), machine_busy_seconds())
        stop_at = time.monotonic() + settings.duration
        lag_task = asyncio.ensure_future(_loop_lag(lags))
        try:
            outcome, *_ = await asyncio.gather(run_users(url, plan, stop_at, settings.seed),
                                               *(listener.here_every_minute(stop_at) for listener in listeners))
        finally:
            lag_task.cancel()
        moments["stop"] = time.monotonic()
        server_cpu, client_cpu, busy = (server.cpu_seconds() - cpu0[0], time.process_time() - cpu0[1],
                                        machine_busy_seconds() - cpu0[2])
        drained = await _drain(sockets, settings.quiet)
        log(f"load done: {len(outcome.records)} HTTP answers, {len(sockets.deliveries)} socket deliveries, drained "
            f"in {drained:.1f} s")
    finally:
        await close_all(listeners)
        sampler.cancel()
    seconds = moments["stop"] - moments["connected"]
    return {"outcome": outcome, "sockets": sockets, "samples": samples, "moments": moments, "seconds": seconds,
            "cpu": {"server_percent": server_cpu / seconds * 100, "client_percent": client_cpu / seconds * 100,
                    "other_percent": max(0.0, busy - server_cpu - client_cpu) / seconds * 100,
                    "loop_lag_p99_ms": percentile(sorted(lags), 99)}}


def stored_client_ids(url: str) -> set[str]:
    """Client ids of the load test's messages found in the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT client_id FROM messages WHERE client_id LIKE 'load-%'")).scalars())
    finally:
        engine.dispose()


def summarise(raw: dict, plan: dict, stored: set[str]) -> dict:
    """Pages, deliveries, errors and memory of one run."""
    outcome, sockets, moments = raw["outcome"], raw["sockets"], raw["moments"]
    receivers: dict[int, list[int]] = {}
    for index, spec in enumerate(plan["sockets"]):
        receivers.setdefault(spec["room_id"], []).append(index)
    deliveries = delivery_stats(outcome.posted, stored, receivers, sockets.deliveries)
    http_errors = [r for r in outcome.records if r.error]
    count = len(http_errors) + len(sockets.errors) + deliveries["lost"]
    operations = len(outcome.records) + sockets.operations + deliveries["expected"]
    examples = [f"{r.page}: {r.error}" for r in http_errors[:3]] + sockets.errors[:3]
    return {
        "seconds": raw["seconds"],
        "pages": page_stats(outcome.records),
        "deliveries": deliveries,
        "errors": {"count": count, "operations": operations, "rate": count / operations if operations else None,
                   "http": len(http_errors), "http_requests": len(outcome.records), "socket": len(sockets.errors),
                   "examples": examples},
        "memory": memory_stats(raw["samples"], moments["start"], moments["connected"], moments["stop"]),
        "cpu": raw["cpu"],
        "sockets": {"connect_seconds": sockets.connect_seconds, "join_seconds": sockets.join_seconds,
                    "other_events": dict(sockets.other_events)},
        "votes": outcome.votes,
        "comments": outcome.comments,
    }


def run_database(kind: str, url: str, settings: Settings, tmp: Path) -> dict:
    """Seed, serve, load, stop, match; the result of one database."""
    def log(text: str) -> None:
        print(f"[{kind}] {text}", flush=True)

    t0 = time.monotonic()
    setup = start_app_setup(kind, url, settings, tmp)
    port = free_port()
    env = server_env(STAC_ENV="production", SECRET_KEY=setup.secret_key, DATABASE_URL=url)
    server = Server(f"{kind} app", gunicorn_argv("app:app", port, settings.threads), port, env,
                    tmp / f"{kind}-server.log")
    budget = settings.duration + 900
    try:
        server.launch()  # it boots while the data set is seeded
        plan = setup.finish(time.monotonic() + SETUP_TIMEOUT)
        setup_seconds = time.monotonic() - t0
        for line in setup.stdout().splitlines():
            print(f"[{kind}] {line}", flush=True)
        server.wait_ready(timeout=SERVER_START_TIMEOUT)
        log(f"{' '.join(server.argv[2:])} up, worker pid {server.workers}; setup took {setup_seconds:.1f} s")
        try:
            raw = asyncio.run(asyncio.wait_for(drive(f"http://127.0.0.1:{port}", plan, settings, server, log),
                                               budget))
        except TimeoutError as error:
            raise BenchmarkError(f"{kind} load run exceeded its {budget:.0f} s budget") from error
    finally:
        setup.kill()
        server.stop()
    errors = server_errors(server.log_path)
    summary = summarise(raw, plan, stored_client_ids(url))
    return {"summary": summary, "goals": goals(kind, summary), "server_errors": errors[:5],
            "setup_seconds": setup_seconds,
            "plan": {"data": "quick" if settings.quick_data else "default", "dialect": plan["dialect"],
                     "rooms": plan["rooms"], "sizes": plan["sizes"], "seed": plan["seed"],
                     "votable_polls": sum(len(u["votes"]) for u in plan["users"])}}


def run(args, profile: str) -> dict:
    """Each database in turn; the tables, the verdict and the results for --json."""
    settings = settings_from(args, profile)
    started = time.monotonic()
    print(f"load: {settings.users} HTTP users, {settings.sockets} sockets in {settings.rooms} rooms, "
          f"{settings.duration:g} s per database, {'small' if settings.quick_data else 'realistic'} data set, "
          f"databases {', '.join(settings.databases)}", flush=True)
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="stac-bench-load-") as tmp_name:
        tmp = Path(tmp_name)
        for kind in settings.databases:
            with ExitStack() as stack:
                if kind == "sqlite":
                    url = f"sqlite:///{tmp / 'load.db'}"
                else:
                    try:
                        url = stack.enter_context(scratch_postgres(args.postgres_url, f"bench_load_{os.getpid()}"))
                    except BenchmarkError as error:
                        if getattr(args, "database", None):  # asked for by name: no silent skip
                            raise
                        print(f"{kind} skipped: {error}", flush=True)
                        results[kind] = {"skipped": str(error)}
                        continue
                results[kind] = run_database(kind, url, settings, tmp)
                print_database(kind, settings, results[kind])
                if results[kind]["server_errors"]:
                    print(f"  the server log holds errors; the first:\n{results[kind]['server_errors'][0]}")
    all_goals = [g for data in results.values() for g in data.get("goals", [])]
    failed = [g["metric"] for g in all_goals if not g["pass"]]
    elapsed = time.monotonic() - started
    print()
    for goal in all_goals:
        value = round(goal["value"], 4) if isinstance(goal["value"], float) else goal["value"]
        print(f"  {goal['metric']}: {value} (goal {goal['goal']}) {'MET' if goal['pass'] else 'NOT MET'}")
    print("VERDICT: " + ("PASS (no error, every delivery, bounded memory)" if all_goals and not failed
                         else f"FAIL ({', '.join(failed) or 'nothing ran'})"))
    print(f"took {elapsed:.0f} s")
    return {"benchmark": "load", "profile": profile, "settings": asdict(settings), "environment": environment(),
            "databases": results, "goals": all_goals, "verdict": "PASS" if all_goals and not failed else "FAIL",
            "elapsed_seconds": elapsed}
