"""Two real server processes share rooms through Redis (Flask-SocketIO message queue) and one database.

The database is one of the suite's migrated databases (a SQLite file in WAL mode, or PostgreSQL with
TEST_DATABASE=postgresql), seeded here through the app factory; each process is a real `python app.py` on loopback.
Clients sign in over HTTP like a browser and connect python-socketio clients with the session cookie, one to each
process. Every wait is bounded; the processes are stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import queue
import socket
import subprocess
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
import socketio as python_socketio

from stac_youth.config import TestingConfig
from stac_youth.extensions import db

REPO_ROOT = Path(__file__).resolve().parents[2]
NS = "/rooms"
WAIT = 10.0  # seconds: the bound of every wait
START_WAIT = 30.0  # seconds for both servers to answer /healthz (imports are slow on a loaded machine)
PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare_database(url: str, folder: Path, emails: dict[str, str]) -> dict[str, int]:
    """Add an advisor, members (one each of the Bay and Capitol Areas), a room and a published statewide meeting
    with two agenda items to the migrated database; returns their ids."""
    from datetime import timedelta

    from sqlalchemy import select

    from stac_youth import create_app
    from stac_youth.common.time import utcnow
    from stac_youth.meetings import agenda, services
    from stac_youth.members.bootstrap import create_account
    from stac_youth.members.models import Region
    from stac_youth.rooms import rooms
    from stac_youth.rooms.models import Room
    from stac_youth.seed import seed_regions

    class Config(TestingConfig):  # no REDIS_URL here: the test process only writes the database
        SQLALCHEMY_DATABASE_URI = url
        AVATAR_DIR = folder / "avatars"

    app = create_app(Config)
    with app.app_context():
        seed_regions()
        region = {name: db.session.scalar(select(Region.id).where(Region.name == name))
                  for name in ("Bay Area", "Capitol Area")}
        advisor = create_account(emails["advisor"], "Ada Advisor", PASSWORD, "advisor")
        create_account(emails["member"], "Mia Member", PASSWORD, "member")
        create_account(emails["bay"], "Bea Bay", PASSWORD, "member", region_id=region["Bay Area"])
        create_account(emails["student2"], "Sam Capitol", PASSWORD, "member", region_id=region["Capitol Area"])
        starts = utcnow() + timedelta(days=1)
        meeting = services.create_meeting(advisor, services.MeetingData(
            title="Statewide board", description="", starts_at=starts, ends_at=starts + timedelta(hours=1),
            location="Room 4", video_url=None))
        for title in ("Welcome", "Budget"):
            agenda.add_item(advisor, meeting, agenda.AgendaItemData(title=title, description="", minutes=10,
                                                                    presenter=None, kind="discussion"))
        services.publish_meeting(advisor, meeting)
        ids = {"room_id": rooms.create_topic_room(advisor, "Across processes", "", None).id,
               "meeting_id": meeting.id, "bay_region_id": region["Bay Area"],
               "meeting_room_id": db.session.scalar(select(Room.id).where(Room.meeting_id == meeting.id))}
        db.session.remove()
        db.engine.dispose()
    return ids


class _CsrfField(HTMLParser):
    def __init__(self):
        super().__init__()
        self.token = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "csrf_token":
            self.token = attrs.get("value")


def _sign_in(base_url: str, email: str) -> str:
    """Sign in through the real form (CSRF token scraped from the page); returns the Cookie header to reuse."""
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=WAIT)
    assert page.status_code == 200
    parser = _CsrfField()
    parser.feed(page.text)
    assert parser.token, "no csrf_token field on /login"
    response = session.post(f"{base_url}/login", data={"email": email, "password": PASSWORD,
                                                        "csrf_token": parser.token},
                            allow_redirects=False, timeout=WAIT)
    assert response.status_code == 302, response.text[:500]
    assert session.get(f"{base_url}/rooms", allow_redirects=False, timeout=WAIT).status_code == 200
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


class Server:
    """One `python app.py` process on a free loopback port."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path):
        self.name = name
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=REPO_ROOT, env={**env, "PORT": str(self.port)},
            stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_until_healthy(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server {self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        pytest.fail(f"server {self.name} did not answer /healthz in time:\n{self.log_tail()}")

    def log_tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=WAIT)
        self._log.close()


class LiveClient:
    """A python-socketio client in one namespace (/rooms unless told) that keeps every push it gets, by event name."""

    EVENTS = ("message", "deleted", "presence", "queue", "room", "typing", "state", "access_lost")

    def __init__(self, server: Server, cookie: str, namespace: str = NS):
        self.server, self.namespace = server, namespace
        self.pushes: queue.Queue[tuple[str, dict]] = queue.Queue()
        self.sio = python_socketio.Client(reconnection=False)
        for event in self.EVENTS:
            self.sio.on(event, self._keeper(event), namespace=namespace)
        self.sio.connect(server.url, headers={"Cookie": cookie}, namespaces=[namespace], transports=["websocket"],
                         wait_timeout=WAIT)

    def _keeper(self, event: str):
        def keep(payload=None):
            self.pushes.put((event, payload))

        return keep

    def call(self, event: str, payload: dict) -> dict:
        return self.sio.call(event, payload, namespace=self.namespace, timeout=WAIT)

    def wait_for(self, event: str, matches, what: str, within: float = WAIT) -> dict:
        """The first push of this event that matches, within the bound; other pushes are passed over (and kept in
        `passed`)."""
        self.passed = []
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            try:
                name, payload = self.pushes.get(timeout=left)
            except queue.Empty:
                break
            if name == event and matches(payload):
                return payload
            self.passed.append((name, payload))
        pytest.fail(f"no {event!r} push ({what}) reached the client on {self.server.name} within {within} s")

    def names(self) -> list[str]:
        """The names of the pushes received and not yet read."""
        got = []
        while not self.pushes.empty():
            got.append(self.pushes.get_nowait()[0])
        return got

    def drop(self) -> None:
        """Lose the connection abruptly, like a phone going into a tunnel (and without waiting up to 3 s for the
        dev server's answer to a websocket close handshake, as a polite disconnect() would)."""
        ws = getattr(self.sio.eio, "ws", None)
        if ws is not None:
            ws.abort()
        deadline = time.monotonic() + WAIT
        while self.sio.connected and time.monotonic() < deadline:
            time.sleep(0.02)
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture(scope="module")
def cluster(redis_url, test_databases, tmp_path_factory):
    """Two `python app.py` processes on one database and one Redis, up and healthy; stopped at the end."""
    folder = tmp_path_factory.mktemp("cluster")
    run = uuid.uuid4().hex[:8]  # fresh accounts every run: the shared Redis also keeps login rate-limit counters
    emails = {name: f"{name}-{run}@example.test" for name in ("advisor", "member", "bay", "student2")}
    database = test_databases.acquire(folder)
    ids = _prepare_database(database, folder, emails)
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "STAC_", "WERKZEUG_"))},
        "REDIS_URL": redis_url,
        "DATABASE_URL": database,
        "SECRET_KEY": f"multiprocess-test-{run}",
        "STAC_ENV": "development",
        "FLASK_DEBUG": "0",
        "AVATAR_DIR": str(folder / "avatars"),
        "PYTHONUNBUFFERED": "1",
    }
    servers: list[Server] = []
    try:
        for name in ("A", "B"):
            servers.append(Server(name, env, folder))
        deadline = time.monotonic() + START_WAIT
        for server in servers:
            server.wait_until_healthy(deadline)
        yield {"a": servers[0], "b": servers[1], "emails": emails, "run": run, **ids}
    finally:
        for server in servers:
            server.stop()
        test_databases.release(database)


