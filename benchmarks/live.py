"""Live meeting: 300 Socket.IO clients join one meeting's room within 10 s, see the next message, and follow agenda
changes, per database kind.

For each database kind (a temporary SQLite file; a scratch PostgreSQL database created and dropped here) the real
app, prepared by benchmarks/live_setup.py (a statewide meeting live at its first item, its room with 60 older
messages, 300 members with a session each), runs under `STAC_ENV=production gunicorn -k gthread -w 1 --threads 400
app:app`: the production command with enough threads for 300 live screens, since each open WebSocket holds one
thread (docs/deploy.md).

Each client is what the live meeting screen opens: one python-socketio connection (websocket transport) with the
/rooms and /meetings namespaces, its member's cookie in the handshake. Clients arrive open loop, one every
10 s / 300 (whether or not earlier ones are in yet); on arrival a client connects, joins the room (the answer holds
the room's latest messages: the first messages the screen shows) and joins the meeting. Measured:

* join-to-first-message: from the client's due arrival time to the room join's answer with the messages;
* the next message: once every client is in and the presence pushes of the joins have settled, a member posts one
  message (`send`); every client must receive it;
* agenda changes: the advisor moves the meeting on (`advance`, as the live screen's buttons do) PUSHES times,
  PUSH_INTERVAL apart; latency is from the advisor's emit to each client's `state` event for that item.

Events the app pushes during the joins (presence) are counted, not judged: coalescing them is the app's business.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

from .harness import (
    BenchmarkError,
    CpuWindow,
    Server,
    database_url,
    environment,
    fmt,
    free_port,
    gunicorn_argv,
    print_table,
    server_env,
    server_errors,
    serving,
    wait_all,
)
from .openloop import goal, latency_figures, steady_schedule, verdict_line
from .options import DATABASES, add_database_arguments, with_overrides
from .setups import start_setup

HELP = ("live meeting: 300 Socket.IO clients join a meeting's room within 10 s, see the next message, and follow "
        "agenda changes (SQLite and PostgreSQL)")
GOAL_FIRST_MESSAGE_P99_MS = 1000
GOAL_AGENDA_P99_MS = 100


@dataclass(frozen=True)
class Settings:
    clients: int
    arrival_seconds: float
    pushes: int
    push_interval: float = 0.5
    quiet: float = 1.0
    threads: int = 400
    databases: tuple[str, ...] = DATABASES


PROFILES = {
    "quick": Settings(clients=30, arrival_seconds=1, pushes=3, push_interval=0.3, quiet=0.3),
    "default": Settings(clients=300, arrival_seconds=10, pushes=10),
    "full": Settings(clients=300, arrival_seconds=10, pushes=14),
}
#: pooled connections of the server: PostgreSQL allows 100 at once by default, and the setup holds a few
POOL_SIZE = 80
SETUP_TIMEOUT = 300
SERVER_START_TIMEOUT = 60
CALL_TIMEOUT = 30
DELIVERY_TIMEOUT = 10
QUIET_TIMEOUT = 60


def add_arguments(parser) -> None:
    """The live subcommand's own options."""
    parser.add_argument("--clients", type=int, help="live screens (quick 30, default 300)")
    parser.add_argument("--arrival-seconds", type=float, help="seconds over which they arrive (quick 1, 10)")
    parser.add_argument("--pushes", type=int, help="agenda changes (quick 3, default 10; at most 14)")
    parser.add_argument("--threads", type=int, help="gunicorn --threads (400: one per open WebSocket, and spare)")
    add_database_arguments(parser)


def settings_from(args, profile: str) -> Settings:
    """The profile's settings with the command-line overrides."""
    return with_overrides(PROFILES[profile], args, ("clients", "arrival_seconds", "pushes", "threads"))


