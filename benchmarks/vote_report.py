"""Vote results: the statewide run's figures, saturation rates, the tables' check, the goals and the printed report."""

from __future__ import annotations

import os
from collections import Counter
from typing import TYPE_CHECKING

from .harness import fmt, percentile, print_table
from .openloop import goal, latency_figures, rate_in_window, ratio, verdict_line

if TYPE_CHECKING:
    from .vote import Settings

GOAL_P95_MS = 300
GOAL_RATIO = 0.6


def statewide_figures(raw: dict) -> dict:
    """Latency from each ballot's due time, errors by kind, and how late the client started its requests."""
    results = raw["results"]
    acked = [r for r in results if r.status == 200]
    errors = Counter((r.error or "").split(" (")[0] for r in results if r.status != 200)
    lags = sorted(r.start_lag_ms for r in results)
    return {"ballots": len(results), "acknowledged": len(acked), "errors": sum(errors.values()),
            "error_kinds": dict(errors.most_common(5)), "seconds": raw["seconds"],
            "rate": len(results) / raw["seconds"] if raw["seconds"] else None,
            **latency_figures([r.ms for r in results if r.status is not None]),
            "start_lag_p99_ms": percentile(lags, 99), **raw["cpu"]}


def saturation_figures(raw: dict) -> dict:
    """Acknowledged ballots a second in the measured window, their latency, and bad answers over the whole run."""
    start, end = raw["window"]
    figures = rate_in_window(raw["results"], start, end, lambda r: r.status == 200)
    bad = Counter(r.error or str(r.status) for r in raw["results"] if r.status != 200)
    return figures | {"requests": len(raw["results"]), "bad": sum(bad.values()),
                      "bad_kinds": dict(bad.most_common(3)), "ran_out": raw["ran_out"]}


def check_app_tables(url: str, acked: set, statewide_poll: int) -> dict:
    """Acknowledged (poll, member) pairs against the ballots, participations and counters stored in the app's tables."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ballots = [tuple(r) for r in conn.execute(text("SELECT poll_id, voter_id FROM ballots"))]
            parts = [tuple(r) for r in conn.execute(text("SELECT poll_id, user_id FROM poll_participations"))]
            counters = dict(conn.execute(text(
                "SELECT choice, sum(count) FROM poll_counts WHERE poll_id = :p GROUP BY choice"),
                {"p": statewide_poll}).all())
    finally:
        engine.dispose()
    stored, participated = set(ballots), set(parts)
    statewide = sum(1 for poll, _voter in ballots if poll == statewide_poll)
    return {"ballots": len(ballots), "participations": len(parts), "statewide_ballots": statewide,
            "lost": len(acked - (stored & participated)),
            "doubled": (len(ballots) - len(stored)) + (len(parts) - len(participated)),
            "unacknowledged": len(stored - acked),
            "statewide_counters": {k: int(v) for k, v in counters.items()}}


def goals(kind: str, state: dict, tables: dict, app: dict, book: dict) -> list[dict]:
    """The statewide vote's four goals and the saturation ratio of one database kind."""
    rate = ratio(app["ok_per_second"], book["ok_per_second"])
    return [
        goal(f"{kind}: statewide vote p95 latency (ms)", state["p95_ms"], "<", GOAL_P95_MS),
        goal(f"{kind}: statewide vote lost ballots", tables["lost"], "==", 0),
        goal(f"{kind}: statewide vote doubled ballots", tables["doubled"], "==", 0),
        goal(f"{kind}: statewide vote errors", state["errors"] + app["bad"], "==", 0),
        goal(f"{kind}: ballots/s at saturation, app / textbook route", rate, ">=", GOAL_RATIO,
             app=app["ok_per_second"], anchor=book["ok_per_second"]),
    ]


