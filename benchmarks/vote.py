"""Vote throughput: 32 clients casting ballots as fast as they are answered, app vs a bare insert route, per database.

For each database kind (a temporary SQLite file; a scratch PostgreSQL database created and dropped here) the real
app runs under the production command (`STAC_ENV=production gunicorn -k gthread -w 1 --threads 100 app:app`) and,
in the same invocation and under the same command, benchmarks/bare_insert.py on its own database of the same kind.
The app is prepared by benchmarks/vote_setup.py (migrations, members, open yes/no/abstain polls, session cookies and
CSRF tokens made with the app's own code); both setups run before anything is measured.

Clients are aiohttp tasks in this process, one keep-alive connection each, closed loop (next request as soon as the
last one is answered). Scenario one-poll (the default, a live meeting's vote): one open poll and thousands of
members; app client i POSTs /polls/<id>/vote as members i, i + 32, i + 64... in turn, so all clients contend for
the same poll. Scenario spread: app client i is member i and votes in poll after poll. Either way every ballot is a
new (poll, member) pair. Bare client i POSTs /vote with fresh (poll_id, user_id) pairs. Each run: warm-up, then the
measured window (only responses completed inside it count for req/s and latency), then every request in flight is
answered or times out, the server is stopped by PID and the database is checked: every acknowledged (200) pair has
its row, no pair is stored twice, rows without an acknowledgement are counted. The app acknowledges a ballot with
303 to /polls/<id>/voted (the receipt page, post/redirect/get); that counts as the 200 of the bare route.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

from .harness import (
    BenchmarkError,
    Server,
    Setup,
    environment,
    free_port,
    gunicorn_argv,
    machine_busy_seconds,
    proc_cpu_seconds,
    scratch_postgres,
    server_env,
    serving,
    start_setup,
    wait_all,
)
from .vote_report import analyse, goals, print_report, summarise

HELP = "vote throughput: 32 clients casting ballots, the app next to a bare one-row insert route, SQLite and PostgreSQL"
DATABASES = ("sqlite", "postgresql")
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
CHOICES = ("yes", "no", "abstain")
SCENARIOS = ("one-poll", "spread")


@dataclass(frozen=True)
class Settings:
    clients: int
    duration: float
    rounds: int
    warmup: float = 1.0
    threads: int = 100
    scenario: str = "one-poll"
    polls: int = 0  # 0: one poll (one-poll), or enough for CAPACITY ballots/s over every round (spread)
    members: int = 0  # 0: enough for CAPACITY ballots/s over every round (one-poll), or one per client (spread)
    databases: tuple[str, ...] = DATABASES


PROFILES = {
    "quick": Settings(clients=32, duration=0.75, rounds=1, warmup=0.25),
    "default": Settings(clients=32, duration=10, rounds=1),
    "full": Settings(clients=32, duration=10, rounds=3),
}

#: ballots/s the automatic poll count is sized for; a client that runs out of polls stops and the report says so
CAPACITY = 800
SETUP_TIMEOUT = 300
SERVER_START_TIMEOUT = 60
REQUEST_TIMEOUT = 30
RECEIPT = re.compile(rb"\b[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}\b")


def add_arguments(parser) -> None:
    """The vote subcommand's own options."""
    parser.add_argument("--clients", type=int, help="concurrent clients, one member each (32)")
    parser.add_argument("--duration", type=float, help="measured seconds per run (quick 0.75, default 10)")
    parser.add_argument("--warmup", type=float, help="seconds of voting before the measured window (quick 0.25, 1)")
    parser.add_argument("--rounds", type=int, help="repetitions, alternating which server goes first (full 3)")
    parser.add_argument("--threads", type=int, help="gunicorn --threads for both servers (100, as in the README)")
    parser.add_argument("--scenario", choices=SCENARIOS,
                        help="one-poll: one open poll, each client votes as member after member (a live meeting's "
                             "vote; the default); spread: each client is one member voting in poll after poll")
    parser.add_argument("--polls", type=int, help=f"open polls to prepare (spread: enough for {CAPACITY} ballots/s)")
    parser.add_argument("--members", type=int, help=f"members to prepare (one-poll: enough for {CAPACITY} ballots/s)")
    parser.add_argument("--databases", help="comma-separated: sqlite,postgresql (both)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help="a PostgreSQL database to connect to for CREATE/DROP DATABASE of the scratch databases "
                             f"(BENCH_POSTGRES_URL, else {DEFAULT_POSTGRES_URL})")


