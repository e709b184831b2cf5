"""Hidden results stay hidden everywhere until close: every channel, every role.

A poll whose results are not live (results_live False) shows turnout while it is open and nothing per choice, to
every role alike (PRODUCT.md: "hidden means hidden from every role"). Each channel that could carry counts is
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

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from stac_youth.common.time import utcnow
from stac_youth.meetings import agenda
from stac_youth.meetings import services as meeting_services
from stac_youth.proposals import polls
from tests.meetings.helpers import client_for, item_data

from .helpers import make_proposal
from .poll_checks import (
    MEETING_POLL_KEYS,
    MEETINGS_NS,
    POLLS_NS,
    fresh_live_turnout,
    html_count_leaks,
    html_shows_counts,
    payload_count_leaks,
    received,
    visible_text,
    wait_for_pushes,
    watch,
)

YNA = "yes_no_abstain"
ROLES = ("voter", "non_voter", "advisor", "planner", "admin")
MANAGERS = ("advisor", "admin")
VOTES = ("yes", "yes", "yes", "no")  # members 1-4; member 5 does not vote
COUNTS = {"yes": 3, "no": 1, "abstain": 0}
VOTER_NAMES = ("Vera Voter", "Victor Voter", "Valeria Voter", "Vince Voter")


@pytest.fixture(autouse=True)
def live_pushes(monkeypatch):
    yield from fresh_live_turnout(monkeypatch)


@dataclass
class Board:
    """The people, their HTTP clients and sockets, a proposal poll and an agenda-item poll, both voted in."""

    users: dict
    clients: dict
    sockets: dict  # (role, namespace) -> socket
    proposal: object
    meeting: object
    item: object
    proposal_poll: object
    item_poll: object
    outbox: list
    pushes: dict = field(default_factory=dict)  # role -> [(namespace, event, payload)] since the last collect
    closed: bool = False

    @property
    def poll_ids(self) -> tuple[int, int]:
        return self.proposal_poll.id, self.item_poll.id

    def collect_pushes(self) -> None:
        wait_for_pushes()
        for role in ROLES:
            got = self.pushes.setdefault(role, [])
            for namespace in (POLLS_NS, MEETINGS_NS):
                got += [(namespace, name, payload) for name, payload in received(self.sockets[role, namespace],
                                                                                 namespace)]

    def take_pushes(self, role: str) -> list[tuple[str, str, dict]]:
        got, self.pushes[role] = self.pushes.get(role, []), []
        return got

    def close(self) -> None:
        self.collect_pushes()
        for role in ROLES:
            self.take_pushes(role)  # the pushes of the open phase were checked (or not wanted) already
        advisor = self.users["advisor"]
        polls.close_poll(advisor, self.proposal_poll)
        polls.close_poll(advisor, self.item_poll)
        self.closed = True
        self.collect_pushes()


def build_board(app, make_user, socket_client, outbox, results_live: bool) -> Board:
    advisor = make_user("advisor", display_name="Ada Advisor")
    members = [make_user("member", display_name=name) for name in VOTER_NAMES]
    non_voter = make_user("member", display_name="Nadia Nonvoter")
    users = {"voter": members[0], "non_voter": non_voter, "advisor": advisor,
             "planner": make_user("planner", display_name="Pat Planner"),
             "admin": make_user("admin", display_name="Alex Admin")}
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor, title="Free transit passes")
    start = utcnow() + timedelta(minutes=5)
    meeting = meeting_services.create_meeting(advisor, meeting_services.MeetingData(
        title="Board meeting", description="", starts_at=start, ends_at=start + timedelta(hours=1),
        location="Room 4", video_url=None))
    item = agenda.add_item(advisor, meeting, item_data("Transit vote", kind="vote"))
    meeting_services.publish_meeting(advisor, meeting)
    meeting_services.start_meeting(advisor, meeting)
    assert meeting.current_item_id == item.id
    proposal_poll = polls.create_poll(advisor, proposal, "Adopt free transit passes?", YNA,
                                      results_live=results_live)
    item_poll = polls.create_poll(advisor, None, "Endorse the transit plan?", YNA, results_live=results_live,
                                  agenda_item=item)
    clients = {role: client_for(app, user) for role, user in users.items()}
    sockets = {}
    for role in ROLES:
        for namespace in (POLLS_NS, MEETINGS_NS):
            sock = socket_client(namespace=namespace, http_client=clients[role])
            assert sock.is_connected(namespace), (role, namespace)
            sockets[role, namespace] = sock
        ack = sockets[role, MEETINGS_NS].emit("join", {"meeting_id": meeting.id}, namespace=MEETINGS_NS,
                                              callback=True)
        assert ack["ok"] is True, (role, ack)
        sockets[role, MEETINGS_NS].get_received(MEETINGS_NS)
    board = Board(users, clients, sockets, proposal, meeting, item, proposal_poll, item_poll, outbox)
    for role in MANAGERS:  # advisors may follow a draft, so they get its "opened" status push
        for poll_id in board.poll_ids:
            assert watch(sockets[role, POLLS_NS], poll_id)["ok"] is True
    polls.open_poll(advisor, proposal_poll)
    polls.open_poll(advisor, item_poll)
    for role in ROLES:
        if role not in MANAGERS:
            for poll_id in board.poll_ids:
                assert watch(sockets[role, POLLS_NS], poll_id)["ok"] is True, role
    for member, choice in zip(members, VOTES, strict=True):
        polls.cast_ballot(member, proposal_poll, choice)
        polls.cast_ballot(member, item_poll, choice)
    assert polls.turnout(proposal_poll) == polls.turnout(item_poll) == (4, 5)
    board.collect_pushes()
    return board


@pytest.fixture
def hidden_board(app, make_user, socket_client, outbox):
    return build_board(app, make_user, socket_client, outbox, results_live=False)


@pytest.fixture
def live_board(app, make_user, socket_client, outbox):
    return build_board(app, make_user, socket_client, outbox, results_live=True)


# --- the channels ---------------------------------------------------------------------------------------------------
# Each reads what one role gets from one channel; `hidden` lists the problems while the results are hidden,
# `closed` and `live` are the positive controls (None: the channel never shows counts, see `shown`).


def _get(board: Board, role: str, url: str) -> str:
    response = board.clients[role].get(url)
    assert response.status_code == 200, (role, url, response.status_code)
    return response.get_data(as_text=True)


@dataclass(frozen=True)
class Page:
    """An HTML page or fragment."""

    urls: object  # board -> [url]
    closed_counts: bool  # the page shows the final counts after the close
    live_counts: bool  # the page shows the counts while the poll is open with results_live
    closed_text: str | None = None  # what it shows of the closed poll instead of counts
    names_choices: bool = False  # advisors see who voted what on open ballots once results may be seen

    def read(self, board: Board, role: str) -> list[str]:
        return [_get(board, role, url) for url in self.urls(board)]

    def hidden_problems(self, board: Board, role: str) -> list[str]:
        pages = self.read(board, role)
        if self.names_choices and role in MANAGERS:  # "Who voted" lists the names, so a choice would show
            assert all(name in visible_text(html) for html in pages for name in VOTER_NAMES), role
        return [problem for html in pages for problem in html_count_leaks(html, VOTER_NAMES)]

    def check_closed(self, board: Board, role: str) -> None:
        for html in self.read(board, role):
            if self.closed_counts:
                assert html_shows_counts(html, **COUNTS), role
            else:
                assert html_count_leaks(html) == [], role
            if self.closed_text:
                assert self.closed_text in visible_text(html), role
            if self.names_choices and role in MANAGERS:
                assert "Vera Voter: Yes" in visible_text(html) and "Vince Voter: No" in visible_text(html)

    def check_live(self, board: Board, role: str) -> None:
        for html in self.read(board, role):
            if self.live_counts:
                assert html_shows_counts(html, **COUNTS), role
            else:
                assert html_count_leaks(html) == [], role
            if self.names_choices and role in MANAGERS:
                assert "Vera Voter: Yes" in visible_text(html)


def _listed(board: Board, role: str, html: str) -> None:
    """A listing page names the polls it lists: at least one here (so the page was not empty by accident)."""
    text = visible_text(html)
    assert board.proposal_poll.question in text or board.item_poll.question in text, role


@dataclass(frozen=True)
class Listing(Page):
    """A page that lists polls (never their counts); for some roles it lists none of ours."""

    lists_for: tuple[str, ...] = ROLES
    lists_for_closed: tuple[str, ...] = ROLES

    def read(self, board: Board, role: str) -> list[str]:
        pages = super().read(board, role)
        if role in (self.lists_for_closed if board.closed else self.lists_for):
            for html in pages:
                _listed(board, role, html)
        return pages


class LiveJson:
    def read(self, board: Board, role: str) -> list[dict]:
        answers = []
        for poll_id in board.poll_ids:
            response = board.clients[role].get(f"/polls/{poll_id}/live.json")
            assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
            answers.append(response.get_json())
        return answers

    def hidden_problems(self, board, role):
        answers = self.read(board, role)
        assert all(answer["cast"] == 4 and answer["eligible"] == 5 for answer in answers)  # turnout is shown
        return [problem for answer in answers for problem in payload_count_leaks(answer)]

    def check_closed(self, board, role):
        for answer in self.read(board, role):
            assert answer["status"] == "closed" and payload_count_leaks(answer) == [], role

    def check_live(self, board, role):
        for answer in self.read(board, role):
            assert answer["counts"] == COUNTS and answer["cast"] == 4, role


class WatchAnswer(LiveJson):
    def read(self, board: Board, role: str) -> list[dict]:
        answers = []
        for poll_id in board.poll_ids:
            ack = watch(board.sockets[role, POLLS_NS], poll_id)
            assert ack["ok"] is True, (role, ack)
            answers.append(ack["poll"])
        return answers


class ResultsCsv:
    def hidden_problems(self, board, role):
        problems = []
        for poll_id in board.poll_ids:
            response = board.clients[role].get(f"/polls/{poll_id}/results.csv")
            problems += [f"CSV line {line!r}" for line in response.get_data(as_text=True).splitlines()
                         if re.match(r"\ufeff?(Yes|No|Abstain),\d", line)]
            if response.status_code != 302 or response.headers.get("Location") != f"/polls/{poll_id}":
                problems.append(f"{response.status_code} {response.headers.get('Content-Type')}")
                continue
            follow = _get(board, role, response.headers["Location"])
            if "The results are hidden until the poll closes." not in visible_text(follow):
                problems.append("no explanation after the redirect")
        return problems

    def _csv(self, board, role):
        for poll_id in board.poll_ids:
            response = board.clients[role].get(f"/polls/{poll_id}/results.csv")
            assert response.status_code == 200 and response.mimetype == "text/csv", role
            yield response.get_data(as_text=True).lstrip("\ufeff").splitlines()

    def check_closed(self, board, role):
        for lines in self._csv(board, role):
            assert {"Yes,3,75.0", "No,1,25.0", "Abstain,0,0.0"} <= set(lines), lines
            assert "Outcome,Passed" in lines

    def check_live(self, board, role):
        for lines in self._csv(board, role):
            assert {"Yes,3,75.0", "No,1,25.0", "Abstain,0,0.0"} <= set(lines), lines


class SocketPushes:
    """Every push a role's sockets got: /polls turnout and status, and the /meetings `poll` event."""

    def _check_shapes(self, pushes) -> list[str]:
        problems = []
        for namespace, name, payload in pushes:
            if namespace == POLLS_NS:
                if name not in ("turnout", "status"):
                    problems.append(f"unexpected push {name}")
                problems += payload_count_leaks(payload)
            elif name == "poll" and set(payload) != MEETING_POLL_KEYS:
                problems.append(f"/meetings poll event with {sorted(payload)}")
        return problems

    def hidden_problems(self, board, role):
        pushes = board.take_pushes(role)
        turnout = [payload for namespace, name, payload in pushes if name == "turnout"]
        for poll_id in board.poll_ids:  # not vacuous: the watcher did follow the ballots
            last = [payload for payload in turnout if payload["poll_id"] == poll_id][-1]
            assert last["cast"] == 4 and last["eligible"] == 5 and last["status"] == "open", (role, last)
        opened = {(payload["poll_id"], payload["status"]) for _ns, name, payload in pushes if name == "status"}
        if role in MANAGERS:  # they watched the drafts, so they saw them open
            assert opened == {(poll_id, "open") for poll_id in board.poll_ids}, (role, opened)
        item_events = [payload for namespace, name, payload in pushes if namespace == MEETINGS_NS and name == "poll"]
        assert {"item_id": board.item.id, "poll_id": board.item_poll.id, "status": "open"} in item_events, role
        return self._check_shapes(pushes)

    def check_closed(self, board, role):
        pushes = board.take_pushes(role)
        closed = {(payload["poll_id"], payload["status"]) for _ns, name, payload in pushes if name == "status"}
        assert closed == {(poll_id, "closed") for poll_id in board.poll_ids}, (role, pushes)
        assert (MEETINGS_NS, "poll", {"item_id": board.item.id, "poll_id": board.item_poll.id,
                                       "status": "closed"}) in pushes, role
        assert self._check_shapes(pushes) == []

    def check_live(self, board, role):
        pushes = board.take_pushes(role)
        turnout = [payload for _ns, name, payload in pushes if name == "turnout"]
        for poll_id in board.poll_ids:
            last = [payload for payload in turnout if payload["poll_id"] == poll_id][-1]
            assert last["counts"] == COUNTS and last["cast"] == 4, (role, last)


