"""No count from a group of fewer than 5 members, in any form (finding 4), read from the poll page as anyone can.

The finding: a region with one member showed "0" voted next to "Eligible –", then flipped to "too few" once that
member voted; with the directory showing who the region's member is, everyone learned whether they voted. Now a
group's row depends only on the group's size: under 5 members it reads "Fewer than 5 members", with no figure,
before and after any vote. The small groups are counted together in one row (with the smallest shown group folded
in when they are still under 5), so the totals minus the rows shown never give a small group away; when that leaves
fewer than two rows with figures, there is no breakdown. The rule itself: stac_youth/common/small_counts.py.
"""

from __future__ import annotations

import re

import pytest

from stac_youth.common.small_counts import COMBINED, FOLDED, SMALL, Group, GroupRow, group_rows
from stac_youth.polls import lifecycle
from stac_youth.polls.ballots import cast_ballot
from tests.meetings.helpers import client_for, region

from .poll_checks import visible_text
from .poll_helpers import new_poll, page

SMALL_TEXT = "Fewer than 5 members"
FOLDED_TEXT = "Counted under “Other regions together”"


def _people(make_user, sizes: dict[str, int]) -> dict[str, list]:
    return {name: [make_user("member", display_name=f"{name} {n}", region_id=region(name).id) for n in range(size)]
            for name, size in sizes.items()}


def _region_table(html: str) -> list[list[str]] | None:
    """The "By region" table as [header, *rows] of visible cell texts; None when the page has no breakdown."""
    if 'id="regions-title"' not in html:
        return None
    table = html.split('id="regions-title"', 1)[1].split("</table>", 1)[0]
    header = re.findall(r'<th scope="col">(.*?)</th>', table)
    rows = [[visible_text(name), *(visible_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells))]
            for name, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)]
    return [header, *rows]


def _row(table, label: str) -> list[str]:
    return next(row for row in table[1:] if row[0].startswith(label))


def test_the_finding_a_one_member_region_shows_the_same_text_before_and_after_its_member_votes(app, advisor,
                                                                                               make_user):
    people = _people(make_user, {"Bay Area": 6, "Central Valley": 5, "Capitol Area": 1})
    poll = new_poll(advisor, results_live=True)
    reader = client_for(app, people["Bay Area"][0])
    before = _region_table(page(reader, f"/polls/{poll.id}"))
    assert _row(before, "Capitol Area") == ["Capitol Area", SMALL_TEXT]  # no "0", no "–", no eligible count
    cast_ballot(people["Capitol Area"][0], poll, "no")
    after = _region_table(page(reader, f"/polls/{poll.id}"))
    assert _row(after, "Capitol Area") == ["Capitol Area", SMALL_TEXT]
    # its one member is counted with the next smallest region, so the totals minus Bay Area say nothing about it
    assert _row(before, "Central Valley") == _row(after, "Central Valley") == ["Central Valley", FOLDED_TEXT]
    assert _row(before, "Other regions together") == ["Other regions together Capitol Area, Central Valley",
                                                      "0", "6", "0", "0", "0"]
    assert _row(after, "Other regions together")[1:] == ["1", "6", "0", "1", "0"]
    assert _row(after, "Bay Area") == ["Bay Area", "0", "6", "0", "0", "0"]  # a big group shows its zeros
    lifecycle.close_poll(advisor, poll)
    closed = _region_table(page(reader, f"/polls/{poll.id}"))
    assert _row(closed, "Capitol Area") == ["Capitol Area", SMALL_TEXT]
    assert not any("–" in cell for row in closed for cell in row)


def test_small_regions_are_counted_together_and_the_sums_match_the_totals(app, advisor, make_user):
    people = _people(make_user, {"Bay Area": 11, "Central Valley": 7, "Greater Los Angeles": 2})
    poll = new_poll(advisor)
    for member, choice in zip(people["Bay Area"], ["yes"] * 5 + ["no"] * 5, strict=False):
        cast_ballot(member, poll, choice)
    for member, choice in zip(people["Central Valley"], ["yes", "yes", "yes", "no", "no", "abstain"], strict=False):
        cast_ballot(member, poll, choice)
    for member, choice in zip(people["Greater Los Angeles"], ["yes", "no"], strict=True):
        cast_ballot(member, poll, choice)
    lifecycle.close_poll(advisor, poll)
    for viewer in (people["Greater Los Angeles"][0], advisor):
        assert _region_table(page(client_for(app, viewer), f"/polls/{poll.id}")) == [
            ["Region", "Voted", "Eligible", "Yes", "No", "Abstain"],
            ["Bay Area", "10", "11", "5", "5", "0"],
            ["Central Valley", FOLDED_TEXT],
            ["Greater Los Angeles", SMALL_TEXT],
            ["Other regions together Central Valley, Greater Los Angeles", "8", "9", "4", "3", "1"],
        ]


