"""Vote throughput results: per-run analysis, medians over rounds, the goals and the printed report."""

from __future__ import annotations

import os
from collections import Counter
from typing import TYPE_CHECKING

from .harness import fmt, median, percentile, print_table

if TYPE_CHECKING:
    from .vote import Settings

GOAL_RATIO = 0.5
#: summed over rounds instead of the median
SUMMED = ("requests_total", "acknowledged", "fivexx", "no_answer", "receipts_missing", "out_of_polls")


def analyse(raw: dict, settings: Settings) -> dict:
    """Req/s and latency of the answers completed inside the measured window; status counts over the whole run."""
    records, start, stop = raw["records"], raw["measure_from"], raw["stop_at"]
    window = [r for r in records if start <= r[4] < stop]
    latencies = sorted((r[4] - r[3]) * 1000 for r in window)
    statuses = Counter(str(r[5]) if r[5] != -1 else "no answer" for r in records)
    seconds = stop - start
    ok = sum(1 for r in window if r[5] == 200)
    cpu = {}
    if "from" in raw["samples"] and "to" in raw["samples"]:
        (t0, server0, client0, busy0, db0), (t1, server1, client1, busy1, db1) = (raw["samples"]["from"],
                                                                                raw["samples"]["to"])
        span = t1 - t0
        server_cpu, client_cpu, db_cpu = server1 - server0, client1 - client0, db1 - db0
        cpu = {
            "server_cpu_per_request_ms": server_cpu / len(window) * 1000 if window else None,
            "server_cpu_percent": server_cpu / span * 100,
            "database_cpu_per_request_ms": db_cpu / len(window) * 1000 if window and db_cpu else None,
            "database_cpu_percent": db_cpu / span * 100 if db_cpu else None,
            "client_cpu_percent": client_cpu / span * 100,
            "other_cpu_percent": max(0.0, busy1 - busy0 - server_cpu - client_cpu - db_cpu) / span * 100,
        }
    return {
        "ok_per_second": ok / seconds,
        "requests_per_second": len(window) / seconds,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1] if latencies else None,
        "in_window": len(window),
        "requests_total": len(records),
        "acknowledged": statuses.get("200", 0),
        "statuses": dict(statuses),
        "fivexx": sum(n for status, n in statuses.items() if status.startswith("5")),
        "fivexx_latency_ms": [round((r[4] - r[3]) * 1000, 1) for r in records if r[5] >= 500][:20],
        "no_answer": statuses.get("no answer", 0),
        "receipts_missing": sum(1 for r in records if r[5] == 200 and not r[6]),
        "out_of_polls": raw["out_of_polls"],
        **cpu,
    }


def summarise(rounds: list[dict]) -> dict:
    """Median over rounds of rates, latencies and CPU; counts summed; the integrity check of the last round."""
    summary = {}
    for key, value in rounds[0].items():
        if key in SUMMED:
            summary[key] = sum(r[key] for r in rounds)
        elif key == "statuses":
            summary[key] = dict(sum((Counter(r[key]) for r in rounds), Counter()))
        elif key in ("server_errors", "fivexx_latency_ms"):
            summary[key] = [error for r in rounds for error in r[key]]
        elif key == "integrity":  # cumulative over every round on this database
            summary[key] = rounds[-1][key]
        elif isinstance(value, int | float) or value is None:
            summary[key] = median([r.get(key) for r in rounds])
        else:
            summary[key] = value
    return summary


def ratio(a, b):
    """a / b, or None when either is missing or b is 0."""
    return a / b if a is not None and b not in (None, 0) else None


def goals(kind: str, app: dict, bare: dict) -> list[dict]:
    """The four goals of one database: throughput ratio, nothing lost, nothing doubled, no 5xx."""
    value = ratio(app["ok_per_second"], bare["ok_per_second"])
    integrity = app["integrity"]
    return [
        {"metric": f"{kind}: ballots/s app / bare insert", "value": value, "goal": f">= {GOAL_RATIO}",
         "pass": value is not None and value >= GOAL_RATIO},
        {"metric": f"{kind}: lost ballots", "value": integrity["lost"], "goal": "== 0",
         "pass": integrity["lost"] == 0},
        {"metric": f"{kind}: doubled ballots", "value": integrity["doubled"], "goal": "== 0",
         "pass": integrity["doubled"] == 0},
        {"metric": f"{kind}: 5xx responses (app)", "value": app["fivexx"], "goal": "== 0", "pass": app["fivexx"] == 0},
    ]


