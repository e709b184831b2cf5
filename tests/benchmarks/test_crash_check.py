"""The crash test's row checks: acknowledged ballots against the rows, orphans, counters."""

from __future__ import annotations

from benchmarks.crash_check import _counter_mismatches, _lost_ballots, _orphans, receipt_hash

RECEIPT = "AAAA-BBBB-CCCC-DDDD"


def test_an_acknowledged_ballot_needs_its_ballot_and_its_participation():
    acked = [{"poll_id": 1, "voter_id": 7, "receipt": RECEIPT, "secret": False}]
    ballots = [(1, 7, receipt_hash(RECEIPT), '"yes"')]

    assert _lost_ballots(acked, ballots, {(1, 7)}) == []
    assert len(_lost_ballots(acked, ballots, set())) == 1  # no participation
    assert len(_lost_ballots(acked, [], {(1, 7)})) == 1  # no ballot
    assert len(_lost_ballots(acked, [(1, 8, receipt_hash(RECEIPT), '"yes"')], {(1, 7)})) == 1  # someone else's


def test_a_secret_ballot_is_found_by_its_receipt_alone():
    acked = [{"poll_id": 2, "voter_id": 7, "receipt": RECEIPT.lower().replace("-", ""), "secret": True}]

    assert _lost_ballots(acked, [(2, None, receipt_hash(RECEIPT), '"no"')], {(2, 7)}) == []


def test_orphans_per_member_on_open_polls_and_per_poll_on_secret_ones():
    ballots = [(1, 7, "h1", '"yes"'), (1, 8, "h2", '"no"'), (2, None, "h3", '"yes"'), (2, None, "h4", '"no"')]
    participations = {(1, 7), (1, 9), (2, 7)}

    orphans = _orphans({1: False, 2: True}, ballots, participations)

    assert orphans == {"participations_without_ballot": 1, "ballots_without_participation": 1,
                       "secret_poll_difference": 1, "open_ballots_without_voter": 0}


def test_counters_must_equal_the_ballots_and_turnout_the_participations():
    ballots = [(1, 7, "h1", '"yes"'), (1, 8, "h2", '"no"')]
    counters = [(1, "yes", 1), (1, "no", 0), (1, "abstain", 0), (1, "_cast", 2)]

    mismatches = _counter_mismatches({1: "yes_no_abstain"}, ballots, {(1, 7), (1, 8)}, counters)

    assert mismatches == [(1, "no", 0, 1)]
