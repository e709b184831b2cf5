"""Main pages under load: the app on a realistic data set next to a bare hello app, 64 connections each.

The app runs under the production command (`STAC_ENV=production gunicorn -k gthread -w 1 --threads 100 app:app`)
on a database seeded by benchmarks/http_setup.py (benchmarks/dataset.py: 300 members, 40 meetings, 500 proposals,
200 polls, 100,000 ballots, 50,000 messages; `--quick`: a small set), on a temporary SQLite file or, with
`--database postgresql`, a scratch PostgreSQL database created and dropped here. The anchor, benchmarks/bare_hello.py,
runs under the same command in the same invocation. Each page is loaded with the session cookie of the role that
uses it (member; planner for the dashboard) by `wrk` (else a built-in aiohttp loader, see http_load.py): first
fetched once and checked (200 and its marker strings: no redirect to the login page passes), then a warm-up, then
the measured run. Every answer of the measured run is checked the same way. After its first render, the app answers
a page from its page cache (stac_youth/common/page_cache.py), as it answers a session reloading a page on which
nothing has changed; `--render` turns that cache off (PAGE_CACHE_SECONDS=0) to measure rendering itself. Goals per
page: req/s at least 0.2 of the hello's, p99 at most 3 times the hello's p99, no bad answer. `--full` runs three
rounds (alternating which server goes first) and reports medians.
"""

from __future__ import annotations

import http.client
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
    fmt,
    free_port,
    gunicorn_argv,
    machine_busy_seconds,
    median,
    print_table,
    scratch_postgres,
    server_env,
    serving,
    start_setup,
    wait_all,
)
from .http_load import load, loader_name

HELP = "main pages at 64 connections on a realistic data set, next to a bare hello app under the same server"
GOAL_RATE_RATIO = 0.2
GOAL_P99_RATIO = 3.0
SETUP_TIMEOUT = 300
SERVER_START_TIMEOUT = 60
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Settings:
    connections: int
    duration: float
    warmup: float
    rounds: int
    quick_data: bool
    threads: int = 100
    database: str = "sqlite"
    render: bool = False


PROFILES = {
    "quick": Settings(connections=8, duration=0.5, warmup=0.25, rounds=1, quick_data=True),
    "default": Settings(connections=64, duration=8, warmup=2, rounds=1, quick_data=False),
    "full": Settings(connections=64, duration=10, warmup=2, rounds=3, quick_data=False),
}


