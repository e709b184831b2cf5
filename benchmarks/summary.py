"""Every benchmark of a goal in sequence, one JSON each under benchmarks/results/, then one table of every goal.

`python -m benchmarks all [--quick|--full]` runs tally, vote, pages, live, room, crash and load, each in its own
process (`python -m benchmarks <name> --json benchmarks/results/<timestamp>-<name>.json`, output shown as it comes,
bounded by a timeout; crash and load, the long ones, get LONG_RUNS times as long), then prints each goal with its
value (a ratio to the anchor, or a count or time), the absolute app and anchor figures where there are two, and
MET or NOT MET, and writes `<timestamp>-summary.json`. The quick run, a smoke run for CI, stays under a minute and a
half: crash and load run on SQLite only, and tally, crash and load, whose goals are no ratio of two timed runs, run
side by side at the end (SIDE_BY_SIDE). `scale` (two processes sharing rooms through Redis) is no goal and runs
only by name. A benchmark that could not run is listed as such and the others still run; the exit code is 0 unless
one could not run (a missed goal is a result, not an error).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .harness import ROOT, BenchmarkError, environment, fmt, print_table, write_json
from .setups import SETUP_CACHE_ENV

HELP = ("every benchmark of a goal in sequence (tally, vote, pages, live, room, crash, load), a JSON each, then MET or "
        "NOT MET for every goal")
ORDER = ("tally", "vote", "pages", "live", "room", "crash", "load")
#: per benchmark, the longest it may take (seconds) before it is stopped and reported as not run
TIMEOUTS = {"quick": 300, "default": 900, "full": 2400}
#: benchmarks that take longer: their timeout is multiplied by this
LONG_RUNS = {"crash": 2, "load": 2}
#: benchmarks whose goals are counts, or bounds far from the measured values, never a ratio of two timed runs: in this
#: profile they run side by side after the others (each one's output is shown when it finishes)
SIDE_BY_SIDE = {"quick": ("tally", "crash", "load")}
#: profiles whose benchmarks reuse a setup an earlier one of the same run made with the same module and arguments (a
#: copy of its SQLite database, its plan and secret key)
REUSE_SETUPS = ("quick",)
#: extra arguments per benchmark and profile (the smoke run kills and loads the SQLite app only)
EXTRA_ARGS = {("crash", "quick"): ["--database", "sqlite"], ("load", "quick"): ["--database", "sqlite"]}


def add_arguments(parser) -> None:
    """The all subcommand's own options."""
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(ORDER)}")
    parser.add_argument("--results-dir", default=str(ROOT / "benchmarks" / "results"),
                        help="where the JSON files go (benchmarks/results, git-ignored)")


@dataclass
class Run:
    """One benchmark in its own process (`python -m benchmarks <name> --json <out>`)."""

    name: str
    process: subprocess.Popen
    timeout: float
    log: Path | None  # its output, when it runs side by side with others; None: shown as it comes
    started: float = field(default_factory=time.monotonic)

    def finish(self) -> tuple[int, float]:
        """Wait for it (its output shown now if it was kept); (exit code, seconds), 124 when it ran past its timeout."""
        try:
            code = self.process.wait(timeout=max(1.0, self.started + self.timeout - time.monotonic()))
        except subprocess.TimeoutExpired:
            # SIGINT first, on which the benchmark stops the servers it started by PID; SIGKILL as a last resort.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            code = 124
        seconds = time.monotonic() - self.started
        if self.log is not None:
            print(self.log.read_text(errors="replace"), end="", flush=True)
        return code, seconds


def start_one(name: str, profile: str, out: Path, env: dict[str, str], log: Path | None = None, label: str = "") -> Run:
    """Start one benchmark; its output goes to log (printed by Run.finish) or, without one, straight through."""
    argv = [sys.executable, "-m", "benchmarks", name, "--json", str(out), *EXTRA_ARGS.get((name, profile), [])]
    if profile != "default":
        argv.append(f"--{profile}")
    header = f"\n=== {name} ({profile}{label}) ===\n"
    if log is None:
        print(header, end="", flush=True)
        return Run(name, subprocess.Popen(argv, cwd=ROOT, env=env), _timeout(name, profile), None)  # noqa: S603
    log.write_text(header)
    with log.open("ab") as output:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    return Run(name, process, _timeout(name, profile), log)


def _timeout(name: str, profile: str) -> float:
    return TIMEOUTS[profile] * LONG_RUNS.get(name, 1)


def run_all(names: list[str], profile: str, results_dir: Path, stamp: str) -> dict[str, tuple[int, float]]:
    """The benchmarks one after the other, then the profile's side-by-side ones together; name -> (code, seconds)."""
    together = [n for n in names if n in SIDE_BY_SIDE.get(profile, ())]
    with tempfile.TemporaryDirectory(prefix="stac-bench-all-") as tmp:
        env = os.environ | ({SETUP_CACHE_ENV: str(Path(tmp) / "setups")} if profile in REUSE_SETUPS else {})
        done = {name: start_one(name, profile, results_dir / f"{stamp}-{name}.json", env).finish()
                for name in names if name not in together}
        label = f", side by side with {len(together) - 1} other(s)" if len(together) > 1 else ""
        runs = [start_one(name, profile, results_dir / f"{stamp}-{name}.json", env, Path(tmp) / f"{name}.log", label)
                for name in together]
        done |= {run.name: run.finish() for run in runs}
    return {name: done[name] for name in names}


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
    for name, (code, seconds) in run_all(names, profile, results_dir, stamp).items():
        out = results_dir / f"{stamp}-{name}.json"
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
