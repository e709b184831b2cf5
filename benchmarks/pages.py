"""Pages: 50 signed-in users browsing the realistic mix open loop, and the same mix at saturation against a textbook
signed-in page, per database kind.

For each database kind (a temporary SQLite file; a scratch PostgreSQL database created and dropped here) the real
app runs under the production command (`STAC_ENV=production gunicorn -k gthread -w 1 --threads 100 app:app`) on the
realistic data set of benchmarks/dataset.py (300 members, 40 meetings, 500 proposals, 200 polls, 100,000 ballots,
50,000 messages; `--quick`: the small set), prepared by benchmarks/pages_setup.py: 50 virtual users, each with its
own session (4 of them planners). In the same invocation, under the same command and on a database of the same
kind, benchmarks/textbook.py serves the textbook signed-in page (Flask-Login loader, one query, a template extending
a minimal base template) to 50 users of its own.

1. Open loop: each user asks for something at Poisson arrivals averaging one every 2 s (25 a second in all) for
   --duration s (60), whether or not its earlier requests were answered; what it asks is benchmarks/pages_mix.py's
   mix (the main pages, the planners' dashboard for planners, one write in twenty through the real form). Latency
   counts from the due time. Goals: p95 < 250 ms; no error (no answer, 5xx, or any unexpected status).
2. Saturation, closed loop: the same 50 users, each asking its next action of the same mix as soon as the last is
   answered, 1 s warm-up then 8 s measured; then the textbook page the same way. Goal: good answers a second of the
   app at least 0.3 times the textbook page's.

Before measuring, each page of the mix is fetched once (a member's and a planner's), which fails the run with what
came back if a page does not answer 200: a setup error is not a measurement.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

from . import textbook
from .harness import (
    BenchmarkError,
    CpuWindow,
    Server,
    database_url,
    environment,
    fmt,
    free_port,
    gunicorn_argv,
    print_table,
    server_env,
    server_errors,
    serving,
    wait_all,
)
from .openloop import (
    Result,
    goal,
    latency_figures,
    merge_schedules,
    poisson_schedule,
    rate_in_window,
    ratio,
    run_closed_loop,
    run_open_loop,
    verdict_line,
)
from .options import DATABASES, add_database_arguments, with_overrides
from .pages_mix import MIX, VirtualUser, page_breakdown
from .setups import start_setup

HELP = ("pages: 50 signed-in users, the realistic mix open loop (p95 < 250 ms), and at saturation against a textbook "
        "signed-in page, SQLite and PostgreSQL")
GOAL_P95_MS = 250
GOAL_RATIO = 0.3


@dataclass(frozen=True)
class Settings:
    duration: float
    saturation_seconds: float
    warmup: float
    quick_data: bool
    users: int = 50
    planners: int = 4
    interval: float = 2.0  # mean seconds between one user's requests
    threads: int = 100
    databases: tuple[str, ...] = DATABASES


PROFILES = {
    "quick": Settings(duration=2, saturation_seconds=1, warmup=0.25, quick_data=True, users=20, planners=2),
    "default": Settings(duration=60, saturation_seconds=8, warmup=1, quick_data=False),
    "full": Settings(duration=180, saturation_seconds=15, warmup=2, quick_data=False),
}
SETUP_TIMEOUT = 600
SERVER_START_TIMEOUT = 60
REQUEST_TIMEOUT = 30


def add_arguments(parser) -> None:
    """The pages subcommand's own options."""
    parser.add_argument("--duration", type=float, help="open-loop seconds (quick 2, default 60)")
    parser.add_argument("--saturation-seconds", type=float, help="measured seconds at saturation (quick 1, 8)")
    parser.add_argument("--users", type=int, help="virtual users, each with its own session (quick 20, 50)")
    parser.add_argument("--interval", type=float, help="mean seconds between one user's requests (2)")
    parser.add_argument("--threads", type=int, help="gunicorn --threads for both servers (100)")
    add_database_arguments(parser)


def settings_from(args, profile: str) -> Settings:
    """The profile's settings with the command-line overrides."""
    return with_overrides(PROFILES[profile], args, ("duration", "saturation_seconds", "users", "interval", "threads"))


def _session():
    import aiohttp

    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                 timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
                                 cookie_jar=aiohttp.DummyCookieJar())


async def check_pages(base: str, plan: dict) -> None:
    """Each page of the mix once, as a member and as a planner; BenchmarkError naming the first that is not 200."""
    async with _session() as http:
        for role in ("member", "planner"):
            user = next(u for u in plan["users"] if u["role"] == role)
            visitor = VirtualUser(plan, dict(user), random.Random(1))  # noqa: S311 - not cryptography
            for page in MIX[role]:
                result = await visitor.request(http, base, page, "GET", visitor.path(page), time.monotonic())
                if result.error:
                    raise BenchmarkError(f"{role} {page} ({result.extra['path']}): {result.error}")


