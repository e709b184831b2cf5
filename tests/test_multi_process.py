"""Two production server processes with REDIS_URL share rooms, presence, live turnout and rate limits.

Both run `gunicorn -k gthread -w 1 --threads N app:app` under STAC_ENV=production on one PostgreSQL database
(migrated with `flask db upgrade`) and one Redis, behind no proxy but with TRUSTED_PROXIES=1, as behind nginx.
Clients are python-socketio clients on the websocket transport carrying the `__Host-session` cookie that the app's
own start_session signs, and plain HTTP requests.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass

import pytest
import requests

from benchmarks.harness import Server
from benchmarks.room_setup import USER_AGENT, cookie_maker
from benchmarks.vote_setup import credentials_maker
from stac_youth.common.roles import Role
from stac_youth.extensions import socketio
from tests.live_servers import (
    WAIT,
    cookie_header,
    flask_db_upgrade,
    gunicorn_servers,
    live_clients,
    production_app,
    production_env,
    release,
    sibling_database,
    url_of,
)

pytestmark = pytest.mark.integration

PASSWORD = "a long enough password for the cluster"
ROOMS, POLLS = "/rooms", "/polls"
ROOM_EVENTS = ("message", "presence")


@dataclass
class Cluster:
    """Two servers on one database and one Redis, and what the test process wrote there."""

    a: Server
    b: Server
    room_id: int
    poll_id: int
    ids: dict[str, int]
    cookies: dict[str, str]
    vote_cookie: str
    vote_token: str
    redis_url: str
    database_url: str
    secret_key: str


def _populate(app) -> dict:
    """An advisor, three members, a room for everyone and an open yes/no/abstain poll with live counts."""
    from stac_youth.members.bootstrap import create_account
    from stac_youth.polls import lifecycle
    from stac_youth.rooms.rooms import create_topic_room
    from stac_youth.seed import seed_regions

    run = uuid.uuid4().hex[:8]
    with app.app_context():
        seed_regions()
        advisor = create_account(f"advisor-{run}@example.test", "Ada Advisor", PASSWORD, Role.ADVISOR)
        people = {name: create_account(f"{name}-{run}@example.test", name.title(), PASSWORD, Role.MEMBER)
                  for name in ("mia", "ben", "vera")}
        room = create_topic_room(advisor, "Across processes", "", None)
        poll = lifecycle.create_poll(advisor, None, "Adopt the statewide motion?", "yes_no_abstain", results_live=True)
        lifecycle.open_poll(advisor, poll)  # after the members exist: they are its voters
        cookie_for = cookie_maker(app)
        vote_cookie, vote_token = credentials_maker(app)(people["vera"])
        return {"room_id": room.id, "poll_id": poll.id, "ids": {name: user.id for name, user in people.items()},
                "cookies": {name: cookie_header(app, cookie_for(user)) for name, user in people.items()},
                "vote_cookie": cookie_header(app, vote_cookie), "vote_token": vote_token}


@pytest.fixture(scope="module")
def cluster(postgres_url, redis_url, tmp_path_factory):
    """Servers A and B up on a migrated scratch database; stopped by PID and the database dropped at the end."""
    tmp = tmp_path_factory.mktemp("cluster")
    secret_key = secrets.token_hex(32)
    with sibling_database(postgres_url, "cluster") as database_url:
        env = production_env(database_url, secret_key, tmp, REDIS_URL=redis_url, TRUSTED_PROXIES="1")
        flask_db_upgrade(env)
        app = production_app(database_url, secret_key, tmp)
        world = _populate(app)
        release(app)
        with gunicorn_servers(["A", "B"], env, tmp) as (a, b):
            yield Cluster(a=a, b=b, redis_url=redis_url, database_url=database_url, secret_key=secret_key, **world)


def _ids(people: list[dict]) -> set[int]:
    """The user ids of a presence list."""
    return {person["id"] for person in people}


def test_presence_seen_from_one_process_includes_a_member_connected_to_the_other(cluster):
    """A member joining on B is told that the member connected to A is in the room, and A is told of B's."""
    mia, ben = cluster.ids["mia"], cluster.ids["ben"]
    with live_clients() as connect:
        on_a = connect(cluster.a, cluster.cookies["mia"], ROOMS, ROOM_EVENTS)
        assert on_a.call("join", {"room_id": cluster.room_id})["ok"] is True
        on_b = connect(cluster.b, cluster.cookies["ben"], ROOMS, ROOM_EVENTS)
        joined = on_b.call("join", {"room_id": cluster.room_id})
        assert joined["ok"] is True and _ids(joined["presence"]) == {mia, ben}
        pushed, _ = on_a.wait_for("presence", lambda p: p["room_id"] == cluster.room_id and ben in _ids(p["people"]))
        assert _ids(pushed["people"]) == {mia, ben}


def test_a_room_message_sent_on_one_process_reaches_a_client_of_the_other(cluster):
    """A message sent through A is pushed, stored and rendered, to the member connected to B."""
    with live_clients() as connect:
        on_a = connect(cluster.a, cluster.cookies["mia"], ROOMS, ROOM_EVENTS)
        on_b = connect(cluster.b, cluster.cookies["ben"], ROOMS, ROOM_EVENTS)
        for client in (on_a, on_b):
            assert client.call("join", {"room_id": cluster.room_id})["ok"] is True
        sent = on_a.call("send", {"room_id": cluster.room_id, "body": "hello from **A**", "client_id": "cross-1"})
        assert sent["ok"] is True, sent
        got, _ = on_b.wait_for("message", lambda m: m["id"] == sent["message"]["id"])
        assert got["author"]["id"] == cluster.ids["mia"] and got["room_id"] == cluster.room_id
        assert got["html"] == "<p>hello from <strong>A</strong></p>\n"


