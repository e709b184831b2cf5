"""The pure yes / no / abstain and approval tallies: thresholds, quorum and tie boundaries, malformed input."""

from __future__ import annotations

from fractions import Fraction

import pytest

from stac_youth.polls.tally import (
    ABSTAIN,
    APPROVAL_TIE_RULE,
    NO,
    YES,
    Outcome,
    Threshold,
    percent,
    tally_approval,
    tally_yes_no_abstain,
)

from .tally_helpers import SIMPLE, TWO_THIRDS, votes

# ---------------------------------------------------------------------------------------------------------------
# yes / no / abstain


def test_exactly_half_yes_does_not_pass_a_simple_majority():
    result = tally_yes_no_abstain(votes(yes=5, no=5), eligible=10, quorum=Fraction(1, 2), threshold=SIMPLE)
    assert result.outcome is Outcome.NOT_PASSED
    assert result.yes_share == 50.0
    assert tally_yes_no_abstain(votes(yes=6, no=5), 11, Fraction(1, 2), SIMPLE).outcome is Outcome.PASSED


def test_exactly_two_thirds_passes_two_thirds_and_just_below_does_not():
    assert tally_yes_no_abstain(votes(yes=20, no=10), 30, 0, TWO_THIRDS).outcome is Outcome.PASSED
    below = tally_yes_no_abstain(votes(yes=19, no=10), 30, 0, TWO_THIRDS)
    assert below.outcome is Outcome.NOT_PASSED
    assert below.yes_share == 65.5  # 19/29 = 65.517...
    assert tally_yes_no_abstain(votes(yes=2, no=1), 3, 0, TWO_THIRDS).outcome is Outcome.PASSED
    # Exact fractions at the boundary, however large the counts.
    assert TWO_THIRDS.met(2_000_000, 1_000_000) and not TWO_THIRDS.met(1_999_999, 1_000_000)
    assert not SIMPLE.met(1_000_000, 1_000_000) and SIMPLE.met(1_000_001, 1_000_000)


def test_abstentions_change_turnout_but_not_the_yes_share():
    without = tally_yes_no_abstain(votes(yes=3, no=1), 10, 0, SIMPLE)
    with_abstentions = tally_yes_no_abstain(votes(yes=3, no=1, abstain=4), 10, 0, SIMPLE)
    assert (without.turnout, with_abstentions.turnout) == (40.0, 80.0)
    assert without.yes_share == with_abstentions.yes_share == 75.0
    assert without.outcome is with_abstentions.outcome is Outcome.PASSED
    assert with_abstentions.counts == {YES: 3, NO: 1, ABSTAIN: 4}
    assert with_abstentions.percentages == {YES: 37.5, NO: 12.5, ABSTAIN: 50.0}
    assert with_abstentions.cast == 8


def test_abstentions_alone_never_pass():
    for threshold in Threshold:
        result = tally_yes_no_abstain(votes(abstain=4), 4, Fraction(1, 2), threshold)
        assert result.quorum_met and result.outcome is Outcome.NOT_PASSED and result.yes_share == 0.0


def test_quorum_just_below_and_at():
    below = tally_yes_no_abstain(votes(yes=1), 3, Fraction(2, 3), SIMPLE)
    at = tally_yes_no_abstain(votes(yes=1, abstain=1), 3, Fraction(2, 3), SIMPLE)
    assert (below.quorum_met, below.outcome) == (False, Outcome.NO_QUORUM)
    assert (at.quorum_met, at.outcome, at.turnout) == (True, Outcome.PASSED, 66.7)
    # A float quorum is read as written: 0.1 is exactly 1/10, so 1 of 10 meets it (Fraction(0.1) would not).
    assert tally_yes_no_abstain(votes(yes=1), 10, 0.1, SIMPLE).quorum_met
    assert not tally_yes_no_abstain(votes(yes=9), 100, 0.1, SIMPLE).quorum_met