async def open_loop(base: str, plan: dict, settings: Settings, seed: int) -> list[Result]:
    """Every user's Poisson arrivals over the duration, each action started when due."""
    rng = random.Random(seed)  # noqa: S311
    users = [VirtualUser(plan, user, random.Random(seed + n)) for n, user in enumerate(plan["users"])]  # noqa: S311
    schedule = merge_schedules({n: poisson_schedule(1 / settings.interval, settings.duration, rng)
                                for n in range(len(users))})
    async with _session() as http:
        actions = await run_open_loop(schedule, lambda n, due: users[n].act(http, base, due))
    return [result for action in actions for result in action]


async def saturate_app(base: str, plan: dict, settings: Settings, seed: int) -> tuple[list[Result], float, float]:
    """The mix, closed loop, one task per user."""
    users = [VirtualUser(plan, user, random.Random(seed + n)) for n, user in enumerate(plan["users"])]  # noqa: S311
    results: list[Result] = []
    async with _session() as http:
        async def send(n: int, now: float):
            done = await users[n].act(http, base, now)
            results.extend(done[:-1])
            return done[-1]

        last, start, end = await run_closed_loop(len(users), settings.saturation_seconds, send, settings.warmup)
    return results + last, start, end


async def saturate_textbook(base: str, credentials: list, settings: Settings) -> tuple[list[Result], float, float]:
    """The textbook page, closed loop, one task per user with its own session."""
    import aiohttp

    async with _session() as http:
        async def send(n: int, now: float):
            _user_id, cookie, _token = credentials[n]
            started, status, error = time.monotonic(), None, None
            try:
                async with http.get(base + "/", headers={"User-Agent": textbook.USER_AGENT,
                                                         "Cookie": f"__Host-session={cookie}"},
                                    allow_redirects=False) as response:
                    await response.read()
                    status = response.status
                    error = None if status == 200 else f"GET {status}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = type(exc).__name__
            return Result("textbook page", now, started, time.monotonic(), status, error)

        return await run_closed_loop(len(credentials), settings.saturation_seconds, send, settings.warmup)


def new_servers(kind: str, urls: dict, settings: Settings, tmp: Path, secret_key: str) -> list[Server]:
    """The app and the textbook server on one database kind, not started yet."""
    app_env = server_env(STAC_ENV="production", SECRET_KEY=secret_key, DATABASE_URL=urls["app"])
    book_env = server_env(SECRET_KEY=secret_key, TEXTBOOK_DATABASE_URL=urls["textbook"])
    return [Server(name, gunicorn_argv(target, port, settings.threads), port, env, tmp / f"{kind}-{name}.log")
            for name, target, env, port in (("app", "app:app", app_env, free_port()),
                                            ("textbook", "benchmarks.textbook:app", book_env, free_port()))]


def measure_kind(kind: str, urls: dict, plan: dict, credentials: list, settings: Settings, tmp: Path,
                 secret_key: str) -> dict:
    """Both scenarios on one database kind."""
    def log(text: str) -> None:
        print(f"[{kind}] {text}", flush=True)

    budget = settings.duration + settings.saturation_seconds + 2 * REQUEST_TIMEOUT + 60
    with serving(new_servers(kind, urls, settings, tmp, secret_key)) as (app, book):
        wait_all([app, book], SERVER_START_TIMEOUT)
        base = f"http://127.0.0.1:{app.port}"
        asyncio.run(asyncio.wait_for(check_pages(base, plan), budget))
        log(f"every page of the mix answered 200; open loop: {len(plan['users'])} users, one request each every "
            f"{settings.interval:g} s on average, {settings.duration:g} s")
        with CpuWindow(app, postgres=kind == "postgresql") as window:
            results = asyncio.run(asyncio.wait_for(open_loop(base, plan, settings, 2026), budget))
        cpu = window.figures["server_cpu_percent"]
        figures = latency_figures([r.ms for r in results if r.status is not None])
        errors = [r for r in results if r.error]
        log(f"open loop: {len(results)} requests, p50 {fmt(figures['p50_ms'])} ms, p95 {fmt(figures['p95_ms'])} ms, "
            f"{len(errors)} errors, server CPU {cpu:.0f} % of a core")
        sat, start, end = asyncio.run(asyncio.wait_for(saturate_app(base, plan, settings, 7), budget))
        app_sat = rate_in_window(sat, start, end, lambda r: r.error is None) | {
            "errors": sum(1 for r in sat if r.error)}
        log(f"saturation: app mix {fmt(app_sat['ok_per_second'], 0)} good answers/s")
        app.stop()
        sat_book, start, end = asyncio.run(asyncio.wait_for(saturate_textbook(
            f"http://127.0.0.1:{book.port}", credentials, settings), budget))
        book_sat = rate_in_window(sat_book, start, end, lambda r: r.error is None)
        log(f"saturation: textbook page {fmt(book_sat['ok_per_second'], 0)} good answers/s")
        logged = {"app": server_errors(app.log_path), "textbook": server_errors(book.log_path)}
    rate = ratio(app_sat["ok_per_second"], book_sat["ok_per_second"])
    open_errors = len(errors)
    return {
        "open_loop": figures | window.figures | {"requests": len(results), "errors": open_errors,
                                "error_kinds": sorted({r.error for r in errors})[:5],
                                "pages": page_breakdown(results)},
        "saturation": {"app": app_sat, "textbook": book_sat}, "server_errors": logged,
        "goals": [goal(f"{kind}: pages p95 latency (ms), {len(plan['users'])} users open loop", figures["p95_ms"],
                       "<", GOAL_P95_MS),
                  goal(f"{kind}: pages errors (no answer, 5xx, unexpected 4xx)", open_errors + app_sat["errors"],
                       "==", 0),
                  goal(f"{kind}: pages/s at saturation, app mix / textbook page", rate, ">=", GOAL_RATIO,
                       app=app_sat["ok_per_second"], anchor=book_sat["ok_per_second"])],
    }