@pytest.fixture
def live_clients():
    """python-socketio clients made in a test, closed at its end whatever happens."""
    made: list[LiveClient] = []

    def connect(server: Server, cookie: str, namespace: str = NS) -> LiveClient:
        client = LiveClient(server, cookie, namespace)
        made.append(client)
        return client

    yield connect
    for client in made:
        with contextlib.suppress(Exception):  # closing is best effort; the servers are stopped by the fixture
            client.drop()


def test_two_processes_share_rooms_through_redis(cluster, live_clients):
    a, b, emails, room_id, run = cluster["a"], cluster["b"], cluster["emails"], cluster["room_id"], cluster["run"]
    advisor = live_clients(a, _sign_in(a.url, emails["advisor"]))  # the advisor on process A
    member = live_clients(b, _sign_in(b.url, emails["member"]))  # the member on process B

    # presence: the member joins on B first; the advisor joining on A is pushed to B
    ack = member.call("join", {"room_id": room_id})
    assert ack["ok"] is True, ack
    member_id = ack["presence"][0]["id"]
    ack = advisor.call("join", {"room_id": room_id})
    assert ack["ok"] is True, ack
    advisor_id = next(p["id"] for p in ack["presence"] if p["id"] != member_id)
    assert {p["id"] for p in ack["presence"]} == {member_id, advisor_id}
    member.wait_for("presence", lambda p: p["room_id"] == room_id and advisor_id in {x["id"] for x in p["people"]},
                    "the advisor connected to A is here")

    # a message sent through B reaches the client on A, and one sent through A reaches B
    sent = member.call("send", {"room_id": room_id, "body": "from **B**", "client_id": f"b-{run}"})
    assert sent["ok"] is True, sent
    got = advisor.wait_for("message", lambda m: m["id"] == sent["message"]["id"], "the member's message")
    assert got["author"]["id"] == member_id and "<strong>B</strong>" in got["html"]

    sent_a = advisor.call("send", {"room_id": room_id, "body": "from A", "client_id": f"a-{run}"})
    assert sent_a["ok"] is True, sent_a
    got = member.wait_for("message", lambda m: m["id"] == sent_a["message"]["id"], "the advisor's message")
    assert got["author"]["id"] == advisor_id and got["room_id"] == room_id

    # the advisor deletes on A; the member on B sees it go
    assert advisor.call("delete_message", {"room_id": room_id, "message_id": sent["message"]["id"]}) == {"ok": True}
    member.wait_for("deleted", lambda d: d == {"room_id": room_id, "id": sent["message"]["id"]}, "the deletion")

    # the speakers queue travels too
    assert member.call("raise_hand", {"room_id": room_id}) == {"ok": True}
    advisor.wait_for("queue", lambda q: [p["id"] for p in q["queue"]] == [member_id], "the raised hand")
    assert advisor.call("call_next", {"room_id": room_id})["called"]["id"] == member_id
    member.wait_for("queue", lambda q: q["queue"] == [] and (q["called"] or {}).get("id") == member_id,
                    "the call to speak")

    # the advisor's connection to A drops: B is told the advisor left
    advisor.drop()
    member.wait_for("presence", lambda p: p["room_id"] == room_id and {x["id"] for x in p["people"]} == {member_id},
                    "the advisor left")

    for server in (a, b):
        assert requests.get(f"{server.url}/healthz", timeout=WAIT).status_code == 200
        assert server.process.poll() is None, server.log_tail()


