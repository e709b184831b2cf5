"""Two app processes sharing rooms through Redis: every message crosses, p99 against the same run on one process.

Both runs use the real app under the production command (`STAC_ENV=production gunicorn -k gthread -w 1 --threads
300 app:app`) on one temporary SQLite database prepared by benchmarks/room_setup.py, and room.py's clients: N
Socket.IO clients in one room, senders emitting R messages/s for D seconds, latency per delivery. The *single* run is
one process without a message queue (the one-box setup). The *two-process* run starts two gunicorns on two ports,
both with REDIS_URL (Flask-SocketIO's Redis message queue); receivers and senders are dealt round-robin over them,
so half the messages are sent through each process and every message must reach the clients of the other one.
Goals: delivered / expected = 1.0 and crossed / expected crossings = 1.0 in the two-process run, p99 at most 2 times
the single run's. On a 2-core box a second process adds no capacity: this run proves correctness
and overhead. Redis pub/sub channels are global to the Redis server, so another app using the same Redis and channel
at the same time would add foreign messages (counted as `unknown`, never as deliveries).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from . import room
from .harness import (
    BenchmarkError,
    Server,
    environment,
    fmt,
    free_port,
    gunicorn_argv,
    percentile,
    print_table,
    server_env,
    serving,
    wait_all,
)
from .room_report import analyse, ratio, summarise

HELP = "two app processes with a Redis message queue: every message crosses, p99 against one process"
GOAL_P99_RATIO = 2.0
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
NODES = 2
#: the room benchmark's scenarios (in a quick `all` run, scale reuses the database room's setup made)
PROFILES = room.PROFILES


def add_arguments(parser) -> None:
    """The scale subcommand's own options (the room benchmark's, plus Redis)."""
    room.add_arguments(parser)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
                        help=f"the Redis both processes share (BENCH_REDIS_URL, else {DEFAULT_REDIS_URL})")


def settings_from(args, profile: str) -> room.Settings:
    """The profile's settings with the room options given on the command line."""
    base = asdict(PROFILES[profile])
    for name in ("clients", "rate", "duration", "rounds", "threads", "senders"):
        if getattr(args, name, None) is not None:
            base[name] = getattr(args, name)
    return room.Settings(**base)


def check_redis(url: str) -> None:
    """BenchmarkError unless Redis answers a PING within 2 s."""
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        raise BenchmarkError(f"Redis at {url} does not answer ({error}); start one or pass --redis-url") from error


def crossings(raw: dict) -> dict:
    """Deliveries of messages sent through one process to clients of the other: count, expected and latency."""
    seq_of = {cid: seq for seq, cid in enumerate(raw["client_ids"])}
    senders, receivers = raw["sender_nodes"], raw["receiver_nodes"]
    seen, latencies = set(), []
    for receiver, cid, at in raw["deliveries"]:
        seq = seq_of.get(cid)
        if seq is None or (receiver, seq) in seen or receivers[receiver] == senders[seq]:
            continue
        seen.add((receiver, seq))
        latencies.append((at - raw["sent_at"][seq]) * 1000)
    per_node = [receivers.count(node) for node in range(NODES)]
    expected = sum(len(receivers) - per_node[node] for node in senders)
    latencies.sort()
    return {"crossed": len(seen), "expected_crossings": expected,
            "crossed_ratio": len(seen) / expected if expected else None,
            "cross_p50_ms": percentile(latencies, 50), "cross_p99_ms": percentile(latencies, 99)}


def new_servers(nodes: int, round_no: int, settings: room.Settings, tmp: Path, secret_key: str, database_url: str,
                redis_url: str) -> list[Server]:
    """`nodes` app processes on one database (with the Redis queue when more than one), not started yet."""
    extra = {"REDIS_URL": redis_url} if nodes > 1 else {}
    env = server_env(STAC_ENV="production", SECRET_KEY=secret_key, DATABASE_URL=database_url, **extra)
    servers = []
    for node in range(nodes):
        port = free_port()
        servers.append(Server(f"app{node + 1}", gunicorn_argv("app:app", port, settings.threads), port, env,
                              tmp / f"scale-{nodes}-{node + 1}-{round_no}.log"))
    return servers


