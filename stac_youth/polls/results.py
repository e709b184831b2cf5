"""Poll results for people: rows with labels, the rules in words, per-region breakdowns and the CSV export.

Everything here starts from counts.results(), which returns nothing while a poll's results are hidden (or, on a
secret poll with fewer than 5 ballots, withheld for good), so no page, export or payload built from it can show them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from ..common.i18n import localized_name
from ..common.small_counts import Group, GroupRow, group_rows, publishable
from ..common.spreadsheet import csv_document
from ..extensions import db
from ..members.models import Region, User
from . import counts, tally
from .models import Ballot, Participation, Poll, PollEligibility, PollMethod, PollStatus, PollThreshold
from .questions import question_text

CHOICE_LABELS = {tally.YES: _l("Yes"), tally.NO: _l("No"), tally.ABSTAIN: _l("Abstain")}
METHOD_LABELS = {
    PollMethod.YES_NO_ABSTAIN: _l("Yes / no / abstain"),
    PollMethod.APPROVAL: _l("Approval (vote for any number of options)"),
    PollMethod.RANKED_CHOICE: _l("Ranked choice (instant runoff)"),
}
OUTCOME_LABELS = {
    tally.Outcome.PASSED.value: _l("Passed"),
    tally.Outcome.NOT_PASSED.value: _l("Not passed"),
    tally.Outcome.NO_QUORUM.value: _l("No quorum"),
    tally.Outcome.WITHHELD.value: _l("Results withheld: fewer than 5 voted"),
}
WITHHELD_RULE = _l("A secret poll publishes its results only when at least 5 members vote. Fewer voted in this one, "
                   "so no count, turnout or outcome of it is shown, to anyone.")
STATUS_LABELS = {PollStatus.DRAFT: _l("Draft"), PollStatus.OPEN: _l("Open for voting"), PollStatus.CLOSED: _l("Closed")}
THRESHOLD_RULES = {
    PollThreshold.SIMPLE: _l("Passes with more yes than no votes (strictly more than half of yes + no); "
                             "abstentions count only towards turnout."),
    PollThreshold.TWO_THIRDS: _l("Passes when at least two thirds of yes + no votes are yes; abstentions count only "
                                 "towards turnout."),
}
APPROVAL_RULE = _l("Options with the same number of approvals are listed in the poll's order of options; when two or "
                   "more options share the most approvals, no single winner is decided.")
RANKED_RULE = _l("When two or more options tie for the fewest votes in a round, the one among them with the fewest "
                 "first-preference votes is eliminated; if they are still tied, the one with the fewest votes in the "
                 "previous round, then in the round before that, and so on; if they are still tied, the one listed "
                 "last in the poll's order of options is eliminated.")


def status_label(status: str) -> str:
    """The poll status in the reader's language."""
    return str(STATUS_LABELS.get(status, status))


def outcome_label(outcome: str | None) -> str:
    """A poll's outcome in the reader's language."""
    return str(OUTCOME_LABELS.get(outcome, "")) if outcome else ""


def method_label(method: str) -> str:
    """The voting method in the reader's language."""
    return str(METHOD_LABELS.get(method, method))


def choice_label(poll: Poll, key) -> str:
    """yes / no / abstain in the reader's language, or an option's text."""
    if key in CHOICE_LABELS:
        return str(CHOICE_LABELS[key])
    labels = {str(option.id): option.label for option in poll.options}
    return labels.get(str(key), "?")


def describe_ballot(poll: Poll, choices) -> str:
    """A ballot in words (open ballots, for advisors and the voter): 'Yes', 'A, C' or '1. B, 2. A'."""
    if choices is None:
        return ""
    if poll.method == PollMethod.YES_NO_ABSTAIN:
        return choice_label(poll, choices)
    if poll.method == PollMethod.APPROVAL:
        return ", ".join(choice_label(poll, option) for option in choices) or _("No option approved")
    return ", ".join(f"{rank}. {choice_label(poll, option)}" for rank, option in enumerate(choices, start=1))


def counts_summary(poll: Poll, with_percent: bool = True) -> str:
    """A closed poll's counts in one line, e.g. "8 yes, 2 no, 1 abstain · 11 of 12 voted (92%)"; "" when there are
    none to show (not closed yet, or a secret poll's results withheld). Reads only the result stored on the poll."""
    shown = counts.results(None, poll) if poll.status == PollStatus.CLOSED else None
    if shown is None or not shown.get("final"):
        return ""
    parts = []
    tallied = shown.get("counts")
    if poll.method == PollMethod.YES_NO_ABSTAIN and isinstance(tallied, dict):
        parts.append(", ".join([
            _("%(num)d yes", num=tallied.get(tally.YES, 0)), _("%(num)d no", num=tallied.get(tally.NO, 0)),
            ngettext("%(num)d abstain", "%(num)d abstain", tallied.get(tally.ABSTAIN, 0)),
        ]))
    cast, eligible = shown.get("cast", 0), shown.get("eligible", 0)
    if with_percent:
        parts.append(ngettext("%(num)d of %(eligible)d voted (%(percent)d%%)", "%(num)d of %(eligible)d voted "
                              "(%(percent)d%%)", cast, eligible=eligible,
                              percent=int(tally.percent(cast, eligible) + 0.5)))
    else:
        parts.append(ngettext("%(num)d of %(eligible)d voted", "%(num)d of %(eligible)d voted", cast,
                              eligible=eligible))
    return " · ".join(parts)


