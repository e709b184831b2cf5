"""Room fan-out: N Socket.IO clients in one room, a sender at R messages/s for D seconds, app vs bare server.

Both servers run under the production command (`gunicorn -k gthread -w 1 --threads 300`, threading async mode)
and are measured one after the other in the same invocation. The real app runs with STAC_ENV=production, a random
SECRET_KEY and a temporary SQLite database prepared by benchmarks/room_setup.py; the anchor is
benchmarks/bare_server.py.

All clients are python-socketio AsyncClients (websocket transport) in this one process. Each message's send
time is taken with time.monotonic() just before the emit and mapped back by its client_id, so every delivery's
latency is "emit in the sender -> handler in the receiver", both in this process. Receivers join the room;
senders do not, so expected deliveries = clients x messages. Server CPU is utime+stime of the gunicorn worker
from /proc/<pid>/stat, from the first send until the last delivery (or the drain timeout).

Phases, each bounded: start both servers side by side (random ports, each ready when GET / answers; the first
round's boot while the app is set up), then per server: connect every socket, join (the app pushes presence to the
room on every join; the run waits until the clients have been quiet for 1 s, quick 0.2 s), one second (quick: a
quarter) of warm-up messages that are not counted, the measured paced stream, the drain, disconnect; then stop
both by PID. During the measured window the client's cyclic GC is paused (gen-2 passes stalled its event loop for up
to 230 ms) and its event-loop lag and the CPU used by other processes on the machine are recorded, so a reader can
tell when the instrument or a busy machine, and not the server, made the tail.
"""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from .harness import (
    BenchmarkError,
    Server,
    environment,
    free_port,
    gunicorn_argv,
    machine_busy_seconds,
    server_env,
    serving,
    wait_all,
)
from .room_clients import (
    CONNECT_TIMEOUT_EACH,
    NAMESPACE,
    Collector,
    _connect,
    _limited,
    _loop_lag,
    _new_client,
    _paced_send,
    _wait_quiet,
)
from .room_report import analyse, goals, print_report, summarise  # noqa: E402
from .setups import Setup, start_setup

HELP = "room fan-out: N clients in one room, R messages/s for D s, the app next to a bare Socket.IO server"


@dataclass(frozen=True)
class Settings:
    clients: int
    rate: float
    duration: float
    rounds: int
    threads: int = 300
    senders: int = 0  # 0: as many accounts as the app's per-author rate limit needs
    connect_concurrency: int = 20
    join_concurrency: int = 8
    warmup: float = 1.0  # seconds of paced messages before the measured ones, not counted
    quiet: float = 1.0  # seconds without an event that end the join and the warm-up

    @property
    def messages(self) -> int:
        return max(1, round(self.rate * self.duration))


PROFILES = {
    "quick": Settings(clients=30, rate=20, duration=1, rounds=1, warmup=0.25, quiet=0.2),
    "default": Settings(clients=200, rate=20, duration=10, rounds=1),
    "full": Settings(clients=200, rate=20, duration=10, rounds=3),
}


# Phase bounds (seconds).
SETUP_TIMEOUT = 300
SERVER_START_TIMEOUT = 60
JOIN_TIMEOUT_EACH = 60
QUIET_TIMEOUT = 180
DRAIN_STALL_SECONDS = 10
DRAIN_TIMEOUT = 120
LEAVE_TIMEOUT = 60


def add_arguments(parser) -> None:
    parser.add_argument("--clients", type=int, help="receivers in the room (quick 30, default 200)")
    parser.add_argument("--rate", type=float, help="messages per second (20)")
    parser.add_argument("--duration", type=float, help="seconds of sending (quick 1, default 10)")
    parser.add_argument("--rounds", type=int, help="repetitions, alternating which server goes first (full 3)")
    parser.add_argument("--threads", type=int, help="gunicorn --threads for both servers (300)")
    parser.add_argument("--senders", type=int,
                        help="sender accounts the sender rotates over (default: enough for the app's rate limit)")


def settings_from(args, profile: str) -> Settings:
    base = asdict(PROFILES[profile])
    for name in ("clients", "rate", "duration", "rounds", "threads", "senders"):
        value = getattr(args, name, None)
        if value is not None:
            base[name] = value
    return Settings(**base)


# --------------------------------------------------------------------------------------------------------------
# Clients


