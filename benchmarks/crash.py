"""Crash test: ballots and room messages from concurrent clients while the server is killed with SIGKILL and restarted.

For each database kind (a temporary SQLite file; a scratch PostgreSQL database created and dropped here) the app is
prepared by benchmarks/crash_setup.py (voters with sessions and CSRF tokens, open and secret yes/no/abstain polls,
a room, message senders) and started under the production command (`STAC_ENV=production gunicorn -k gthread -w 1
--threads 100 app:app`, in its own process group). Voters POST ballots and senders post messages over Socket.IO
(benchmarks/crash_clients.py) without pause. At a random moment (uniform between --uptime-min and --uptime-max
seconds after the server answered) the whole process group, gunicorn's arbiter and its worker, gets SIGKILL; the
server is started again on the same port and database while the clients keep going, resending what got no answer.
After the last cycle the clients run a few more seconds, stop, the server is stopped by PID, and the database is
checked (benchmarks/crash_check.py, benchmarks/db_integrity.py): every acknowledged ballot and message stored, no
participation without its ballot or the reverse, counters equal to the ballots, and the database's own integrity
check. Goals: 0 lost, 0 orphans or mismatches, integrity ok, every cycle done.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import secrets
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .crash_check import check_rows
from .crash_clients import Clock, Ledger, sender, voter
from .db_integrity import check_database
from .harness import (
    BenchmarkError,
    Server,
    environment,
    fmt,
    free_port,
    gunicorn_argv,
    print_table,
    scratch_postgres,
    server_env,
    server_errors,
)
from .setups import Setup, start_setup

HELP = "crash test: votes and messages from concurrent clients, the server killed (SIGKILL) and restarted 10 times"
DATABASES = ("sqlite", "postgresql")
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Settings:
    cycles: int
    uptime_min: float
    uptime_max: float
    voters: int = 16
    senders: int = 16
    polls: int = 8  # every other one secret
    members: int = 0  # 0: enough for CAPACITY ballots/s through every cycle
    send_interval: float = 1.1  # per sender; the app allows 10 messages per 10 s per author
    settle: float = 2.0  # seconds of load on the last server before the clients stop
    threads: int = 100  # each websocket holds a thread
    databases: tuple[str, ...] = DATABASES
    seed: int | None = None
    target: str = "app:app"  # the gunicorn app; the test suite points it at a deliberately faulty one


PROFILES = {
    "quick": Settings(cycles=1, uptime_min=0.5, uptime_max=1.0, settle=0.5),
    "default": Settings(cycles=10, uptime_min=1.0, uptime_max=4.0),
    "full": Settings(cycles=30, uptime_min=1.0, uptime_max=4.0),
}

#: ballots/s the voter accounts are sized for; a voter that runs out stops and the report says so
CAPACITY = 100
SETUP_TIMEOUT = 300
SERVER_START_TIMEOUT = 60
DRAIN_TIMEOUT = 30


def add_arguments(parser) -> None:
    """The crash subcommand's own options."""
    parser.add_argument("--database", choices=DATABASES, help="one database kind only (default: both)")
    parser.add_argument("--cycles", type=int, help="kills, each followed by a restart (quick 1, default 10)")
    parser.add_argument("--uptime-min", type=float,
                        help="earliest kill, seconds after the server answered (quick 0.5, 1)")
    parser.add_argument("--uptime-max", type=float,
                        help="latest kill, seconds after the server answered (quick 1, 4)")
    parser.add_argument("--voters", type=int, help="concurrent HTTP voters (16)")
    parser.add_argument("--senders", type=int, help="concurrent Socket.IO message senders (16)")
    parser.add_argument("--seed", type=int, help="random seed of the kill moments (default: random, printed)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help="PostgreSQL to CREATE/DROP the scratch database through (BENCH_POSTGRES_URL, else "
                             f"{DEFAULT_POSTGRES_URL})")


def settings_from(args, profile: str) -> Settings:
    """The profile's settings with the command-line overrides."""
    base = asdict(PROFILES[profile])
    for name in ("cycles", "uptime_min", "uptime_max", "voters", "senders", "seed"):
        value = getattr(args, name, None)
        if value is not None:
            base[name] = value
    if getattr(args, "database", None):
        base["databases"] = (args.database,)
    settings = Settings(**base)
    if not 0 < settings.uptime_min <= settings.uptime_max:
        raise BenchmarkError("--uptime-min must be positive and at most --uptime-max")
    return sized(settings)


def sized(settings: Settings) -> Settings:
    """Members enough for CAPACITY ballots/s over every cycle's longest uptime and the settle time."""
    if settings.members:
        return settings
    ballots = CAPACITY * (settings.cycles * settings.uptime_max + settings.settle + 2)
    return replace(settings, members=max(settings.voters, math.ceil(ballots / settings.polls)))


def prepare(kind: str, url: str, settings: Settings, tmp: Path) -> Setup:
    """Start benchmarks.crash_setup for one database (it runs while the other kind's setup runs)."""
    return start_setup("crash_setup", f"setup-{kind}", ["--members", str(settings.members), "--polls",
                                                        str(settings.polls), "--senders", str(settings.senders)],
                       tmp, url)


async def _drive(kind: str, url: str, plan: dict, settings: Settings, servers: list[Server], new_server,
                 rng: random.Random, ledger: Ledger, log) -> list[dict]:
    """Clients running throughout; kill and restart the server `cycles` times; settle, stop, drain."""
    import aiohttp

    clock = Clock()
    cycles = []
    timeout = aiohttp.ClientTimeout(total=15)
    connector = aiohttp.TCPConnector(limit=settings.voters)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        base = f"http://127.0.0.1:{servers[-1].port}"
        clients = asyncio.gather(
            *(voter(i, settings.voters, base, plan, http, ledger, clock) for i in range(settings.voters)),
            *(sender(j, base, plan, settings.send_interval, ledger, clock) for j in range(settings.senders)))
        try:
            for cycle in range(1, settings.cycles + 1):
                uptime = rng.uniform(settings.uptime_min, settings.uptime_max)
                await asyncio.sleep(uptime)
                at_kill = ledger.counts()
                killed = await asyncio.to_thread(servers[-1].kill)
                t0 = time.monotonic()
                servers.append(new_server(cycle))
                await asyncio.to_thread(servers[-1].start, SERVER_START_TIMEOUT)
                restart = time.monotonic() - t0
                previous = cycles[-1]["acknowledged_at_kill"] if cycles else {"ballots": 0, "messages": 0}
                cycles.append({"cycle": cycle, "uptime_seconds": uptime, "killed_pids": killed,
                               "in_flight_at_kill": at_kill["in_flight"], "restart_seconds": restart,
                               "acknowledged_at_kill": {k: at_kill[k] for k in ("ballots", "messages")},
                               "ballots_this_cycle": at_kill["ballots"] - previous["ballots"],
                               "messages_this_cycle": at_kill["messages"] - previous["messages"]})
                flying = at_kill["in_flight"]
                log(f"cycle {cycle}: SIGKILL to pids {killed} after {uptime:.1f} s with {flying['ballots']} ballot(s) "
                    f"and {flying['messages']} message(s) in flight ({at_kill['ballots']} ballots, "
                    f"{at_kill['messages']} messages acknowledged so far); back in {restart:.1f} s")
            await asyncio.sleep(settings.settle)
            clock.stop_at, clock.deadline = time.monotonic(), time.monotonic() + DRAIN_TIMEOUT
            await asyncio.wait_for(clients, DRAIN_TIMEOUT + 10)
        finally:
            if not clients.done():
                clients.cancel()
                await asyncio.gather(clients, return_exceptions=True)
    return cycles


def first_server(kind: str, url: str, settings: Settings, tmp: Path, secret_key: str) -> Server:
    """The first life of one database's server, not started; each restart takes its port, command and environment."""
    port = free_port()
    env = server_env(STAC_ENV="production", SECRET_KEY=secret_key, DATABASE_URL=url)
    return Server(f"{kind} app", gunicorn_argv(settings.target, port, settings.threads), port, env,
                  tmp / f"{kind}-server-0.log")


def run_database(kind: str, url: str, plan: dict, settings: Settings, tmp: Path, secret_key: str, seed: int,
                 first: Server | None = None) -> dict:
    """The crash cycles on one prepared database, then the checks; the result of that database.

    first: the server's first life, possibly launched already (booting while the database was set up)."""
    first = first or first_server(kind, url, settings, tmp, secret_key)
    argv, port = first.argv, first.port

    def new_server(n: int) -> Server:
        return replace(first, log_path=tmp / f"{kind}-server-{n}.log", process=None, workers=[])

    def log(text: str) -> None:
        print(f"[{kind}] {text}", flush=True)

    ledger = Ledger()
    servers = [first]
    budget = (settings.cycles * (settings.uptime_max + SERVER_START_TIMEOUT + 15) + settings.settle
              + DRAIN_TIMEOUT + 30)
    started = time.monotonic()
    try:
        if first.process is None:
            first.launch()
        first.wait_ready(timeout=SERVER_START_TIMEOUT)
        log(f"{' '.join(argv[2:])} up on port {port}, pids {servers[0].pids}; {settings.voters} voters, "
            f"{settings.senders} senders")
        try:
            cycles = asyncio.run(asyncio.wait_for(
                _drive(kind, url, plan, settings, servers, new_server, random.Random(seed), ledger, log), budget))
        except TimeoutError as error:
            raise BenchmarkError(f"{kind} crash run exceeded its {budget:.0f} s budget") from error
    finally:
        servers[-1].stop()
    run_seconds = time.monotonic() - started
    errors = [e for server in servers for e in server_errors(server.log_path)]
    t0 = time.monotonic()
    rows = check_rows(url, ledger.ballots, ledger.messages)
    integrity = check_database(url)
    check_seconds = time.monotonic() - t0
    log(f"{len(ledger.ballots)} ballots and {len(ledger.messages)} messages acknowledged; lost {rows['lost_ballots']} "
        f"ballots, {rows['lost_messages']} messages; orphans {rows['orphans']}, counter mismatches "
        f"{rows['counter_mismatches']}; integrity {'ok' if integrity['ok'] else integrity['problems']}")
    return {
        "cycles": cycles,
        "cycles_done": len(cycles),
        "acknowledged": {"ballots": len(ledger.ballots), "messages": len(ledger.messages)},
        "resent": {"ballots": ledger.resent_ballots, "messages": ledger.resent_messages,
                   "messages_already_stored": ledger.duplicate_acks},
        "refused": {"ballots": dict(ledger.ballot_statuses), "messages": dict(ledger.message_refusals)},
        "unanswered_at_end": ledger.unanswered,
        "voters_out_of_ballots": ledger.voters_out_of_ballots,
        "socket_connections": ledger.connects,
        "rows": rows,
        "integrity": integrity,
        "server_errors": errors[:5],
        "server_error_count": len(errors),
        "run_seconds": run_seconds,
        "check_seconds": check_seconds,
    }


def goals(kind: str, settings: Settings, result: dict) -> list[dict]:
    """Per database: every cycle done, something acknowledged, nothing lost, no orphan or mismatch, integrity ok."""
    rows, acked = result["rows"], result["acknowledged"]
    broken = rows["orphans"] + rows["counter_mismatches"] + rows["doubled"] + len(rows["model_checks_failed"])
    integrity_problems = len(result["integrity"]["problems"])
    return [
        {"metric": f"{kind}: kill/restart cycles done", "value": result["cycles_done"],
         "goal": f"== {settings.cycles}", "pass": result["cycles_done"] == settings.cycles},
        {"metric": f"{kind}: ballots and messages acknowledged ({acked['ballots']} + {acked['messages']})",
         "value": acked["ballots"] + acked["messages"], "goal": "both > 0",
         "pass": acked["ballots"] > 0 and acked["messages"] > 0},
        {"metric": f"{kind}: acknowledged but lost (ballots + messages)",
         "value": rows["lost_ballots"] + rows["lost_messages"], "goal": "== 0",
         "pass": rows["lost_ballots"] + rows["lost_messages"] == 0},
        {"metric": f"{kind}: orphans, counter mismatches, doubles, failed model checks", "value": broken,
         "goal": "== 0", "pass": broken == 0},
        {"metric": f"{kind}: integrity check problems", "value": integrity_problems, "goal": "== 0",
         "pass": integrity_problems == 0 and result["integrity"]["ok"]},
    ]


def print_report(settings: Settings, results: dict) -> None:
    """One row per database, then the verdict."""
    rows = []
    for kind, data in results.items():
        if "skipped" in data:
            rows.append([kind, "skipped", "", "", "", "", "", "", data["skipped"][:60]])
            continue
        r = data["result"]
        rows.append([
            kind, f"{r['cycles_done']}/{settings.cycles}", str(r["acknowledged"]["ballots"]),
            str(r["acknowledged"]["messages"]), f"{r['rows']['lost_ballots']} / {r['rows']['lost_messages']}",
            str(r["rows"]["orphans"]), str(r["rows"]["counter_mismatches"] + r["rows"]["doubled"]),
            "ok" if r["integrity"]["ok"] else f"{len(r['integrity']['problems'])} problem(s)",
            "PASS" if all(g["pass"] for g in data["goals"]) else "FAIL"])
    print()
    print(f"Crash test: {settings.voters} voters (HTTP) and {settings.senders} senders (Socket.IO), SIGKILL to the "
          f"server's process group {settings.cycles} times, each {settings.uptime_min:g}-{settings.uptime_max:g} s "
          f"after it answered, restarted on the same database")
    print_table(["database", "cycles", "ballots acked", "messages acked", "lost (ballots / messages)", "orphans",
                 "counter mismatches + doubles", "integrity", "verdict"], rows)
    for kind, data in results.items():
        if "result" not in data:
            continue
        r = data["result"]
        cycles = r["cycles"]
        restarts = [c["restart_seconds"] for c in cycles]
        flying = {k: sum(c["in_flight_at_kill"][k] for c in cycles) for k in ("ballots", "messages")}
        print(f"  {kind}: {flying['ballots']} ballots and {flying['messages']} messages in flight at the kills; resent "
              f"{r['resent']['ballots']} ballots and {r['resent']['messages']} messages that got no answer "
              f"({r['resent']['messages_already_stored']} of those messages were already stored); restarts "
              f"{fmt(min(restarts) if restarts else None)}-{fmt(max(restarts) if restarts else None)} s; "
              f"integrity by {r['integrity']['method']}")
        refused = {k: v for k, v in r["refused"].items() if v}
        if refused or any(r["unanswered_at_end"].values()) or r["voters_out_of_ballots"]:
            print(f"  {kind}: refused {refused or 'none'}, unanswered at the end {r['unanswered_at_end']}, voters "
                  f"out of ballots {r['voters_out_of_ballots']}")
        if r["server_error_count"]:
            print(f"  {kind}: the server logs hold {r['server_error_count']} error(s); the first:\n"
                  f"{r['server_errors'][0]}")


def run(args, profile: str) -> dict:
    """Prepare each database, run the crash cycles on each, check, print the table; the results for --json."""
    settings = settings_from(args, profile)
    seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
    started = time.monotonic()
    print(f"crash: {settings.cycles} cycles, kill {settings.uptime_min:g}-{settings.uptime_max:g} s after the server "
          f"answers, {settings.voters} voters, {settings.senders} senders, {settings.members} members x "
          f"{settings.polls} polls, databases {', '.join(settings.databases)}, seed {seed}", flush=True)
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="stac-bench-crash-") as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        urls, setups, firsts = {}, {}, {}
        t0 = time.monotonic()
        for kind in settings.databases:
            if kind == "sqlite":
                urls[kind] = f"sqlite:///{tmp / 'crash.db'}"
            else:
                try:
                    urls[kind] = stack.enter_context(scratch_postgres(args.postgres_url, f"bench_crash_{os.getpid()}"))
                except BenchmarkError as error:
                    if getattr(args, "database", None):  # asked for by name: no silent skip
                        raise
                    print(f"{kind} skipped: {error}", flush=True)
                    results[kind] = {"skipped": str(error)}
                    continue
            setups[kind] = prepare(kind, urls[kind], settings, tmp)
            stack.callback(setups[kind].kill)
            # Its server boots while the database is set up (it is not asked anything before).
            firsts[kind] = first_server(kind, urls[kind], settings, tmp, setups[kind].secret_key).launch()
            stack.callback(firsts[kind].stop)
        deadline = time.monotonic() + SETUP_TIMEOUT
        plans = {kind: setup.finish(deadline) for kind, setup in setups.items()}
        setup_seconds = time.monotonic() - t0
        print(f"setup took {setup_seconds:.1f} s", flush=True)
        for kind, plan in plans.items():
            result = run_database(kind, urls[kind], plan, settings, tmp, setups[kind].secret_key, seed,
                                  firsts[kind])
            results[kind] = {"result": result, "goals": goals(kind, settings, result),
                             "setup": {"timings": plan["timings"], "dialect": plan["dialect"]}}
    print_report(settings, results)
    all_goals = [g for data in results.values() for g in data.get("goals", [])]
    failed = [g["metric"] for g in all_goals if not g["pass"]]
    elapsed = time.monotonic() - started
    print()
    print("VERDICT: " + ("PASS (nothing acknowledged was lost, no orphan, integrity ok)" if all_goals and not failed
                         else f"FAIL ({', '.join(failed) or 'nothing ran'})"))
    print(f"took {elapsed:.0f} s (setup {setup_seconds:.0f} s)")
    return {
        "benchmark": "crash",
        "profile": profile,
        "settings": asdict(settings) | {"seed": seed},
        "environment": environment(),
        "databases": results,
        "goals": all_goals,
        "verdict": "PASS" if all_goals and not failed else "FAIL",
        "elapsed_seconds": elapsed,
        "setup_seconds": setup_seconds,
    }
