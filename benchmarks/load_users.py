"""The load test's HTTP users: signed-in members browsing the main pages, voting, posting room messages and comments.

Each user is an asyncio task with its own keep-alive connection, behaving like a browser: it keeps its session cookie
up to date from Set-Cookie (by hand: a cookie jar would refuse the Secure `__Host-` cookie over plain http), follows
the redirect after a form (post/redirect/get) and waits a think time between actions (uniform 0.5-2.5 s, like
locust's `between`). Every answer is recorded with its page name and latency; an error is an exception (no
answer, timeout), a status that is not the expected one (200 for a page, a redirect to the right place after a
form), or a page after a form that shows an error message.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from dataclasses import dataclass, field

from .crash_clients import new_receipt

THINK_SECONDS = (0.5, 2.5)
REQUEST_TIMEOUT = 30.0
ERROR_FLASH = 'class="alert alert-danger"'
#: action -> weight; a vote or comment with nothing left to do browses instead
ACTIONS = {"home": 8, "meetings": 6, "meeting": 10, "proposals": 10, "proposal": 12, "room": 10, "polls": 6,
           "poll": 6, "notifications": 4, "vote": 10, "message": 12, "comment": 4}


@dataclass
class Record:
    """One HTTP answer (or the lack of one)."""

    page: str
    started: float
    ms: float
    status: int | None
    error: str | None = None


@dataclass
class Outcome:
    """What all users did: every answer, and the room messages posted (client id -> (room id, time sent))."""

    records: list[Record] = field(default_factory=list)
    posted: dict[str, tuple[int, float]] = field(default_factory=dict)
    votes: int = 0
    comments: int = 0


class Browser:
    """One member's browser: a session cookie, a CSRF token and a keep-alive connection."""

    def __init__(self, http, base: str, plan: dict, user: dict, outcome: Outcome, rng: random.Random) -> None:
        self.http, self.base, self.plan, self.user, self.outcome, self.rng = http, base, plan, user, outcome, rng
        self.cookie = user["cookie"]
        self.votes = list(user["votes"])

    def _headers(self, form: bool = False) -> dict:
        """The headers a browser sends: its User-Agent and current session cookie."""
        headers = {"User-Agent": self.plan["user_agent"], "Cookie": f"{self.plan['cookie_name']}={self.cookie}"}
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers

    async def request(self, page: str, method: str, path: str, data: list[tuple[str, str]] | None = None,
                      expect: str | None = None) -> str | None:
        """One request, recorded; the page's text (GET) or the redirect's Location (POST), None on an error."""
        import aiohttp

        started = time.monotonic()
        status, error, result = None, None, None
        try:
            async with self.http.request(method, self.base + path, data=data, headers=self._headers(data is not None),
                                         allow_redirects=False) as response:
                body = await response.text()
                status = response.status
                morsel = response.cookies.get(self.plan["cookie_name"])
                if morsel is not None and morsel.value:
                    self.cookie = morsel.value
                if method == "GET":
                    if status != 200:
                        error = f"GET {status} (Location: {response.headers.get('Location')})"
                    elif expect == "no error message" and ERROR_FLASH in body:
                        error = "the page after the form shows an error message"
                    result = body
                else:
                    location = response.headers.get("Location", "")
                    if status not in (302, 303) or expect not in location:
                        error = f"POST {status} to {location or 'no redirect'}, expected {expect}"
                    result = location
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:200]
        self.outcome.records.append(Record(page, started, (time.monotonic() - started) * 1000, status, error))
        return None if error else result

    async def browse(self, page: str) -> None:
        """GET one of the main pages, picking the meeting, proposal, room or poll among what this user sees."""
        rng, user, rooms = self.rng, self.user, self.plan["rooms"]
        paths = {
            "home": "/", "meetings": "/meetings", "proposals": "/proposals", "polls": "/polls",
            "notifications": "/notifications",
            "meeting": f"/meetings/{rng.choice(user['meetings'])}" if user["meetings"] else "/meetings",
            "proposal": f"/proposals/{rng.choice(user['proposals'])}" if user["proposals"] else "/proposals",
            "room": f"/rooms/{rng.choice(rooms)}",
            "poll": f"/polls/{rng.choice(user['votes'])['poll_id']}" if user["votes"] else "/polls",
        }
        await self.request(page, "GET", paths[page])

    async def vote(self) -> None:
        """A ballot in an open poll not voted in yet, then its receipt page."""
        poll = self.votes.pop(self.rng.randrange(len(self.votes)))
        data = [("csrf_token", self.user["csrf"]), ("receipt", new_receipt())]
        options = list(poll["options"])
        if poll["method"] == "yes_no_abstain":
            data.append(("choice", self.rng.choice(("yes", "no", "abstain"))))
        elif poll["method"] == "approval":
            data += [("option", str(o)) for o in self.rng.sample(options, self.rng.randint(1, len(options)))]
        else:
            self.rng.shuffle(options)
            data += [(f"rank-{option}", str(rank)) for rank, option in enumerate(options, 1)]
        location = await self.request("vote (POST)", "POST", f"/polls/{poll['poll_id']}/vote", data, "/voted")
        if location:
            self.outcome.votes += 1
            await self.request("receipt", "GET", location.removeprefix(self.base), expect="no error message")

    async def message(self) -> None:
        """A room message through the page's form, then the room page it redirects to."""
        room_id = self.rng.choice(self.plan["rooms"])
        client_id = f"load-{self.user['id']}-{secrets.token_hex(6)}"
        body = f"Load test message from member {self.user['id']}: see *agenda item {self.rng.randint(1, 9)}*"
        data = [("csrf_token", self.user["csrf"]), ("client_id", client_id), ("body", body)]
        self.outcome.posted[client_id] = (room_id, time.monotonic())
        location = await self.request("message (POST)", "POST", f"/rooms/{room_id}/messages", data,
                                      f"/rooms/{room_id}")
        if location:
            await self.request("room", "GET", location.removeprefix(self.base).split("#")[0],
                               expect="no error message")

    async def comment(self) -> None:
        """A comment on a proposal, then the proposal page it redirects to."""
        proposal_id = self.rng.choice(self.user["commentable"])
        body = f"Load test comment: I support this, and *so does my school* ({secrets.token_hex(3)})."
        data = [("csrf_token", self.user["csrf"]), ("body", body)]
        location = await self.request("comment (POST)", "POST", f"/proposals/{proposal_id}/comments", data,
                                      f"/proposals/{proposal_id}")
        if location:
            self.outcome.comments += 1
            await self.request("proposal", "GET", location.removeprefix(self.base).split("#")[0],
                               expect="no error message")

    async def run(self, stop_at: float) -> None:
        """Actions with think time until stop_at (the action under way finishes)."""
        names, weights = list(ACTIONS), list(ACTIONS.values())
        await asyncio.sleep(self.rng.uniform(0, THINK_SECONDS[1]))  # users arrive spread out, not all at once
        while time.monotonic() < stop_at:
            action = self.rng.choices(names, weights)[0]
            if action == "vote" and self.votes:
                await self.vote()
            elif action == "message":
                await self.message()
            elif action == "comment" and self.user["commentable"]:
                await self.comment()
            else:
                await self.browse(action if action not in ("vote", "comment") else "poll")
            await asyncio.sleep(min(self.rng.uniform(*THINK_SECONDS), max(0.0, stop_at - time.monotonic())))


async def run_users(base: str, plan: dict, stop_at: float, seed: int) -> Outcome:
    """Every HTTP user of the plan until stop_at; what they saw."""
    import aiohttp

    outcome = Outcome()
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=len(plan["users"]))
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        browsers = [Browser(http, base, plan, user, outcome, random.Random(seed + n))
                    for n, user in enumerate(plan["users"])]
        await asyncio.gather(*(b.run(stop_at) for b in browsers))
    return outcome