async def drive(kind: str, urls: list[str], settings: Settings, plan: dict, servers: list[Server], log) -> dict:
    """Connect, join, quiet down, send at the paced rate, drain, disconnect; returns the raw measurements.

    With several servers (urls and servers in the same order), receiver i and sender j connect to server i % n and
    j % n, and the CPU figures are the servers' sum."""
    collector = Collector()
    nodes = len(urls)

    def cpu_seconds() -> float:
        return sum(server.cpu_seconds() for server in servers)

    user_agent = plan["user_agent"]

    def headers(cookie: str | None) -> dict[str, str]:
        h = {"User-Agent": user_agent}
        if cookie is not None:
            h["Cookie"] = f"{plan['cookie_name']}={cookie}"
        return h

    member_cookies = plan["members"][: settings.clients] if kind == "app" else [None] * settings.clients
    sender_cookies = plan["senders"] if kind == "app" else [None] * len(plan["senders"])
    receivers = [_new_client(headers(c)) for c in member_cookies]
    senders = [_new_client(headers(c)) for c in sender_cookies]
    for index, client in enumerate(receivers):
        client.on("message", collector.message_handler(index), namespace=NAMESPACE)
        client.on("*", collector.other_handler, namespace=NAMESPACE)
    everyone = receivers + senders
    out: dict = {}
    try:
        # Connect.
        t0 = time.monotonic()
        placed = [(c, urls[i % nodes]) for i, c in enumerate(receivers)] + [
            (c, urls[j % nodes]) for j, c in enumerate(senders)]
        results = await _limited([_connect(c, url) for c, url in placed], settings.connect_concurrency)
        failures = [r for r in results if isinstance(r, BaseException)]
        out["connect_seconds"] = time.monotonic() - t0
        if failures:
            raise BenchmarkError(f"{len(failures)} of {len(everyone)} clients could not connect to {kind}: "
                                 f"{failures[0]!r}\n{servers[0].log_tail()}")
        log(f"{len(everyone)} sockets connected in {out['connect_seconds']:.1f} s")

        # Join (and let presence pushes settle).
        room_id = plan["room_id"]
        cpu_join0, t0 = cpu_seconds(), time.monotonic()
        results = await _limited(
            [c.call("join", {"room_id": room_id, "last_id": 0}, namespace=NAMESPACE, timeout=JOIN_TIMEOUT_EACH)
             for c in receivers],
            settings.join_concurrency,
        )
        bad = [r for r in results if isinstance(r, BaseException) or not (isinstance(r, dict) and r.get("ok"))]
        acks_done = time.monotonic()
        out["join_acks_seconds"] = acks_done - t0
        if bad:
            raise BenchmarkError(f"{len(bad)} of {len(receivers)} joins failed on {kind}: {bad[0]!r}")
        await _wait_quiet(collector, settings.quiet, QUIET_TIMEOUT)
        out["join_seconds"] = max(acks_done, collector.last_event) - t0  # until the last join push arrived
        out["join_server_cpu_seconds"] = cpu_seconds() - cpu_join0
        out["join_events"] = dict(collector.other_events)
        log(f"joined in {out['join_acks_seconds']:.1f} s (acks), quiet after {out['join_seconds']:.1f} s, "
            f"events during join: {dict(collector.other_events) or 'none'}")

        # Warm-up: settings.warmup s of the same paced stream, not counted (first-message costs: imports, caches,
        # threads).
        warmup = max(1, round(settings.rate * settings.warmup))
        await _paced_send(senders, 0, [f"warm-{uuid.uuid4().hex[:8]}-{i}" for i in range(warmup)], settings.rate,
                          room_id, [None] * warmup, [0.0] * warmup, [None] * warmup)
        await _wait_quiet(collector, settings.quiet, QUIET_TIMEOUT)
        log(f"warm-up: {warmup} messages, {len(collector.deliveries)} deliveries")
        collector.other_events.clear()
        collector.deliveries.clear()

        # Send at the paced rate; each message's client_id maps it back to its send time.
        count, tag = settings.messages, uuid.uuid4().hex[:8]
        client_ids = [f"{tag}-{seq}" for seq in range(count)]
        sent_at: list[float | None] = [None] * count
        scheduled: list[float] = [0.0] * count
        acks: list[tuple[float, object] | None] = [None] * count
        # The client is the instrument: keep its cyclic GC out of the measured window (gen-2 passes over the
        # join's garbage stalled this event loop for 100-230 ms), and watch its event-loop lag.
        gc.collect()
        gc.freeze()
        gc.disable()
        lags: list[float] = []
        lag_task = asyncio.get_running_loop().create_task(_loop_lag(lags))
        cpu0, client_cpu0, busy0 = cpu_seconds(), time.process_time(), machine_busy_seconds()
        try:
            start = await _paced_send(senders, warmup, client_ids, settings.rate, room_id, sent_at, scheduled, acks)
            send_end = time.monotonic()

            # Drain: until every delivery and ack is in, progress stalls, or the drain timeout.
            expected = settings.clients * count
            last_progress, seen = time.monotonic(), -1
            while time.monotonic() - send_end < DRAIN_TIMEOUT:
                got = len(collector.deliveries)
                if got >= expected and all(a is not None for a in acks):
                    break
                if got != seen:
                    seen, last_progress = got, time.monotonic()
                elif time.monotonic() - last_progress > DRAIN_STALL_SECONDS:
                    break
                await asyncio.sleep(0.02)
            end = time.monotonic()
            out["server_cpu_seconds"] = cpu_seconds() - cpu0
            out["client_cpu_seconds"] = time.process_time() - client_cpu0
            out["other_cpu_seconds"] = max(0.0, machine_busy_seconds() - busy0 - out["server_cpu_seconds"]
                                           - out["client_cpu_seconds"])
        finally:
            lag_task.cancel()
            gc.enable()
            gc.unfreeze()
        out["loop_lags_ms"] = lags
        out["window_seconds"] = end - start
        out["drain_seconds"] = end - send_end
        out["deliveries"] = list(collector.deliveries)
        out["send_events_other"] = dict(collector.other_events)
        out["client_ids"], out["sent_at"], out["scheduled"], out["acks"] = client_ids, sent_at, scheduled, acks
        # which server each measured message was sent through, and each receiver is on (for the scale benchmark)
        out["sender_nodes"] = [((warmup + seq) % len(senders)) % nodes for seq in range(count)]
        out["receiver_nodes"] = [i % nodes for i in range(len(receivers))]
        log(f"sent {count} in {send_end - start:.1f} s, {len(collector.deliveries)}/{expected} deliveries, "
            f"drained {out['drain_seconds']:.2f} s after the last send")
    finally:
        # Leave: everyone disconnects (the app pushes presence to those still in the room).
        t0 = time.monotonic()
        try:
            await asyncio.wait_for(
                asyncio.gather(*(c.disconnect() for c in everyone), return_exceptions=True), LEAVE_TIMEOUT
            )
            out["leave_seconds"] = time.monotonic() - t0
        except TimeoutError:
            out["leave_seconds"] = None
            log(f"clients still disconnecting after {LEAVE_TIMEOUT} s; stopping the server anyway")
    return out


