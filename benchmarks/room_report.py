"""Room fan-out results: per-delivery analysis, medians over rounds, the goals and the printed report."""

from __future__ import annotations

import os
from collections import Counter
from typing import TYPE_CHECKING

from .harness import fmt, median, percentile, print_table

if TYPE_CHECKING:
    from .room import Settings

GOAL_P99_RATIO = 1.5
GOAL_CPU_RATIO = 2.0


def analyse(raw: dict, settings: Settings) -> dict:
    """Per-delivery latency, losses, duplicates, last-receiver latency, acks, CPU per delivery."""
    count = len(raw["client_ids"])
    seq_of = {cid: seq for seq, cid in enumerate(raw["client_ids"])}
    sent_at = raw["sent_at"]
    seen: set[tuple[int, int]] = set()
    latencies: list[float] = []
    last: list[float | None] = [None] * count
    duplicates = unknown = 0
    for receiver, cid, t in raw["deliveries"]:
        seq = seq_of.get(cid)
        if seq is None:
            unknown += 1
            continue
        if (receiver, seq) in seen:
            duplicates += 1
            continue
        seen.add((receiver, seq))
        latency = (t - sent_at[seq]) * 1000
        latencies.append(latency)
        if last[seq] is None or latency > last[seq]:
            last[seq] = latency
    latencies.sort()
    last_sorted = sorted(v for v in last if v is not None)
    expected = settings.clients * count
    delivered = len(seen)
    acked = [a for a in raw["acks"] if a is not None]
    refused = Counter(
        str(a[1].get("error")) if isinstance(a[1], dict) else repr(a[1])
        for a in acked if not (isinstance(a[1], dict) and a[1].get("ok"))
    )
    ack_ms = sorted((a[0] - sent_at[seq]) * 1000 for seq, a in enumerate(raw["acks"]) if a is not None)
    lag_ms = [(s - sch) * 1000 for s, sch in zip(sent_at, raw["scheduled"], strict=True) if s is not None]
    sends = [s for s in sent_at if s is not None]
    send_rate = (len(sends) - 1) / (sends[-1] - sends[0]) if len(sends) > 1 and sends[-1] > sends[0] else None
    window = raw["window_seconds"]
    return {
        "clients": settings.clients,
        "messages": count,
        "expected": expected,
        "delivered": delivered,
        "delivered_ratio": delivered / expected if expected else None,
        "lost": expected - delivered,
        "duplicates": duplicates,
        "unknown": unknown,
        "acks": len(acked),
        "refused": sum(refused.values()),
        "refused_reasons": dict(refused),
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1] if latencies else None,
        "last_receiver_p50_ms": percentile(last_sorted, 50),
        "last_receiver_p99_ms": percentile(last_sorted, 99),
        "last_receiver_max_ms": last_sorted[-1] if last_sorted else None,
        "slowest_messages": sorted(((round(v, 1), seq) for seq, v in enumerate(last) if v is not None),
                                   reverse=True)[:5],
        # per message: [seq, sent (ms after the first send), send->ack ms, last receiver ms]
        "timeline": [
            [seq, round((sent_at[seq] - sent_at[0]) * 1000, 1),
             round((a[0] - sent_at[seq]) * 1000, 1) if a is not None else None,
             round(last[seq], 1) if last[seq] is not None else None]
            for seq, a in enumerate(raw["acks"]) if sent_at[seq] is not None
        ],
        "ack_p50_ms": percentile(ack_ms, 50),
        "ack_p99_ms": percentile(ack_ms, 99),
        "send_rate": send_rate,
        "send_lag_max_ms": max(lag_ms) if lag_ms else None,
        "server_cpu_seconds": raw["server_cpu_seconds"],
        "server_cpu_per_delivery_us": raw["server_cpu_seconds"] / delivered * 1e6 if delivered else None,
        "server_cpu_percent": raw["server_cpu_seconds"] / window * 100 if window else None,
        "client_cpu_seconds": raw["client_cpu_seconds"],
        "client_cpu_per_delivery_us": raw["client_cpu_seconds"] / delivered * 1e6 if delivered else None,
        "client_cpu_percent": raw["client_cpu_seconds"] / window * 100 if window else None,
        "other_cpu_percent": raw["other_cpu_seconds"] / window * 100 if window else None,
        "client_loop_lag_p99_ms": percentile(sorted(raw["loop_lags_ms"]), 99),
        "client_loop_lag_max_ms": max(raw["loop_lags_ms"]) if raw["loop_lags_ms"] else None,
        "window_seconds": window,
        "drain_seconds": raw["drain_seconds"],
        "connect_seconds": raw["connect_seconds"],
        "join_acks_seconds": raw["join_acks_seconds"],
        "join_seconds": raw["join_seconds"],
        "join_server_cpu_seconds": raw["join_server_cpu_seconds"],
        "join_events": raw["join_events"],
        "leave_seconds": raw.get("leave_seconds"),
        "other_events_while_sending": raw["send_events_other"],
    }