def add_arguments(parser) -> None:
    """The http subcommand's own options."""
    parser.add_argument("--connections", type=int, help="concurrent keep-alive connections (quick 8, default 64)")
    parser.add_argument("--duration", type=float, help="measured seconds per page (quick 0.5, default 8, full 10)")
    parser.add_argument("--rounds", type=int, help="repetitions, alternating which server goes first (full 3)")
    parser.add_argument("--threads", type=int, help="gunicorn --threads for both servers (100, as in the README)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), help="the app's database (sqlite)")
    parser.add_argument("--render", action="store_true", default=None,
                        help="render every page: the app without its page cache (PAGE_CACHE_SECONDS=0)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help="PostgreSQL to CREATE/DROP the scratch database through (BENCH_POSTGRES_URL, else "
                             f"{DEFAULT_POSTGRES_URL})")


def settings_from(args, profile: str) -> Settings:
    """The profile's settings with the command-line overrides."""
    base = asdict(PROFILES[profile])
    for name in ("connections", "duration", "rounds", "threads", "database", "render"):
        value = getattr(args, name, None)
        if value is not None:
            base[name] = value
    return Settings(**base)


def check_page(port: int, path: str, headers: dict[str, str], markers: list[str]) -> None:
    """One GET, no redirects followed: a 200 carrying every marker, or BenchmarkError saying what came back."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
    except OSError as error:
        raise BenchmarkError(f"GET {path} failed: {error!r}") from error
    finally:
        conn.close()
    if response.status != 200:
        raise BenchmarkError(f"GET {path} answered {response.status} (Location: {response.getheader('Location')}),"
                             " not the page: is the session cookie accepted?")
    missing = [m for m in markers if m not in body]
    if missing:
        raise BenchmarkError(f"GET {path}: 200 but without {missing!r}; the page did not render its content")


def measure(server: Server, loader: str, url: str, headers: dict, markers: list[str], settings: Settings,
            tmp: Path) -> dict:
    """Warm-up, then the measured run with server and machine CPU around it."""
    load(loader, url, headers, markers, settings.connections, settings.warmup, tmp)
    cpu0, busy0 = server.cpu_seconds(), machine_busy_seconds()
    result = load(loader, url, headers, markers, settings.connections, settings.duration, tmp)
    server_cpu = server.cpu_seconds() - cpu0
    other = machine_busy_seconds() - busy0 - server_cpu - result["client_cpu_seconds"]
    seconds, requests = result["seconds"] or 1, result["requests"]
    return result | {"server_cpu_percent": server_cpu / seconds * 100,
                     "server_cpu_ms_per_request": server_cpu / requests * 1000 if requests else None,
                     "client_cpu_percent": result["client_cpu_seconds"] / seconds * 100,
                     "other_cpu_percent": max(0.0, other) / seconds * 100}


def new_server(kind: str, round_no: int, settings: Settings, tmp: Path, secret_key: str, database_url: str) -> Server:
    """The app or the hello server of one round, not started yet."""
    port = free_port()
    if kind == "app":
        target = "app:app"
        env = server_env(STAC_ENV="production", SECRET_KEY=secret_key, DATABASE_URL=database_url,
                         PAGE_CACHE_SECONDS="0" if settings.render else "")
    else:
        target, env = "benchmarks.bare_hello:app", server_env()
    return Server(kind, gunicorn_argv(target, port, settings.threads), port, env, tmp / f"{kind}-{round_no}.log")


def run_server(server: Server, round_no: int, settings: Settings, plan: dict, tmp: Path, loader: str) -> dict:
    """Check and load each page of one server that answers; page name -> result."""
    kind, port = server.name, server.port
    if kind == "app":
        pages = plan["pages"]
    else:
        pages = [{"name": "hello", "path": "/", "role": None, "markers": ["hello, world"]}]
    print(f"[{kind} {round_no}] {' '.join(server.argv[2:])} up, worker pid(s) {server.workers}", flush=True)
    results = {}
    for page in pages:
        headers = {"User-Agent": plan["user_agent"]}
        if page["role"]:
            headers["Cookie"] = f"{plan['cookie_name']}={plan['cookies'][page['role']]}"
        check_page(port, page["path"], headers, page["markers"])
        result = measure(server, loader, f"http://127.0.0.1:{port}{page['path']}", headers, page["markers"],
                         settings, tmp)
        results[page["name"]] = result
        print(f"[{kind} {round_no}] {page['name']} ({page['path']}): {fmt(result['rps'], 0)} req/s, p50 "
              f"{fmt(result['p50_ms'])} ms, p99 {fmt(result['p99_ms'])} ms, bad {result['bad']}, socket errors "
              f"{result['socket_errors']}", flush=True)
    return results


def summarise(rounds: list[dict]) -> dict:
    """Median over rounds of each page's figures; bad answers and errors summed."""
    summary = {}
    for name in rounds[0]:
        per = [r[name] for r in rounds]
        summary[name] = {key: (sum(p[key] or 0 for p in per) if key in ("bad", "socket_errors", "requests")
                               else median([p[key] for p in per]))
                         for key, value in per[0].items() if isinstance(value, int | float) or value is None}
    return summary


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def goals(pages: dict, hello: dict) -> list[dict]:
    """Per page: rate ratio, p99 ratio and bad answers, each with its absolute values."""
    out = []
    for name, page in pages.items():
        rate, p99 = ratio(page["rps"], hello["rps"]), ratio(page["p99_ms"], hello["p99_ms"])
        out += [
            {"metric": f"{name}: req/s / hello req/s", "value": rate, "app": page["rps"], "anchor": hello["rps"],
             "goal": f">= {GOAL_RATE_RATIO}", "pass": rate is not None and rate >= GOAL_RATE_RATIO},
            {"metric": f"{name}: p99 / hello p99", "value": p99, "app": page["p99_ms"], "anchor": hello["p99_ms"],
             "goal": f"<= {GOAL_P99_RATIO}", "pass": p99 is not None and p99 <= GOAL_P99_RATIO},
            {"metric": f"{name}: bad answers (not 200 or content missing) + socket errors",
             "value": page["bad"] + page["socket_errors"], "app": page["bad"], "anchor": hello["bad"], "goal": "== 0",
             "pass": page["bad"] + page["socket_errors"] == 0},
        ]
    return out


def print_report(settings: Settings, plan: dict, loader: str, pages: dict, hello: dict,
                 goal_results: list[dict]) -> list[str]:
    """The table (metric, app, hello, ratio, goal, verdict) and notes; returns the notes."""
    verdict = {g["metric"]: "PASS" if g["pass"] else "FAIL" for g in goal_results}
    details = {p["name"]: p for p in plan["pages"]}
    rows = [["hello req/s", "", fmt(hello["rps"], 0), "", "", ""],
            ["hello p50 / p99 (ms)", "", f"{fmt(hello['p50_ms'])} / {fmt(hello['p99_ms'])}", "", "", ""]]
    for name, page in pages.items():
        rate, p99 = ratio(page["rps"], hello["rps"]), ratio(page["p99_ms"], hello["p99_ms"])
        rows += [
            [f"{name} req/s", fmt(page["rps"], 0), fmt(hello["rps"], 0), f"{fmt(rate, 2)}x",
             f">= {GOAL_RATE_RATIO}x hello", verdict[f"{name}: req/s / hello req/s"]],
            ["  p50 (ms)", fmt(page["p50_ms"]), fmt(hello["p50_ms"]),
             f"{fmt(ratio(page['p50_ms'], hello['p50_ms']), 2)}x", "", ""],
            ["  p99 (ms)", fmt(page["p99_ms"]), fmt(hello["p99_ms"]), f"{fmt(p99, 2)}x",
             f"<= {GOAL_P99_RATIO}x hello", verdict[f"{name}: p99 / hello p99"]],
            ["  bad answers + socket errors", str(page["bad"] + page["socket_errors"]),
             str(hello["bad"] + hello["socket_errors"]), "", "== 0",
             verdict[f"{name}: bad answers (not 200 or content missing) + socket errors"]],
            ["  server CPU (ms/request)", fmt(page["server_cpu_ms_per_request"], 2),
             fmt(hello["server_cpu_ms_per_request"], 2), "", "", ""],
        ]
    print()
    print(f"Pages: {settings.connections} connections, {settings.duration:g} s per page after {settings.warmup:g} s "
          f"warm-up, {settings.rounds} round(s), loader {loader}, gunicorn -k gthread -w 1 --threads "
          f"{settings.threads}, database {plan['dialect']}, "
          + ("every page rendered (page cache off)" if settings.render
             else "pages from the page cache after their first render (--render: cache off)"))
    for name, page in details.items():
        print(f"  {name}: GET {page['path']} as {page['role']} ({page['detail']})")
    print_table(["metric", "app", "hello", "ratio", "goal", "verdict"], rows)
    notes = []
    if loader != "wrk":
        notes.append("wrk is not installed: the built-in Python loader ran, and it saturates before the hello app "
                     "does, so the ratios flatter the app (apt-get install wrk for the real figures)")
    busy = max([hello["other_cpu_percent"] or 0] + [p["other_cpu_percent"] or 0 for p in pages.values()])
    if busy > 25:
        notes.append(f"other processes used up to {busy:.0f} % of a core ({os.cpu_count()} cores) while measuring: "
                     "the figures are noisy; rerun on a quiet machine or with --full")
    for note in notes:
        print(f"note: {note}")
    failed = [g["metric"] for g in goal_results if not g["pass"]]
    print()
    print("VERDICT: " + ("PASS (all goals met)" if not failed else f"FAIL ({len(failed)} of {len(goal_results)} "
                                                                    f"goals missed: {', '.join(failed)})"))
    return notes


def run(args, profile: str) -> dict:
    """Seed, then per round the hello app and the app, one after the other; the report and the results."""
    settings = settings_from(args, profile)
    loader = loader_name()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="stac-bench-http-") as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        if settings.database == "postgresql":
            database_url = stack.enter_context(scratch_postgres(args.postgres_url, f"bench_http_{os.getpid()}"))
        else:
            database_url = f"sqlite:///{tmp / 'app.db'}"
        setup = start_setup("http_setup", "setup", ["--quick"] if settings.quick_data else [], tmp, database_url)
        per_round = []
        try:
            for round_no in range(1, settings.rounds + 1):
                order = ("hello", "app") if round_no % 2 else ("app", "hello")
                # Both servers of the round boot side by side (the first round's while the data set is seeded).
                with serving(new_server(kind, round_no, settings, tmp, setup.secret_key, database_url)
                             for kind in order) as servers:
                    if round_no == 1:
                        plan = setup.finish(time.monotonic() + SETUP_TIMEOUT)
                        setup_seconds = time.monotonic() - started
                        print(setup.stdout(), end="", flush=True)
                        print(f"setup took {setup_seconds:.1f} s ({plan['dialect']}, {plan['env']}); loader: {loader}",
                              flush=True)
                    wait_all(servers, SERVER_START_TIMEOUT)
                    per_round.append({server.name: run_server(server, round_no, settings, plan, tmp, loader)
                                      for server in servers})
        finally:
            setup.kill()
    pages = summarise([r["app"] for r in per_round])
    hello = summarise([r["hello"] for r in per_round])["hello"]
    goal_results = goals(pages, hello)
    notes = print_report(settings, plan, loader, pages, hello, goal_results)
    elapsed = time.monotonic() - started
    print(f"took {elapsed:.0f} s")
    return {
        "benchmark": "http",
        "profile": profile,
        "settings": asdict(settings) | {"loader": loader},
        "setup": {"seconds": setup_seconds, "seed": plan["seed"], "sizes": plan["sizes"],
                  "pages": [{k: v for k, v in p.items() if k != "markers"} for p in plan["pages"]],
                  "method": "dataset.py bulk inserts into the migrated schema; sessions from the app's start_session "
                            "with a CSRF token, signed with its session serializer, sent as a Cookie header"},
        "environment": environment(),
        "summary": {"pages": pages, "hello": hello},
        "goals": goal_results,
        "verdict": "PASS" if all(g["pass"] for g in goal_results) else "FAIL",
        "notes": notes,
        "rounds": per_round,
        "elapsed_seconds": elapsed,
    }
