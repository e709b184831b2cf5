"""The scale benchmark's crossing count: deliveries from one process's sender to the other process's clients."""

from __future__ import annotations

from benchmarks.scale import crossings


def raw_run(deliveries):
    # two messages, the first sent through process 0, the second through process 1; four receivers, 0 1 0 1
    return {"client_ids": ["m0", "m1"], "sent_at": [10.0, 11.0], "sender_nodes": [0, 1],
            "receiver_nodes": [0, 1, 0, 1], "deliveries": deliveries}


def test_every_message_reaching_the_other_process_is_one_crossing():
    everyone = [(r, cid, 12.0) for r in range(4) for cid in ("m0", "m1")]

    result = crossings(raw_run(everyone + [(1, "m0", 13.0), (0, "foreign", 12.0)]))

    assert result["expected_crossings"] == 4  # m0 to receivers 1 and 3, m1 to receivers 0 and 2
    assert result["crossed"] == 4  # the duplicate and the unknown message are not counted
    assert result["crossed_ratio"] == 1.0
    assert result["cross_p99_ms"] == 2000.0


def test_a_message_that_stays_on_its_process_is_a_missing_crossing():
    same_process_only = [(0, "m0", 12.0), (2, "m0", 12.0), (1, "m1", 12.0), (3, "m1", 12.0)]

    result = crossings(raw_run(same_process_only))

    assert result["crossed"] == 0
    assert result["crossed_ratio"] == 0.0