def settings_from(args, profile: str) -> Settings:
    """The profile's settings with the command-line overrides; polls sized for CAPACITY when not given."""
    base = asdict(PROFILES[profile])
    for name in ("clients", "duration", "warmup", "rounds", "threads", "scenario", "polls", "members"):
        value = getattr(args, name, None)
        if value is not None:
            base[name] = value
    if getattr(args, "databases", None):
        kinds = tuple(k.strip() for k in args.databases.split(",") if k.strip())
        if not kinds or set(kinds) - set(DATABASES):
            raise BenchmarkError(f"--databases takes a comma-separated subset of {','.join(DATABASES)}")
        base["databases"] = kinds
    settings = Settings(**base)
    per_client = math.ceil(settings.rounds * (settings.warmup + settings.duration) * CAPACITY / settings.clients) + 5
    if settings.scenario == "one-poll":
        return replace(settings, polls=settings.polls or 1, members=settings.members or per_client * settings.clients)
    return replace(settings, polls=settings.polls or per_client, members=settings.members or settings.clients)


# --------------------------------------------------------------------------------------------------------------
# Databases


class Databases:
    """The app's and the bare route's database of one kind: SQLAlchemy URLs, created here, dropped when stack closes."""

    def __init__(self, kind: str, tmp: Path, postgres_url: str, stack: ExitStack) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.app_url, self.bare_url = f"sqlite:///{tmp / 'app.db'}", f"sqlite:///{tmp / 'bare.db'}"
            return
        names = (f"bench_vote_{os.getpid()}_app", f"bench_vote_{os.getpid()}_bare")
        self.app_url, self.bare_url = (stack.enter_context(scratch_postgres(postgres_url, name)) for name in names)


def start_app_setup(dbs: Databases, settings: Settings, tmp: Path) -> Setup:
    """Start benchmarks.vote_setup for one database kind (runs while the other kind's setup runs)."""
    return start_setup("vote_setup", f"setup-{dbs.kind}", ["--members", str(settings.members), "--polls",
                                                           str(settings.polls)], tmp, dbs.app_url)


def finish_setups(setups: dict[str, Setup], started: float) -> tuple[dict[str, dict], float]:
    """Wait for every kind's setup; the plans by kind and the seconds since started, both printed."""
    deadline = time.monotonic() + SETUP_TIMEOUT
    plans = {kind: setup.finish(deadline) for kind, setup in setups.items()}
    seconds = time.monotonic() - started
    for kind, plan in plans.items():
        print(f"{kind}: app prepared ({plan['dialect']}, {plan['env']}): {len(plan['member_ids'])} members, "
              f"{len(plan['poll_ids'])} open polls with {plan['eligible_counts']} eligible each, migrations "
              f"{plan['timings']['migrate_seconds']:.1f} s, polls {plan['timings']['polls_seconds']:.1f} s",
              flush=True)
    print(f"setup took {seconds:.1f} s", flush=True)
    return plans, seconds