def run_once(servers: list[Server], round_no: int, settings: room.Settings, plan: dict, database_url: str) -> dict:
    """Drive the processes (answering by now); the analysed run. They stay up, idle, until the round ends."""
    nodes = len(servers)
    label = "single" if nodes == 1 else f"{nodes} processes"

    def log(text: str) -> None:
        print(f"[{label} {round_no}] {text}", flush=True)

    budget = (room.SERVER_START_TIMEOUT + room.QUIET_TIMEOUT + settings.duration + room.DRAIN_TIMEOUT
              + room.LEAVE_TIMEOUT + (len(plan["senders"]) + settings.clients)
              * (room.CONNECT_TIMEOUT_EACH + room.JOIN_TIMEOUT_EACH) / 8)
    log(f"{nodes} x gunicorn -k gthread -w 1 --threads {settings.threads} up on ports "
        f"{[s.port for s in servers]}{' with REDIS_URL' if nodes > 1 else ''}")
    urls = [f"http://127.0.0.1:{s.port}" for s in servers]
    try:
        raw = asyncio.run(asyncio.wait_for(room.drive("app", urls, settings, plan, servers, log), budget))
    except TimeoutError as error:
        raise BenchmarkError(f"{label} run exceeded its {budget:.0f} s budget") from error
    for server in servers:
        errors = [line for line in server.log_tail(200).splitlines() if "Traceback" in line or "ERROR" in line]
        if errors:
            log(f"{server.name} log has {len(errors)} error line(s); the tail:\n{server.log_tail(20)}")
    room.forget_presence(Path(database_url.removeprefix("sqlite:///")))  # nothing of this run left for the next
    return analyse(raw, settings) | crossings(raw)


def goals(single: dict, two: dict) -> list[dict]:
    """Every message delivered and crossed in the two-process run; its p99 against the single run's."""
    p99 = ratio(two["p99_ms"], single["p99_ms"])
    return [
        {"metric": "two processes: delivered / expected", "value": two["delivered_ratio"], "app": two["delivered"],
         "anchor": two["expected"], "goal": "== 1.0", "pass": two["lost"] == 0},
        {"metric": "two processes: crossed / expected crossings", "value": two["crossed_ratio"],
         "app": two["crossed"], "anchor": two["expected_crossings"], "goal": "== 1.0",
         "pass": two["crossed"] == two["expected_crossings"] > 0},
        {"metric": "p99 two processes / single", "value": p99, "app": two["p99_ms"], "anchor": single["p99_ms"],
         "goal": f"<= {GOAL_P99_RATIO}", "pass": p99 is not None and p99 <= GOAL_P99_RATIO},
    ]