def test_small_regions_that_add_up_to_five_are_counted_together_alone(app, advisor, make_user):
    _people(make_user, {"Bay Area": 6, "Capitol Area": 3, "Central Coast": 2})
    poll = new_poll(advisor)
    table = _region_table(page(client_for(app, advisor), f"/polls/{poll.id}"))
    assert table == [["Region", "Voted", "Eligible"], ["Bay Area", "0", "6"], ["Capitol Area", SMALL_TEXT],
                     ["Central Coast", SMALL_TEXT], ["Other regions together Capitol Area, Central Coast", "0", "5"]]


@pytest.mark.parametrize("sizes", [{"Bay Area": 6, "Capitol Area": 2}, {"Bay Area": 3, "Capitol Area": 1},
                                   {"Bay Area": 9}])
def test_no_breakdown_when_it_would_only_repeat_the_totals_or_give_a_small_group_away(app, advisor, make_user,
                                                                                      sizes):
    people = _people(make_user, sizes)
    poll = new_poll(advisor, results_live=True)
    for members in people.values():
        cast_ballot(members[0], poll, "yes")
    shown = page(client_for(app, advisor), f"/polls/{poll.id}")
    assert _region_table(shown) is None and "By region" not in visible_text(shown)


def test_a_secret_poll_has_no_breakdown_by_region(app, advisor, make_user):
    people = _people(make_user, {"Bay Area": 6, "Central Valley": 6})
    poll = new_poll(advisor, secret=True)
    for members in people.values():
        for member in members:
            cast_ballot(member, poll, "yes")
    lifecycle.close_poll(advisor, poll)
    shown = page(client_for(app, advisor), f"/polls/{poll.id}")
    assert _region_table(shown) is None and "12 yes, 0 no, 0 abstain · 12 of 12 voted (100%)" in visible_text(shown)


# --- the rule on its own ------------------------------------------------------------------------------------------


def test_group_rows_depend_on_sizes_only():
    """Whatever the figures, the rows without figures and the fold are the same for the same sizes."""
    sizes = {"A": 8, "B": 6, "C": 1, "D": 2}
    for figures in ((0, 0), (1, 1), (5, 3)):
        rows = group_rows([Group(name, size, figures) for name, size in sizes.items()], "Others")
        assert [(row.label, row.note) for row in rows] == [("A", ""), ("B", FOLDED), ("C", SMALL), ("D", SMALL),
                                                           ("Others", COMBINED)]
        assert rows[-1] == GroupRow("Others", 9, [3 * figures[0], 3 * figures[1]], COMBINED, ["B", "C", "D"])
        assert all(row.figures is None and row.size is None for row in rows[1:4])


@pytest.mark.parametrize(("sizes", "shown"), [
    ({}, None),
    ({"A": 4}, None),
    ({"A": 7}, None),  # one group: the totals already say it all
    ({"A": 5, "B": 5}, ["A", "B"]),
    ({"A": 3, "B": 2}, None),  # together 5, but that is the total again
    ({"A": 9, "B": 3, "C": 2}, ["A", "+"]),
    ({"A": 9, "B": 6, "C": 4}, ["A", "+"]),  # C alone is under 5: B (the smallest shown) goes with it
    ({"A": 9, "B": 6, "C": 6, "D": 4}, ["A", "C", "+"]),  # a tie for the smallest: the first label (B) goes
])
def test_group_rows_fold_small_groups(sizes, shown):
    rows = group_rows([Group(name, size, (size,)) for name, size in sizes.items()], "+")
    assert (None if rows is None else [row.label for row in rows if row.figures is not None]) == shown
    if rows:
        assert all(row.figures is None or row.size >= 5 for row in rows)
        assert sum(row.figures[0] for row in rows if row.figures is not None) == sum(sizes.values())
