"""Poll results for people: the results page per method, the CSV export, the advisors' "who voted" list, and the
presentation functions of poll_results on their own. The per-region breakdown: test_small_groups.py."""

from __future__ import annotations

import csv
import io
import re

import pytest

from stac_youth.polls import lifecycle, tally
from stac_youth.polls import results as poll_results
from stac_youth.polls.ballots import cast_ballot
from stac_youth.polls.results import describe_ballot
from tests.meetings.helpers import client_for
from tests.polls.poll_helpers import YNA, new_poll, page

BOM = "\ufeff".encode()
SIMPLE_RULE = ("Passes with more yes than no votes (strictly more than half of yes + no); abstentions count only "
               "towards turnout.")
TWO_THIRDS_RULE = ("Passes when at least two thirds of yes + no votes are yes; abstentions count only towards "
                   "turnout.")
APPROVAL_RULE = ("Options with the same number of approvals are listed in the poll's order of options; when two or "
                 "more options share the most approvals, no single winner is decided.")
RANKED_RULE = ("When two or more options tie for the fewest votes in a round, the one among them with the fewest "
               "first-preference votes is eliminated; if they are still tied, the one with the fewest votes in the "
               "previous round, then in the round before that, and so on; if they are still tied, the one listed "
               "last in the poll's order of options is eliminated.")
OPTIONS = ["Wellness", "Transit", "Climate"]


def _cast(poll, members, ballots) -> None:
    """Each member casts the ballot at the same position; option labels stand for their ids."""
    ids = {option.label: option.id for option in poll.options}
    for member, ballot in zip(members, ballots, strict=False):
        cast_ballot(member, poll, [ids[label] for label in ballot] if isinstance(ballot, list) else ballot)


def _closed(advisor, members, method, ballots, options=None, **settings):
    poll = new_poll(advisor, method, options, **settings)
    _cast(poll, members, ballots)
    lifecycle.close_poll(advisor, poll)
    return poll


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(choice, votes, percent) rows of the results table."""
    table = html.split('class="table table-sm results-table', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row">(.*?)</th><td data-label="Votes">(\d+)</td>'
                      r'<td data-label="Percent">([\d.]+)%</td>', table)


def _tiles(html: str) -> dict[str, tuple[str, str]]:
    """The results' stat tiles: label -> (value, hint)."""
    tiles = html.split('class="stat-grid results-stats"', 1)[1].split('class="table-responsive"', 1)[0]
    found = re.findall(r'stat-tile-value">([^<]*)</p>\s*<p class="stat-tile-label">([^<]*)</p>\s*'
                       r'<p class="stat-tile-hint">([^<]*)</p>', tiles)
    return {label: (value, hint) for value, label, hint in found}


def _bar_widths(html: str) -> list[str]:
    chart = html.split('class="bar-chart', 1)[1].split("</figure>", 1)[0]
    assert chart.count('<svg class="bar" viewBox="0 0 100 10"') == len(re.findall(r"<rect ", chart))
    return re.findall(r'<rect class="bar-fill[^"]*" x="0" y="0" height="10" width="([\d.]+)">', chart)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(BOM)
    return list(csv.reader(io.StringIO(response.data[len(BOM):].decode("utf-8"))))


# --- the results page per method --------------------------------------------------------------------------------


@pytest.mark.parametrize(("settings", "ballots", "outcome", "rule", "quorum"), [
    ({"threshold": "simple", "quorum_percent": 50}, ["yes", "yes", "yes", "no", "abstain"], "Passed", SIMPLE_RULE,
     "Quorum met."),
    ({"threshold": "two_thirds"}, ["yes", "yes", "no", "no", "abstain"], "Not passed", TWO_THIRDS_RULE, None),
    ({"threshold": "simple", "quorum_percent": 80}, ["yes", "yes", "no"], "No quorum", SIMPLE_RULE,
     "Quorum not met."),
], ids=["passed", "two-thirds-not-passed", "no-quorum"])
def test_results_page_of_a_yes_no_abstain_poll(app, advisor, members, settings, ballots, outcome, rule, quorum):
    poll = _closed(advisor, members, YNA, ballots, **settings)
    shown = page(client_for(app, members[0]), f"/polls/{poll.id}")
    assert f'<p class="lead mb-2"><strong>{outcome}</strong>' in shown
    counts = {choice: ballots.count(choice) for choice in ("yes", "no", "abstain")}
    cast = len(ballots)
    assert _rows(shown) == [(label, str(counts[key]), str(tally.percent(counts[key], cast)))
                            for key, label in (("yes", "Yes"), ("no", "No"), ("abstain", "Abstain"))]
    largest = max(counts.values())
    assert _bar_widths(shown) == [str(round(100 * counts[key] / largest, 1)) for key in ("yes", "no", "abstain")]
    yes_share = tally.percent(counts["yes"], counts["yes"] + counts["no"])
    assert _tiles(shown) == {"Turnout": (f"{tally.percent(cast, 5)}%", f"Ballots cast: {cast} of 5 eligible members"),
                             "Support": (f"{yes_share}%", "Yes among yes + no")}
    rules = shown.split("How it is counted", 1)[1]
    assert rule in rules
    if quorum:
        assert quorum in shown and f"Quorum: at least {settings['quorum_percent']}% of the eligible members vote." \
            in rules
    else:
        assert "Quorum met." not in shown and "Quorum: at least" not in shown
    assert f'href="/polls/{poll.id}/results.csv"' in shown


