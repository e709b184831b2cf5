"""Statewide vote (open loop) and the ballot route at saturation against a textbook route, per database kind.

For each database kind (a temporary SQLite file; a scratch PostgreSQL database created and dropped here) the real app
runs under the production command (`STAC_ENV=production gunicorn -k gthread -w 1 --threads 100 app:app`), prepared
by benchmarks/vote_setup.py: 5,000 members, each signed in with its own session cookie and CSRF token, and three
open yes/no/abstain polls every member may vote in. In the same invocation, under the same command and on a
database of the same kind, benchmarks/textbook.py serves the textbook ballot route (Flask-Login loader, Flask-WTF
form, one ORM insert, commit, redirect) for as many users of its own.

1. Statewide vote, open loop: member n's ballot is due at n / 84 s (all 5,000 within 60 s) and is started then,
   however long earlier ones take: the real form POST to /polls/<id>/vote (csrf_token, choice, receipt) with that
   member's session cookie. Latency counts from the due time. The app acknowledges a ballot with 303 to
   /polls/<id>/voted; anything else, or no answer within 30 s, is an error. Afterwards the tables are read:
   every acknowledged member has a ballot and a participation (else lost), none has two (doubled).
2. Saturation, closed loop: 32 virtual users, each request a new member (its own session) voting in the next two
   polls, as fast as the answers come, 1 s warm-up then 8 s measured; then the textbook route the same way with its
   users. The figure is acknowledged ballots a second in the window; the goal is the ratio.

Clients are aiohttp tasks in this process; cookies go in a Cookie header (a jar would refuse the app's Secure
`__Host-` cookie over plain http).
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

from . import textbook
from .crash_clients import new_receipt
from .harness import (
    CpuWindow,
    Server,
    database_url,
    environment,
    fmt,
    free_port,
    gunicorn_argv,
    server_env,
    server_errors,
    serving,
    wait_all,
)
from .openloop import Result, run_closed_loop, run_open_loop, steady_schedule
from .options import DATABASES, add_database_arguments, with_overrides
from .setups import start_setup
from .vote_report import check_app_tables, goals, print_report, saturation_figures, statewide_figures

HELP = ("statewide vote (5,000 members at 84 ballots/s, open loop) and the ballot route at saturation against a "
        "textbook route, SQLite and PostgreSQL")
CHOICES = ("yes", "no", "abstain")


@dataclass(frozen=True)
class Settings:
    members: int
    rate: float
    saturation_seconds: float
    warmup: float
    users: int = 32
    threads: int = 100
    databases: tuple[str, ...] = DATABASES


PROFILES = {
    "quick": Settings(members=300, rate=84, saturation_seconds=0.75, warmup=0.25),
    "default": Settings(members=5000, rate=84, saturation_seconds=8, warmup=1),
    "full": Settings(members=5000, rate=84, saturation_seconds=15, warmup=2),
}
SATURATION_POLLS = 2  # polls after the statewide one: each member votes once in each, so 2 x members ballots
SETUP_TIMEOUT = 600
SERVER_START_TIMEOUT = 60
REQUEST_TIMEOUT = 30


def add_arguments(parser) -> None:
    """The vote subcommand's own options."""
    parser.add_argument("--members", type=int, help="members, each with its own session (quick 300, default 5000)")
    parser.add_argument("--rate", type=float, help="statewide ballots a second, open loop (84)")
    parser.add_argument("--saturation-seconds", type=float, help="measured seconds at saturation (quick 0.75, 8)")
    parser.add_argument("--users", type=int, help="virtual users at saturation (32)")
    parser.add_argument("--threads", type=int, help="gunicorn --threads for both servers (100)")
    add_database_arguments(parser)


def settings_from(args, profile: str) -> Settings:
    """The profile's settings with the command-line overrides."""
    return with_overrides(PROFILES[profile], args, ("members", "rate", "saturation_seconds", "users", "threads"))


async def post_ballot(http, url: str, path: str, fields: dict, cookie: str, due: float, kind: str,
                      extra: dict) -> Result:
    """One form POST; status 200 stands for the 303 to the receipt page (the acknowledgement), else the status."""
    import aiohttp

    started = time.monotonic()
    status, error = None, None
    headers = {"User-Agent": textbook.USER_AGENT, "Content-Type": "application/x-www-form-urlencoded",
               "Cookie": cookie}
    try:
        async with http.post(url + path, data=urlencode(fields), headers=headers, allow_redirects=False) as response:
            await response.read()
            status = response.status
            if status == 303 and response.headers.get("Location", "").split("?")[0].endswith("/voted"):
                status = 200
            else:
                error = f"{status} (Location: {response.headers.get('Location')})"
    except (aiohttp.ClientError, TimeoutError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:200]
    return Result(kind, due, started, time.monotonic(), status, error, extra)


