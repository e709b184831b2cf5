"""Shared ballot builders for the pure tally tests (plain functions, no database)."""

from __future__ import annotations

from stac_youth.polls.tally import ABSTAIN, NO, YES, Threshold

SIMPLE, TWO_THIRDS = Threshold.SIMPLE_MAJORITY, Threshold.TWO_THIRDS


def votes(yes=0, no=0, abstain=0) -> list[str]:
    return [YES] * yes + [NO] * no + [ABSTAIN] * abstain


def groups(*pairs) -> list:
    """Ballots from (count, ballot) pairs."""
    return [ballot for count, ballot in pairs for _ in range(count)]