def print_report(kind: str, data: dict) -> None:
    """The per-page table of one database kind."""
    print()
    print(f"{kind}: open loop, latency from each request's due time")
    rows = [[page, str(f["count"]), str(f["errors"]), fmt(f["p50_ms"]), fmt(f["p95_ms"])]
            for page, f in data["open_loop"]["pages"].items()]
    loop = data["open_loop"]
    rows.append(["all", str(loop["requests"]), str(loop["errors"]), fmt(loop["p50_ms"]), fmt(loop["p95_ms"])])
    print_table(["request", "count", "errors", "p50 ms", "p95 ms"], rows)
    app, book = data["saturation"]["app"], data["saturation"]["textbook"]
    print(f"{kind}: saturation: app mix {fmt(app['ok_per_second'], 0)}/s (p50 {fmt(app['p50_ms'])} ms), textbook page "
          f"{fmt(book['ok_per_second'], 0)}/s (p50 {fmt(book['p50_ms'])} ms), ratio "
          f"{fmt(ratio(app['ok_per_second'], book['ok_per_second']), 2)}")
    if loop["other_cpu_percent"] > 25:
        print(f"note: {kind}: other processes used {loop['other_cpu_percent']:.0f} % of a core ({os.cpu_count()} "
              "cores) during the open loop: the latencies are not the app's alone")
    for error in loop["error_kinds"]:
        print(f"note: {kind}: error seen: {error}")
    for name, errors in data["server_errors"].items():
        if errors:
            print(f"note: {kind} {name}: {len(errors)} error(s) in the server log, the first: "
                  f"{errors[0].splitlines()[-1].strip()}")


def run(args, profile: str) -> dict:
    """Set up every database kind side by side, then measure one kind at a time; the report and the results."""
    settings = settings_from(args, profile)
    started = time.monotonic()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="stac-bench-pages-") as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        urls, setups, credentials = {}, {}, {}
        for kind in settings.databases:
            (tmp / kind).mkdir()
            urls[kind] = {name: database_url(kind, tmp / kind, f"pages_{name}", args.postgres_url, stack)
                          for name in ("app", "textbook")}
            setups[kind] = start_setup("pages_setup", f"setup-{kind}", [
                "--users", str(settings.users), "--planners", str(settings.planners),
                *(["--quick"] if settings.quick_data else [])], tmp, urls[kind]["app"])
            stack.callback(setups[kind].kill)
        for kind in settings.databases:
            credentials[kind] = textbook.prepare(urls[kind]["textbook"], settings.users, setups[kind].secret_key)
        deadline = time.monotonic() + SETUP_TIMEOUT
        plans = {kind: setup.finish(deadline) for kind, setup in setups.items()}
        for kind, setup in setups.items():
            print(f"{kind}: " + setup.stdout().strip().replace("\n", f"\n{kind}: "), flush=True)
        print(f"setup took {time.monotonic() - started:.1f} s", flush=True)
        for kind in settings.databases:
            results[kind] = measure_kind(kind, urls[kind], plans[kind], credentials[kind], settings, tmp,
                                         setups[kind].secret_key)
    for kind, data in results.items():
        print_report(kind, data)
    all_goals = [g for data in results.values() for g in data["goals"]]
    print()
    print(verdict_line(all_goals))
    elapsed = time.monotonic() - started
    print(f"took {elapsed:.0f} s")
    return {"benchmark": "pages", "profile": profile, "settings": asdict(settings), "environment": environment(),
            "databases": results, "goals": all_goals,
            "verdict": "PASS" if all(g["pass"] for g in all_goals) else "FAIL", "elapsed_seconds": elapsed}
