"""The Socket.IO connection: signed-in users only, and revoked sessions lose their sockets."""

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


def test_socket_server_limits_messages_to_64_kib(app):
    from stac_youth.extensions import socketio

    assert socketio.server.eio.max_http_buffer_size == 65536


def test_redis_url_turns_on_the_message_queue(make_app, redis_url):
    import socketio as python_socketio

    from stac_youth.extensions import socketio

    make_app(REDIS_URL=redis_url)
    assert isinstance(socketio.server.manager, python_socketio.RedisManager)