def postgres_cpu_seconds() -> float:
    """CPU time so far of every running PostgreSQL process on this machine (server and backends), from /proc."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += proc_cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


def create_bare_schema(url: str) -> None:
    """The bare route's table, made before its server starts."""
    from .bare_insert import make_engine, metadata

    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def stored_pairs(kind: str, url: str) -> dict:
    """The pairs in the database (app: ballots, participations, counters; bare: bench_inserts) and duplicates."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            def pairs(sql):
                return [tuple(row) for row in conn.execute(text(sql))]

            def scalar(sql):
                return conn.execute(text(sql)).scalar() or 0

            if kind == "bare":
                return {"rows": pairs("SELECT poll_id, user_id FROM bench_inserts"),
                        "doubled": scalar("SELECT count(*) FROM (SELECT 1 FROM bench_inserts GROUP BY poll_id, user_id"
                                          " HAVING count(*) > 1) d")}
            return {
                "rows": pairs("SELECT poll_id, voter_id FROM ballots"),
                "participations": pairs("SELECT poll_id, user_id FROM poll_participations"),
                "doubled": scalar("SELECT count(*) FROM (SELECT 1 FROM ballots WHERE voter_id IS NOT NULL"
                                  " GROUP BY poll_id, voter_id HAVING count(*) > 1) d")
                + scalar("SELECT count(*) FROM (SELECT 1 FROM poll_participations GROUP BY poll_id, user_id"
                         " HAVING count(*) > 1) d"),
                "counters": scalar("SELECT sum(count) FROM poll_counts WHERE choice IN ('yes', 'no', 'abstain')"),
                "turnout_counter": scalar("SELECT sum(count) FROM poll_counts WHERE choice = '_cast'"),
            }
    finally:
        engine.dispose()


def check_integrity(kind: str, url: str, acked: set, answered: set, before: dict) -> dict:
    """Acknowledged pairs against the stored rows, cumulative over every run on this database."""
    now = stored_pairs(kind, url)
    rows = set(now["rows"])
    out = {
        "rows": len(now["rows"]),
        "rows_added": len(now["rows"]) - before.get("rows", 0),
        "lost": len(acked - rows),
        "doubled": now["doubled"],
        "unacknowledged_rows": len(rows - acked),
        "unanswered_rows": len(rows - acked - answered),  # stored, but the client got no status at all
    }
    if kind == "app":
        participations = set(now["participations"])
        out |= {
            "participations": len(now["participations"]),
            "participations_added": len(now["participations"]) - before.get("participations", 0),
            "lost_participations": len(acked - participations),
            "counters": now["counters"],
            "turnout_counter": now["turnout_counter"],
        }
        out["lost"] = max(out["lost"], out["lost_participations"])
    return out


# --------------------------------------------------------------------------------------------------------------
# Clients


async def drive(kind: str, url: str, settings: Settings, plan: dict, cursors: list[int], server: Server,
                log) -> dict:
    """Warm-up and measured window of closed-loop voting; returns every request's record and CPU samples."""
    import aiohttp

    clients = settings.clients
    records: list[tuple] = []  # (client, poll_id, user_id, started, ended, status, receipt found)
    out_of_polls = [False] * clients
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=clients, limit_per_host=clients)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        headers = [{"User-Agent": plan["user_agent"], "Content-Type": "application/x-www-form-urlencoded"}
                   for _ in range(clients)]
        if kind == "app":
            poll_ids, member_ids, cookies, tokens = (plan["poll_ids"], plan["member_ids"], plan["members"],
                                                     plan["csrf_tokens"])
            one_poll = settings.scenario == "one-poll"

        def next_request(i: int):
            """(path, body, headers, poll_id, user_id) of client i's next ballot, or None when it has none left.

            one-poll: client i votes as members i, i + clients, i + 2 * clients... in the one poll; spread: client i
            is member i and votes in poll after poll.
            """
            n = cursors[i]
            choice = CHOICES[(n + i) % 3]
            if kind == "bare":
                cursors[i] += 1
                return ("/vote", urlencode({"poll_id": n + 1, "user_id": i + 1, "choice": choice}), headers[i],
                        n + 1, i + 1)
            member = i + n * clients if one_poll else i
            poll_id = poll_ids[0] if one_poll else (poll_ids[n] if n < len(poll_ids) else None)
            if member >= len(member_ids) or poll_id is None:
                return None
            cursors[i] += 1
            request_headers = headers[i] | {"Cookie": f"{plan['cookie_name']}={cookies[member]}"}
            return (f"/polls/{poll_id}/vote", urlencode({"csrf_token": tokens[member], "choice": choice}),
                    request_headers, poll_id, member_ids[member])

        start = time.monotonic()
        measure_from, stop_at = start + settings.warmup, start + settings.warmup + settings.duration
        samples = {}

        async def sample(name: str, at: float) -> None:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            database = postgres_cpu_seconds() if plan.get("dialect") == "postgresql" else 0.0
            samples[name] = (time.monotonic(), server.cpu_seconds(), time.process_time(), machine_busy_seconds(),
                             database)

        async def client(i: int) -> None:
            while time.monotonic() < stop_at:
                request = next_request(i)
                if request is None:
                    out_of_polls[i] = True
                    return
                path, body, request_headers, poll_id, user_id = request
                started = time.monotonic()
                status, receipt = -1, False
                try:
                    async with http.post(url + path, data=body, headers=request_headers,
                                         allow_redirects=False) as response:
                        payload = await response.read()
                        status = response.status
                        receipt = status == 200 and RECEIPT.search(payload) is not None
                        if status == 303 and response.headers.get("Location", "").endswith("/voted"):
                            status, receipt = 200, True  # the app acknowledges a ballot by redirecting to its receipt
                except (aiohttp.ClientError, TimeoutError):
                    pass
                records.append((i, poll_id, user_id, started, time.monotonic(), status, receipt))

        await asyncio.gather(sample("from", measure_from), sample("to", stop_at),
                             *(client(i) for i in range(clients)))
        end = time.monotonic()
    log(f"{len(records)} requests in {end - start:.1f} s ({settings.warmup:g} s warm-up), "
        f"last answered {(end - stop_at) * 1000:.0f} ms after the window")
    return {"records": records, "measure_from": measure_from, "stop_at": stop_at, "samples": samples,
            "out_of_polls": sum(out_of_polls)}


