"""The pure ranked-choice (instant runoff) tally: rounds, transfers, tie breaks, published IRV examples."""

from __future__ import annotations

from fractions import Fraction

import pytest

from stac_youth.polls.tally import TIE_BREAK_RULE, Outcome, tally_ranked_choice

from .tally_helpers import groups

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
