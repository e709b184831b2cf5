"""Properties of every pure tally under Hypothesis, and 100,000 random ballots per method."""

from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from stac_youth.polls.tally import (
    ABSTAIN,
    CHOICES,
    NO,
    YES,
    Outcome,
    Threshold,
    tally_approval,
    tally_ranked_choice,
    tally_yes_no_abstain,
)

from .tally_helpers import SIMPLE, votes

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
