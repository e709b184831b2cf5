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