# --------------------------------------------------------------------------------------------------------------
# Numbers


def start_app_setup(tmp: Path, settings: Settings, database_url: str) -> Setup:
    """Start room_setup (members, senders, the room, session cookies) in its own process."""
    args = ["--members", str(settings.clients), "--rate", str(settings.rate)]
    return start_setup("room_setup", "setup", args + (["--senders", str(settings.senders)] if settings.senders else []),
                       tmp, database_url)


def forget_presence(db_path: Path) -> None:
    """Drop presence rows a stopped server left behind (what presence.forget_connections does), between rounds."""
    with sqlite3.connect(db_path, timeout=10) as conn:
        conn.execute("DELETE FROM room_presence")


def new_server(kind: str, round_no: int, settings: Settings, tmp: Path, secret_key: str, database_url: str) -> Server:
    """The app or the bare server of one round, not started yet."""
    port = free_port()
    if kind == "app":
        target, env = "app:app", server_env(STAC_ENV="production", SECRET_KEY=secret_key, DATABASE_URL=database_url)
    else:
        target, env = "benchmarks.bare_server:app", server_env()
    return Server(kind, gunicorn_argv(target, port, settings.threads), port, env, tmp / f"{kind}-{round_no}.log")


def run_one(kind: str, round_no: int, settings: Settings, plan: dict, server: Server) -> dict:
    """Drive one server that answers; the analysed run (the caller stops the server)."""
    def log(text: str) -> None:
        print(f"[{kind} {round_no}] {text}", flush=True)

    budget = (SERVER_START_TIMEOUT + QUIET_TIMEOUT + settings.duration + DRAIN_TIMEOUT + LEAVE_TIMEOUT
              + (len(plan["senders"]) + settings.clients) * (CONNECT_TIMEOUT_EACH + JOIN_TIMEOUT_EACH) / 8)
    log(f"{' '.join(server.argv[2:])} up on port {server.port}, worker pid(s) {server.workers}")
    try:
        raw = asyncio.run(asyncio.wait_for(drive(kind, [f"http://127.0.0.1:{server.port}"], settings, plan, [server],
                                                 log), budget))
    except TimeoutError as error:
        raise BenchmarkError(f"{kind} run exceeded its {budget:.0f} s budget") from error
    errors = [line for line in server.log_tail(200).splitlines() if "Traceback" in line or "ERROR" in line]
    if errors:
        log(f"server log has {len(errors)} error line(s); see the tail:\n{server.log_tail(20)}")
    return analyse(raw, settings)