# --------------------------------------------------------------------------------------------------------------
# Orchestration


def server_errors(log_path: Path, limit: int = 5) -> list[str]:
    """The first few errors of a server log, each from its ERROR/Traceback line to the next log record."""
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    errors, index = [], 0
    while index < len(lines) and len(errors) < limit:
        if "Traceback" not in lines[index] and "ERROR" not in lines[index]:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and end - index < 200 and not lines[end].startswith("["):
            end += 1
        errors.append("\n".join(lines[index:end]))
        index = end
    return errors


@dataclass
class Track:
    """What one server kind on one database has done so far, across rounds."""

    cursors: list[int]
    acked: set
    answered: set
    stored: dict


def new_server(kind: str, dbs: Databases, round_no: int, settings: Settings, tmp: Path, secret_key: str) -> Server:
    """The app or the bare insert server on one database kind, not started yet."""
    port = free_port()
    if kind == "app":
        target = "app:app"
        env = server_env(STAC_ENV="production", SECRET_KEY=secret_key, DATABASE_URL=dbs.app_url)
    else:
        target, env = "benchmarks.bare_insert:app", server_env(BENCH_DATABASE_URL=dbs.bare_url)
    return Server(kind, gunicorn_argv(target, port, settings.threads), port, env,
                  tmp / f"{dbs.kind}-{kind}-{round_no}.log")


def run_one(server: Server, dbs: Databases, round_no: int, settings: Settings, plan: dict, track: Track) -> dict:
    """Drive one server that answers, stop it by PID, check the database; the analysed run."""
    kind = server.name

    def log(text: str) -> None:
        print(f"[{dbs.kind} {kind} {round_no}] {text}", flush=True)

    budget = settings.warmup + settings.duration + 2 * REQUEST_TIMEOUT + 30
    try:
        log(f"{' '.join(server.argv[2:])} up on port {server.port}, worker pid(s) {server.workers}")
        try:
            raw = asyncio.run(asyncio.wait_for(
                drive(kind, f"http://127.0.0.1:{server.port}", settings, plan, track.cursors, server, log), budget))
        except TimeoutError as error:
            raise BenchmarkError(f"{dbs.kind} {kind} run exceeded its {budget:.0f} s budget") from error
        errors = server_errors(server.log_path)
    finally:
        server.stop()
    for _client, poll_id, user_id, _t0, _t1, status, _receipt in raw["records"]:
        if status == 200:
            track.acked.add((poll_id, user_id))
        if status != -1:
            track.answered.add((poll_id, user_id))
    integrity = check_integrity(kind, dbs.app_url if kind == "app" else dbs.bare_url, track.acked, track.answered,
                                track.stored)
    track.stored = {"rows": integrity["rows"], "participations": integrity.get("participations", 0)}
    result = analyse(raw, settings) | {"integrity": integrity, "server_errors": errors}
    if errors:
        log(f"server log has {len(errors)} error(s); the first:\n{errors[0]}")
    log(f"{result['ok_per_second']:.0f} acknowledged/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms;"
        f" {integrity['rows']} rows stored for {len(track.acked)} acknowledged, lost {integrity['lost']}, doubled "
        f"{integrity['doubled']}")
    return result


