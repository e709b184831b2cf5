"""The Socket.IO connection: signed-in users only, and revoked sessions lose their sockets."""

import pytest

from stac_youth.extensions import db
from stac_youth.members import accounts


def test_anonymous_socket_is_refused(socket_client):
    assert not socket_client().is_connected()


def test_signed_in_socket_connects(login_as, socket_client):
    login_as("member")
    assert socket_client().is_connected()


def test_logout_everywhere_disconnects_live_socket(login_as, socket_client):
    user = login_as("member")
    sock = socket_client()
    assert sock.is_connected()
    accounts.logout_everywhere(db.session.get(type(user), user.id))
    assert not sock.is_connected()


def test_role_change_disconnects_live_socket(login_as, make_user, socket_client):
    user = login_as("member")
    admin = make_user("admin")
    sock = socket_client()
    accounts.change_role(admin, user, "advisor")
    assert not sock.is_connected()


def test_signing_out_closes_this_devices_socket_only(app, make_user):
    from stac_youth.extensions import socketio
    from tests.conftest import login

    user = make_user("member")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user)
    login(laptop, user)
    with app.app_context():  # a context per connection, as in production: no cached user in `g`
        phone_socket = socketio.test_client(app, flask_test_client=phone)
    with app.app_context():
        laptop_socket = socketio.test_client(app, flask_test_client=laptop)
    assert phone_socket.is_connected() and laptop_socket.is_connected()
    phone.post("/logout")
    assert not phone_socket.is_connected()
    assert laptop_socket.is_connected()


def test_wildcard_socket_origin_is_refused(make_app):
    import pytest

    with pytest.raises(RuntimeError, match="SOCKETIO_CORS_ORIGINS"):
        make_app(SOCKETIO_CORS_ORIGINS=["*"])


def test_the_transport_takes_frames_far_past_the_64_kib_event_limit(app):
    """So an oversized event reaches the guard, which answers it, instead of the transport cutting the client off."""
    from stac_youth.common.sockets import MAX_EVENT_BYTES
    from stac_youth.extensions import socketio

    assert MAX_EVENT_BYTES == 65536
    assert socketio.server.eio.max_http_buffer_size >= 2 * 1024 * 1024 + 1024


def test_redis_url_turns_on_the_message_queue(make_app, redis_url):
    import socketio as python_socketio

    from stac_youth.extensions import socketio

    make_app(REDIS_URL=redis_url)
    assert isinstance(socketio.server.manager, python_socketio.RedisManager)


# --- the registry row lives as long as its socket --------------------------------------------------------------------

def _rows(user_id: int) -> list:
    from sqlalchemy import select

    from stac_youth.common.sockets import SocketConnection

    db.session.expire_all()
    return list(db.session.scalars(select(SocketConnection).where(SocketConnection.user_id == user_id)))


def test_a_socket_open_for_days_keeps_its_row_and_sign_out_still_closes_it(app, client, login_as, make_user,
                                                                            socket_client, monkeypatch):
    from datetime import timedelta

    from stac_youth.common import sockets
    from stac_youth.common.time import utcnow
    from tests.conftest import login

    user = login_as("member")
    sock = socket_client(namespace="/rooms")
    start = utcnow()
    for day in (1, 2, 3, 4):  # the process renews its lease every few minutes; here once a day, for four days
        assert sockets.renew_leases(now=start + timedelta(days=day)) == 0
    # someone connecting on the fourth day does not make the server forget the old socket either
    monkeypatch.setattr(sockets, "utcnow", lambda: start + timedelta(days=4))
    other = app.test_client()
    assert login(other, make_user("member")).status_code == 302
    assert socket_client(namespace="/rooms", http_client=other).is_connected("/rooms")
    assert [(row.namespace, row.seen_at) for row in _rows(user.id)] == [("/rooms", start + timedelta(days=4))]
    client.post("/logout")
    assert not sock.is_connected("/rooms")
    assert _rows(user.id) == []


