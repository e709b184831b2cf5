"""deploy/nginx.conf, run: nginx in front of two production gunicorn processes, driven through nginx only.

The guide's file gets only the changes a test machine needs (tests/nginx_front.py: loopback high ports, the two
gunicorn ports, a self-signed certificate for stac-youth.example.org, logs in tmp, `$http_host`), passes `nginx -t`
and runs in the foreground as the test's user. Behind it, two `gunicorn -k gthread -w 1` production processes
(STAC_ENV=production, TRUSTED_PROXIES=1, PUBLIC_BASE_URL=https://stac-youth.example.org:<port>) share one scratch
PostgreSQL database and Redis (its own database number: the Socket.IO channel is named after it). Their only
difference from the production command is `--access-logfile -`: each request line lands in its own process's log,
which is how the tests see which process served what, without a route of their own.

Clients talk HTTPS to https://stac-youth.example.org:<port>, the name resolving to 127.0.0.1 inside this process, so
SNI, the certificate check (the self-signed certificate is the CA), Host and Origin are what a browser sends.

ip_hash keys on the first three bytes of the client's IPv4 address, so every 127.0.0.x client lands on one process.
The two members are pinned to different processes by connecting from different loopback networks: the WebSocket
member from 127.0.0.1, the long-polling member from the first 127.0.N.1 that nginx sends to the other process
(found by probing /healthz through nginx and reading which process logged it). Their messages then cross processes
through Redis, and every request of the long-polling connection is seen in one process's log only: stickiness.

Run with -s for a transcript of what happened.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import socketio as python_socketio
from sqlalchemy import func, select

from benchmarks.harness import Server, free_port, gunicorn_argv
from benchmarks.room_setup import USER_AGENT
from stac_youth.common.roles import Role
from stac_youth.extensions import db
from tests.live_servers import (
    START_WAIT,
    WAIT,
    flask_db_upgrade,
    production_app,
    production_env,
    release,
    sibling_database,
)
from tests.nginx_front import (
    NGINX_CONF,
    SITE,
    Ports,
    SourceAddressAdapter,
    ipv6_loopback,
    nginx_argv,
    running_nginx,
    self_signed_certificate,
    site_for_test_machine,
    site_resolves_to_loopback,
    tls_connection,
    wrapper_conf,
)

pytestmark = pytest.mark.integration

PASSWORD = "a long enough password behind nginx"
REDIS_DATABASES = (12, 11, 10, 9)  # no other test publishes there: rooms of other scratch databases (same ids) stay out
THREADS = 16
ROOMS = "/rooms"
SIGNED_IN = 'action="/logout"'  # the sign-out form of the navigation bar
BODY_TIMEOUT = 10  # client_body_timeout of deploy/nginx.conf, in seconds
MEMBERS = ("mia", "ben", "vera")


def say(line: str) -> None:
    """One line of the transcript (shown with -s)."""
    print(f"[nginx] {line}", flush=True)


@dataclass
class Front:
    """nginx on deploy/nginx.conf in front of processes A and B, and what the test process wrote in their database."""

    ports: Ports
    tmp: Path
    ca: Path
    base: str
    servers: dict[str, Server]
    nginx_check: str
    database_url: str
    secret_key: str
    room_id: int
    poll_id: int
    emails: dict[str, str]

    def session(self, source: str | None = None) -> requests.Session:
        """A browser-like HTTPS session to the site, leaving from `source` (a 127.0.N.1) if given."""
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE, if set, would replace the certificate given here
        session.verify = str(self.ca)
        session.headers["User-Agent"] = USER_AGENT
        if source:
            session.mount("https://", SourceAddressAdapter(source))
        return session

    def logged_by(self, marker: str) -> list[str]:
        """The processes whose access log holds `marker`."""
        return [name for name, server in self.servers.items()
                if marker in server.log_path.read_text(errors="replace")]

    def wait_logged(self, marker: str) -> str:
        """The one process that logs `marker` (its log line follows the answer by a moment)."""
        deadline = time.monotonic() + WAIT
        while not (found := self.logged_by(marker)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(found) == 1, (marker, found)
        return found[0]

    def served_by(self, session: requests.Session) -> str:
        """Which process nginx sends this session's requests to: a /healthz through nginx, found in one log."""
        marker = uuid.uuid4().hex
        answer = session.get(f"{self.base}/healthz?probe={marker}", timeout=WAIT)
        assert answer.status_code == 200, answer.text[:300]
        return self.wait_logged(marker)

    def nginx_log(self, until: str = "") -> str:
        """The site's access log (log_format stac), once it holds `until` (nginx logs just after answering)."""
        deadline = time.monotonic() + WAIT
        while until not in (log := (self.tmp / "stac-youth.access.log").read_text(errors="replace")):
            assert time.monotonic() < deadline, f"{until!r} not in nginx's access log"
            time.sleep(0.05)
        return log


