"""What each role reads from each channel that could carry poll counts, with its hidden / closed / live checks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .channel_board import COUNTS, MANAGERS, ROLES, VOTER_NAMES, Board
from .poll_checks import (
    MEETING_POLL_KEYS,
    MEETINGS_NS,
    POLLS_NS,
    html_count_leaks,
    html_shows_counts,
    payload_count_leaks,
    visible_text,
    watch,
)

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
    poll-opened / poll-closed notifications docs/product.md asks for, once they exist."""

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
