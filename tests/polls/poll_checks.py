"""Shared checks for the poll channel, secrecy and Socket.IO tests: what counts a page or payload leaks, the
pushes a test socket got, and waiting for the coalesced turnout pushes (plain functions, not fixtures)."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

from stac_youth.polls import events as poll_events

POLLS_NS = "/polls"
MEETINGS_NS = "/meetings"
#: The keys of a live payload (poll_views.live_payload); "counts" only when the results may be seen.
LIVE_KEYS = {"poll_id", "status", "cast", "eligible", "turnout"}
#: The keys of the /meetings "poll" event.
MEETING_POLL_KEYS = {"item_id", "poll_id", "status"}

#: Markup that only the results (live or final) put on a page.
COUNT_MARKERS = (
    "data-count-key", "poll-live-counts", "results-table", 'class="bar-chart', "Results so far", "Votes per choice",
    "Ballots cast:", "Download the results (CSV)", "Yes among yes + no",
)
#: A per-region breakdown with one column per choice (shown only with the results).
CHOICE_COLUMN = re.compile(r'<th scope="col">(Yes|No|Abstain)</th>')
#: A choice with a number right after it in the visible text: "Yes: 3", "Yes 3 75.0%", "No (1".
COUNT_NEAR_CHOICE = re.compile(r"\b(Yes|No|Abstain)\b[\s:]{0,4}\(?\d")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    """The text a reader sees, one space between pieces of text."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


def html_count_leaks(html: str, voter_names=()) -> list[str]:
    """Everything in a page that shows per-choice counts (or, for named voters, what they chose)."""
    problems = [f"marker {marker!r}" for marker in COUNT_MARKERS if marker in html]
    problems += [f"choice column {match.group(0)!r}" for match in CHOICE_COLUMN.finditer(html)]
    text = visible_text(html)
    problems += [f"count next to a choice: {text[max(0, m.start() - 30):m.end() + 10]!r}"
                 for m in COUNT_NEAR_CHOICE.finditer(text)]
    problems += [f"choice of {name!r}" for name in voter_names if f"{name}: " in text]
    return problems


def html_shows_counts(html: str, yes: int, no: int, abstain: int) -> bool:
    """Whether the page shows exactly these counts next to their choices."""
    text = visible_text(html)
    return all(re.search(rf"\b{label}\b[\s:]{{0,4}}{count}\b", text)
               for label, count in (("Yes", yes), ("No", no), ("Abstain", abstain)))


def payload_count_leaks(payload) -> list[str]:
    """What a live payload (live.json, the watch answer, a turnout / status push) holds beyond turnout."""
    if not isinstance(payload, dict):
        return [f"not a dict: {payload!r}"]
    extra = set(payload) - LIVE_KEYS
    return [f"unexpected keys {sorted(extra)}"] if extra else []


def received(sock, namespace: str, name: str | None = None) -> list[tuple[str, dict]]:
    """(event, payload) of the pushes a test socket got since last asked (of one name, when given)."""
    pushes = [(push["name"], push["args"][0] if isinstance(push["args"], list) else push["args"])
              for push in sock.get_received(namespace)]
    return [push for push in pushes if name is None or push[0] == name]


def watch(sock, poll_id):
    """The answer to a `watch` of the payload {poll_id}."""
    return sock.emit("watch", {"poll_id": poll_id}, namespace=POLLS_NS, callback=True)


def wait_for_pushes(timeout: float = 3.0, quiet: float = 0.1) -> None:
    """Wait until no coalesced turnout push is pending any more (and a little longer, for the emit itself)."""
    deadline = time.monotonic() + timeout
    while poll_events.live_turnout.pending and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(quiet)


def fresh_live_turnout(monkeypatch):
    """A fresh live_turnout per test (it remembers poll ids, and ids start again in each test database), and no
    push still on its way when the test ends. Use from an autouse fixture: `yield from fresh_live_turnout(mp)`."""
    monkeypatch.setattr(poll_events, "live_turnout", poll_events.new_live_turnout())
    yield
    wait_for_pushes()