def test_signing_out_on_one_process_closes_the_socket_on_the_other(cluster, live_clients):
    a, b, emails, room_id = cluster["a"], cluster["b"], cluster["emails"], cluster["room_id"]
    browser = requests.Session()
    cookie = _sign_in(a.url, emails["member"])
    browser.headers["Cookie"] = cookie
    member = live_clients(b, cookie)  # this device's socket went to process B
    assert member.call("join", {"room_id": room_id})["ok"] is True
    page = browser.get(f"{a.url}/rooms", timeout=WAIT)
    parser = _CsrfField()
    parser.feed(page.text)
    assert browser.post(f"{a.url}/logout", data={"csrf_token": parser.token}, allow_redirects=False,
                        timeout=WAIT).status_code == 302  # handled by process A
    deadline = time.monotonic() + 2  # docs/security.md, T5: within 2 s
    while member.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not member.sio.connected


def _form_session(base_url: str, cookie: str, page: str) -> tuple[requests.Session, str]:
    """A browser session with this sign-in cookie, and the CSRF token of one of its pages."""
    browser = requests.Session()
    browser.headers["Cookie"] = cookie
    parser = _CsrfField()
    parser.feed(browser.get(f"{base_url}{page}", timeout=WAIT).text)
    assert parser.token, f"no csrf_token field on {page}"
    return browser, parser.token