def _populate(app) -> dict:
    """An advisor, three members, a room for everyone and an open yes/no/abstain poll."""
    from stac_youth.members.bootstrap import create_account
    from stac_youth.polls import lifecycle
    from stac_youth.rooms.rooms import create_topic_room
    from stac_youth.seed import seed_regions

    run = uuid.uuid4().hex[:8]
    with app.app_context():
        seed_regions()
        advisor = create_account(f"advisor-{run}@example.test", "Ada Advisor", PASSWORD, Role.ADVISOR)
        emails = {name: f"{name}-{run}@example.test" for name in MEMBERS}
        for name, email in emails.items():
            create_account(email, name.title(), PASSWORD, Role.MEMBER)
        room = create_topic_room(advisor, "Behind nginx", "", None)
        poll = lifecycle.create_poll(advisor, None, "Meet on Saturdays?", "yes_no_abstain")
        lifecycle.open_poll(advisor, poll)  # after the members exist: they are its voters
        return {"room_id": room.id, "poll_id": poll.id, "emails": emails}


def redis_database() -> int:
    """This process's Redis database number: under pytest-xdist two workers may each run part of this module, each
    with its own servers and rooms of the same ids, so each worker (gw0, gw1, ...) publishes on a channel of its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return REDIS_DATABASES[int(worker.removeprefix("gw") or 0) % len(REDIS_DATABASES)]


def _access_logged_argv(port: int) -> list[str]:
    """The production command plus gunicorn's access log on standard output (the process's log file)."""
    return [*gunicorn_argv("app:app", port, THREADS), "--access-logfile", "-"]


@pytest.fixture(scope="module")
def front(nginx_path, postgres_url, redis_url, tmp_path_factory) -> Iterator[Front]:
    """Two gunicorn processes on a migrated scratch database, nginx in front; all stopped by PID at the end."""
    tmp = tmp_path_factory.mktemp("nginx")
    ports = Ports(http=free_port(), https=free_port(), upstream=(free_port(), free_port()))
    ca = self_signed_certificate(tmp)
    site = tmp / "stac-youth.conf"
    site.write_text(site_for_test_machine(NGINX_CONF.read_text(), ports, tmp, ipv6_loopback()))
    (tmp / "nginx.conf").write_text(wrapper_conf(tmp, site))
    checked = subprocess.run(nginx_argv(nginx_path, tmp, "-t"), capture_output=True, text=True, timeout=30,
                             check=False)
    nginx_check = checked.stdout + checked.stderr
    assert checked.returncode == 0, nginx_check

    base = f"https://{SITE}:{ports.https}"
    started = time.monotonic()
    secret_key = secrets.token_hex(32)
    redis_server = redis_url.rsplit("/", 1)[0]
    with sibling_database(postgres_url, "nginx") as database_url:
        env = production_env(database_url, secret_key, tmp, REDIS_URL=f"{redis_server}/{redis_database()}",
                             TRUSTED_PROXIES="1", PUBLIC_BASE_URL=base)
        flask_db_upgrade(env)
        migrated = time.monotonic()
        servers = {name: Server(name, _access_logged_argv(port), port, env, tmp / f"gunicorn-{name}.log")
                   for name, port in zip("AB", ports.upstream, strict=True)}
        try:
            for server in servers.values():  # they boot while the test process writes the data
                server.launch()
            app = production_app(database_url, secret_key, tmp)
            world = _populate(app)
            release(app)
            populated = time.monotonic()
            for server in servers.values():
                server.wait_ready(START_WAIT)
            say(f"set-up: flask db upgrade {migrated - started:.1f} s, accounts, room and poll "
                f"{populated - migrated:.1f} s, both gunicorn processes up {time.monotonic() - migrated:.1f} s "
                "after the upgrade")
            with site_resolves_to_loopback(), running_nginx(nginx_path, tmp, ports.https):
                say(f"nginx -t: {' / '.join(line.split('nginx: ', 1)[-1] for line in nginx_check.splitlines())}")
                say(f"nginx on 127.0.0.1:{ports.https} (https) and :{ports.http} (http), upstream "
                    f"A=127.0.0.1:{ports.upstream[0]} B=127.0.0.1:{ports.upstream[1]}")
                yield Front(ports=ports, tmp=tmp, ca=ca, base=base, servers=servers, nginx_check=nginx_check,
                            database_url=database_url, secret_key=secret_key, **world)
        finally:
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(Server.stop, servers.values()))
        for server in servers.values():
            assert "Traceback" not in server.log_path.read_text(errors="replace"), server.log_tail(60)


def sign_in(front: Front, session: requests.Session, name: str) -> requests.Response:
    """The real sign-in through nginx: GET /login for the CSRF token, POST the form; the POST's answer."""
    page = session.get(f"{front.base}/login", timeout=WAIT)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token, (page.status_code, page.text[:300])
    answer = session.post(f"{front.base}/login", allow_redirects=False, timeout=WAIT,
                          headers={"Referer": page.url},  # Flask-WTF checks it on HTTPS, as browsers send it
                          data={"email": front.emails[name], "password": PASSWORD, "csrf_token": token.group(1)})
    assert answer.status_code == 302, (answer.status_code, answer.text[:300])
    return answer


