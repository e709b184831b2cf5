"""The load test's numbers: per-page latency, error rate, socket deliveries, server memory; goals and the table."""

from __future__ import annotations

from collections import defaultdict

from .harness import fmt, percentile, print_table

#: the server's RSS may grow at most this much over the second half of the run (a leak grows steadily; the first half
#: holds the sockets' buffers and the caches filling up)
GOAL_SECOND_HALF_GROWTH = 0.10
#: other processes busier than this (percent of a core) make the latencies a measure of the machine, not the app
BUSY_PERCENT = 25


def page_stats(records) -> dict:
    """Per page name: answers, errors, p50/p95/p99 and max latency (ms) of the answered ones."""
    by_page = defaultdict(list)
    for record in records:
        by_page[record.page].append(record)
    out = {}
    for page, rows in sorted(by_page.items()):
        latencies = sorted(r.ms for r in rows if r.status is not None)
        out[page] = {"requests": len(rows), "errors": sum(1 for r in rows if r.error),
                     "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
                     "p99_ms": percentile(latencies, 99), "max_ms": latencies[-1] if latencies else None}
    return out


def delivery_stats(posted: dict, stored: set, receivers: dict, deliveries) -> dict:
    """Stored messages against the clients of their room: expected, received (once each), lost, latency (ms).

    posted: client_id -> (room_id, sent at); stored: client ids found in the database; receivers: room_id ->
    client indexes joined there; deliveries: (client index, client_id, arrival)."""
    seen, latencies, foreign = set(), [], 0
    for index, client_id, arrived in deliveries:
        if client_id not in posted:
            foreign += 1
            continue
        if (index, client_id) in seen:
            continue
        seen.add((index, client_id))
        latencies.append((arrived - posted[client_id][1]) * 1000)
    expected = sum(len(receivers.get(posted[c][0], ())) for c in stored if c in posted)
    received = sum(1 for index, client_id in seen if client_id in stored)
    latencies.sort()
    return {"messages_posted": len(posted), "messages_stored": len(stored), "expected": expected,
            "received": received, "lost": expected - received, "ratio": received / expected if expected else None,
            "other_messages": foreign, "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "p99_ms": percentile(latencies, 99), "max_ms": latencies[-1] if latencies else None}


def memory_stats(samples: list[tuple[float, int]], start: float, connected: float, stop: float) -> dict:
    """The worker's RSS (MB) when the server answered, after the sockets joined, mid-run and at the end."""
    def at(moment: float) -> float | None:
        before = [rss for t, rss in samples if t <= moment]
        return before[-1] / 1024 if before else None

    middle = connected + (stop - connected) / 2
    values = {"start_mb": at(start), "connected_mb": at(connected), "middle_mb": at(middle), "end_mb": at(stop),
              "max_mb": max(rss for _t, rss in samples) / 1024 if samples else None}
    if None not in (values["start_mb"], values["end_mb"], values["middle_mb"]):
        values["growth_mb"] = values["end_mb"] - values["start_mb"]
        values["second_half_growth_mb"] = values["end_mb"] - values["middle_mb"]
        values["second_half_growth"] = values["second_half_growth_mb"] / values["middle_mb"]
    return values


def goals(kind: str, summary: dict) -> list[dict]:
    """Error rate 0, every delivery received, bounded memory growth (latencies are reported, not judged: on a
    shared machine they measure the machine as much as the app, and there is no anchor to divide them by)."""
    errors, memory, deliveries = summary["errors"], summary["memory"], summary["deliveries"]
    growth = memory.get("second_half_growth")
    return [
        {"metric": f"{kind}: error rate (HTTP errors, socket errors, lost deliveries)", "value": errors["rate"],
         "app": errors["count"], "anchor": errors["operations"], "goal": "== 0", "pass": errors["count"] == 0},
        {"metric": f"{kind}: socket deliveries received / expected", "value": deliveries["ratio"],
         "app": deliveries["received"], "anchor": deliveries["expected"], "goal": "== 1.0",
         "pass": deliveries["ratio"] == 1.0},
        {"metric": f"{kind}: server RSS growth over the second half", "value": growth, "app": memory.get("end_mb"),
         "anchor": memory.get("middle_mb"), "goal": f"<= {GOAL_SECOND_HALF_GROWTH}",
         "pass": growth is not None and growth <= GOAL_SECOND_HALF_GROWTH},
    ]


def print_database(kind: str, settings, result: dict) -> None:
    """The page table, the sockets, memory and errors of one database."""
    summary = result["summary"]
    print()
    print(f"{kind}: {settings.users} HTTP users and {settings.sockets} sockets in {settings.rooms} rooms for "
          f"{summary['seconds']:.0f} s on the {result['plan']['data']} data set ({result['plan']['dialect']})")
    rows = [[name, str(p["requests"]), str(p["errors"]), fmt(p["p50_ms"]), fmt(p["p95_ms"]), fmt(p["p99_ms"]),
             fmt(p["max_ms"])] for name, p in summary["pages"].items()]
    d = summary["deliveries"]
    rows.append(["socket delivery (post -> receiver)", str(d["received"]), str(d["lost"]), fmt(d["p50_ms"]),
                 fmt(d["p95_ms"]), fmt(d["p99_ms"]), fmt(d["max_ms"])])
    print_table(["page", "answers", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"], rows)
    e, m = summary["errors"], summary["memory"]
    print(f"  requests {e['http_requests']} ({e['http_requests'] / summary['seconds']:.1f}/s), votes "
          f"{summary['votes']}, messages posted {d['messages_posted']} (stored {d['messages_stored']}), comments "
          f"{summary['comments']}; deliveries {d['received']}/{d['expected']}")
    print(f"  errors: HTTP {e['http']}, socket {e['socket']}, lost deliveries {d['lost']}: rate {fmt(e['rate'], 4)}"
          + (f"; first: {e['examples'][0]}" if e["examples"] else ""))
    print(f"  server RSS (MB): start {fmt(m['start_mb'])}, sockets joined {fmt(m['connected_mb'])}, middle "
          f"{fmt(m['middle_mb'])}, end {fmt(m['end_mb'])}, max {fmt(m['max_mb'])}; growth {fmt(m.get('growth_mb'))} "
          f"MB in all, {fmt(m.get('second_half_growth_mb'))} MB over the second half")
    c = summary["cpu"]
    print(f"  CPU: server {fmt(c['server_percent'], 0)} %, this client {fmt(c['client_percent'], 0)} %, other "
          f"processes {fmt(c['other_percent'], 0)} % of a core; client event-loop lag p99 "
          f"{fmt(c['loop_lag_p99_ms'])} ms; sockets connected in {fmt(summary['sockets']['connect_seconds'])} s, "
          f"joined in {fmt(summary['sockets']['join_seconds'])} s")
    if (c["other_percent"] or 0) > BUSY_PERCENT:
        print(f"  note: other processes used {c['other_percent']:.0f} % of a core meanwhile: the latencies are noisy; "
              "rerun on a quiet machine to compare them")