def print_setup(settings: Settings, plan: dict, setup_seconds: float) -> None:
    """What the setup made, and a warning when the sockets would not fit the server's threads."""
    limit = plan["rate_limit"]
    print(f"app prepared in {setup_seconds:.1f} s: {settings.clients} members + {len(plan['senders'])} sender "
          f"accounts, room {plan['room_id']} with {plan['history']} older messages, cookie "
          f"{plan['cookie_name']} (Secure={plan['session_cookie_secure']}), app rate limit {limit['count']} per "
          f"{limit['window_seconds']:g} s per author", flush=True)
    if settings.clients + len(plan["senders"]) + 4 > settings.threads:
        print(f"warning: {settings.clients + len(plan['senders'])} sockets for {settings.threads} threads; "
              "each websocket holds a gthread thread", flush=True)


def run(args, profile: str) -> dict:
    settings = settings_from(args, profile)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="stac-bench-room-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = f"sqlite:///{tmp / 'bench.db'}"
        setup = start_app_setup(tmp, settings, database_url)
        per_round = []
        try:
            for round_no in range(1, settings.rounds + 1):
                order = ("bare", "app") if round_no % 2 else ("app", "bare")
                # Both servers of the round boot side by side (the first round's while the app is set up); each
                # is idle while the other is measured.
                with serving(new_server(kind, round_no, settings, tmp, setup.secret_key, database_url)
                             for kind in order) as servers:
                    if round_no == 1:
                        plan = setup.finish(time.monotonic() + SETUP_TIMEOUT)
                        setup_seconds = time.monotonic() - started
                        print_setup(settings, plan, setup_seconds)
                    wait_all(servers, SERVER_START_TIMEOUT)
                    per_round.append({kind: run_one(kind, round_no, settings, plan, server)
                                      for kind, server in zip(order, servers, strict=True)})
                forget_presence(tmp / "bench.db")
        finally:
            setup.kill()
    app = summarise([r["app"] for r in per_round])
    bare = summarise([r["bare"] for r in per_round])
    goal_results = goals(app, bare)
    notes = print_report(settings, plan, app, bare, goal_results)
    elapsed = time.monotonic() - started
    print(f"took {elapsed:.0f} s")
    return {
        "benchmark": "room",
        "profile": profile,
        "settings": asdict(settings) | {"messages": settings.messages, "sender_accounts": len(plan["senders"])},
        "setup": {
            "seconds": setup_seconds,
            "method": "members inserted with one shared scrypt hash; sessions from the app's start_session "
                      "(open_login rows) signed with the app's session serializer; cookie sent as a header; "
                      "history messages inserted as rows",
            "rate_limit": plan["rate_limit"],
            "history_messages": plan["history"],
            "cookie_name": plan["cookie_name"],
        },
        "environment": environment(),
        "summary": {"app": app, "bare": bare},
        "goals": goal_results,
        "verdict": "PASS" if all(g["pass"] for g in goal_results) else "FAIL",
        "notes": notes,
        "rounds": per_round,
        "elapsed_seconds": elapsed,
    }
