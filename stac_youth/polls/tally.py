"""Pure poll tallies: yes / no / abstain, approval and ranked choice (instant runoff). No database, no Flask.

Each method is one function fed every ballot of a poll; it validates them (an unknown option or a malformed ballot
raises ValueError, never counted silently) and returns a frozen result with counts, percentages, turnout, whether
quorum was met and the outcome. Quorum and thresholds are compared with fractions.Fraction, so a boundary such as
exactly two thirds is never decided by float rounding; percentages are floats rounded half up to 1 decimal, for
display only.

Rules decided here (the results page can state them):
- quorum: turnout = ballots cast / eligible voters (an abstention or an empty ballot is cast); quorum is met when
  turnout >= quorum. With no eligible voters, quorum is met only when the quorum is 0.
- simple majority: yes > no, i.e. strictly more than half of yes + no; exactly half does not pass.
- two-thirds: yes >= 2/3 of yes + no; exactly two thirds passes. Under either threshold a poll with no yes or no
  votes at all (nobody, or only abstentions) does not pass. Abstentions count for turnout only.
- approval and ranked choice: PASSED means a winner was decided and quorum was met; without quorum the counts are
  still given but there is no winner.
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

YES, NO, ABSTAIN = "yes", "no", "abstain"
CHOICES = (YES, NO, ABSTAIN)

APPROVAL_TIE_RULE = ("Options with the same number of approvals are listed in the poll's order of options; "
                     "when two or more options share the most approvals, no single winner is decided.")

TIE_BREAK_RULE = ("When two or more options tie for the fewest votes in a round, the one among them with the fewest "
                  "first-preference votes is eliminated; if they are still tied, the one with the fewest votes in "
                  "the previous round, then in the round before that, and so on; if they are still tied, the one "
                  "listed last in the poll's order of options is eliminated.")


class Outcome(enum.Enum):
    PASSED = "passed"
    NOT_PASSED = "not_passed"
    NO_QUORUM = "no_quorum"
    #: never a tally's: a secret poll closed with fewer than 5 ballots publishes no outcome (lifecycle.py)
    WITHHELD = "withheld"


class Threshold(enum.Enum):
    SIMPLE_MAJORITY = "simple_majority"
    TWO_THIRDS = "two_thirds"

    @property
    def fraction(self) -> Fraction:
        """The share of yes + no that yes must reach (strictly, for a simple majority)."""
        return Fraction(1, 2) if self is Threshold.SIMPLE_MAJORITY else Fraction(2, 3)

    @property
    def description(self) -> str:
        """The rule in words for the results page."""
        if self is Threshold.SIMPLE_MAJORITY:
            return "Passes with more yes than no votes (strictly more than half of yes + no); abstentions only " \
                   "count towards turnout."
        return "Passes with at least two thirds of yes + no votes being yes; abstentions only count towards turnout."

    def met(self, yes: int, no: int) -> bool:
        """Whether yes votes out of yes + no reach this threshold (never with no yes or no votes)."""
        if yes + no == 0:
            return False
        share = Fraction(yes, yes + no)
        return share > self.fraction if self is Threshold.SIMPLE_MAJORITY else share >= self.fraction


@dataclass(frozen=True)
class YesNoResult:
    counts: dict[str, int]  # yes / no / abstain
    percentages: dict[str, float]  # of ballots cast
    yes_share: float  # percent of yes + no that is yes (what the threshold is compared with)
    cast: int
    eligible: int
    turnout: float  # percent of eligible voters
    quorum_met: bool
    threshold: Threshold
    outcome: Outcome


@dataclass(frozen=True)
class ApprovalEntry:
    option: int
    approvals: int
    percent: float  # of ballots cast


@dataclass(frozen=True)
class ApprovalResult:
    ranking: tuple[ApprovalEntry, ...]  # most approvals first; ties in the poll's order of options
    cast: int
    eligible: int
    turnout: float
    quorum_met: bool
    winner: int | None
    outcome: Outcome
    tie_rule: str = APPROVAL_TIE_RULE


@dataclass(frozen=True)
class Round:
    number: int
    counts: dict[int, int]  # continuing options, in the poll's order
    percentages: dict[int, float]  # of the continuing (not exhausted) ballots
    continuing: int  # ballots counted for an option this round
    exhausted: int  # ballots with no continuing option left (cumulative)
    eliminated: int | None  # None in the last round
    tie_broken: bool = False  # the elimination needed TIE_BREAK_RULE


@dataclass(frozen=True)
class RankedChoiceResult:
    rounds: tuple[Round, ...]
    cast: int
    eligible: int
    turnout: float
    quorum_met: bool
    winner: int | None
    outcome: Outcome
    tie_break_rule: str = TIE_BREAK_RULE


def percent(part: int, whole: int) -> float:
    """part / whole as a percentage rounded half up to 1 decimal; 0.0 when whole is 0."""
    if whole <= 0:
        return 0.0
    return math.floor(Fraction(1000 * part, whole) + Fraction(1, 2)) / 10


def as_fraction(value: Fraction | float | int) -> Fraction:
    """An exact quorum fraction in [0, 1]; floats are read by their shortest repr (0.1 is 1/10)."""
    if isinstance(value, bool) or not isinstance(value, Fraction | float | int):
        raise ValueError(f"quorum must be a number, not {value!r}")
    exact = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
    if not 0 <= exact <= 1:
        raise ValueError(f"quorum must be between 0 and 1, not {value!r}")
    return exact


def _quorum(cast: int, eligible: int, quorum: Fraction | float | int) -> tuple[float, bool]:
    """(turnout percent, quorum met) after checking eligible and cast."""
    exact = as_fraction(quorum)
    if isinstance(eligible, bool) or not isinstance(eligible, int) or eligible < 0:
        raise ValueError(f"eligible must be a non-negative integer, not {eligible!r}")
    if cast > eligible:
        raise ValueError(f"{cast} ballots for {eligible} eligible voters")
    met = exact == 0 if eligible == 0 else Fraction(cast, eligible) >= exact
    return percent(cast, eligible), met


def _grouped(ballots: Iterable, normalise=None) -> Counter:
    """Identical ballots counted once (Counter); an unhashable ballot is malformed (ValueError)."""
    try:
        return Counter(ballots if normalise is None else map(normalise, ballots))
    except TypeError as error:
        raise ValueError(f"malformed ballot: {error}") from None


def _check_options(options: Sequence[int]) -> dict[int, int]:
    """Option -> position; options must be distinct and at least one."""
    positions = {option: index for index, option in enumerate(options)}
    if not positions or len(positions) != len(options):
        raise ValueError("a poll needs one or more distinct options")
    return positions


def tally_yes_no_abstain(ballots: Iterable[str], eligible: int, quorum: Fraction | float,
                         threshold: Threshold) -> YesNoResult:
    """Tally yes / no / abstain ballots against a quorum and a threshold."""
    if not isinstance(threshold, Threshold):
        raise ValueError(f"unknown threshold {threshold!r}")
    counted = _grouped(ballots)
    unknown = [choice for choice in counted if choice not in CHOICES]
    if unknown:
        raise ValueError(f"unknown yes/no/abstain choices: {unknown!r}")
    counts = {choice: counted[choice] for choice in CHOICES}
    cast = sum(counts.values())
    turnout, quorum_met = _quorum(cast, eligible, quorum)
    yes, no = counts[YES], counts[NO]
    if not quorum_met:
        outcome = Outcome.NO_QUORUM
    else:
        outcome = Outcome.PASSED if threshold.met(yes, no) else Outcome.NOT_PASSED
    return YesNoResult(counts=counts, percentages={choice: percent(n, cast) for choice, n in counts.items()},
                       yes_share=percent(yes, yes + no), cast=cast, eligible=eligible, turnout=turnout,
                       quorum_met=quorum_met, threshold=threshold, outcome=outcome)


def _approval_ballot(ballot) -> frozenset:
    if isinstance(ballot, frozenset):
        return ballot
    if isinstance(ballot, set):
        return frozenset(ballot)
    raise ValueError(f"an approval ballot is a set of options, not {ballot!r}")


def tally_approval(ballots: Iterable[frozenset[int]], options: Sequence[int], eligible: int,
                   quorum: Fraction | float) -> ApprovalResult:
    """Tally approval ballots (each a set of approved options) into a ranking by approvals."""
    positions = _check_options(options)
    groups = _grouped(ballots, _approval_ballot)
    approvals = dict.fromkeys(options, 0)
    cast = 0
    for ballot, n in groups.items():
        unknown = ballot - positions.keys()
        if unknown:
            raise ValueError(f"approval ballot names unknown options {sorted(unknown, key=repr)!r}")
        cast += n
        for option in ballot:
            approvals[option] += n
    turnout, quorum_met = _quorum(cast, eligible, quorum)
    order = sorted(options, key=lambda option: (-approvals[option], positions[option]))
    ranking = tuple(ApprovalEntry(option, approvals[option], percent(approvals[option], cast)) for option in order)
    top = ranking[0].approvals
    decided = top > 0 and (len(ranking) == 1 or ranking[1].approvals < top)
    if not quorum_met:
        winner, outcome = None, Outcome.NO_QUORUM
    elif decided:
        winner, outcome = ranking[0].option, Outcome.PASSED
    else:
        winner, outcome = None, Outcome.NOT_PASSED
    return ApprovalResult(ranking=ranking, cast=cast, eligible=eligible, turnout=turnout, quorum_met=quorum_met,
                          winner=winner, outcome=outcome)


def _ranking(ballot) -> tuple:
    if isinstance(ballot, tuple):
        return ballot
    if isinstance(ballot, list):
        return tuple(ballot)
    raise ValueError(f"a ranked ballot is a list or tuple of options in order of preference, not {ballot!r}")


def _eliminate(tied: list[int], history: list[dict[int, int]], positions: dict[int, int]) -> int:
    """The option TIE_BREAK_RULE eliminates among those tied for fewest votes in the latest round of history."""
    earlier = [history[0], *reversed(history[:-1])]
    return min(tied, key=lambda option: (*(counts[option] for counts in earlier), -positions[option]))


def tally_ranked_choice(ballots: Iterable[Sequence[int]], options: Sequence[int], eligible: int,
                        quorum: Fraction | float) -> RankedChoiceResult:
    """Instant-runoff tally of ranked ballots for a single winner, round by round."""
    positions = _check_options(options)
    groups = _grouped(ballots, _ranking)  # identical rankings counted once
    for ranking in groups:
        if len(set(ranking)) != len(ranking):
            raise ValueError(f"ranked ballot names an option twice: {ranking!r}")
        unknown = [option for option in ranking if option not in positions]
        if unknown:
            raise ValueError(f"ranked ballot names unknown options {unknown!r}")
    cast = sum(groups.values())
    turnout, quorum_met = _quorum(cast, eligible, quorum)
    continuing = set(options)
    piles: dict[int, list[tuple[tuple, int]]] = {option: [] for option in options}  # groups by current choice
    current = dict.fromkeys(options, 0)  # votes per option
    exhausted = 0
    for ranking, n in groups.items():
        if ranking:
            piles[ranking[0]].append((ranking, n))
            current[ranking[0]] += n
        else:
            exhausted += n
    history: list[dict[int, int]] = []
    rounds: list[Round] = []
    leader = eliminated = None
    while True:
        if eliminated is not None:  # only the eliminated option's ballots move, to their next continuing choice
            for ranking, n in piles.pop(eliminated):
                following = next((option for option in ranking if option in continuing), None)
                if following is None:
                    exhausted += n
                else:
                    piles[following].append((ranking, n))
                    current[following] += n
        counts = {option: current[option] for option in options if option in continuing}
        history.append(counts)
        active = cast - exhausted
        top = max(counts, key=lambda option: (counts[option], -positions[option]))
        eliminated, tie_broken = None, False
        if active and 2 * counts[top] > active:
            leader = top
        elif active:
            fewest = min(counts.values())
            tied = [option for option, votes in counts.items() if votes == fewest]
            eliminated, tie_broken = _eliminate(tied, history, positions), len(tied) > 1
            continuing.discard(eliminated)
        rounds.append(Round(number=len(rounds) + 1, counts=counts,
                            percentages={option: percent(votes, active) for option, votes in counts.items()},
                            continuing=active, exhausted=exhausted, eliminated=eliminated, tie_broken=tie_broken))
        if eliminated is None:
            break
    winner = leader if quorum_met else None
    outcome = Outcome.NO_QUORUM if not quorum_met else Outcome.NOT_PASSED if winner is None else Outcome.PASSED
    return RankedChoiceResult(rounds=tuple(rounds), cast=cast, eligible=eligible, turnout=turnout,
                              quorum_met=quorum_met, winner=winner, outcome=outcome)
