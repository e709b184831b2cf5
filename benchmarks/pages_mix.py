"""The pages benchmark's virtual users: what a signed-in member or planner asks for, and how each answer is judged.

Each virtual user has its own session cookie (kept up to date from Set-Cookie, as a browser keeps it) and CSRF
token. An action is one page of the realistic mix, or, one time in twenty (WRITE_SHARE), a write through the real
form: a room message (POST /rooms/<id>/messages) or a comment (POST /proposals/<id>/comments), followed by the page
its redirect names, as a browser follows it. Pages: home `/`, `/meetings`, a meeting, `/proposals`, a proposal, a
room, a poll, the Summit board `/summit`; planners also open the planners' dashboard `/summit/plan`.

An answer is an error when it does not come (timeout, connection), is a 5xx, or is not what the action expects: 200
for a page (a redirect to the sign-in page would be a 302), a redirect to the room or proposal after a form, and
then a page without the error message a refused form shows.
"""

from __future__ import annotations

import random
import secrets
import time

from .openloop import Result

WRITE_SHARE = 1 / 20
ERROR_FLASH = 'class="alert alert-danger"'
#: page -> weight, per role
MIX = {
    "member": {"home": 12, "meetings": 8, "meeting": 14, "proposals": 12, "proposal": 16, "room": 14, "poll": 10,
               "summit board": 8},
    "planner": {"home": 8, "planner dashboard": 30, "summit board": 12, "proposals": 12, "proposal": 16,
                "meetings": 6, "meeting": 6, "room": 5, "poll": 5},
}
WRITES = {"message": 3, "comment": 2}


class VirtualUser:
    """One signed-in user: its session, what it may open, its random choices; actions record Results."""

    def __init__(self, plan: dict, user: dict, rng: random.Random) -> None:
        self.plan, self.user, self.rng = plan, user, rng
        self.cookie = user["cookie"]
        self.pages, self.weights = list(MIX[user["role"]]), list(MIX[user["role"]].values())

    def headers(self, form: bool = False) -> dict:
        headers = {"User-Agent": self.plan["user_agent"], "Cookie": f"{self.plan['cookie_name']}={self.cookie}"}
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers

    def path(self, page: str) -> str:
        """The URL of one page of the mix, picking the meeting, proposal, room or poll among the user's own."""
        rng, user = self.rng, self.user

        def one(key: str, prefix: str, fallback: str) -> str:
            return f"{prefix}/{rng.choice(user[key])}" if user[key] else fallback

        return {"home": "/", "meetings": "/meetings", "proposals": "/proposals", "summit board": "/summit",
                "planner dashboard": "/summit/plan", "meeting": one("meetings", "/meetings", "/meetings"),
                "proposal": one("proposals", "/proposals", "/proposals"),
                "room": f"/rooms/{rng.choice(self.plan['rooms'])}", "poll": one("polls", "/polls", "/polls")}[page]

    def next_action(self) -> str:
        """A page name of the user's mix, or 'message' / 'comment' one time in twenty."""
        if self.rng.random() < WRITE_SHARE:
            write = self.rng.choices(list(WRITES), list(WRITES.values()))[0]
            return "message" if write == "comment" and not self.user["commentable"] else write
        return self.rng.choices(self.pages, self.weights)[0]

    async def request(self, http, base: str, kind: str, method: str, path: str, due: float, data=None,
                      expect: str | None = None) -> Result:
        """One request judged as the module says; a POST's Result carries the redirect's path in extra."""
        import aiohttp

        started = time.monotonic()
        status, error, extra = None, None, {"path": path}
        try:
            async with http.request(method, base + path, data=data, headers=self.headers(data is not None),
                                    allow_redirects=False) as response:
                body = await response.text()
                status = response.status
                morsel = response.cookies.get(self.plan["cookie_name"])
                if morsel is not None and morsel.value:
                    self.cookie = morsel.value
                location = response.headers.get("Location", "")
                if method == "GET" and status != 200:
                    error = f"GET {status}" + (f" to {location.split('?')[0]}" if location else "")
                elif method == "GET" and expect == "no error message" and ERROR_FLASH in body:
                    error = "the page after the form shows an error message"
                elif method == "POST" and (status not in (302, 303) or expect not in location):
                    error = f"POST {status} to {location or 'no redirect'}"
                extra["location"] = location.removeprefix(base).split("#")[0]
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:200]
        return Result(kind, due, started, time.monotonic(), status, error, extra)

    async def act(self, http, base: str, due: float) -> list[Result]:
        """One action due at `due`: a page, or a form and the page it redirects to."""
        action = self.next_action()
        if action not in WRITES:
            return [await self.request(http, base, action, "GET", self.path(action), due)]
        token = self.user["csrf"]
        if action == "message":
            room_id = self.rng.choice(self.plan["rooms"])
            body = f"Pages benchmark message from member {self.user['id']}: see *agenda item {self.rng.randint(1, 9)}*"
            data = [("csrf_token", token), ("client_id", f"pages-{self.user['id']}-{secrets.token_hex(6)}"),
                    ("body", body)]
            path, expect = f"/rooms/{room_id}/messages", f"/rooms/{room_id}"
        else:
            proposal_id = self.rng.choice(self.user["commentable"])
            body = f"I support this, and *so does my school* ({secrets.token_hex(3)})."
            data = [("csrf_token", token), ("body", body)]
            path, expect = f"/proposals/{proposal_id}/comments", f"/proposals/{proposal_id}"
        posted = await self.request(http, base, f"{action} (POST)", "POST", path, due, data, expect)
        if posted.error:
            return [posted]
        follow = await self.request(http, base, "room" if action == "message" else "proposal", "GET",
                                    posted.extra["location"], time.monotonic(), expect="no error message")
        return [posted, follow]


def page_breakdown(results: list[Result]) -> dict:
    """Per kind of request: count, errors, p50 and p95 (ms from the due time)."""
    from .openloop import latency_figures

    out = {}
    for kind in sorted({r.kind for r in results}):
        mine = [r for r in results if r.kind == kind]
        figures = latency_figures([r.ms for r in mine if r.status is not None])
        out[kind] = {"count": len(mine), "errors": sum(1 for r in mine if r.error), "p50_ms": figures["p50_ms"],
                     "p95_ms": figures["p95_ms"]}
    return out