def test_zero_eligible_and_empty_ballots():
    no_quorum = tally_yes_no_abstain([], eligible=0, quorum=Fraction(1, 2), threshold=SIMPLE)
    assert (no_quorum.cast, no_quorum.turnout, no_quorum.quorum_met) == (0, 0.0, False)
    assert no_quorum.outcome is Outcome.NO_QUORUM
    assert no_quorum.percentages == {YES: 0.0, NO: 0.0, ABSTAIN: 0.0}
    assert tally_yes_no_abstain([], 0, 0, SIMPLE).outcome is Outcome.NOT_PASSED
    assert tally_yes_no_abstain(iter([]), 5, Fraction(1, 5), SIMPLE).outcome is Outcome.NO_QUORUM


@pytest.mark.parametrize("ballots, eligible, quorum, threshold", [
    (["Yes"], 1, 0, SIMPLE),  # unknown choice
    ([None], 1, 0, SIMPLE),
    ([["yes"]], 1, 0, SIMPLE),  # unhashable: malformed
    (votes(yes=3), 2, 0, SIMPLE),  # more ballots than eligible voters
    (votes(yes=1), -1, 0, SIMPLE),
    (votes(yes=1), 1, Fraction(3, 2), SIMPLE),
    (votes(yes=1), 1, -0.1, SIMPLE),
    (votes(yes=1), 1, "1/2", SIMPLE),
    (votes(yes=1), 1, 0, "simple_majority"),
])
def test_yes_no_abstain_rejects_malformed_input(ballots, eligible, quorum, threshold):
    with pytest.raises(ValueError):
        tally_yes_no_abstain(ballots, eligible, quorum, threshold)


def test_thresholds_describe_themselves():
    assert "strictly more than half" in SIMPLE.description
    assert "two thirds" in TWO_THIRDS.description
    assert percent(2, 3) == 66.7 and percent(1, 16) == 6.3 and percent(1, 0) == 0.0  # half up, not half even


# ---------------------------------------------------------------------------------------------------------------
# approval


def test_approval_ranks_options_by_approvals():
    ballots = [frozenset({1, 2}), frozenset({2}), frozenset({2, 3}), frozenset({4, 2}), frozenset()]
    result = tally_approval(ballots, options=[1, 2, 3, 4], eligible=10, quorum=Fraction(1, 2))
    assert [(e.option, e.approvals, e.percent) for e in result.ranking] == [
        (2, 4, 80.0), (1, 1, 20.0), (3, 1, 20.0), (4, 1, 20.0)]
    assert (result.cast, result.turnout, result.winner, result.outcome) == (5, 50.0, 2, Outcome.PASSED)


def test_approval_ties_follow_the_poll_order_and_a_tie_for_first_decides_no_winner():
    ballots = [frozenset({1, 3}), frozenset({2}), frozenset({3, 2}), frozenset({1})]
    for order in (ballots, list(reversed(ballots))):
        result = tally_approval(order, options=[3, 1, 2], eligible=4, quorum=0)
        assert [e.option for e in result.ranking] == [3, 1, 2]
        assert all(e.approvals == 2 for e in result.ranking)
        assert (result.winner, result.outcome) == (None, Outcome.NOT_PASSED)
    assert "no single winner" in APPROVAL_TIE_RULE


def test_approval_without_quorum_or_ballots():
    result = tally_approval([{1}], options=[1, 2], eligible=10, quorum=Fraction(1, 5))
    assert (result.winner, result.outcome, result.ranking[0].approvals) == (None, Outcome.NO_QUORUM, 1)
    empty = tally_approval([], options=[1, 2], eligible=3, quorum=0)
    assert (empty.cast, empty.winner, empty.outcome) == (0, None, Outcome.NOT_PASSED)
    assert [(e.option, e.approvals, e.percent) for e in empty.ranking] == [(1, 0, 0.0), (2, 0, 0.0)]


@pytest.mark.parametrize("ballots, options", [
    ([frozenset({9})], [1, 2]),  # unknown option
    ([[1, 2]], [1, 2]),  # not a set
    ([(1,)], [1, 2]),
    ([1], [1, 2]),
    ([frozenset({1})], [1, 1]),  # duplicate options
    ([], []),
])
def test_approval_rejects_malformed_ballots(ballots, options):
    with pytest.raises(ValueError):
        tally_approval(ballots, options, eligible=5, quorum=0)