class Member:
    """A signed-in member's python-socketio client on /rooms through nginx, reconnecting as the browser's does."""

    def __init__(self, front: Front, name: str, session: requests.Session, transports: list[str]):
        self.front, self.name = front, name
        self.seen: dict[int, dict] = {}
        self.changed = threading.Condition()
        self.connects = 0
        self.disconnected = threading.Event()
        self.sio = python_socketio.Client(http_session=session, reconnection=True, reconnection_delay=0.5,
                                          reconnection_delay_max=1, randomization_factor=0)
        self.sio.on("connect", self._connected, namespace=ROOMS)
        self.sio.on("disconnect", self._disconnected, namespace=ROOMS)
        self.sio.on("message", self._keep, namespace=ROOMS)
        self.sio.connect(front.base, namespaces=[ROOMS], transports=transports, wait_timeout=WAIT,
                         headers={"User-Agent": USER_AGENT})

    def _connected(self) -> None:
        with self.changed:
            self.connects += 1
            self.disconnected.clear()
            self.changed.notify_all()

    def _disconnected(self, _reason=None) -> None:
        self.disconnected.set()

    def _keep(self, message: dict) -> None:
        with self.changed:
            self.seen[message["id"]] = message
            self.changed.notify_all()

    @property
    def last_id(self) -> int:
        """The newest message id this member has seen (what room.js sends back on join)."""
        return max(self.seen, default=0)

    def wait(self, predicate, what: str) -> None:
        """Block until predicate() holds, for at most WAIT seconds (woken by each event, else checked every 0.1 s)."""
        deadline = time.monotonic() + WAIT
        with self.changed:
            while not predicate():
                left = deadline - time.monotonic()
                assert left > 0, f"{self.name}: no {what} within {WAIT} s"
                self.changed.wait(min(left, 0.1))

    def join(self, timeout: float = WAIT) -> dict:
        """Join the room with the catch-up id, as room.js does on every (re)connection; the answer."""
        answer = self.sio.call("join", {"room_id": self.front.room_id, "last_id": self.last_id}, namespace=ROOMS,
                               timeout=timeout)
        assert answer["ok"] is True, answer
        for message in answer["messages"]:
            self._keep(message)
        return answer

    def send(self, body: str) -> dict:
        """Send a message to the room; the stored message from the acknowledgement."""
        answer = self.sio.call("send", {"room_id": self.front.room_id, "body": body, "client_id": uuid.uuid4().hex},
                               namespace=ROOMS, timeout=WAIT)
        assert answer["ok"] is True, answer
        self._keep(answer["message"])
        return answer["message"]

    def receives(self, message: dict) -> None:
        """The message reaches this member live."""
        self.wait(lambda: message["id"] in self.seen, f"message {message['id']}")

    def close(self) -> None:
        """Disconnect for good."""
        self.sio.disconnect()