def test_rows_whose_lease_ran_out_long_ago_are_forgotten_with_their_channels(app, login_as, socket_client):
    """A process that died renews nothing: its rows (and the channels they joined) go; live ones stay."""
    from datetime import timedelta

    from sqlalchemy import select

    from stac_youth.common import sockets
    from stac_youth.common.channels import SocketChannel
    from stac_youth.common.time import utcnow

    user = login_as("member")
    long_ago = utcnow() - sockets.FORGET_CONNECTIONS_AFTER - timedelta(minutes=5)
    db.session.add(sockets.SocketConnection(sid="of-a-dead-process", namespace="/rooms", user_id=user.id,
                                            connected_at=long_ago, seen_at=long_ago))
    db.session.flush()
    db.session.add(SocketChannel(sid="of-a-dead-process", namespace="/rooms", kind="room", object_id=7,
                                 user_id=user.id))
    db.session.commit()
    live = socket_client(namespace="/rooms")
    assert sockets.renew_leases() == 1
    assert [row.sid for row in _rows(user.id)] == [socketio_sid(live, "/rooms")]
    assert db.session.scalars(select(SocketChannel)).all() == []


def socketio_sid(sock, namespace: str) -> str:
    """The Socket.IO sid of a test client in a namespace."""
    from stac_youth.extensions import socketio

    return socketio.server.manager.sid_from_eio_sid(sock.eio_sid, namespace)


# --- limits and unknown events get an answer -----------------------------------------------------------------------

@pytest.fixture
def lounge_socket(app, login_as, make_user, socket_client):
    """A member's /rooms socket in a statewide room."""
    from stac_youth.rooms.rooms import create_topic_room

    login_as("member")
    room = create_topic_room(make_user("advisor"), "Lounge", "", None)
    sock = socket_client(namespace="/rooms")
    assert sock.emit("join", {"room_id": room.id}, namespace="/rooms", callback=True)["ok"] is True
    return sock, room


@pytest.mark.parametrize("body", ["x" * 65_600, "é" * 40_000, "x" * 2_000_000], ids=["65_600", "80_000-utf8", "2MB"])
def test_an_event_past_64_kib_is_answered_too_large_and_the_socket_stays(lounge_socket, body):
    from sqlalchemy import func, select

    from stac_youth.rooms.models import Message

    sock, room = lounge_socket
    ack = sock.emit("send", {"room_id": room.id, "body": body, "client_id": "big-1"}, namespace="/rooms", callback=True)
    assert ack == {"ok": False, "error": "too_large"}
    assert sock.is_connected("/rooms")
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_an_event_just_under_64_kib_reaches_its_handler(lounge_socket):
    sock, room = lounge_socket
    ack = sock.emit("send", {"room_id": room.id, "body": "x" * 60_000, "client_id": "big-2"}, namespace="/rooms",
                    callback=True)
    assert ack["ok"] is False and ack["error"] != "too_large"  # the room's own 2,000-character rule answers


def test_unknown_events_get_an_error_answer_in_every_namespace(app, login_as, socket_client):
    from stac_youth.extensions import socketio

    login_as("member")
    for namespace in socketio.server.handlers:
        sock = socket_client(namespace=namespace)
        for name, args in (("no_such_event", ({"x": 1},)), ("*", ({"x": 1},)), ("*", ()), ("JOIN", (1, 2))):
            answer = sock.emit(name, *args, namespace=namespace, callback=True)
            assert answer == {"ok": False, "error": "unknown_event"}, (namespace, name)
        assert sock.is_connected(namespace)


def test_unknown_events_follow_the_policy_table(app, login_as, socket_client, monkeypatch):
    from stac_youth.common import policy

    login_as("member")
    monkeypatch.delitem(policy.SOCKET_EVENTS, ("/rooms", "*"))
    sock = socket_client(namespace="/rooms")
    assert sock.emit("no_such_event", {}, namespace="/rooms", callback=True) == {"ok": False, "error": "forbidden"}
