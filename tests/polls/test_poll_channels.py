"""Hidden results stay hidden everywhere until close: every channel, every role.

A poll whose results are not live (results_live False) shows turnout while it is open and nothing per choice, to
every role alike (docs/product.md: "hidden means hidden from every role"). Each channel that could carry counts is
checked for each role: the poll page, its panel, the agenda item's panel, the live meeting screen, /polls, home,
the proposal page, live.json, the CSV export, the Socket.IO `watch` answer, every push a watching socket gets, and
every email sent.

Two polls are used: one on a proposal, one on the current agenda item of a live meeting, each with 3 yes, 1 no and
0 abstain out of 5 eligible members, so a count leaked next to its choice ("Yes 3", "No: 1") is detectable.

So that a pass never comes from a channel that cannot show counts at all, each channel also has a positive control:
- after the close, the channels that show final results (poll page, CSV) show exactly 3 / 1 / 0, and the others
  show the closed poll (its status or outcome) and still no counts: live payloads and panels carry live counts
  only, the final tally is on the poll page;
- the same scene with results_live True shows the counts live in every channel meant to show them live.
"""

from __future__ import annotations

import pytest

from .channel_board import COUNTS, ROLES, VOTER_NAMES, build_board
from .channel_readers import CHANNELS
from .poll_checks import fresh_live_turnout, html_count_leaks, html_shows_counts, payload_count_leaks


@pytest.fixture(autouse=True)
def live_pushes(monkeypatch):
    yield from fresh_live_turnout(monkeypatch)


@pytest.fixture
def hidden_board(app, make_user, socket_client, outbox):
    return build_board(app, make_user, socket_client, outbox, results_live=False)


@pytest.fixture
def live_board(app, make_user, socket_client, outbox):
    return build_board(app, make_user, socket_client, outbox, results_live=True)


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_hidden_results_stay_hidden_until_close(hidden_board, channel):
    spec = CHANNELS[channel]
    for role in ROLES:
        assert spec.hidden_problems(hidden_board, role) == [], (channel, role)
    hidden_board.close()
    for role in ROLES:
        spec.check_closed(hidden_board, role)


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_live_results_do_show_where_they_belong(live_board, channel):
    """The control: with results_live the same channels show the same counts (listings and email never do)."""
    spec = CHANNELS[channel]
    for role in ROLES:
        spec.check_live(live_board, role)


def test_the_leak_checks_see_a_leak():
    """The detectors themselves: a results list, a table row, a region column and a named choice are all caught."""
    assert html_count_leaks('<ul class="poll-live-counts"><li>Yes: <span data-count-key="yes">3</span></li></ul>')
    assert html_count_leaks("<table><tr><th>Yes</th><td>3</td></tr></table>")
    assert html_count_leaks('<th scope="col">Abstain</th>')
    assert html_count_leaks("<li>Vera Voter: Yes</li>", VOTER_NAMES)
    assert html_count_leaks("<p>Yes (3)</p>")
    assert html_count_leaks("<p>4 of 5 members voted (80.0%)</p><label>Yes</label><label>No</label>") == []
    assert html_shows_counts("<tr><th>Yes</th><td>3</td></tr><tr><th>No</th><td>1</td></tr>"
                             "<tr><th>Abstain</th><td>0</td></tr>", **COUNTS)
    assert not html_shows_counts("<tr><th>Yes</th><td>13</td></tr>", yes=3, no=0, abstain=0)
    assert payload_count_leaks({"poll_id": 1, "status": "open", "cast": 4, "eligible": 5, "turnout": 80.0}) == []
    assert payload_count_leaks({"poll_id": 1, "status": "open", "counts": {"yes": 3}})