def test_results_page_of_an_approval_poll(app, advisor, members):
    ballots = [["Wellness", "Transit"], ["Transit"], ["Transit", "Climate"], [], ["Climate"]]
    poll = _closed(advisor, members, "approval", ballots, OPTIONS)
    shown = page(client_for(app, members[0]), f"/polls/{poll.id}")
    assert "<strong>Passed</strong> · Winner: Transit" in shown
    assert _rows(shown) == [("Transit", "3", "60.0"), ("Climate", "2", "40.0"), ("Wellness", "1", "20.0")]
    assert '<tr class="table-success"><th scope="row">Transit</th>' in shown
    assert _bar_widths(shown) == ["100.0", "66.7", "33.3"]
    assert shown.count('class="bar-fill is-leading"') == 1
    assert APPROVAL_RULE in shown.split("How it is counted", 1)[1]
    # the blank ballot counts; no support tile for a poll without yes and no
    assert _tiles(shown) == {"Turnout": ("100.0%", "Ballots cast: 5 of 5 eligible members")}


def test_results_page_of_an_approval_tie_has_no_winner(app, advisor, members):
    poll = _closed(advisor, members, "approval", [["Wellness"], ["Transit"]], OPTIONS)
    shown = page(client_for(app, members[0]), f"/polls/{poll.id}")
    assert "<strong>Not passed</strong> · <span data-poll-counts>2 of 5 voted (40%)</span></p>" in shown
    assert "Winner:" not in shown
    assert _rows(shown) == [("Wellness", "1", "50.0"), ("Transit", "1", "50.0"), ("Climate", "0", "0.0")]


def test_results_page_of_a_ranked_choice_poll_shows_the_rounds(app, advisor, members):
    ballots = [["Wellness", "Transit"], ["Wellness"], ["Transit", "Wellness"], ["Climate", "Transit"],
               ["Climate", "Wellness"]]
    poll = _closed(advisor, members, "ranked_choice", ballots, OPTIONS)
    shown = page(client_for(app, members[0]), f"/polls/{poll.id}")
    assert "<strong>Passed</strong> · Winner: Wellness" in shown
    assert _rows(shown) == [("Wellness", "3", "60.0"), ("Climate", "2", "40.0")]  # the final round
    assert '<figcaption id="chart-caption" class="small">Final round</figcaption>' in shown
    rounds = shown.split("Instant runoff, round by round", 1)[1].split("</table>", 1)[0]
    assert '<th scope="col">Round 1</th><th scope="col">Round 2</th></tr>' in rounds
    cells = re.findall(r'<tr><th scope="row">(.*?)</th>\s*((?:<td[^>]*>.*?</td>)+)</tr>', rounds, re.S)
    assert [(label, re.findall(r'<td data-label="Round \d">(.*?)</td>', tds)) for label, tds in cells] == [
        ("Wellness", ["2", "3"]),
        ('Transit <span class="small">(eliminated in round 1)</span>', ["1", "–"]),
        ("Climate", ["2", "2"]),
    ]
    assert RANKED_RULE in shown.split("How it is counted", 1)[1]


