"""The open-loop scheduler, the closed-loop driver, latency figures and goal verdicts (no timed assertion)."""

from __future__ import annotations

import asyncio
import random

import pytest

from benchmarks.openloop import (
    Result,
    goal,
    latency_figures,
    merge_schedules,
    poisson_schedule,
    rate_in_window,
    ratio,
    run_closed_loop,
    run_open_loop,
    steady_schedule,
    verdict_line,
)


def test_a_steady_schedule_spaces_requests_evenly_from_the_offset():
    times = steady_schedule(5000, 84)

    assert len(times) == 5000
    assert times[0] == 0.0
    assert times[1] == pytest.approx(1 / 84)
    assert times[-1] == pytest.approx(4999 / 84)  # all 5,000 within 60 s
    assert steady_schedule(3, 2, offset=10) == [10.0, 10.5, 11.0]


def test_a_poisson_schedule_has_the_asked_rate_and_stays_in_its_window():
    times = poisson_schedule(25, 400, random.Random(1))

    assert times == sorted(times)
    assert all(0 < t < 400 for t in times)
    assert len(times) / 400 == pytest.approx(25, rel=0.05)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert sum(gaps) / len(gaps) == pytest.approx(1 / 25, rel=0.05)


def test_a_rate_of_zero_is_refused():
    with pytest.raises(ValueError):
        steady_schedule(3, 0)
    with pytest.raises(ValueError):
        poisson_schedule(0, 10, random.Random(1))


def test_schedules_of_several_users_merge_in_time_order():
    merged = merge_schedules({1: [0.5, 2.0], 2: [0.1, 1.0]})

    assert merged == [(0.1, 2), (0.5, 1), (1.0, 2), (2.0, 1)]


def test_the_open_loop_starts_a_request_when_due_even_while_earlier_ones_are_unanswered():
    started_while_busy = []
    in_flight = 0

    async def send(item, due):
        nonlocal in_flight
        started_while_busy.append(in_flight)
        in_flight += 1
        await asyncio.sleep(0.2)  # every answer takes longer than the gap between requests
        in_flight -= 1
        return Result("x", due, due, due + 0.2, 200, extra={"item": item})

    results = asyncio.run(run_open_loop([(0.0, "a"), (0.01, "b"), (0.02, "c")], send))

    assert [r.extra["item"] for r in results] == ["a", "b", "c"]
    assert started_while_busy == [0, 1, 2]  # b and c did not wait for a


def test_the_closed_loop_stops_a_user_with_nothing_left_to_send():
    sent = []

    async def send(user, now):
        if len(sent) >= 5:
            return None
        sent.append(user)
        await asyncio.sleep(0)
        return Result("x", now, now, now, 200)

    results, start, end = asyncio.run(run_closed_loop(2, 30, send, warmup=0))

    assert len(results) == 5
    assert end - start == 30


def test_latency_is_counted_from_the_due_time_not_from_a_late_start():
    late = Result("ballot", due=10.0, started=10.5, ended=10.6, status=200)

    assert late.ms == pytest.approx(600)
    assert late.start_lag_ms == pytest.approx(500)


def test_latency_figures_are_nearest_rank_percentiles():
    figures = latency_figures([float(v) for v in range(1, 101)])

    assert (figures["p50_ms"], figures["p95_ms"], figures["p99_ms"], figures["max_ms"]) == (50, 95, 99, 100)
    assert latency_figures([])["p95_ms"] is None


def test_a_rate_counts_good_answers_that_ended_inside_the_window():
    results = [Result("x", 0, 0, 0.5, 200), Result("x", 1, 1, 1.5, 200), Result("x", 1, 1, 1.6, 400),
               Result("x", 2, 2, 3.5, 200)]

    figures = rate_in_window(results, 1.0, 3.0, lambda r: r.status == 200)

    assert figures["ok_per_second"] == 0.5
    assert figures["in_window"] == 2
    assert figures["bad_in_window"] == 1


def test_goals_pass_only_with_a_value_that_meets_the_target():
    assert goal("p95", 299.9, "<", 300)["pass"]
    assert not goal("p95", 300, "<", 300)["pass"]
    assert not goal("p95", None, "<", 300)["pass"]
    assert not goal("ratio", float("nan"), ">=", 0.6)["pass"]
    row = goal("ratio", ratio(60, 100), ">=", 0.6, app=60, anchor=100)
    assert row == {"metric": "ratio", "value": 0.6, "app": 60, "anchor": 100, "goal": ">= 0.6", "pass": True}
    assert ratio(1, 0) is None and ratio(None, 2) is None


def test_the_verdict_line_names_the_goals_not_met():
    assert verdict_line([goal("a", 0, "==", 0)]) == "VERDICT: all 1 goals MET"
    assert "b" in verdict_line([goal("a", 0, "==", 0), goal("b", 1, "==", 0)])