@dataclass
class Pair:
    """Mia on WebSocket from 127.0.0.1 and Ben on long-polling from 127.0.N.1, on different processes."""

    mia: Member
    ben: Member
    mia_process: str
    ben_process: str
    ben_source: str


def _other_network(front: Front, avoid: str) -> tuple[str, requests.Session]:
    """The first loopback source 127.0.N.1 that ip_hash sends to the process other than `avoid`, and its session."""
    for network in range(1, 64):
        source = f"127.0.{network}.1"
        session = front.session(source)
        if front.served_by(session) != avoid:
            return source, session
        session.close()
    raise AssertionError(f"every loopback network probed went to {avoid}")


@pytest.fixture(scope="module")
def pair(front: Front) -> Iterator[Pair]:
    """Two members signed in through nginx, in the room, on different processes."""
    mia_session = front.session()
    mia_process = front.served_by(mia_session)
    ben_source, ben_session = _other_network(front, mia_process)
    ben_process = front.served_by(ben_session)
    say(f"ip_hash: 127.0.0.1 -> process {mia_process}, {ben_source} -> process {ben_process}")
    sign_in(front, mia_session, "mia")
    sign_in(front, ben_session, "ben")
    mia = Member(front, "mia", mia_session, ["polling", "websocket"])  # the browser's way: polling, then upgrade
    ben = Member(front, "ben", ben_session, ["polling"])
    try:
        assert mia.sio.transport() == "websocket"  # python-engineio upgrades within connect()
        for member in (mia, ben):
            member.join()
        say(f"mia connected from 127.0.0.1 by {mia.sio.transport()} (after long-polling), "
            f"ben from {ben_source} by {ben.sio.transport()} only")
        yield Pair(mia, ben, mia_process, ben_process, ben_source)
    finally:
        for member in (mia, ben):
            member.close()


def test_nginx_accepts_the_guides_file(front):
    """`nginx -t` passes on deploy/nginx.conf with the test machine's changes."""
    assert "syntax is ok" in front.nginx_check and "test is successful" in front.nginx_check


def test_plain_http_redirects_and_other_names_get_no_tls(front):
    """Port 80's server redirects to the site; TLS without SNI, or for another name, is refused at the handshake."""
    answer = requests.get(f"http://127.0.0.1:{front.ports.http}/polls?x=1", allow_redirects=False, timeout=WAIT)
    assert answer.status_code == 301 and answer.headers["Location"] == f"https://{SITE}/polls?x=1"
    for name in (None, "other.example.org"):
        with pytest.raises(OSError):  # ssl.SSLError: ssl_reject_handshake on the default server
            tls_connection(front.ports.https, front.ca, server_hostname=name).close()
    say("http://... -> 301 https://stac-youth.example.org/...; TLS without SNI and for other.example.org refused")


def test_a_member_signs_in_through_nginx_with_the_production_cookies(front):
    """The real login form through nginx: `__Host-session` cookie, Secure; signed-in pages answer 200; HSTS."""
    session = front.session()
    login = sign_in(front, session, "vera")
    cookie = login.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "HttpOnly" in cookie, cookie
    assert "Domain=" not in cookie and "Path=/" in cookie, cookie
    for path in ("/", "/rooms", "/polls", f"/polls/{front.poll_id}"):
        page = session.get(f"{front.base}{path}", allow_redirects=False, timeout=WAIT)
        assert page.status_code == 200 and SIGNED_IN in page.text, (path, page.status_code)
    health = session.get(f"{front.base}/healthz", timeout=WAIT)
    assert health.json() == {"status": "ok", "db": "ok"}
    assert health.headers["Strict-Transport-Security"].startswith("max-age=")  # the app saw HTTPS (ProxyFix)
    assert '"POST /login HTTP/1.1" 302 ' in front.nginx_log(until='"POST /login HTTP/1.1" 302 ')
    say("vera signed in (POST /login 302, cookie __Host-session; Secure; HttpOnly), /, /rooms, /polls, poll page: "
        "200 signed in; /healthz with HSTS")