class Screen:
    """One live meeting screen: a Socket.IO client on /rooms and /meetings that records what it is pushed."""

    def __init__(self, plan: dict, cookie: str) -> None:
        import socketio

        headers = {"User-Agent": plan["user_agent"], "Cookie": f"{plan['cookie_name']}={cookie}"}
        self.client = socketio.AsyncClient(reconnection=False, websocket_extra_options={"headers": headers})
        self.messages: dict[str, float] = {}  # client_id -> arrival
        self.states: dict[int, float] = {}  # current item id -> first arrival
        self.other = 0
        self.joined = False
        self.last_event = time.monotonic()
        self.client.on("message", self._message, namespace="/rooms")
        self.client.on("state", self._state, namespace="/meetings")
        self.client.on("*", self._other, namespace="/rooms")

    def _message(self, data) -> None:
        self.last_event = time.monotonic()
        if isinstance(data, dict):
            self.messages.setdefault(str(data.get("client_id")), self.last_event)

    def _state(self, data) -> None:
        now = time.monotonic()
        if isinstance(data, dict) and isinstance(data.get("current_item_id"), int):
            self.states.setdefault(data["current_item_id"], now)

    def _other(self, *_args) -> None:
        self.last_event = time.monotonic()
        self.other += 1

    async def open(self, url: str, namespaces: list[str]) -> None:
        await asyncio.wait_for(self.client.connect(url, transports=["websocket"], namespaces=namespaces,
                                                   wait_timeout=CALL_TIMEOUT), CALL_TIMEOUT + 5)

    async def call(self, event: str, payload: dict, namespace: str) -> dict:
        answer = await self.client.call(event, payload, namespace=namespace, timeout=CALL_TIMEOUT)
        if not (isinstance(answer, dict) and answer.get("ok")):
            raise BenchmarkError(f"{namespace} {event} refused: {answer!r}")
        return answer


async def arrive(screen: Screen, url: str, plan: dict, due: float) -> dict:
    """Connect, join the room (its answer holds the latest messages) and the meeting; the times it took."""
    started = time.monotonic()
    try:
        await screen.open(url, ["/rooms", "/meetings"])
        connected = time.monotonic()
        answer = await screen.call("join", {"room_id": plan["room_id"], "last_id": 0}, "/rooms")
        joined = time.monotonic()
        await screen.call("join", {"meeting_id": plan["meeting_id"]}, "/meetings")
        screen.joined = True
    except Exception as error:  # noqa: BLE001 - any failure of one client is a result, not a crash
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:200]}
    return {"ok": True, "start_lag_ms": (started - due) * 1000, "connect_ms": (connected - started) * 1000,
            "join_ms": (joined - connected) * 1000, "first_message_ms": (joined - due) * 1000,
            "messages_in_answer": len(answer.get("messages", [])), "joined_at": joined,
            "meeting_joined_ms": (time.monotonic() - joined) * 1000}


async def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def drive(url: str, plan: dict, settings: Settings, server: Server, log) -> dict:
    """The three phases; the raw figures."""
    screens = [Screen(plan, cookie) for cookie in plan["members"][:settings.clients]]
    sender, advisor = Screen(plan, plan["sender"]), Screen(plan, plan["advisor"])
    out: dict = {}
    try:
        await sender.open(url, ["/rooms"])
        await advisor.open(url, ["/meetings"])
        await advisor.call("join", {"meeting_id": plan["meeting_id"]}, "/meetings")
        t0 = time.monotonic() + 0.2
        schedule = steady_schedule(len(screens), len(screens) / settings.arrival_seconds)
        tasks = []
        with CpuWindow(server, postgres=plan["dialect"] == "postgresql") as window:
            for screen, offset in zip(screens, schedule, strict=True):
                await asyncio.sleep(max(0.0, t0 + offset - time.monotonic()))
                tasks.append(asyncio.create_task(arrive(screen, url, plan, t0 + offset)))
            arrivals = await asyncio.gather(*tasks)
        out["join_cpu"] = window.figures
        failures = [a["error"] for a in arrivals if not a["ok"]]
        out["arrivals"] = [a for a in arrivals if a["ok"]]
        out["failures"] = failures[:5]
        out["joined"] = len(out["arrivals"])
        out["all_in_seconds"] = max((a["joined_at"] for a in out["arrivals"]), default=t0) - t0
        log(f"{out['joined']} of {len(screens)} joined, the last {out['all_in_seconds']:.1f} s after the first "
            f"arrival" + (f"; first failure: {failures[0]}" if failures else ""))
        quiet_from = time.monotonic()
        await wait_until(lambda: time.monotonic() - max(s.last_event for s in screens) >= settings.quiet, QUIET_TIMEOUT)
        out["settle_seconds"] = time.monotonic() - quiet_from
        out["pushed_during_joins"] = sum(s.other for s in screens)
        out["dropped"] = sum(1 for s in screens if s.joined and not s.client.connected)
        log(f"join pushes settled after {out['settle_seconds']:.1f} s ({out['pushed_during_joins']} events to the "
            "clients, presence and the like)")

        # The next message.
        inside = [s for s in screens if s.joined]
        tag = f"next-{uuid.uuid4().hex[:8]}"
        sent = time.monotonic()
        await sender.call("send", {"room_id": plan["room_id"], "body": "Next item, everyone: *agenda*",
                                   "client_id": tag}, "/rooms")
        await wait_until(lambda: all(tag in s.messages for s in inside), DELIVERY_TIMEOUT)
        out["next_message_seen"] = sum(1 for s in inside if tag in s.messages)
        out["next_message_ms"] = [(s.messages[tag] - sent) * 1000 for s in inside if tag in s.messages]
        log(f"the next message reached {out['next_message_seen']} of {len(screens)} clients")

        # Agenda changes.
        items, emitted = plan["items"], {}
        cpu0 = server.cpu_seconds()
        for _push in range(min(settings.pushes, len(items) - 1)):
            at = time.monotonic()
            answer = await advisor.call("advance", {"meeting_id": plan["meeting_id"], "step": 1}, "/meetings")
            emitted[answer["state"]["current_item_id"]] = at
            await asyncio.sleep(max(0.0, at + settings.push_interval - time.monotonic()))
        await wait_until(lambda: all(all(i in s.states for i in emitted) for s in inside), DELIVERY_TIMEOUT)
        out["push_cpu_seconds"] = server.cpu_seconds() - cpu0
        out["pushes"] = len(emitted)
        out["agenda_ms"] = [(s.states[i] - at) * 1000 for s in inside for i, at in emitted.items() if i in s.states]
        out["agenda_missed"] = len(inside) * len(emitted) - len(out["agenda_ms"])
        log(f"{len(emitted)} agenda changes: {len(out['agenda_ms'])} deliveries, {out['agenda_missed']} missed")
    finally:
        await asyncio.gather(*(s.client.disconnect() for s in [*screens, sender, advisor]), return_exceptions=True)
    return out


