"""Every benchmark in sequence, one JSON each under benchmarks/results/, then one table of every goal.

`python -m benchmarks all [--quick|--full]` runs room, tally, vote, http, scale, crash and load, each in its own
process (`python -m benchmarks <name> --json benchmarks/results/<timestamp>-<name>.json`, output shown as it comes,
bounded by a timeout; crash and load, the long ones, get LONG_RUNS times as long, and with --quick run on SQLite
only, so the smoke run stays short), then prints each goal with its value (a ratio to the anchor, or a count or
time), the absolute app and anchor figures where there are two, and whether it is met, and writes
`<timestamp>-summary.json`. A benchmark that could not run is listed as such and the others still run; the exit code
is 0 unless one could not run (a missed goal is a result, not an error).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from .harness import ROOT, BenchmarkError, environment, fmt, print_table, write_json

HELP = ("every benchmark in sequence (room, tally, vote, http, scale, crash, load), a JSON each, then the verdict of "
        "every goal")
ORDER = ("room", "tally", "vote", "http", "scale", "crash", "load")
#: per benchmark, the longest it may take (seconds) before it is stopped and reported as not run
TIMEOUTS = {"quick": 300, "default": 900, "full": 2400}
#: benchmarks that take longer: their timeout is multiplied by this
LONG_RUNS = {"crash": 2, "load": 2}
#: extra arguments per benchmark and profile (the smoke run kills and loads the SQLite app only)
EXTRA_ARGS = {("crash", "quick"): ["--database", "sqlite"], ("load", "quick"): ["--database", "sqlite"]}


def add_arguments(parser) -> None:
    """The all subcommand's own options."""
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(ORDER)}")
    parser.add_argument("--results-dir", default=str(ROOT / "benchmarks" / "results"),
                        help="where the JSON files go (benchmarks/results, git-ignored)")


def run_one(name: str, profile: str, out: Path) -> tuple[int, float]:
    """Run one benchmark in its own process; (exit code, seconds). 124 when it ran past its timeout."""
    argv = [sys.executable, "-m", "benchmarks", name, "--json", str(out), *EXTRA_ARGS.get((name, profile), [])]
    if profile != "default":
        argv.append(f"--{profile}")
    print(f"\n=== {name} ({profile}) ===", flush=True)
    started = time.monotonic()
    # On a timeout: SIGINT first, on which the benchmark stops the servers it started by PID; SIGKILL as a last resort.
    process = subprocess.Popen(argv, cwd=ROOT)  # noqa: S603 - our own argv
    try:
        code = process.wait(timeout=TIMEOUTS[profile] * LONG_RUNS.get(name, 1))
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        code = 124
    return code, time.monotonic() - started


def _shown(value) -> str:
    return fmt(value, 3) if isinstance(value, float) and abs(value) < 10 else fmt(value)


def run(args, profile: str) -> dict:
    """Run each benchmark, read back its JSON, print the combined verdict table; the summary for --json."""
    names = [n.strip() for n in args.only.split(",")] if args.only else list(ORDER)
    unknown = set(names) - set(ORDER)
    if unknown:
        raise BenchmarkError(f"--only takes names from {','.join(ORDER)}, not {','.join(sorted(unknown))}")
    results_dir = Path(args.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    started = time.monotonic()
    runs = {}
    for name in names:
        out = results_dir / f"{stamp}-{name}.json"
        code, seconds = run_one(name, profile, out)
        data = json.loads(out.read_text()) if code == 0 and out.exists() else None
        runs[name] = {"exit_code": code, "seconds": seconds, "json": str(out) if data else None,
                      "verdict": data.get("verdict") if data else "NOT RUN", "goals": data.get("goals", []) if data
                      else []}
    elapsed = time.monotonic() - started
    rows = []
    for name, result in runs.items():
        if result["exit_code"] != 0:
            rows.append([name, f"(could not run: exit code {result['exit_code']})", "", "", "", "", "NOT RUN"])
        for goal in result["goals"]:
            rows.append([name, goal["metric"], _shown(goal["value"]), _shown(goal.get("app")),
                         _shown(goal.get("anchor")), goal["goal"], "MET" if goal["pass"] else "NOT MET"])
    print(f"\n=== summary ({profile}, {elapsed:.0f} s in all: "
          + ", ".join(f"{n} {r['seconds']:.0f} s" for n, r in runs.items()) + ") ===")
    print_table(["benchmark", "goal", "value", "app", "anchor", "target", "verdict"], rows)
    met = sum(1 for r in rows if r[-1] == "MET")
    print(f"\n{met} of {len(rows)} goals met; JSON files in {results_dir} ({stamp}-*.json)")
    summary = {"benchmark": "all", "profile": profile, "stamp": stamp, "environment": environment(),
               "elapsed_seconds": elapsed, "runs": runs,
               "verdict": "PASS" if rows and all(r[-1] == "MET" for r in rows) else "FAIL"}
    write_json(str(results_dir / f"{stamp}-summary.json"), summary)
    not_run = [n for n, r in runs.items() if r["exit_code"] != 0]
    if not_run:
        print(f"could not run: {', '.join(not_run)}", file=sys.stderr)
        summary["could_not_run"] = not_run
    return summary