def run(args, profile: str) -> dict:
    """Set up every database kind, measure bare and app per round, print the report; the results for --json."""
    settings = settings_from(args, profile)
    started = time.monotonic()
    results: dict = {}
    print(f"vote: {settings.clients} clients, {settings.warmup:g} s warm-up + {settings.duration:g} s measured, "
          f"{settings.rounds} round(s), databases {', '.join(settings.databases)}, scenario {settings.scenario}: "
          f"{settings.polls} open poll(s) and {settings.members} members per database", flush=True)
    with tempfile.TemporaryDirectory(prefix="stac-bench-vote-") as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        # Every setup first (they run side by side, with the first servers booting), then the measurements, one
        # server at a time.
        kinds, setups = {}, {}
        for kind in settings.databases:
            (tmp / kind).mkdir()
            try:
                kinds[kind] = Databases(kind, tmp / kind, args.postgres_url, stack)
            except BenchmarkError as error:
                if kind != "postgresql" or args.databases:  # asked for by name: no silent skip
                    raise
                print(f"{kind} skipped: {error}", flush=True)
                results[kind] = {"skipped": str(error)}
                continue
            create_bare_schema(kinds[kind].bare_url)
            setups[kind] = start_app_setup(kinds[kind], settings, tmp)
            stack.callback(setups[kind].kill)
        plans, setup_seconds = {}, 0.0
        for kind, dbs in kinds.items():
            tracks = {name: Track([0] * settings.clients, set(), set(), {}) for name in ("app", "bare")}
            per_round = []
            for round_no in range(1, settings.rounds + 1):
                order = ("bare", "app") if round_no % 2 else ("app", "bare")
                with serving(new_server(name, dbs, round_no, settings, tmp, setups[kind].secret_key)
                             for name in order) as servers:
                    if not plans:
                        plans, setup_seconds = finish_setups(setups, started)
                    wait_all(servers, SERVER_START_TIMEOUT)
                    per_round.append({server.name: run_one(server, dbs, round_no, settings, plans[kind],
                                                           tracks[server.name]) for server in servers})
            summary = {name: summarise([r[name] for r in per_round]) for name in ("app", "bare")}
            plan = plans[kind]
            results[kind] = {"summary": summary, "goals": goals(kind, summary["app"], summary["bare"]),
                             "rounds": per_round, "plan": {"polls": len(plan["poll_ids"]),
                                                           "members": len(plan["member_ids"]),
                                                           "cookie_name": plan["cookie_name"],
                                                           "timings": plan["timings"]}}
    notes = print_report(settings, results)
    all_goals = [g for data in results.values() for g in data.get("goals", [])]
    elapsed = time.monotonic() - started
    print(f"took {elapsed:.0f} s")
    return {
        "benchmark": "vote",
        "profile": profile,
        "settings": asdict(settings),
        "setup": {"seconds": setup_seconds,
                  "method": "migrations through the app factory; advisor by create_account, members as User rows "
                            "with one shared scrypt hash; yes/no/abstain polls by polls.create_poll and "
                            "polls.open_poll after the members exist; sessions from the app's start_session signed "
                            "with its session serializer, sent as a Cookie header, each with its Flask-WTF CSRF "
                            "token"},
        "environment": environment(),
        "databases": results,
        "goals": all_goals,
        "verdict": "PASS" if all(g["pass"] for g in all_goals) else "FAIL",
        "notes": notes,
        "elapsed_seconds": elapsed,
    }