def test_restricting_a_meeting_on_one_process_takes_sockets_on_the_other_out_within_2_s(cluster, live_clients):
    """Finding 2 across processes: the advisor restricts the statewide meeting to the Bay Area through A; Sam's
    sockets on B leave its room and screen within 2 s, and get none of what follows; Bea's keep getting it."""
    a, b, emails = cluster["a"], cluster["b"], cluster["emails"]
    meeting_id, room_id = cluster["meeting_id"], cluster["meeting_room_id"]
    sam_cookie, bea_cookie = _sign_in(b.url, emails["student2"]), _sign_in(b.url, emails["bay"])
    sam = {NS: live_clients(b, sam_cookie), "/meetings": live_clients(b, sam_cookie, "/meetings")}
    bea = {NS: live_clients(b, bea_cookie), "/meetings": live_clients(b, bea_cookie, "/meetings")}
    for sockets in (sam, bea):
        assert sockets[NS].call("join", {"room_id": room_id})["ok"] is True
        assert sockets["/meetings"].call("join", {"meeting_id": meeting_id})["ok"] is True
    advisor_cookie = _sign_in(a.url, emails["advisor"])
    browser, token = _form_session(a.url, advisor_cookie, f"/meetings/{meeting_id}/edit")

    started = time.monotonic()
    edited = browser.post(f"{a.url}/meetings/{meeting_id}/edit", allow_redirects=False, timeout=WAIT, data={
        "csrf_token": token, "title": "Statewide board", "description": "", "starts_at": "2030-01-15T16:00",
        "ends_at": "2030-01-15T17:30", "location": "Room 4", "video_url": "", "region_ids": [cluster["bay_region_id"]],
    })
    assert edited.status_code == 302, edited.text[:500]
    sam[NS].wait_for("access_lost", lambda p: p == {"channel": "room", "id": room_id}, "the room is gone", within=2)
    sam["/meetings"].wait_for("access_lost", lambda p: p == {"channel": "meeting", "id": meeting_id},
                              "the meeting is gone", within=2)
    assert time.monotonic() - started <= 2.0  # docs/security.md: within 2 s, on every process

    advisor = live_clients(a, advisor_cookie)
    assert advisor.call("join", {"room_id": room_id})["ok"] is True
    sent = advisor.call("send", {"room_id": room_id, "body": "Bay Area only now", "client_id": f"bay-{cluster['run']}"})
    assert sent["ok"] is True, sent
    bea[NS].wait_for("message", lambda m: m["id"] == sent["message"]["id"], "the advisor's message")
    assert browser.post(f"{a.url}/meetings/{meeting_id}/start", data={"csrf_token": token}, allow_redirects=False,
                        timeout=WAIT).status_code == 302
    bea["/meetings"].wait_for("state", lambda state: state["status"] == "live", "the meeting went live")
    assert "message" not in sam[NS].names() and "state" not in sam["/meetings"].names()
    assert sam[NS].call("join", {"room_id": room_id}) == {"ok": False, "error": "not_found"}
    assert sam[NS].sio.connected and sam["/meetings"].sio.connected  # the channels went, not the sockets


def test_a_2_mb_frame_and_an_unknown_event_are_answered_on_a_real_server(cluster, live_clients):
    """The transport takes the frame, the guard answers "too_large", and the connection stays usable."""
    a, room_id = cluster["a"], cluster["room_id"]
    member = live_clients(a, _sign_in(a.url, cluster["emails"]["member"]))
    assert member.call("join", {"room_id": room_id})["ok"] is True
    big = member.call("send", {"room_id": room_id, "body": "x" * 2_000_000, "client_id": f"big-{cluster['run']}"})
    assert big == {"ok": False, "error": "too_large"}
    assert member.call("no_such_event", {"room_id": room_id}) == {"ok": False, "error": "unknown_event"}
    assert member.sio.connected
    small = member.call("send", {"room_id": room_id, "body": "still here", "client_id": f"small-{cluster['run']}"})
    assert small["ok"] is True, small