def outcome_summary(poll: Poll) -> str:
    """A closed poll's outcome with its counts: "Passed · 8 yes, 2 no, 1 abstain · 11 of 12 voted (92%)"."""
    if poll.status != PollStatus.CLOSED or not poll.outcome:
        return ""
    return " · ".join(part for part in (outcome_label(poll.outcome), counts_summary(poll)) if part)


@dataclass
class Row:
    label: str
    count: int
    percent: float
    leading: bool = False
    key: str = ""  # the counter key (yes / no / abstain or an option id) live pushes update


@dataclass
class RoundRow:
    label: str
    counts: list[int | None]  # one per round; None once eliminated
    eliminated_in: int | None = None


@dataclass
class ResultView:
    final: bool
    rows: list[Row]
    cast: int
    eligible: int
    turnout: float
    outcome: str | None = None
    outcome_label: str = ""
    quorum_met: bool | None = None
    winner: str | None = None
    yes_share: float | None = None
    rules: list[str] = field(default_factory=list)
    rounds: list[RoundRow] = field(default_factory=list)
    round_count: int = 0

    @property
    def largest(self) -> int:
        """The biggest count (the chart's full length)."""
        return max([row.count for row in self.rows] + [1])


def result_view(viewer, poll: Poll) -> ResultView | None:
    """The results as the page shows them, or None while they are hidden."""
    shown = counts.results(viewer, poll)
    if shown is None:
        return None
    if not shown["final"]:
        return _live_view(poll, shown)
    if poll.method == PollMethod.YES_NO_ABSTAIN:
        return _yes_no_view(poll, shown)
    if poll.method == PollMethod.APPROVAL:
        return _approval_view(poll, shown)
    return _ranked_view(poll, shown)


def _live_view(poll: Poll, shown: dict) -> ResultView:
    counts = shown["counts"]
    if poll.method == PollMethod.YES_NO_ABSTAIN:
        keys = list(tally.CHOICES)
    else:
        keys = [str(option.id) for option in poll.options]
    base = shown["cast"]
    rows = [Row(choice_label(poll, key), counts.get(key, 0), tally.percent(counts.get(key, 0), base), key=key)
            for key in keys]
    rules = [str(THRESHOLD_RULES[poll.threshold])] if poll.method == PollMethod.YES_NO_ABSTAIN else []
    if poll.method == PollMethod.RANKED_CHOICE:
        rules.append(_("While the poll is open, the counts are first preferences."))
    return ResultView(final=False, rows=rows, cast=shown["cast"], eligible=shown["eligible"],
                      turnout=shown["turnout"], rules=rules)


def _final(poll: Poll, shown: dict, rows: list[Row], **extra) -> ResultView:
    return ResultView(final=True, rows=rows, cast=shown["cast"], eligible=shown["eligible"], turnout=shown["turnout"],
                      outcome=shown["outcome"], outcome_label=str(OUTCOME_LABELS.get(shown["outcome"], "")),
                      quorum_met=shown["quorum_met"], **extra)


def _quorum_rule(poll: Poll) -> list[str]:
    if not poll.quorum_percent:
        return []
    return [_("Quorum: at least %(percent)d%% of the eligible members vote.", percent=poll.quorum_percent)]


def _yes_no_view(poll: Poll, shown: dict) -> ResultView:
    rows = [Row(choice_label(poll, key), shown["counts"][key], shown["percentages"][key]) for key in tally.CHOICES]
    return _final(poll, shown, rows, yes_share=shown["yes_share"],
                  rules=[str(THRESHOLD_RULES[poll.threshold]), *_quorum_rule(poll)])


def _approval_view(poll: Poll, shown: dict) -> ResultView:
    winner = shown.get("winner")
    rows = [Row(choice_label(poll, entry["option"]), entry["approvals"], entry["percent"],
                leading=entry["option"] == winner) for entry in shown["ranking"]]
    return _final(poll, shown, rows, winner=choice_label(poll, winner) if winner is not None else None,
                  rules=[str(APPROVAL_RULE), *_quorum_rule(poll)])