def test_live_results_while_open_and_hidden_results(app, advisor, members):
    live = new_poll(advisor, "ranked_choice", OPTIONS, results_live=True)
    _cast(live, members, [["Climate", "Wellness"], ["Wellness"]])
    shown = page(client_for(app, members[2]), f"/polls/{live.id}")
    assert "Results so far" in shown and "While the poll is open, the counts are first preferences." in shown
    assert _rows(shown) == [("Wellness", "1", "50.0"), ("Transit", "0", "0.0"), ("Climate", "1", "50.0")]
    assert "Winner:" not in shown and "Instant runoff, round by round" not in shown
    hidden = new_poll(advisor)
    _cast(hidden, members, ["yes", "no"])
    for viewer in (members[2], advisor):
        shown = page(client_for(app, viewer), f"/polls/{hidden.id}")
        assert "The results are hidden until the poll closes." in shown
        assert "results-table" not in shown and 'class="bar-chart' not in shown and "results.csv" not in shown
        assert "2 of 5 members voted (40.0%)" in shown  # turnout is always shown


# --- CSV export ---------------------------------------------------------------------------------------------------


def test_csv_export_of_a_yes_no_abstain_poll(app, advisor, members):
    poll = _closed(advisor, members, YNA, ["yes", "yes", "yes", "no", "abstain"], quorum_percent=50)
    response = client_for(app, members[0]).get(f"/polls/{poll.id}/results.csv")
    assert response.headers["Content-Disposition"] == f'attachment; filename="poll-{poll.id}-results.csv"'
    rows = _csv(response)
    assert rows[:8] == [["Poll", "Do we adopt it?"], ["Method", "Yes / no / abstain"], ["Status", "Closed"],
                        ["Outcome", "Passed"], ["Ballots cast", "5"], ["Eligible members", "5"],
                        ["Turnout in percent", "100.0"], []]
    table = rows[rows.index(["Choice", "Votes", "Percent"]) + 1:][:3]
    assert {row[0]: int(row[1]) for row in table} == {"Yes": 3, "No": 1, "Abstain": 1}
    assert {key: count for key, count in poll.result["counts"].items()} == {"yes": 3, "no": 1, "abstain": 1}
    assert [row[2] for row in table] == ["60.0", "20.0", "20.0"]
    assert [SIMPLE_RULE] in rows and ["Quorum: at least 50% of the eligible members vote."] in rows


def test_csv_escapes_formula_like_text(app, advisor, members):
    labels = ["=1+1", "+SUM(A1:A9)", "-2", "@cmd", "Plain"]
    poll = _closed(advisor, members, "approval", [["=1+1", "-2"], ["=1+1"], ["Plain"]], labels,
                   question='=HYPERLINK("https://evil.example","Click")')
    rows = _csv(client_for(app, members[0]).get(f"/polls/{poll.id}/results.csv"))
    assert rows[0] == ["Poll", "'=HYPERLINK(\"https://evil.example\",\"Click\")"]
    assert ["Winner", "'=1+1"] in rows
    table = rows[rows.index(["Choice", "Votes", "Percent"]) + 1:][:5]
    assert {row[0]: int(row[1]) for row in table} == {"'=1+1": 2, "'-2": 1, "Plain": 1, "'+SUM(A1:A9)": 0,
                                                      "'@cmd": 0}
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)


def test_csv_export_of_a_ranked_choice_poll_has_the_rounds(app, advisor, members):
    ballots = [["Wellness", "Transit"], ["Wellness"], ["Transit", "Wellness"], ["Climate", "Transit"],
               ["Climate", "Wellness"]]
    poll = _closed(advisor, members, "ranked_choice", ballots, OPTIONS)
    rows = _csv(client_for(app, advisor).get(f"/polls/{poll.id}/results.csv"))
    assert ["Method", "Ranked choice (instant runoff)"] in rows and ["Winner", "Wellness"] in rows
    start = rows.index(["Option", "Round 1", "Round 2"])
    assert rows[start + 1:start + 4] == [["Wellness", "2", "3"], ["Transit", "1", ""], ["Climate", "2", "2"]]
    assert [RANKED_RULE] in rows


def test_csv_while_the_results_are_hidden_redirects_with_a_message(app, advisor, members):
    poll = new_poll(advisor)
    _cast(poll, members, ["yes", "yes", "no"])
    for viewer in (members[0], advisor):
        client = client_for(app, viewer)
        response = client.get(f"/polls/{poll.id}/results.csv")
        assert response.status_code == 302 and response.headers["Location"] == f"/polls/{poll.id}"
        assert "text/csv" not in response.headers["Content-Type"]
        assert b"Yes" not in response.data and b"Ballots cast" not in response.data
        shown = page(client, response.headers["Location"])
        assert 'role="status" tabindex="-1">The results are hidden until the poll closes.</div>' in shown
    live = new_poll(advisor, results_live=True)
    _cast(live, members, ["no"])
    rows = _csv(client_for(app, members[1]).get(f"/polls/{live.id}/results.csv"))
    assert ["Status", "Open for voting"] in rows and not any(row[:1] == ["Outcome"] for row in rows)
    assert ["No", "1", "100.0"] in rows


