"""The load test's figures: deliveries matched to stored messages and receivers, the server's memory over time."""

from __future__ import annotations

import pytest

from benchmarks.load_report import delivery_stats, memory_stats


def test_every_stored_message_is_expected_once_at_every_client_of_its_room():
    posted = {"a": (1, 10.0), "b": (2, 11.0), "never-stored": (1, 12.0)}
    receivers = {1: [0, 1], 2: [2]}
    deliveries = [(0, "a", 10.1), (1, "a", 10.3), (0, "a", 10.5), (2, "other", 10.0)]

    stats = delivery_stats(posted, {"a", "b"}, receivers, deliveries)

    assert (stats["expected"], stats["received"], stats["lost"]) == (3, 2, 1)  # b never reached client 2
    assert stats["other_messages"] == 1  # a message nobody in this run posted
    assert stats["p50_ms"] == pytest.approx(100.0)
    assert stats["max_ms"] == pytest.approx(300.0)


def test_memory_is_read_at_each_moment_and_growth_over_the_second_half():
    samples = [(0.0, 100 * 1024), (5.0, 150 * 1024), (10.0, 160 * 1024), (20.0, 176 * 1024)]

    memory = memory_stats(samples, start=0.0, connected=5.0, stop=20.0)

    assert (memory["start_mb"], memory["connected_mb"], memory["middle_mb"], memory["end_mb"]) == (100, 150, 160, 176)
    assert memory["growth_mb"] == 76
    assert memory["second_half_growth"] == pytest.approx(0.1)