def print_report(settings: Settings, results: dict, all_goals: list[dict]) -> list[str]:
    """One table per database kind, then notes and the verdict; returns the notes."""
    notes = []
    verdicts = {g["metric"]: "MET" if g["pass"] else "NOT MET" for g in all_goals}
    for kind, data in results.items():
        state, tables = data["statewide"], data["tables"]
        app, book = data["saturation"]["app"], data["saturation"]["textbook"]
        rows = [
            ["statewide: ballots sent / acknowledged", f"{state['ballots']} / {state['acknowledged']}", "", ""],
            ["statewide: offered rate (ballots/s)", fmt(state["rate"]), f"{settings.rate:g}", ""],
            ["statewide: latency p50 / p95 / p99 / max (ms)",
             f"{fmt(state['p50_ms'])} / {fmt(state['p95_ms'])} / {fmt(state['p99_ms'])} / {fmt(state['max_ms'])}",
             f"p95 < {GOAL_P95_MS}", verdicts[f"{kind}: statewide vote p95 latency (ms)"]],
            ["statewide: errors (+ saturation bad answers)", f"{state['errors']} (+{app['bad']})", "== 0",
             verdicts[f"{kind}: statewide vote errors"]],
            ["lost (acknowledged, no ballot + participation)", fmt(tables["lost"]), "== 0",
             verdicts[f"{kind}: statewide vote lost ballots"]],
            ["doubled (a member stored twice)", fmt(tables["doubled"]), "== 0",
             verdicts[f"{kind}: statewide vote doubled ballots"]],
            ["statewide poll: ballots stored / counters", f"{tables['statewide_ballots']} / "
             f"{tables['statewide_counters']}", "", ""],
            ["statewide: CPU server / PostgreSQL / client / other (% of a core)",
             f"{fmt(state['server_cpu_percent'], 0)} / {fmt(state['database_cpu_percent'], 0)} / "
             f"{fmt(state['client_cpu_percent'], 0)} / {fmt(state['other_cpu_percent'], 0)}", "", ""],
            ["saturation: app ballots/s (p50 / p99 ms)",
             f"{fmt(app['ok_per_second'], 0)} ({fmt(app['p50_ms'])} / {fmt(app['p99_ms'])})", "", ""],
            ["saturation: textbook ballots/s (p50 / p99 ms)",
             f"{fmt(book['ok_per_second'], 0)} ({fmt(book['p50_ms'])} / {fmt(book['p99_ms'])})", "", ""],
            ["saturation: app / textbook", fmt(ratio(app["ok_per_second"], book["ok_per_second"]), 2),
             f">= {GOAL_RATIO}", verdicts[f"{kind}: ballots/s at saturation, app / textbook route"]],
        ]
        print()
        print(f"{kind}: {settings.members} members, statewide poll at {settings.rate:g}/s open loop; saturation "
              f"{settings.users} users x {settings.saturation_seconds:g} s; gunicorn -k gthread -w 1 --threads "
              f"{settings.threads}")
        print_table(["metric", "value", "goal", "verdict"], rows)
        if state["error_kinds"]:
            notes.append(f"{kind}: statewide errors {state['error_kinds']}")
        if app["bad_kinds"] or book["bad_kinds"]:
            notes.append(f"{kind}: bad answers at saturation: app {app['bad_kinds']}, textbook {book['bad_kinds']}")
        if app["ran_out"] or book["ran_out"]:
            notes.append(f"{kind}: a saturation run ran out of members before its window ended (--members)")
        if (state["start_lag_p99_ms"] or 0) > 20:
            notes.append(f"{kind}: the client started 1% of the ballots more than {state['start_lag_p99_ms']:.0f} ms "
                         "late: the instrument was busy")
        if data["textbook_tables"]["lost"] or data["textbook_tables"]["doubled"]:
            notes.append(f"{kind}: the textbook route lost or doubled votes: {data['textbook_tables']}")
        for name, errors in data["server_errors"].items():
            if errors:
                notes.append(f"{kind} {name}: {len(errors)} error(s) in the server log, the first: "
                             f"{errors[0].splitlines()[-1].strip()}")
        if (state.get("other_cpu_percent") or 0) > 25:
            notes.append(f"{kind}: other processes used {state['other_cpu_percent']:.0f} % of a core "
                         f"({os.cpu_count()} cores) during the statewide vote: the latencies are not the app's alone")
    for note in notes:
        print(f"note: {note}")
    print()
    print(verdict_line(all_goals))
    return notes