# --- who voted --------------------------------------------------------------------------------------------------


def _voters_list(html: str) -> list[str] | None:
    if 'id="voters-title"' not in html:
        return None
    section = html.split('id="voters-title"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<span class="voter">(.*?)</span></li>', section)


def test_who_voted_on_an_open_ballot_shows_choices_once_results_are_visible(app, advisor, members):
    poll = new_poll(advisor, "approval", OPTIONS)
    _cast(poll, members, [["Transit"], ["Wellness", "Climate"], []])
    staff = client_for(app, advisor)
    assert _voters_list(page(staff, f"/polls/{poll.id}")) == ["Member Ana", "Member Ben", "Member Cy"]  # hidden
    lifecycle.close_poll(advisor, poll)
    assert _voters_list(page(staff, f"/polls/{poll.id}")) == [
        "Member Ana: Transit", "Member Ben: Wellness, Climate", "Member Cy: No option approved"]
    assert _voters_list(page(client_for(app, members[0]), f"/polls/{poll.id}")) is None
    assert _voters_list(page(client_for(app, members[4]), f"/polls/{poll.id}")) is None


def test_who_voted_on_a_live_open_ballot_shows_choices(app, advisor, members):
    poll = new_poll(advisor, results_live=True)
    _cast(poll, members, ["no"])
    assert _voters_list(page(client_for(app, advisor), f"/polls/{poll.id}")) == ["Member Ana: No"]
    assert _voters_list(page(client_for(app, members[1]), f"/polls/{poll.id}")) is None


def test_who_voted_is_not_listed_on_a_secret_poll_even_to_advisors(app, advisor, members, make_user):
    """Who voted, next to a small or unanimous result, would tell how they voted: nobody sees it on a secret poll."""
    poll = new_poll(advisor, secret=True)
    _cast(poll, members, ["yes", "no"])
    for when in ("open", "closed"):
        if when == "closed":
            lifecycle.close_poll(advisor, poll)
        for viewer in (advisor, make_user("admin")):
            shown = page(client_for(app, viewer), f"/polls/{poll.id}")
            assert _voters_list(shown) is None and "Member Ana" not in shown and "Member Ben" not in shown, when
        assert _voters_list(page(client_for(app, members[0]), f"/polls/{poll.id}")) is None


# --- the presentation functions on their own --------------------------------------------------------------------


def test_describe_ballot(app, advisor):
    yna = new_poll(advisor, status="draft")
    approval = new_poll(advisor, "approval", OPTIONS, status="draft")
    ranked = new_poll(advisor, "ranked_choice", OPTIONS, status="draft")
    w, t, c = (option.id for option in ranked.options)
    assert describe_ballot(yna, "abstain") == "Abstain"
    assert describe_ballot(yna, None) == ""
    ids = [option.id for option in approval.options]
    assert describe_ballot(approval, [ids[0], ids[2]]) == "Wellness, Climate"
    assert describe_ballot(approval, []) == "No option approved"
    assert describe_ballot(ranked, [c, w]) == "1. Climate, 2. Wellness"
    assert describe_ballot(ranked, [t]) == "1. Transit"


def test_result_view_and_csv_are_none_while_hidden_for_every_role(app, advisor, members, make_user):
    poll = new_poll(advisor)
    _cast(poll, members, ["yes"])
    viewers = [members[1], advisor, make_user("planner"), make_user("admin")]
    assert all(poll_results.result_view(viewer, poll) is None for viewer in viewers)
    assert all(poll_results.results_csv(viewer, poll) is None for viewer in viewers)
    lifecycle.close_poll(advisor, poll)
    view = poll_results.result_view(members[1], poll)
    assert (view.final, view.outcome, view.cast, view.eligible, view.turnout) == (True, "passed", 1, 5, 20.0)
    assert [(row.label, row.count) for row in view.rows] == [("Yes", 1), ("No", 0), ("Abstain", 0)]
    assert view.largest == 1
    assert poll_results.results_csv(advisor, poll).startswith("\ufeffPoll,Do we adopt it?\r\n")