def test_the_access_log_leaves_out_the_secret_of_token_links(front):
    """Reset, invitation and calendar-feed links reach the app whole but are logged as `/<kind>/[token]`."""
    session = front.session()
    secret = secrets.token_urlsafe(24)
    paths = (f"/reset-password/{secret}", f"/register/{secret}", f"/calendar/feed/{secret}.ics")
    statuses = [session.get(f"{front.base}{path}", allow_redirects=False, timeout=WAIT).status_code for path in paths]
    assert all(status < 500 for status in statuses), statuses
    for kind in ("reset-password", "register", "calendar/feed"):
        assert secret not in front.nginx_log(until=f'"GET /{kind}/[token] HTTP/1.1"')
    assert front.wait_logged(secret) in front.servers  # the app got the real path
    say(f"token links answered {statuses}; nginx logged /reset-password/[token], /register/[token], "
        "/calendar/feed/[token], never the token")


def test_a_vote_sent_twice_through_nginx_is_recorded_once(front):
    """The vote form posted twice (a double click) through nginx: one ballot, turnout 1, the same receipt shown."""
    from stac_youth.polls import counts
    from stac_youth.polls.models import Ballot, Poll

    session = front.session()
    sign_in(front, session, "vera")
    page = session.get(f"{front.base}/polls/{front.poll_id}", timeout=WAIT)
    form = {field: re.search(rf'name="{field}" value="([^"]*)"', page.text) for field in ("csrf_token", "receipt")}
    assert all(form.values()), page.text[:500]
    data = {field: match.group(1) for field, match in form.items()} | {"choice": "yes"}
    answers = [session.post(f"{front.base}/polls/{front.poll_id}/vote", data=data, allow_redirects=False, timeout=WAIT,
                            headers={"Referer": page.url}) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [303, 303], [a.text[:300] for a in answers]
    app = production_app(front.database_url, front.secret_key, front.tmp)
    try:
        with app.app_context():
            poll = db.session.get(Poll, front.poll_id)
            ballots = db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.poll_id == poll.id))
            assert (ballots, counts.turnout(poll)[0]) == (1, 1)
    finally:
        release(app)
    say("vera's vote form posted twice through nginx: 303, 303; the database holds 1 ballot, turnout 1")


def test_room_messages_cross_between_a_websocket_member_and_a_long_polling_member(front, pair):
    """Mia (WebSocket, one process) and Ben (long-polling only, the other) each get the other's message."""
    assert pair.mia_process != pair.ben_process
    assert (pair.mia.sio.transport(), pair.ben.sio.transport()) == ("websocket", "polling")
    from_mia = pair.mia.send("hello from the **WebSocket**")
    pair.ben.receives(from_mia)
    assert pair.ben.seen[from_mia["id"]]["html"] == "<p>hello from the <strong>WebSocket</strong></p>\n"
    from_ben = pair.ben.send("hello from long-polling")
    pair.mia.receives(from_ben)
    say(f"message {from_mia['id']} mia ({pair.mia_process}) -> ben ({pair.ben_process}); "
        f"message {from_ben['id']} ben -> mia")


def test_every_long_polling_request_of_a_connection_reaches_one_process(front, pair):
    """ip_hash keeps a connection's polling requests on the process that holds it: all in its log, none elsewhere."""
    for _ in range(3):  # each call is a POST, and its answer comes back on a polling GET
        assert pair.ben.sio.call("here", {}, namespace=ROOMS, timeout=WAIT) == {"ok": True}
    sid = pair.ben.sio.eio.sid
    logs = {name: server.log_path.read_text(errors="replace") for name, server in front.servers.items()}
    requests_seen = {name: len(re.findall(rf'"(GET|POST) /socket\.io/\?[^"]*sid={re.escape(sid)}', log))
                     for name, log in logs.items()}
    other = next(name for name in front.servers if name != pair.ben_process)
    assert requests_seen[pair.ben_process] >= 6 and requests_seen[other] == 0, requests_seen
    assert not re.search(rf'sid={re.escape(sid)}[^"]*" 400 ', logs[pair.ben_process])
    say(f"ben's connection {sid}: {requests_seen[pair.ben_process]} polling requests logged by process "
        f"{pair.ben_process}, {requests_seen[other]} by process {other}")


