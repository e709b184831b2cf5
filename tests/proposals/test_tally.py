"""The pure tallies of stac_youth.proposals.tally: boundaries, published IRV examples, properties, size."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stac_youth.proposals.tally import (
    ABSTAIN,
    APPROVAL_TIE_RULE,
    CHOICES,
    NO,
    TIE_BREAK_RULE,
    YES,
    Outcome,
    Threshold,
    percent,
    tally_approval,
    tally_ranked_choice,
    tally_yes_no_abstain,
)

SIMPLE, TWO_THIRDS = Threshold.SIMPLE_MAJORITY, Threshold.TWO_THIRDS


def votes(yes=0, no=0, abstain=0) -> list[str]:
    return [YES] * yes + [NO] * no + [ABSTAIN] * abstain


def groups(*pairs) -> list:
    """Ballots from (count, ballot) pairs."""
    return [ballot for count, ballot in pairs for _ in range(count)]


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


# ---------------------------------------------------------------------------------------------------------------
# ranked choice (instant runoff)


def test_first_round_majority_wins_in_one_round():
    result = tally_ranked_choice(groups((3, (1, 2)), (2, (2, 1))), options=[1, 2, 3], eligible=5, quorum=0)
    assert len(result.rounds) == 1
    assert result.rounds[0].counts == {1: 3, 2: 2, 3: 0}
    assert result.rounds[0].percentages == {1: 60.0, 2: 40.0, 3: 0.0}
    assert (result.winner, result.outcome, result.rounds[0].eliminated) == (1, Outcome.PASSED, None)


def test_votes_transfer_over_several_rounds():
    ballots = groups((4, (1,)), (3, (2, 3)), (2, (3, 2)), (1, (4, 3, 2)))
    result = tally_ranked_choice(ballots, options=[1, 2, 3, 4], eligible=10, quorum=0)
    assert [r.eliminated for r in result.rounds] == [4, 3, None]
    assert [r.counts for r in result.rounds] == [{1: 4, 2: 3, 3: 2, 4: 1}, {1: 4, 2: 3, 3: 3}, {1: 4, 2: 6}]
    assert result.winner == 2


def test_exhausted_ballots_leave_the_count():
    ballots = groups((4, (1,)), (3, (2,)), (2, (3,)), (1, ()))
    result = tally_ranked_choice(ballots, options=[1, 2, 3], eligible=10, quorum=Fraction(1, 2))
    assert [(r.exhausted, r.continuing) for r in result.rounds] == [(1, 9), (3, 7)]
    assert result.rounds[-1].counts == {1: 4, 2: 3}
    assert result.rounds[-1].percentages == {1: 57.1, 2: 42.9}  # of continuing ballots, not of all 10
    assert (result.winner, result.outcome) == (1, Outcome.PASSED)  # 4 of 7 continuing is a majority


def test_all_ballots_exhausted_or_none_decides_no_winner():
    blank = tally_ranked_choice([(), []], options=[1, 2], eligible=2, quorum=0)
    assert [(r.exhausted, r.continuing, r.eliminated) for r in blank.rounds] == [(2, 0, None)]
    assert (blank.winner, blank.outcome) == (None, Outcome.NOT_PASSED)
    empty = tally_ranked_choice([], options=[1, 2], eligible=0, quorum=Fraction(1, 2))
    assert (empty.cast, empty.winner, empty.outcome) == (0, None, Outcome.NO_QUORUM)


def test_no_quorum_keeps_the_rounds_but_names_no_winner():
    result = tally_ranked_choice([(1,), (1,), (2,)], options=[1, 2], eligible=10, quorum=Fraction(1, 2))
    assert result.rounds[0].counts == {1: 2, 2: 1}
    assert (result.winner, result.outcome, result.turnout) == (None, Outcome.NO_QUORUM, 30.0)


def test_tie_break_fewest_first_preferences():
    # A 6, B 4, C 3, D 1 (D -> C): round 2 ties B and C on 4; C had fewer first preferences and goes.
    ballots = groups((6, ("A",)), (4, ("B", "A")), (3, ("C", "B")), (1, ("D", "C", "B")))
    result = tally_ranked_choice(ballots, options=["A", "B", "C", "D"], eligible=14, quorum=0)
    assert result.rounds[1].counts == {"A": 6, "B": 4, "C": 4}
    assert (result.rounds[1].eliminated, result.rounds[1].tie_broken) == ("C", True)
    assert result.winner == "B"


def test_tie_break_previous_round_before_poll_order():
    # B and C tie in round 3 and in first preferences; in round 2 C had fewer, so C goes although B is listed last.
    ballots = groups((6, ("A",)), (3, ("B",)), (3, ("C", "B")), (1, ("D", "B")), (1, ("E", "C")), (1, ("E",)))
    result = tally_ranked_choice(ballots, options=["A", "C", "B", "D", "E"], eligible=15, quorum=0)
    assert [r.eliminated for r in result.rounds] == ["D", "E", "C", None]
    assert result.rounds[2].counts == {"A": 6, "C": 4, "B": 4}
    assert result.rounds[2].tie_broken and not result.rounds[1].tie_broken
    assert (result.winner, result.rounds[-1].counts) == ("B", {"A": 6, "B": 7})


@pytest.mark.parametrize("options, eliminated, winner", [(["A", "B", "C"], "C", "B"), (["A", "C", "B"], "B", "C")])
def test_tie_break_falls_back_to_the_option_listed_last(options, eliminated, winner):
    ballots = groups((3, ("A",)), (2, ("B", "C")), (2, ("C", "B")))
    result = tally_ranked_choice(ballots, options=options, eligible=7, quorum=0)
    assert (result.rounds[0].eliminated, result.rounds[0].tie_broken, result.winner) == (eliminated, True, winner)
    assert result.tie_break_rule == TIE_BREAK_RULE and "listed last" in TIE_BREAK_RULE


def test_wikipedia_tennessee_capital_knoxville_wins():
    """en.wikipedia.org/wiki/Instant-runoff_voting, "Tennessee capital": 42/26/15/17 per cent -> Knoxville."""
    memphis, nashville, chattanooga, knoxville = "Memphis", "Nashville", "Chattanooga", "Knoxville"
    ballots = groups(
        (42, (memphis, nashville, chattanooga, knoxville)),
        (26, (nashville, chattanooga, knoxville, memphis)),
        (15, (chattanooga, knoxville, nashville, memphis)),
        (17, (knoxville, chattanooga, nashville, memphis)),
    )
    result = tally_ranked_choice(ballots, options=[memphis, nashville, chattanooga, knoxville], eligible=100,
                                 quorum=Fraction(1, 2))
    assert [r.eliminated for r in result.rounds] == [chattanooga, nashville, None]
    assert [r.counts for r in result.rounds] == [
        {memphis: 42, nashville: 26, chattanooga: 15, knoxville: 17},
        {memphis: 42, nashville: 26, knoxville: 32},
        {memphis: 42, knoxville: 58},
    ]
    assert (result.winner, result.outcome) == (knoxville, Outcome.PASSED)


def test_burlington_2009_mayoral_election_kiss_wins():
    """Burlington, Vermont, March 2009: official rounds Wright 2951 / Kiss 2585 / Montroll 2063 / Smith 1306 /
    Simpson 35 / write-ins 36 / 4 blank; then Wright 3294 / Kiss 2981 / Montroll 2554; then Kiss 4313 / Wright 4061
    (606 exhausted). The ballot groups are a reconstruction that reproduces those published round totals, not the
    real ballots. The city eliminated Smith, Simpson and the write-ins together; this engine eliminates one option
    per round, which gives the same counts once all three are out.
    """
    wright, kiss, montroll, smith, simpson, write_in = "Wright", "Kiss", "Montroll", "Smith", "Simpson", "Write-in"
    ballots = groups(
        (2951, (wright,)), (2585, (kiss,)), (1332, (montroll, kiss)), (731, (montroll, wright)),
        (36, (smith, montroll, wright)), (455, (smith, montroll)), (343, (smith, wright)), (396, (smith, kiss)),
        (76, (smith,)), (35, (simpson,)), (36, (write_in,)), (4, ()),
    )
    options = [kiss, wright, montroll, smith, simpson, write_in]
    result = tally_ranked_choice(ballots, options=options, eligible=len(ballots), quorum=0)
    rounds = result.rounds
    assert rounds[0].counts == {kiss: 2585, wright: 2951, montroll: 2063, smith: 1306, simpson: 35, write_in: 36}
    assert rounds[0].exhausted == 4
    assert [r.eliminated for r in rounds] == [simpson, write_in, smith, montroll, None]
    assert (rounds[3].counts, rounds[3].exhausted) == ({kiss: 2981, wright: 3294, montroll: 2554}, 151)
    assert (rounds[4].counts, rounds[4].exhausted, rounds[4].continuing) == ({kiss: 4313, wright: 4061}, 606, 8374)
    assert rounds[4].percentages == {kiss: 51.5, wright: 48.5}
    assert (result.cast, result.winner, result.outcome) == (8980, kiss, Outcome.PASSED)


@pytest.mark.parametrize("ballots, options", [
    ([(1, 1)], [1, 2]),  # an option ranked twice
    ([(1, 9)], [1, 2]),  # unknown option
    ([{1, 2}], [1, 2]),  # a set has no order
    (["12"], [1, 2]),
    ([1], [1, 2]),
    ([([1],)], [1, 2]),  # unhashable element
    ([(1,)], [1, 2, 1]),  # duplicate options
    ([], []),
])
def test_ranked_choice_rejects_malformed_ballots(ballots, options):
    with pytest.raises(ValueError):
        tally_ranked_choice(ballots, options, eligible=5, quorum=0)


# ---------------------------------------------------------------------------------------------------------------
# properties

yes_no_ballots = st.lists(st.sampled_from(CHOICES), max_size=60)
quorums = st.fractions(min_value=0, max_value=1, max_denominator=20)
option_lists = st.integers(min_value=1, max_value=6).map(lambda k: list(range(10, 10 + k)))


@st.composite
def approval_polls(draw):
    options = draw(option_lists)
    ballots = draw(st.lists(st.frozensets(st.sampled_from(options)), max_size=40))
    return options, ballots


@st.composite
def ranked_polls(draw):
    options = draw(option_lists)
    ballots = draw(st.lists(st.permutations(options).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda n: tuple(order[:n]))), max_size=40))
    return options, ballots


def shuffled(ballots, seed):
    copy = list(ballots)
    random.Random(seed).shuffle(copy)
    return copy


@given(yes_no_ballots, st.integers(0, 30), quorums, st.sampled_from(Threshold), st.integers())
def test_yes_no_abstain_properties(ballots, extra, quorum, threshold, seed):
    eligible = len(ballots) + extra
    result = tally_yes_no_abstain(ballots, eligible, quorum, threshold)
    assert sum(result.counts.values()) == result.cast == len(ballots)
    assert tally_yes_no_abstain(shuffled(ballots, seed), eligible, quorum, threshold) == result
    if extra:  # one more abstention changes the outcome only by crossing quorum
        more = tally_yes_no_abstain([*ballots, ABSTAIN], eligible, quorum, threshold)
        assert more.yes_share == result.yes_share
        if more.quorum_met == result.quorum_met:
            assert more.outcome is result.outcome
        else:
            assert more.quorum_met and result.outcome is Outcome.NO_QUORUM
            assert more.outcome is (Outcome.PASSED if threshold.met(more.counts[YES], more.counts[NO])
                                    else Outcome.NOT_PASSED)


@given(st.integers(1, 50), st.integers(0, 10), quorums, st.sampled_from(Threshold))
def test_unanimous_yes_passes_when_quorum_is_met(n, extra, quorum, threshold):
    result = tally_yes_no_abstain(votes(yes=n), n + extra, quorum, threshold)
    assert result.outcome is (Outcome.PASSED if result.quorum_met else Outcome.NO_QUORUM)
    assert result.yes_share == 100.0


@given(approval_polls(), st.integers(0, 10), quorums, st.integers())
def test_approval_properties(poll, extra, quorum, seed):
    options, ballots = poll
    eligible = len(ballots) + extra
    result = tally_approval(ballots, options, eligible, quorum)
    assert result.cast == len(ballots)
    assert sum(e.approvals for e in result.ranking) == sum(len(b) for b in ballots)
    assert sorted(e.option for e in result.ranking) == sorted(options)
    assert [e.approvals for e in result.ranking] == sorted((e.approvals for e in result.ranking), reverse=True)
    assert tally_approval(shuffled(ballots, seed), options, eligible, quorum) == result


@given(approval_polls(), st.data())
def test_an_option_every_voter_approves_wins(poll, data):
    options, ballots = poll
    chosen = data.draw(st.sampled_from(options))
    ballots = [ballot | {chosen} for ballot in ballots] or [frozenset({chosen})]
    result = tally_approval(ballots, options, eligible=len(ballots), quorum=1)
    everyone = [e.option for e in result.ranking if e.approvals == len(ballots)]
    assert chosen in everyone and result.ranking[0].approvals == len(ballots)
    assert result.winner == (chosen if everyone == [chosen] else None)


@given(ranked_polls(), st.integers(0, 10), quorums, st.integers())
def test_ranked_choice_properties(poll, extra, quorum, seed):
    options, ballots = poll
    eligible = len(ballots) + extra
    result = tally_ranked_choice(ballots, options, eligible, quorum)
    assert result.cast == len(ballots)
    for r in result.rounds:
        assert sum(r.counts.values()) == r.continuing and r.continuing + r.exhausted == len(ballots)
    assert [r.eliminated for r in result.rounds][-1] is None
    assert len({r.eliminated for r in result.rounds[:-1]}) == len(result.rounds) - 1
    if result.winner is not None:
        assert 2 * result.rounds[-1].counts[result.winner] > result.rounds[-1].continuing
    assert tally_ranked_choice(shuffled(ballots, seed), options, eligible, quorum) == result


@given(ranked_polls(), st.data())
def test_an_option_every_voter_ranks_first_wins_in_round_one(poll, data):
    options, ballots = poll
    chosen = data.draw(st.sampled_from(options))
    ballots = [(chosen, *(o for o in b if o != chosen)) for b in ballots] or [(chosen,)]
    result = tally_ranked_choice(ballots, options, eligible=len(ballots), quorum=1)
    assert (len(result.rounds), result.winner, result.outcome) == (1, chosen, Outcome.PASSED)


# ---------------------------------------------------------------------------------------------------------------
# size: 100,000 ballots per method (timing is benchmarks/tally.py's job)

BIG = 100_000


def test_tallies_100000_random_ballots_per_method():
    rng = random.Random(2009)
    options = list(range(1, 8))
    yes_no = rng.choices(CHOICES, k=BIG)
    result = tally_yes_no_abstain(yes_no, BIG, Fraction(1, 2), SIMPLE)
    assert result.cast == BIG and result.turnout == 100.0

    approval = [frozenset(o for o in options if rng.random() < 0.3) for _ in range(BIG)]
    assert tally_approval(approval, options, BIG, Fraction(1, 2)).cast == BIG

    ranked = [tuple(rng.sample(options, rng.randint(0, len(options)))) for _ in range(BIG)]
    irv = tally_ranked_choice(ranked, options, BIG, Fraction(1, 2))
    assert irv.cast == BIG and irv.winner in options
    assert all(r.continuing + r.exhausted == BIG for r in irv.rounds)