def _ranked_view(poll: Poll, shown: dict) -> ResultView:
    rounds = shown["rounds"]
    winner = shown.get("winner")
    table = []
    for option in poll.options:
        key = str(option.id)
        counts = [round_["counts"].get(key) for round_ in rounds]
        out = next((round_["number"] for round_ in rounds if round_["eliminated"] == option.id), None)
        table.append(RoundRow(option.label, counts, out))
    last = rounds[-1] if rounds else {"counts": {}, "percentages": {}}
    rows = [Row(choice_label(poll, key), count, last["percentages"].get(key, 0.0), leading=str(winner) == key)
            for key, count in last["counts"].items()]
    return _final(poll, shown, rows, winner=choice_label(poll, winner) if winner is not None else None,
                  rules=[str(RANKED_RULE), *_quorum_rule(poll)], rounds=table, round_count=len(rounds))


@dataclass
class RegionBreakdown:
    columns: list[str]  # the choice columns ([] when only turnout is broken down)
    rows: list[GroupRow]  # figures: [voted, *one per choice column]; size: eligible


def region_breakdown(viewer, poll: Poll) -> RegionBreakdown | None:
    """Turnout per region (once the poll has opened) and, when its results may be seen, the choices per region, under
    the small-group rule of common/small_counts.py. None for a draft, and for a secret poll: counts per region next
    to the totals could be subtracted down to a person."""
    if poll.status == PollStatus.DRAFT or poll.secret:
        return None
    region_name = func.coalesce(Region.name, "")
    eligible = dict(db.session.execute(
        select(region_name, func.count()).select_from(PollEligibility)
        .join(User, User.id == PollEligibility.user_id).outerjoin(Region, Region.id == User.region_id)
        .where(PollEligibility.poll_id == poll.id).group_by(region_name)).tuples().all())
    voted = dict(db.session.execute(
        select(region_name, func.count()).select_from(Participation)
        .join(User, User.id == Participation.user_id).outerjoin(Region, Region.id == User.region_id)
        .where(Participation.poll_id == poll.id).group_by(region_name)).tuples().all())
    by_choice: dict[str, dict[str, int]] = {}
    columns: list[str] = []
    keys: list[str] = []
    if counts.results(viewer, poll) is not None:
        keys = list(tally.CHOICES) if poll.method == PollMethod.YES_NO_ABSTAIN else [
            str(option.id) for option in poll.options]
        columns = [choice_label(poll, key) for key in keys]
        ballots = db.session.execute(
            select(region_name, Ballot.choices).select_from(Ballot).join(User, User.id == Ballot.voter_id)
            .outerjoin(Region, Region.id == User.region_id).where(Ballot.poll_id == poll.id)).tuples()
        for name, raw in ballots:
            counter = by_choice.setdefault(name, {})
            for key in counts.counted_keys(poll.method, json.loads(raw)):
                counter[key] = counter.get(key, 0) + 1
    shown_as = {region.name: localized_name(region) for region in db.session.scalars(select(Region))}
    names = sorted(eligible, key=lambda value: (value == "", shown_as.get(value, value)))
    groups = [Group(shown_as.get(name, name) or _("No region"), eligible[name],
                    (voted.get(name, 0), *(by_choice.get(name, {}).get(key, 0) for key in keys))) for name in names]
    rows = group_rows(groups, _("Other regions together"))
    return RegionBreakdown(columns, rows) if rows else None


def _withheld_csv(poll: Poll) -> str:
    """The CSV of a secret poll whose results are withheld: what it was, and why no count is given."""
    rows: list[list] = [[_("Poll"), question_text(poll)], [_("Method"), method_label(poll.method)],
                        [_("Status"), status_label(poll.status)], [_("Outcome"), outcome_label(poll.outcome)]]
    if publishable(poll.eligible_count):
        rows.append([_("Eligible members"), poll.eligible_count])
    return csv_document([*rows, [], [str(WITHHELD_RULE)]])


def results_csv(viewer, poll: Poll) -> str | None:
    """The results as CSV text (UTF-8 with BOM when encoded), or None while they are hidden."""
    if counts.withheld(poll):
        return _withheld_csv(poll)
    view = result_view(viewer, poll)
    if view is None:
        return None
    rows: list[list] = []

    def write(*cells) -> None:
        rows.append(list(cells))

    write(_("Poll"), question_text(poll))
    write(_("Method"), method_label(poll.method))
    write(_("Status"), status_label(poll.status))
    if view.final:
        write(_("Outcome"), view.outcome_label)
        if view.winner:
            write(_("Winner"), view.winner)
    write(_("Ballots cast"), view.cast)
    write(_("Eligible members"), view.eligible)
    write(_("Turnout in percent"), view.turnout)
    write()
    if view.rounds:
        write(_("Option"), *[_("Round %(n)d", n=n) for n in range(1, view.round_count + 1)])
        for row in view.rounds:
            write(row.label, *row.counts)
    else:
        write(_("Choice"), _("Votes"), _("Percent"))
        for row in view.rows:
            write(row.label, row.count, row.percent)
    for rule in view.rules:
        write()
        write(rule)
    return csv_document(rows)
