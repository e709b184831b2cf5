"""The crash test's clients, which carry on across server kills and restarts, and the ledger of what was acknowledged.

Voters POST ballots over HTTP (keep-alive aiohttp, session cookie and CSRF token from crash_setup.py); a ballot is
acknowledged by the app's 303 to /polls/<id>/voted. Senders post room messages over Socket.IO (python-socketio,
websocket transport); a message is acknowledged by the "send" callback with ok and the stored message's id. What got
no answer at all (connection refused or dropped by the kill, no callback before the socket closed) is sent again,
unchanged, once the server is back: the same receipt code, the same client id, as a browser form sent twice or the
room page's outbox after a reconnect would. Every loop is bounded by the shared stop time and a hard deadline.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field

NAMESPACE = "/rooms"
CHOICES = ("yes", "no", "abstain")
REQUEST_TIMEOUT = 15.0
ACK_TIMEOUT = 15.0
CONNECT_TIMEOUT = 5.0
RETRY_PAUSE = 0.2


def new_receipt() -> str:
    """A receipt code as the vote form carries it (16 base32 characters in groups of four)."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


@dataclass
class Ledger:
    """Everything the clients were told, shared by all of them (one event loop, so no locks)."""

    ballots: list[dict] = field(default_factory=list)  # acknowledged: poll_id, voter_id, receipt, choice, secret
    messages: list[dict] = field(default_factory=list)  # acknowledged: id, client_id, body, author_id
    ballot_statuses: Counter = field(default_factory=Counter)  # answers other than the 303 to /voted
    message_refusals: Counter = field(default_factory=Counter)  # acks with ok false, by error
    resent_ballots: int = 0  # ballots sent again after getting no answer
    resent_messages: int = 0
    duplicate_acks: int = 0  # resent messages the app answered as already stored: committed, then the kill
    in_flight: Counter = field(default_factory=Counter)  # ballots and messages waiting for an answer right now
    unanswered: dict = field(default_factory=lambda: {"ballots": 0, "messages": 0})  # never acknowledged by the end
    voters_out_of_ballots: int = 0
    connects: int = 0  # Socket.IO connections opened (one per sender per server life)

    def counts(self) -> dict:
        """The running totals, for the per-cycle lines."""
        return {"ballots": len(self.ballots), "messages": len(self.messages),
                "in_flight": {"ballots": self.in_flight["ballots"], "messages": self.in_flight["messages"]}}


@dataclass
class Clock:
    """When the clients stop starting new work (stop_at) and when they give up on unanswered work (deadline)."""

    stop_at: float = float("inf")
    deadline: float = float("inf")

    def stopping(self) -> bool:
        """Whether new work should no longer start."""
        return time.monotonic() >= self.stop_at

    def expired(self) -> bool:
        """Whether unanswered work should be given up."""
        return time.monotonic() >= self.deadline


def ballots_of(client: int, clients: int, plan: dict):
    """Client i's ballots in order: its members (i, i + clients, ...) each voting in every poll in turn."""
    polls, voters = plan["polls"], plan["voters"]
    for member_index in range(client, len(voters), clients):
        for n, poll in enumerate(polls):
            yield poll, voters[member_index], CHOICES[(member_index + n) % len(CHOICES)]


async def voter(client: int, clients: int, url: str, plan: dict, http, ledger: Ledger, clock: Clock) -> None:
    """Cast this client's ballots one after the other until the stop time, each until it is answered."""
    import aiohttp

    base_headers = {"User-Agent": plan["user_agent"], "Content-Type": "application/x-www-form-urlencoded"}
    for poll, member, choice in ballots_of(client, clients, plan):
        if clock.stopping():
            return
        receipt = new_receipt()
        body = {"csrf_token": member["csrf"], "choice": choice, "receipt": receipt}
        headers = base_headers | {"Cookie": f"{plan['cookie_name']}={member['cookie']}"}
        attempts = 0
        while True:
            if clock.expired():
                ledger.unanswered["ballots"] += 1
                return
            attempts += 1
            ledger.in_flight["ballots"] += 1
            status, location = None, ""
            try:
                async with http.post(f"{url}/polls/{poll['id']}/vote", data=body, headers=headers,
                                     allow_redirects=False) as response:
                    await response.read()
                    status, location = response.status, response.headers.get("Location", "")
            except (aiohttp.ClientError, TimeoutError, ConnectionError):
                pass  # refused while the server is down, or dropped by the kill: send it again
            finally:
                ledger.in_flight["ballots"] -= 1
            if status is None:
                if attempts == 1:
                    ledger.resent_ballots += 1
                await asyncio.sleep(RETRY_PAUSE)
                continue
            if status == 303 and location.endswith("/voted"):
                ledger.ballots.append({"poll_id": poll["id"], "voter_id": member["id"], "receipt": receipt,
                                       "choice": choice, "secret": poll["secret"]})
            else:
                ledger.ballot_statuses[str(status)] += 1
            break
    ledger.voters_out_of_ballots += 1