def print_report(settings: room.Settings, single: dict, two: dict, goal_results: list[dict]) -> None:
    """The table (metric, single, two processes, ratio, goal, verdict) and the verdict line."""
    verdict = {g["metric"]: "PASS" if g["pass"] else "FAIL" for g in goal_results}

    def row(label, key, digits=1, goal="", check=""):
        r = ratio(two.get(key), single.get(key))
        return [label, fmt(single.get(key), digits), fmt(two.get(key), digits), f"{r:.2f}x" if r else "", goal, check]

    rows = [
        row("delivered / expected", "delivered_ratio", 4, "two: 1.0", verdict["two processes: delivered / expected"]),
        row("lost deliveries", "lost", 0),
        ["crossed / expected crossings", "", f"{two['crossed']} / {two['expected_crossings']}", "", "two: 1.0",
         verdict["two processes: crossed / expected crossings"]],
        row("latency p50 (ms)", "p50_ms"),
        row("latency p99 (ms)", "p99_ms", 1, f"<= {GOAL_P99_RATIO}x single", verdict["p99 two processes / single"]),
        ["crossing latency p50 / p99 (ms)", "", f"{fmt(two['cross_p50_ms'])} / {fmt(two['cross_p99_ms'])}", "", "",
         ""],
        row("last receiver p99 (ms)", "last_receiver_p99_ms"),
        row("send -> ack p99 (ms)", "ack_p99_ms"),
        row("server CPU / delivery (us, all processes)", "server_cpu_per_delivery_us"),
        row("client CPU (% of a core)", "client_cpu_percent", 0),
        row("other processes' CPU (% of a core)", "other_cpu_percent", 0),
    ]
    print()
    print(f"Scale: {settings.clients} clients, {settings.rate:g} msg/s for {settings.duration:g} s "
          f"({settings.messages} messages), {settings.rounds} round(s); single process vs {NODES} processes with "
          "a Redis message queue, clients and senders split round-robin")
    print_table(["metric", "single", f"{NODES} processes", "ratio", "goal", "verdict"], rows)
    busy = max(single["other_cpu_percent"] or 0, two["other_cpu_percent"] or 0)
    if busy > 25:
        print(f"note: other processes used up to {busy:.0f} % of a core ({os.cpu_count()} cores) while measuring: "
              "the ratios are noisy; rerun on a quiet machine or with --full")
    failed = [g["metric"] for g in goal_results if not g["pass"]]
    print()
    print("VERDICT: " + ("PASS (all goals met)" if not failed else f"FAIL ({len(failed)} of {len(goal_results)} "
                                                                    f"goals missed: {', '.join(failed)})"))


def run(args, profile: str) -> dict:
    """Prepare the room once, then per round one process and two processes; the report and the results."""
    settings = settings_from(args, profile)
    check_redis(args.redis_url)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="stac-bench-scale-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = f"sqlite:///{tmp / 'bench.db'}"
        setup = room.start_app_setup(tmp, settings, database_url)
        per_round = []
        try:
            for round_no in range(1, settings.rounds + 1):
                order = (1, NODES) if round_no % 2 else (NODES, 1)
                # The processes of both runs boot side by side (the first round's while the app is set up) and stop
                # together at the end of the round; each run's are idle while the other's are measured.
                runs = {n: new_servers(n, round_no, settings, tmp, setup.secret_key, database_url, args.redis_url)
                        for n in order}
                with serving(server for n in order for server in runs[n]) as servers:
                    if round_no == 1:
                        plan = setup.finish(time.monotonic() + room.SETUP_TIMEOUT)
                        setup_seconds = time.monotonic() - started
                        print(f"app prepared in {setup_seconds:.1f} s: {settings.clients} members + "
                              f"{len(plan['senders'])} senders, room {plan['room_id']}; Redis {args.redis_url}",
                              flush=True)
                    wait_all(servers, room.SERVER_START_TIMEOUT)
                    per_round.append({("single" if n == 1 else "two"): run_once(runs[n], round_no, settings, plan,
                                                                                  database_url) for n in order})
        finally:
            setup.kill()
    single = summarise([r["single"] for r in per_round])
    two = summarise([r["two"] for r in per_round])
    goal_results = goals(single, two)
    print_report(settings, single, two, goal_results)
    elapsed = time.monotonic() - started
    print(f"took {elapsed:.0f} s")
    return {
        "benchmark": "scale",
        "profile": profile,
        "settings": asdict(settings) | {"messages": settings.messages, "nodes": NODES, "redis": args.redis_url},
        "setup": {"seconds": setup_seconds, "method": "room_setup.py: one topic room, members and senders signed in "
                                                      "with the app's start_session; one SQLite file for both "
                                                      "processes"},
        "environment": environment(),
        "summary": {"single": single, "two": two},
        "goals": goal_results,
        "verdict": "PASS" if all(g["pass"] for g in goal_results) else "FAIL",
        "rounds": per_round,
        "elapsed_seconds": elapsed,
    }