def test_bodies_over_the_limits_are_refused_by_nginx_before_the_app(front):
    """A 4 MB POST and a 100 KB Socket.IO POST are answered 413 by nginx; neither request reaches a process."""
    session = front.session()
    marker = uuid.uuid4().hex
    page = session.post(f"{front.base}/login?probe={marker}", data=b"x" * (4 * 1024 * 1024), timeout=WAIT,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    socket_post = session.post(f"{front.base}/socket.io/?EIO=4&transport=polling&sid={marker}",
                               data=b"4" + b"x" * (100 * 1024), timeout=WAIT,
                               headers={"Content-Type": "text/plain;charset=UTF-8"})
    for answer in (page, socket_post):
        assert answer.status_code == 413 and "<center>nginx/" in answer.text, answer.text[:300]
    for server in front.servers.values():  # a later request each process has logged: the refused ones would be above
        after = uuid.uuid4().hex
        requests.get(f"http://127.0.0.1:{server.port}/healthz?probe={after}", timeout=WAIT)
        front.wait_logged(after)
    assert front.logged_by(marker) == []
    say("POST of 4 MB -> 413 from nginx; Socket.IO POST of 100 KB -> 413 from nginx; neither in a process's log")


def test_a_stalled_request_body_is_dropped_by_nginx(front):
    """Headers, a few body bytes, then silence: nginx closes it after client_body_timeout (408) without the app."""
    marker = uuid.uuid4().hex
    with tls_connection(front.ports.https, front.ca, timeout=BODY_TIMEOUT * 3) as sock:
        sock.sendall(f"POST /login?stall={marker} HTTP/1.1\r\nHost: {SITE}:{front.ports.https}\r\n"
                     f"User-Agent: {USER_AGENT}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     "Content-Length: 4096\r\n\r\nemail=slow".encode())
        stalled = time.monotonic()
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
        waited = time.monotonic() - stalled
    assert BODY_TIMEOUT - 1 <= waited < BODY_TIMEOUT * 2, waited
    line = next(line for line in front.nginx_log(until=marker).splitlines() if marker in line)
    assert '" 408 ' in line, line
    assert front.logged_by(marker) == []
    say(f"a body stalled after its headers: connection closed by nginx after {waited:.1f} s, answer "
        f"{received[:12]!r}; nginx logged 408; no process saw it")


def test_a_member_of_a_killed_process_reconnects_through_nginx_and_misses_nothing(front, pair):
    """Mia's process is killed by PID: she reconnects through nginx to the other one and, joining with her last
    message id as room.js does, gets the message Ben sent while she was away; her next message reaches Ben live.

    SIGKILL to the process group, as a crash or the OOM killer would: a graceful stop (SIGTERM) would first wait for
    the open WebSockets, up to gunicorn's 30 s graceful timeout, and nginx keeps connecting to its listening socket
    meanwhile."""
    gone, remaining = pair.mia_process, pair.ben_process
    connects = pair.mia.connects
    before = pair.ben.send("just before the stop")
    pair.mia.receives(before)
    killed = front.servers[gone].kill()
    assert pair.mia.disconnected.wait(WAIT), "mia's socket did not notice the stop"
    down = time.monotonic()
    missed = pair.ben.send("sent while mia is away")
    pair.mia.wait(lambda: pair.mia.connects > connects, "reconnection")  # /rooms connected again
    back = time.monotonic() - down
    assert missed["id"] not in pair.mia.seen  # not pushed to her: she was in no room yet
    caught_up = pair.mia.join(timeout=3 * WAIT)  # the first call after a reconnect may upgrade the transport first
    assert [message["id"] for message in caught_up["messages"]] == [missed["id"]], caught_up["messages"]
    assert front.served_by(front.session()) == remaining  # 127.0.0.1 moved to the remaining process
    after = pair.mia.send("back, through the other process")
    pair.ben.receives(after)
    refused = (front.tmp / "error.log").read_text(errors="replace").count("Connection refused")
    say(f"killed process {gone} (pids {killed}); mia disconnected, ben sent message {missed['id']}; mia "
        f"reconnected through nginx in {back:.1f} s to process {remaining} ({refused} refused upstream connections "
        f"in nginx's error log), joined with last_id {before['id']} and caught up on [{missed['id']}]; "
        f"her message {after['id']} reached ben")
