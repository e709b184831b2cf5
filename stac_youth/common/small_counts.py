"""Small numbers stay secret: the one rule for every count of people that a page, export or push shows.

- A count of people is shown only from 5 up (`publishable`); a secret poll publishes its results only then.
- In a breakdown by group (region, council), what a group's row shows depends on the group's size alone, never on
  how many of its members voted: a group of fewer than 5 members shows one fixed text and no figure, 0 included,
  before and after any vote.
- So that the totals minus the groups shown never give a small group away, the small groups are counted together
  in one combined row; when they add up to fewer than 5 members, the smallest shown group is folded in too, and
  when that leaves fewer than two rows with figures the breakdown is not shown at all (it would only repeat the
  totals, or give a small group away).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

#: the smallest group (or number of ballots) whose counts may be shown
MIN_GROUP = 5

SMALL = "small"  # a group of fewer than MIN_GROUP members: no figure
FOLDED = "folded"  # a group big enough on its own, counted in the combined row to hide the small ones
COMBINED = "combined"  # the small (and folded) groups counted together


def publishable(count: int | None) -> bool:
    """Whether a count of people is big enough to show (5 or more)."""
    return count is not None and count >= MIN_GROUP


@dataclass(frozen=True)
class Group:
    """A group of people in a breakdown: its size (e.g. the eligible members) and its figures (voted, per choice)."""

    label: str
    size: int
    figures: tuple[int, ...] = ()


@dataclass
class GroupRow:
    """One row as shown: size and figures, or none of them (None) with a note saying why."""

    label: str
    size: int | None
    figures: list[int] | None
    note: str = ""  # "", SMALL, FOLDED or COMBINED
    members: list[str] = field(default_factory=list)  # the groups a combined row counts


def group_rows(groups: Sequence[Group], combined_label: str = "") -> list[GroupRow] | None:
    """The breakdown's rows in the groups' order, then the combined row; None when no breakdown may be shown."""
    shown = [group for group in groups if group.size >= MIN_GROUP]
    pooled = [group for group in groups if group.size < MIN_GROUP]
    if pooled and sum(group.size for group in pooled) < MIN_GROUP:
        if not shown:
            return None
        smallest = min(shown, key=lambda group: (group.size, group.label))
        shown.remove(smallest)
        pooled.append(smallest)
    if len(shown) + (1 if pooled else 0) < 2:
        return None
    shown_ids = {id(group) for group in shown}
    rows = [GroupRow(group.label, group.size, list(group.figures)) if id(group) in shown_ids
            else GroupRow(group.label, None, None, SMALL if group.size < MIN_GROUP else FOLDED) for group in groups]
    if pooled:
        width = max(len(group.figures) for group in pooled)
        figures = [sum(group.figures[i] for group in pooled if i < len(group.figures)) for i in range(width)]
        rows.append(GroupRow(combined_label, sum(group.size for group in pooled), figures, COMBINED,
                             [group.label for group in groups if id(group) not in shown_ids]))
    return rows