class Emails:
    """Every email sent during the scene. None is about polls today (the outbox stays empty), so this guards the
    poll-opened / poll-closed notifications PRODUCT.md asks for, once they exist."""

    def hidden_problems(self, board, role):
        return [f"email {message.subject!r}: {problem}" for message in board.outbox
                for problem in html_count_leaks(f"{message.subject}\n{message.body}")]

    def check_closed(self, board, role):
        """After the close an email may give the result, but never who voted what."""
        for message in board.outbox:
            text = f"{message.subject}\n{message.body}"
            assert not [name for name in VOTER_NAMES if f"{name}: " in text], message.subject

    def check_live(self, board, role):
        assert self.hidden_problems(board, role) == []


CHANNELS = {
    "poll_page": Page(lambda b: [f"/polls/{poll_id}" for poll_id in b.poll_ids], closed_counts=True,
                      live_counts=True, closed_text="Passed", names_choices=True),
    "poll_panel": Page(lambda b: [f"/polls/{poll_id}/panel" for poll_id in b.poll_ids], closed_counts=False,
                       live_counts=True, closed_text="Passed"),
    "agenda_item_panel": Page(lambda b: [f"/agenda-items/{b.item.id}/poll-panel"], closed_counts=False,
                              live_counts=True, closed_text="Passed"),
    "live_meeting_screen": Page(lambda b: [f"/meetings/{b.meeting.id}/live"], closed_counts=False,
                                live_counts=True, closed_text="Passed"),
    "polls_index": Listing(lambda b: ["/polls"], closed_counts=False, live_counts=False, closed_text="Closed"),
    # home lists open polls to members who have not voted in them, and recent polls to advisors / admins
    "home_page": Listing(lambda b: ["/"], closed_counts=False, live_counts=False,
                         lists_for=("non_voter", *MANAGERS), lists_for_closed=MANAGERS),
    "proposal_page": Listing(lambda b: [f"/proposals/{b.proposal.id}"], closed_counts=False, live_counts=False,
                             closed_text="Passed"),
    "live_json": LiveJson(),
    "results_csv": ResultsCsv(),
    "socket_watch_answer": WatchAnswer(),
    "socket_pushes": SocketPushes(),
    "emails": Emails(),
}


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