class _Connection:
    """One Socket.IO client connected to the server, and an event set when that connection closes."""

    def __init__(self, plan: dict, sender: dict) -> None:
        import socketio

        self.closed = asyncio.Event()
        self.client = socketio.AsyncClient(reconnection=False, websocket_extra_options={"headers": {
            "User-Agent": plan["user_agent"], "Cookie": f"{plan['cookie_name']}={sender['cookie']}"}})
        self.client.on("disconnect", self._on_disconnect, namespace=NAMESPACE)

    async def _on_disconnect(self, *_reason) -> None:
        self.closed.set()

    async def open(self, url: str) -> bool:
        """Connect; False when the server is not there (yet)."""
        try:
            await asyncio.wait_for(self.client.connect(url, transports=["websocket"], namespaces=[NAMESPACE],
                                                       wait_timeout=CONNECT_TIMEOUT), CONNECT_TIMEOUT + 2)
            return True
        except Exception:  # noqa: BLE001 - any failure to connect means "not yet": the caller tries again
            await self.close()
            return False

    async def send(self, payload: dict):
        """The "send" acknowledgement, or None when the connection closed or no answer came in time."""
        answered: asyncio.Future = asyncio.get_running_loop().create_future()

        def on_ack(*args):
            if not answered.done():
                answered.set_result(args[0] if args else None)

        try:
            await self.client.emit("send", payload, namespace=NAMESPACE, callback=on_ack)
        except Exception:  # noqa: BLE001 - the socket went away between the check and the emit
            return None
        closed = asyncio.ensure_future(self.closed.wait())
        try:
            await asyncio.wait({answered, closed}, timeout=ACK_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()
        return answered.result() if answered.done() else None

    async def close(self) -> None:
        """Disconnect, ignoring a socket the server already dropped."""
        try:
            await asyncio.wait_for(self.client.disconnect(), 5)
        except Exception:  # noqa: BLE001, S110 - closing a socket the server already dropped
            pass


async def sender(index: int, url: str, plan: dict, interval: float, ledger: Ledger, clock: Clock) -> None:
    """Post a message every `interval` seconds to the room, each until it is acknowledged or refused."""
    account = plan["senders"][index]
    connection: _Connection | None = None
    seq = 0
    try:
        while not clock.stopping():
            client_id = f"crash-{account['id']}-{seq}-{secrets.token_hex(3)}"
            body = f"Crash test message {seq} from sender {index}: *still here*"
            payload = {"room_id": plan["room_id"], "body": body, "client_id": client_id}
            started, attempts = time.monotonic(), 0
            while True:
                if clock.expired():
                    ledger.unanswered["messages"] += 1
                    return
                if connection is None or connection.closed.is_set():
                    if connection is not None:
                        await connection.close()
                    connection = _Connection(plan, account)
                    if not await connection.open(url):
                        connection = None
                        await asyncio.sleep(RETRY_PAUSE)
                        continue
                    ledger.connects += 1
                attempts += 1
                ledger.in_flight["messages"] += 1
                try:
                    ack = await connection.send(payload)
                finally:
                    ledger.in_flight["messages"] -= 1
                if ack is None:
                    if attempts == 1:
                        ledger.resent_messages += 1
                    connection.closed.set()  # reconnect before sending it again
                    continue
                if isinstance(ack, dict) and ack.get("ok") and isinstance(ack.get("message"), dict):
                    ledger.messages.append({"id": ack["message"].get("id"), "client_id": client_id, "body": body,
                                            "author_id": account["id"], "room_id": plan["room_id"]})
                    ledger.duplicate_acks += bool(ack.get("duplicate"))
                else:
                    ledger.message_refusals[str(ack.get("error") if isinstance(ack, dict) else ack)] += 1
                break
            seq += 1
            await asyncio.sleep(max(0.0, started + interval - time.monotonic()))
    finally:
        if connection is not None:
            await connection.close()