def summarise(rounds: list[dict]) -> dict:
    """Median over rounds of every numeric figure (the only value when there is one round)."""
    summary = {}
    for key, value in rounds[0].items():
        if key == "timeline":
            continue
        if isinstance(value, dict):  # event and refusal counts: summed over the rounds
            summary[key] = dict(sum((Counter(r[key]) for r in rounds), Counter()))
        elif isinstance(value, list):  # slowest messages: the slowest of all rounds
            summary[key] = sorted((item for r in rounds for item in r[key]), reverse=True)[:5]
        elif isinstance(value, int | float) or value is None:
            values = [r[key] for r in rounds if r.get(key) is not None]
            summary[key] = values[0] if len(set(values)) == 1 else median(values)
        else:
            summary[key] = value
    for key in ("lost", "duplicates", "refused"):  # worst round, not the median
        summary[key] = max(r[key] for r in rounds)
    return summary


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def goals(app: dict, bare: dict) -> list[dict]:
    p99 = ratio(app["p99_ms"], bare["p99_ms"])
    cpu = ratio(app["server_cpu_per_delivery_us"], bare["server_cpu_per_delivery_us"])
    return [
        {"metric": "lost deliveries (app)", "value": app["lost"], "app": app["lost"], "anchor": bare["lost"],
         "goal": "== 0", "pass": app["lost"] == 0},
        {"metric": "p99 latency app / bare", "value": p99, "app": app["p99_ms"], "anchor": bare["p99_ms"],
         "goal": f"<= {GOAL_P99_RATIO}", "pass": p99 is not None and p99 <= GOAL_P99_RATIO},
        {"metric": "server CPU per delivery app / bare", "value": cpu, "app": app["server_cpu_per_delivery_us"],
         "anchor": bare["server_cpu_per_delivery_us"], "goal": f"<= {GOAL_CPU_RATIO}",
         "pass": cpu is not None and cpu <= GOAL_CPU_RATIO},
    ]