def _session(users: int):
    import aiohttp

    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0 if users == 0 else users),
                                 timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
                                 cookie_jar=aiohttp.DummyCookieJar())


async def statewide(url: str, plan: dict, settings: Settings, server: Server) -> dict:
    """Every member votes once in the first poll, ballot n due n / rate s after the start (open loop)."""
    poll_id, rng = plan["poll_ids"][0], random.Random(2026)  # noqa: S311 - not cryptography
    members = range(min(settings.members, len(plan["member_ids"])))
    schedule = list(zip(steady_schedule(len(members), settings.rate), members, strict=True))
    cookie_name = plan["cookie_name"]
    async with _session(0) as http:
        def send(member: int, due: float):
            fields = {"csrf_token": plan["csrf_tokens"][member], "choice": rng.choice(CHOICES),
                      "receipt": new_receipt()}
            return post_ballot(http, url, f"/polls/{poll_id}/vote", fields,
                               f"{cookie_name}={plan['cookies'][member]}", due, "ballot",
                               {"pair": (poll_id, plan["member_ids"][member])})

        t0 = time.monotonic()
        with CpuWindow(server, postgres=plan["dialect"] == "postgresql") as cpu:
            results = await run_open_loop(schedule, send)
        seconds = time.monotonic() - t0
    return {"results": results, "seconds": seconds, "cpu": cpu.figures}


async def saturate(url: str, requests: list[tuple[str, dict, str, tuple]], settings: Settings) -> dict:
    """Closed loop: settings.users virtual users take the next request of the list as soon as their last is answered."""
    cursor = iter(requests)
    async with _session(settings.users) as http:
        async def send(_user: int, now: float):
            request = next(cursor, None)
            if request is None:
                return None
            path, fields, cookie, pair = request
            return await post_ballot(http, url, path, fields, cookie, now, "ballot", {"pair": pair})

        results, start, end = await run_closed_loop(settings.users, settings.saturation_seconds, send,
                                                    settings.warmup)
    return {"results": results, "window": (start, end), "ran_out": next(cursor, None) is None}


def app_requests(plan: dict, settings: Settings) -> list:
    """Saturation ballots of the app: every member in each saturation poll, member by member."""
    rng, cookie_name = random.Random(7), plan["cookie_name"]  # noqa: S311
    out = []
    for poll_id in plan["poll_ids"][1:1 + SATURATION_POLLS]:
        for n, member_id in enumerate(plan["member_ids"]):
            fields = {"csrf_token": plan["csrf_tokens"][n], "choice": rng.choice(CHOICES), "receipt": new_receipt()}
            out.append((f"/polls/{poll_id}/vote", fields, f"{cookie_name}={plan['cookies'][n]}", (poll_id, member_id)))
    return out


def textbook_requests(credentials: list, cookie_name: str) -> list:
    """Saturation ballots of the textbook route: every user in each of as many polls as the app's."""
    rng = random.Random(7)  # noqa: S311
    return [("/vote", {"csrf_token": token, "poll_id": poll, "choice": rng.choice(CHOICES)},
             f"{cookie_name}={cookie}", (poll, user_id))
            for poll in range(1, 1 + SATURATION_POLLS) for user_id, cookie, token in credentials]


def new_servers(kind: str, urls: dict, settings: Settings, tmp: Path, secret_key: str) -> list[Server]:
    """The app and the textbook server on one database kind, not started yet."""
    app_env = server_env(STAC_ENV="production", SECRET_KEY=secret_key, DATABASE_URL=urls["app"])
    book_env = server_env(SECRET_KEY=secret_key, TEXTBOOK_DATABASE_URL=urls["textbook"])
    servers = []
    for name, target, env in (("app", "app:app", app_env), ("textbook", "benchmarks.textbook:app", book_env)):
        port = free_port()
        servers.append(Server(name, gunicorn_argv(target, port, settings.threads), port, env,
                              tmp / f"{kind}-{name}.log"))
    return servers