def _verdict(goal: dict) -> str:
    return "MET" if goal["pass"] else "NOT MET"


def _others(result: dict) -> str:
    others = {k: v for k, v in sorted(result["statuses"].items()) if k not in {"200", "no answer"}}
    return ", ".join(f"{k}: {v}" for k, v in others.items()) or "0"


def print_database(kind: str, settings: Settings, data: dict) -> None:
    """The detailed table of one database: app next to bare."""
    app, bare = data["summary"]["app"], data["summary"]["bare"]
    ia, ib = app["integrity"], bare["integrity"]
    ratio_goal, lost_goal, doubled_goal, fivexx_goal = data["goals"]

    def row(label, key, digits=1, goal="", check="", show_ratio=True):
        a, b = app.get(key), bare.get(key)
        r = ratio(a, b) if show_ratio else None
        return [label, fmt(a, digits), fmt(b, digits), f"{r:.2f}x" if r is not None else "", goal, check]

    rows = [
        row("acknowledged/s (200s in the window)", "ok_per_second", 1, f">= {GOAL_RATIO}x bare",
            _verdict(ratio_goal)),
        row("answers/s (any status in the window)", "requests_per_second"),
        row("latency p50 (ms)", "p50_ms"),
        row("latency p99 (ms)", "p99_ms"),
        row("latency max (ms)", "max_ms"),
        row("acknowledged (200, warm-up included)", "acknowledged", 0, show_ratio=False),
        ["rows in ballots / bench_inserts", fmt(ia["rows"]), fmt(ib["rows"]), "", "", ""],
        ["rows in poll_participations", fmt(ia["participations"]), "", "", "", ""],
        ["live counters: yes+no+abstain / _cast", f"{ia['counters']} / {ia['turnout_counter']}", "", "", "", ""],
        ["lost (200 but no row)", fmt(ia["lost"]), fmt(ib["lost"]), "", "== 0", _verdict(lost_goal)],
        ["doubled (pair stored twice)", fmt(ia["doubled"]), fmt(ib["doubled"]), "", "== 0", _verdict(doubled_goal)],
        ["rows without a 200", fmt(ia["unacknowledged_rows"]), fmt(ib["unacknowledged_rows"]), "", "", ""],
        row("5xx responses", "fivexx", 0, "== 0", _verdict(fivexx_goal), show_ratio=False),
        ["other statuses", _others(app), _others(bare), "", "", ""],
        row("no answer (timeout, connection)", "no_answer", 0, show_ratio=False),
        ["200 without a receipt code", fmt(app["receipts_missing"]), "-", "", "", ""],
        row("server CPU / request (ms)", "server_cpu_per_request_ms", 2),
        row("server CPU (% of a core)", "server_cpu_percent", 0),
        *([row("PostgreSQL CPU / request (ms)", "database_cpu_per_request_ms", 2),
           row("PostgreSQL CPU (% of a core)", "database_cpu_percent", 0)] if kind == "postgresql" else []),
        row("client CPU (% of a core)", "client_cpu_percent", 0, show_ratio=False),
        row("other processes' CPU (% of a core)", "other_cpu_percent", 0, show_ratio=False),
    ]
    print()
    print(f"{kind}: {settings.clients} clients, {settings.duration:g} s measured after {settings.warmup:g} s warm-up,"
          f" {settings.rounds} round(s), gunicorn -k gthread -w 1 --threads {settings.threads}; "
          f"scenario {settings.scenario}, {data['plan']['polls']} open poll(s), {data['plan']['members']} members")
    print_table(["metric", "ballot (app)", "bare insert", "ratio", "goal", "verdict"], rows)