def print_report(settings: Settings, plan: dict, app: dict, bare: dict, goal_results: list[dict]) -> list[str]:
    by_metric = {g["metric"]: g for g in goal_results}

    def verdict(name):
        return "PASS" if by_metric[name]["pass"] else "FAIL"

    def row(label, key, digits=1, goal="", check="", show_ratio=True):
        a, b = app.get(key), bare.get(key)
        r = ratio(a, b) if show_ratio else None
        return [label, fmt(a, digits), fmt(b, digits), f"{r:.2f}x" if r is not None else "", goal, check]

    rows = [
        ["clients x messages", f"{app['clients']} x {app['messages']}", f"{bare['clients']} x {bare['messages']}",
         "", "", ""],
        row("delivered / expected", "delivered_ratio", 4, "1.0", "", show_ratio=False),
        row("lost deliveries", "lost", 0, "app == 0", verdict("lost deliveries (app)"), show_ratio=False),
        row("duplicate deliveries", "duplicates", 0, "", "", show_ratio=False),
        row("sends refused by server", "refused", 0, "", "", show_ratio=False),
        row("latency p50 (ms)", "p50_ms"),
        row("latency p99 (ms)", "p99_ms", 1, f"<= {GOAL_P99_RATIO}x bare", verdict("p99 latency app / bare")),
        row("latency max (ms)", "max_ms"),
        row("last receiver p50 (ms)", "last_receiver_p50_ms"),
        row("last receiver p99 (ms)", "last_receiver_p99_ms"),
        row("send -> ack p50 (ms)", "ack_p50_ms"),
        row("send -> ack p99 (ms)", "ack_p99_ms"),
        row("server CPU / delivery (us)", "server_cpu_per_delivery_us", 1, f"<= {GOAL_CPU_RATIO}x bare",
            verdict("server CPU per delivery app / bare")),
        row("server CPU (% of a core)", "server_cpu_percent", 0),
        row("client CPU / delivery (us)", "client_cpu_per_delivery_us"),
        row("client CPU (% of a core)", "client_cpu_percent", 0),
        row("other processes' CPU (% of a core)", "other_cpu_percent", 0, "", "", show_ratio=False),
        row("client loop lag p99 (ms)", "client_loop_lag_p99_ms"),
        row("client loop lag max (ms)", "client_loop_lag_max_ms"),
        row("send rate achieved (msg/s)", "send_rate"),
        row("connect (s)", "connect_seconds", 2),
        row("join until quiet (s)", "join_seconds", 2),
        row("server CPU during join (s)", "join_server_cpu_seconds", 2),
        row("disconnect all (s)", "leave_seconds", 2),
    ]
    print()
    print(f"Room fan-out: {settings.clients} clients, {settings.rate:g} msg/s for {settings.duration:g} s "
          f"({settings.messages} messages), {settings.rounds} round(s), "
          f"gunicorn -k gthread -w 1 --threads {settings.threads}; sender rotates over {len(plan['senders'])} "
          f"account(s)")
    print_table(["metric", "app", "bare", "ratio", "goal", "verdict"], rows)

    notes = []
    if app["refused"]:
        notes.append(f"the app refused {app['refused']} sends: {app['refused_reasons']}")
    if bare["lost"]:
        notes.append(f"the bare server lost {bare['lost']} deliveries: the anchor itself is overloaded")
    for name, result in (("app", app), ("bare", bare)):
        if (result["client_cpu_percent"] or 0) >= 85:
            notes.append(f"{name} run: the client process used {result['client_cpu_percent']:.0f} % of a core, "
                         "so its latencies include client-side queueing (the client saturates first)")
        if (result["client_loop_lag_p99_ms"] or 0) > 20:
            notes.append(f"{name} run: the client's event loop woke up to {result['client_loop_lag_max_ms']:.0f} ms "
                         f"late (p99 {result['client_loop_lag_p99_ms']:.0f} ms); part of the tail is the client")
        if result["other_events_while_sending"]:
            notes.append(f"{name} run: other events while sending: {result['other_events_while_sending']}")
    busy = max(app["other_cpu_percent"] or 0, bare["other_cpu_percent"] or 0)
    if busy > 25:
        notes.append(f"other processes used up to {busy:.0f} % of a core ({os.cpu_count()} cores) while measuring: "
                     "the ratios are noisy; rerun on a quiet machine or with --full (3 alternating rounds, medians)")
    if app.get("join_events"):
        notes.append(f"app join pushes received by clients (all rounds): {app['join_events']}")
    for note in notes:
        print(f"note: {note}")
    failed = [g["metric"] for g in goal_results if not g["pass"]]
    print()
    print("VERDICT: " + ("PASS (all goals met)" if not failed else f"FAIL ({len(failed)} of {len(goal_results)} "
                                                                    f"goals missed: {', '.join(failed)})"))
    return notes


# --------------------------------------------------------------------------------------------------------------
# Orchestration