def measure_kind(kind: str, urls: dict, plan: dict, credentials: list, settings: Settings, tmp: Path,
                 secret_key: str) -> dict:
    """Both scenarios on one database kind; the figures and the tables' check."""
    def log(text: str) -> None:
        print(f"[{kind}] {text}", flush=True)

    budget = settings.members / settings.rate + 2 * REQUEST_TIMEOUT + 60
    with serving(new_servers(kind, urls, settings, tmp, secret_key)) as (app, book):
        wait_all([app, book], SERVER_START_TIMEOUT)
        base = f"http://127.0.0.1:{app.port}"
        log(f"statewide vote: {settings.members} members at {settings.rate:g}/s, open loop")
        raw = asyncio.run(asyncio.wait_for(statewide(base, plan, settings, app), budget))
        state = statewide_figures(raw)
        log(f"statewide: p95 {fmt(state['p95_ms'], 0)} ms, p99 {fmt(state['p99_ms'], 0)} ms, {state['acknowledged']} "
            f"acknowledged, {state['errors']} errors, client start lag p99 {fmt(state['start_lag_p99_ms'])} ms")
        log(f"ballot route at saturation: {settings.users} users, {settings.saturation_seconds:g} s")
        raw_app = asyncio.run(asyncio.wait_for(saturate(base, app_requests(plan, settings), settings), budget))
        app_sat = saturation_figures(raw_app)
        log(f"app: {fmt(app_sat['ok_per_second'], 0)} ballots/s, p50 {fmt(app_sat['p50_ms'])} ms, bad answers "
            f"{app_sat['bad_kinds'] or 0}")
        app.stop()
        raw_book = asyncio.run(asyncio.wait_for(saturate(
            f"http://127.0.0.1:{book.port}", textbook_requests(credentials, "__Host-session"), settings), budget))
        book_sat = saturation_figures(raw_book)
        log(f"textbook: {fmt(book_sat['ok_per_second'], 0)} ballots/s, p50 {fmt(book_sat['p50_ms'])} ms, bad answers "
            f"{book_sat['bad_kinds'] or 0}")
        errors = {"app": server_errors(app.log_path), "textbook": server_errors(book.log_path)}
    acked = {r.extra["pair"] for r in raw["results"] + raw_app["results"] if r.status == 200}
    tables = check_app_tables(urls["app"], acked, plan["poll_ids"][0])
    stored = textbook.stored_votes(urls["textbook"])
    book_acked = {r.extra["pair"] for r in raw_book["results"] if r.status == 200}
    book_tables = {"lost": len(book_acked - set(stored)), "doubled": len(stored) - len(set(stored))}
    log(f"tables: lost {tables['lost']}, doubled {tables['doubled']}, statewide ballots {tables['statewide_ballots']}")
    return {"statewide": state, "saturation": {"app": app_sat, "textbook": book_sat}, "tables": tables,
            "textbook_tables": book_tables, "server_errors": errors,
            "goals": goals(kind, state, tables, app_sat, book_sat)}


def run(args, profile: str) -> dict:
    """Set up every database kind side by side, then measure one kind at a time; the report and the results."""
    settings = settings_from(args, profile)
    started = time.monotonic()
    results: dict = {}
    print(f"vote: {settings.members} members at {settings.rate:g} ballots/s (open loop), then {settings.users} users "
          f"at saturation for {settings.saturation_seconds:g} s; databases {', '.join(settings.databases)}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="stac-bench-vote-") as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        urls, setups = {}, {}
        for kind in settings.databases:
            (tmp / kind).mkdir()
            urls[kind] = {name: database_url(kind, tmp / kind, f"vote_{name}", args.postgres_url, stack)
                          for name in ("app", "textbook")}
            setups[kind] = start_setup("vote_setup", f"setup-{kind}", [
                "--members", str(settings.members), "--polls", str(1 + SATURATION_POLLS)], tmp, urls[kind]["app"])
            stack.callback(setups[kind].kill)
        credentials = {}
        for kind in settings.databases:  # the textbook's users while the app's setups run
            credentials[kind] = textbook.prepare(urls[kind]["textbook"], settings.members, setups[kind].secret_key)
        deadline = time.monotonic() + SETUP_TIMEOUT
        plans = {kind: setup.finish(deadline) for kind, setup in setups.items()}
        setup_seconds = time.monotonic() - started
        for kind, plan in plans.items():
            print(f"{kind}: app prepared ({plan['dialect']}, {plan['env']}): {len(plan['member_ids'])} members with "
                  f"their own sessions, {len(plan['poll_ids'])} open polls ({plan['eligible_counts']} eligible), "
                  f"timings {', '.join(f'{k} {v:.1f} s' for k, v in plan['timings'].items())}", flush=True)
        print(f"setup took {setup_seconds:.1f} s", flush=True)
        for kind in settings.databases:
            results[kind] = measure_kind(kind, urls[kind], plans[kind], credentials[kind], settings, tmp,
                                         setups[kind].secret_key)
    all_goals = [g for data in results.values() for g in data["goals"]]
    notes = print_report(settings, results, all_goals)
    elapsed = time.monotonic() - started
    print(f"took {elapsed:.0f} s")
    return {"benchmark": "vote", "profile": profile, "settings": asdict(settings), "setup_seconds": setup_seconds,
            "environment": environment(), "databases": results, "goals": all_goals,
            "verdict": "PASS" if all(g["pass"] for g in all_goals) else "FAIL", "notes": notes,
            "elapsed_seconds": elapsed}