def _vote(server: Server, cluster: Cluster, choice: str) -> requests.Response:
    """Vera's ballot through the real vote form's POST, on one server."""
    return requests.post(f"{url_of(server)}/polls/{cluster.poll_id}/vote",
                         data={"choice": choice, "csrf_token": cluster.vote_token},
                         headers={"Cookie": cluster.vote_cookie, "User-Agent": USER_AGENT},
                         allow_redirects=False, timeout=WAIT)


def test_live_turnout_of_a_ballot_cast_on_one_process_reaches_a_watcher_on_the_other(cluster):
    """A ballot cast by HTTP on A is pushed as turnout and live counts to a member watching the poll on B."""
    with live_clients() as connect:
        watcher = connect(cluster.b, cluster.cookies["ben"], POLLS, ("turnout", "status"))
        watched = watcher.call("watch", {"poll_id": cluster.poll_id})
        assert watched["ok"] is True and watched["poll"]["cast"] == 0, watched
        answer = _vote(cluster.a, cluster, "yes")
        assert answer.status_code == 303, (answer.status_code, answer.text[:500])
        pushed, _ = watcher.wait_for("turnout", lambda p: p["poll_id"] == cluster.poll_id and p["cast"] == 1)
        assert pushed["counts"]["yes"] == 1 and pushed["eligible"] == watched["poll"]["eligible"] == 3


def _login_form(server: Server) -> tuple[str, str]:
    """An anonymous session cookie and its CSRF token, from GET /login."""
    page = requests.get(f"{url_of(server)}/login", headers={"User-Agent": USER_AGENT}, timeout=WAIT)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token, page.text[:500]
    return page.headers["Set-Cookie"].split(";", 1)[0], token.group(1)


def _failed_login(server: Server, form: tuple[str, str], address: str, attempt: int) -> int:
    """A wrong password for a new email each time, from `address` as the proxy reports it; the status code."""
    cookie, token = form
    answer = requests.post(f"{url_of(server)}/login",
                           data={"email": f"nobody-{attempt}-{address}@example.test", "password": "not it at all",
                                 "csrf_token": token},
                           headers={"Cookie": cookie, "User-Agent": USER_AGENT, "X-Forwarded-For": address},
                           allow_redirects=False, timeout=WAIT)
    return answer.status_code


def _fresh_address() -> str:
    """A client address no earlier run used: the shared Redis keeps login counters for 15 minutes."""
    return f"10.{secrets.randbelow(255)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def _forget_limits(redis_url: str, *addresses: str) -> None:
    """Delete the login counters this test left in Redis."""
    import redis

    connection = redis.Redis.from_url(redis_url)
    for address in addresses:
        keys = list(connection.scan_iter(f"LIMITS*{address}[/@]*"))  # by address, and by the emails made of it
        if keys:
            connection.delete(*keys)
    connection.close()


def test_the_login_rate_limit_counts_requests_on_both_processes(cluster):
    """Failed sign-ins alternating between A and B from one client address hit the one limit of 10 on the 11th."""
    address, other_client = _fresh_address(), _fresh_address()
    form = _login_form(cluster.a)
    try:
        answers = [_failed_login((cluster.a, cluster.b)[n % 2], form, address, n) for n in range(11)]
        assert answers == [200] * 10 + [429]
        assert _failed_login(cluster.b, form, other_client, 11) == 200  # behind the same proxy, not held back
    finally:
        _forget_limits(cluster.redis_url, address, other_client)


def test_a_deployment_on_another_redis_database_does_not_reach_these_rooms(cluster, tmp_path):
    """Redis pub/sub ignores database numbers: another deployment's room message on the same server stays there."""
    base, _, number = cluster.redis_url.rpartition("/")
    other = production_app(cluster.database_url, cluster.secret_key, tmp_path,
                           redis_url=f"{base}/{(int(number or 0) + 1) % 16}")
    try:
        with live_clients() as connect:
            on_b = connect(cluster.b, cluster.cookies["ben"], ROOMS, ROOM_EVENTS)
            assert on_b.call("join", {"room_id": cluster.room_id})["ok"] is True
            _emit_from_other_deployment(other, cluster.room_id)
            on_a = connect(cluster.a, cluster.cookies["mia"], ROOMS, ROOM_EVENTS)
            sent = on_a.call("send", {"room_id": cluster.room_id, "body": "ours", "client_id": "isolation-1"})
            # Published before ours: on a shared channel it would arrive first.
            _, before = on_b.wait_for("message", lambda m: m["id"] == sent["message"]["id"])
            assert [payload for name, payload in before if name == "message"] == []
    finally:
        release(other)


def _emit_from_other_deployment(app, room_id: int) -> None:
    """What a server of the other deployment does when a message is posted in its room of the same id."""
    with app.app_context():
        socketio.emit("message", {"id": -1, "room_id": room_id, "client_id": "foreign", "html": "<p>theirs</p>"},
                      to=f"room:{room_id}", namespace=ROOMS)
