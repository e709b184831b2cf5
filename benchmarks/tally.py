"""Poll tallies: each method's full tally of N random ballots (default 100,000), median of R runs, goal < 1 s each.

Pure CPU in this process, no server: the ballots are generated once per method with a fixed seed (not timed), then
the app's tally module is called R times on the same list and the median wall time (time.perf_counter) is
reported. Ranked ballots rank a random subset of 7 options (some empty, some partial); approval ballots approve
each of 7 options with probability 0.3; yes/no/abstain ballots are uniform.

Then (benchmarks/tally_tables.py) an open poll with the same number of ballots in the real tables of a migrated
SQLite file: its turnout and live yes/no/abstain counts read with the app's own functions from the counters the
ballots keep (goal: under 1 ms each), and its tally as the close computes it, reading every ballot from the table.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass
from fractions import Fraction

from . import tally_tables
from .harness import environment, fmt, median, print_table

HELP = "poll tallies: yes/no/abstain, approval and ranked choice over N random ballots, median of R runs"
GOAL_SECONDS = 1.0
GOAL_READ_MS = 1.0
OPTIONS = list(range(1, 8))


@dataclass(frozen=True)
class Settings:
    ballots: int
    repeats: int
    seed: int = 2009


PROFILES = {
    "quick": Settings(ballots=5_000, repeats=3),
    "default": Settings(ballots=100_000, repeats=5),
    "full": Settings(ballots=100_000, repeats=11),
}


def add_arguments(parser) -> None:
    parser.add_argument("--ballots", type=int, help="ballots per method (quick 5,000, default 100,000)")
    parser.add_argument("--repeats", type=int, help="timed tallies per method, the median is reported (5)")
    parser.add_argument("--seed", type=int, help="random seed for the ballots (2009)")


def settings_from(args, profile: str) -> Settings:
    base = asdict(PROFILES[profile])
    for name in ("ballots", "repeats", "seed"):
        value = getattr(args, name, None)
        if value is not None:
            base[name] = value
    return Settings(**base)


def methods(settings: Settings) -> dict:
    """Method name -> (ballots, tally callable taking the ballots)."""
    from .app_api import app_module

    tally = app_module("tally_yes_no_abstain")  # the app's tally module, wherever it lives
    CHOICES, Threshold = tally.CHOICES, tally.Threshold
    tally_approval, tally_ranked_choice, tally_yes_no_abstain = (tally.tally_approval, tally.tally_ranked_choice,
                                                                tally.tally_yes_no_abstain)

    rng = random.Random(settings.seed)
    n, quorum = settings.ballots, Fraction(1, 2)
    yes_no = rng.choices(CHOICES, k=n)
    approval = [frozenset(o for o in OPTIONS if rng.random() < 0.3) for _ in range(n)]
    ranked = [tuple(rng.sample(OPTIONS, rng.randint(0, len(OPTIONS)))) for _ in range(n)]
    return {
        "yes/no/abstain": (yes_no, lambda b: tally_yes_no_abstain(b, n, quorum, Threshold.TWO_THIRDS)),
        "approval": (approval, lambda b: tally_approval(b, OPTIONS, n, quorum)),
        "ranked choice": (ranked, lambda b: tally_ranked_choice(b, OPTIONS, n, quorum)),
    }


def time_method(ballots: list, tally, repeats: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = tally(ballots)
        times.append(time.perf_counter() - started)
    return times, result


def run(args, profile: str) -> dict:
    settings = settings_from(args, profile)
    print(f"{settings.ballots:,} ballots per method, {len(OPTIONS)} options, median of {settings.repeats} runs",
          flush=True)
    goal_results, per_method = [], {}
    for name, (ballots, tally) in methods(settings).items():
        times, result = time_method(ballots, tally, settings.repeats)
        value = median(times)
        per_method[name] = {"seconds": times, "median_seconds": value, "outcome": result.outcome.value,
                            "rounds": len(getattr(result, "rounds", ())) or None}
        goal_results.append({"metric": f"{name} tally of {settings.ballots:,} ballots (s)", "value": value,
                             "goal": f"< {GOAL_SECONDS:g}", "pass": value < GOAL_SECONDS})
    tables = tally_tables.measure(settings.ballots)
    print(f"open poll with {settings.ballots:,} ballots seeded in {tables['seed_seconds']:.1f} s: turnout "
          f"{tables['turnout'][0]:,} of {tables['turnout'][1]:,}, live counts {tables['counts']}", flush=True)
    n = f"{settings.ballots:,}"
    goal_results += [
        {"metric": f"open poll of {n} ballots: turnout read (ms)", "value": tables["turnout_ms"],
         "goal": f"< {GOAL_READ_MS:g}", "pass": tables["turnout_ms"] < GOAL_READ_MS},
        {"metric": f"open poll of {n} ballots: yes/no/abstain counts read (ms)", "value": tables["counts_ms"],
         "goal": f"< {GOAL_READ_MS:g}", "pass": tables["counts_ms"] < GOAL_READ_MS},
        {"metric": f"yes/no/abstain tally of {n} ballots read from the table (s)",
         "value": tables["tally_from_table_ms"] / 1000, "goal": f"< {GOAL_SECONDS:g}",
         "pass": tables["tally_from_table_ms"] / 1000 < GOAL_SECONDS},
    ]
    print_table(["metric", "value", "goal", "verdict"],
                [[g["metric"], fmt(g["value"], 3), g["goal"], "PASS" if g["pass"] else "FAIL"] for g in goal_results])
    print(f"for comparison, counted from the tables instead of the counters: turnout "
          f"{tables['turnout_counted_from_participations_ms']:.2f} ms, counts "
          f"{tables['counts_grouped_from_ballots_ms']:.2f} ms")
    failed = [g["metric"] for g in goal_results if not g["pass"]]
    print("VERDICT: " + ("PASS (all goals met)" if not failed else f"FAIL ({len(failed)} of {len(goal_results)} "
                                                                    f"goals missed: {', '.join(failed)})"))
    return {
        "benchmark": "tally",
        "profile": profile,
        "settings": asdict(settings) | {"options": len(OPTIONS)},
        "environment": environment(),
        "methods": per_method,
        "open_poll": tables,
        "goals": goal_results,
        "verdict": "PASS" if not failed else "FAIL",
    }