def figures(raw: dict, settings: Settings) -> dict:
    arrivals = raw["arrivals"]
    first = latency_figures([a["first_message_ms"] for a in arrivals])
    return {
        "clients": settings.clients, "joined": raw["joined"], "all_in_seconds": raw["all_in_seconds"],
        "failures": raw["failures"], "first_message": first,
        "connect": latency_figures([a["connect_ms"] for a in arrivals]),
        "room_join": latency_figures([a["join_ms"] for a in arrivals]),
        "client_start_lag_p99_ms": latency_figures([a["start_lag_ms"] for a in arrivals])["p99_ms"],
        "messages_in_join_answer": min((a["messages_in_answer"] for a in arrivals), default=0),
        "pushed_during_joins": raw["pushed_during_joins"], "settle_seconds": raw["settle_seconds"],
        "dropped": raw["dropped"],
        "join_cpu": raw["join_cpu"],
        "next_message_seen": raw["next_message_seen"], "next_message": latency_figures(raw["next_message_ms"]),
        "pushes": raw["pushes"], "agenda": latency_figures(raw["agenda_ms"]), "agenda_missed": raw["agenda_missed"],
        "push_cpu_seconds": raw["push_cpu_seconds"],
    }


def goals(kind: str, f: dict) -> list[dict]:
    n = f["clients"]
    return [
        goal(f"{kind}: live: clients joined, arriving over the window", f["joined"], "==", n),
        goal(f"{kind}: live: join-to-first-message p99 (ms)", f["first_message"]["p99_ms"], "<",
             GOAL_FIRST_MESSAGE_P99_MS),
        goal(f"{kind}: live: clients that saw the next message (of {n})", f["next_message_seen"], "==", n),
        goal(f"{kind}: live: agenda change p99 to {n} clients (ms)", f["agenda"]["p99_ms"], "<", GOAL_AGENDA_P99_MS),
        goal(f"{kind}: live: agenda changes missed", f["agenda_missed"], "==", 0),
    ]