def print_report(settings: Settings, results: dict) -> list[str]:
    """Both detailed tables, the summary table with one row per database, notes and the verdict."""
    measured = {kind: data for kind, data in results.items() if "summary" in data}
    for kind, data in measured.items():
        print_database(kind, settings, data)
    rows = []
    for kind, data in measured.items():
        app, bare = data["summary"]["app"], data["summary"]["bare"]
        integrity = app["integrity"]
        r = ratio(app["ok_per_second"], bare["ok_per_second"])
        rows.append([kind, fmt(bare["ok_per_second"], 0), fmt(app["ok_per_second"], 0),
                     f"{r:.2f} {_verdict(data['goals'][0])}" if r is not None else "-",
                     f"{fmt(bare['p50_ms'])} / {fmt(bare['p99_ms'])}", f"{fmt(app['p50_ms'])} / {fmt(app['p99_ms'])}",
                     f"{app['acknowledged']} / {integrity['rows']} / {integrity['participations']}",
                     f"{integrity['lost']} / {integrity['doubled']} "
                     f"{'MET' if data['goals'][1]['pass'] and data['goals'][2]['pass'] else 'NOT MET'}",
                     f"{app['fivexx']} {_verdict(data['goals'][3])}"])
    print()
    print(f"Vote throughput, {settings.clients} concurrent clients (ratio goal >= {GOAL_RATIO}; lost, doubled, 5xx "
          "goal 0)")
    print_table(["database", "bare req/s", "ballot req/s", "ratio", "bare p50/p99 ms", "ballot p50/p99 ms",
                 "acked / ballots / participations", "lost / doubled", "5xx"], rows)

    notes = []
    for kind, data in results.items():
        if "skipped" in data:
            notes.append(f"{kind} not measured: {data['skipped']}")
            continue
        for name, result in data["summary"].items():
            if result["out_of_polls"]:
                notes.append(f"{kind} {name}: {result['out_of_polls']} client(s) ran out of ballots before the end; "
                             "rerun with more --members (one-poll) or --polls (spread)")
            if result["server_errors"]:
                exception = [line for line in result["server_errors"][0].splitlines() if line.strip()][-1]
                notes.append(f"{kind} {name}: {len(result['server_errors'])} error(s) in the server log, the first: "
                             f"{exception.strip()} (full text in the JSON, server_errors)")
            if result["fivexx_latency_ms"]:
                notes.append(f"{kind} {name}: the 5xx answers came after {result['fivexx_latency_ms']} ms")
            if result["no_answer"]:
                notes.append(f"{kind} {name}: {result['no_answer']} request(s) got no answer (timeout or connection)")
            if (result.get("client_cpu_percent") or 0) >= 85:
                notes.append(f"{kind} {name}: the client used {result['client_cpu_percent']:.0f} % of a core; "
                             "the client may be the limit")
            if (result.get("other_cpu_percent") or 0) > 25:
                notes.append(f"{kind} {name}: other processes used {result['other_cpu_percent']:.0f} % of a core "
                             f"({os.cpu_count()} cores) while measuring; the ratio is noisy")
        integrity = data["summary"]["app"]["integrity"]
        if integrity["rows"] != integrity["participations"]:
            notes.append(f"{kind}: {integrity['rows']} ballots but {integrity['participations']} participations")
        if integrity["counters"] != integrity["rows"]:
            notes.append(f"{kind}: the yes/no/abstain counters sum to {integrity['counters']} for {integrity['rows']} "
                         "ballots")
        if integrity["turnout_counter"] not in (0, integrity["participations"]):
            notes.append(f"{kind}: the _cast counter says {integrity['turnout_counter']} for "
                         f"{integrity['participations']} participations")
        if integrity["unanswered_rows"]:
            notes.append(f"{kind}: {integrity['unanswered_rows']} ballot(s) stored for requests that got no answer")
    for note in notes:
        print(f"note: {note}")
    all_goals = [g for data in measured.values() for g in data["goals"]]
    failed = [g["metric"] for g in all_goals if not g["pass"]]
    print()
    print("VERDICT: " + ("all goals MET" if not failed else f"NOT MET ({len(failed)} of {len(all_goals)} goals "
                                                          f"missed: {', '.join(failed)})"))
    return notes