def print_report(kind: str, f: dict, settings: Settings) -> None:
    def lat(d):
        return f"{fmt(d['p50_ms'])} / {fmt(d['p99_ms'])} / {fmt(d['max_ms'])}"

    print()
    print(f"{kind}: {f['clients']} clients arriving over {settings.arrival_seconds:g} s, gunicorn -k gthread -w 1 "
          f"--threads {settings.threads}")
    print_table(["figure", "value"], [
        ["joined / clients", f"{f['joined']} / {f['clients']} (last in {f['all_in_seconds']:.1f} s)"],
        ["joined, then disconnected by the server", str(f["dropped"])],
        ["join-to-first-message p50 / p99 / max (ms)", lat(f["first_message"])],
        ["  of which connect p50 / p99 / max (ms)", lat(f["connect"])],
        ["  of which room join p50 / p99 / max (ms)", lat(f["room_join"])],
        ["messages in each join answer (min)", str(f["messages_in_join_answer"])],
        ["events pushed to clients during the joins", f"{f['pushed_during_joins']} (settled after "
                                                      f"{f['settle_seconds']:.1f} s)"],
        ["CPU during the joins: server / PostgreSQL / clients / other (% of a core)",
         " / ".join(fmt(f["join_cpu"][k], 0) for k in ("server_cpu_percent", "database_cpu_percent",
                                                       "client_cpu_percent", "other_cpu_percent"))],
        ["next message seen by", f"{f['next_message_seen']} (p50 / p99 / max ms {lat(f['next_message'])})"],
        ["agenda changes x clients", f"{f['pushes']} x {f['clients']}, missed {f['agenda_missed']}"],
        ["agenda change p50 / p99 / max (ms)", lat(f["agenda"])],
        ["server CPU during the agenda changes (s)", fmt(f["push_cpu_seconds"], 2)],
        ["client start lag p99 (ms)", fmt(f["client_start_lag_p99_ms"])],
    ])


def run(args, profile: str) -> dict:
    settings = settings_from(args, profile)
    started = time.monotonic()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="stac-bench-live-") as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        setups = {}
        for kind in settings.databases:
            (tmp / kind).mkdir()
            url = database_url(kind, tmp / kind, "live", args.postgres_url, stack)
            setups[kind] = (url, start_setup("live_setup", f"setup-{kind}", ["--members", str(settings.clients)],
                                             tmp, url))
            stack.callback(setups[kind][1].kill)
        for kind, (url, setup) in setups.items():
            plan = setup.finish(time.monotonic() + SETUP_TIMEOUT)
            print(f"{kind}: meeting {plan['meeting_id']} live with {len(plan['items'])} agenda items, room "
                  f"{plan['room_id']} with {plan['history']} older messages, {len(plan['members'])} members "
                  f"(setup {time.monotonic() - started:.1f} s)", flush=True)
            port = free_port()
            env = server_env(STAC_ENV="production", SECRET_KEY=setup.secret_key, DATABASE_URL=url,
                             DATABASE_POOL_SIZE=str(POOL_SIZE))
            server = Server("app", gunicorn_argv("app:app", port, settings.threads), port, env, tmp / f"{kind}.log")
            with serving([server]):
                wait_all([server], SERVER_START_TIMEOUT)

                def log(text: str, kind=kind) -> None:
                    print(f"[{kind}] {text}", flush=True)

                budget = settings.arrival_seconds + QUIET_TIMEOUT + 3 * DELIVERY_TIMEOUT + 2 * CALL_TIMEOUT + 60
                raw = asyncio.run(asyncio.wait_for(drive(f"http://127.0.0.1:{port}", plan, settings, server, log),
                                                   budget))
            results[kind] = {"figures": figures(raw, settings), "server_errors": server_errors(server.log_path)}
            results[kind]["goals"] = goals(kind, results[kind]["figures"])
    for kind, data in results.items():
        print_report(kind, data["figures"], settings)
        join_cpu = data["figures"]["join_cpu"]
        if data["figures"]["dropped"]:
            print(f"note: {kind}: the server closed {data['figures']['dropped']} connection(s) after they had joined "
                  "(a client that did not answer the server's ping in time is dropped; see the server log)")
        if join_cpu["client_cpu_percent"] > 85:
            print(f"note: {kind}: the clients used {join_cpu['client_cpu_percent']:.0f} % of a core during the joins, "
                  "receiving what the app pushed: the instrument was near its limit, the join figures are an upper "
                  "bound")
        if join_cpu["other_cpu_percent"] > 25:
            print(f"note: {kind}: other processes used {join_cpu['other_cpu_percent']:.0f} % of a core during the "
                  "joins: the latencies are not the app's alone")
        for error in data["server_errors"][:1]:
            print(f"note: {kind}: errors in the server log, the first: {error.splitlines()[-1].strip()}")
    all_goals = [g for data in results.values() for g in data["goals"]]
    print()
    print(verdict_line(all_goals))
    elapsed = time.monotonic() - started
    print(f"took {elapsed:.0f} s")
    return {"benchmark": "live", "profile": profile, "settings": asdict(settings), "environment": environment(),
            "databases": results, "goals": all_goals,
            "verdict": "PASS" if all(g["pass"] for g in all_goals) else "FAIL", "elapsed_seconds": elapsed}
