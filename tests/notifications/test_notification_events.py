"""Live notifications on the /notifications namespace: each user's bell hears their own news and no one else's."""

from __future__ import annotations

from stac_youth.notifications import kinds, services
from tests.conftest import login
from tests.meetings.helpers import client_for

NS = "/notifications"


def pushes(sock) -> list[dict]:
    return [message["args"][0] for message in sock.get_received(NS) if message["name"] == "notification"]


def test_anonymous_connection_is_refused(socket_client):
    sock = socket_client(NS)
    assert not sock.is_connected(namespace=NS)


def test_a_users_bell_gets_their_own_notifications_only(app, client, make_user, socket_client):
    alice, bob = make_user("member"), make_user("member")
    login(client, alice)
    alice_sock = socket_client(NS)
    bob_sock = socket_client(NS, http_client=client_for(app, bob))
    assert alice_sock.is_connected(namespace=NS) and bob_sock.is_connected(namespace=NS)
    alice_sock.get_received(NS)
    bob_sock.get_received(NS)
    [note] = services.notify([alice], kinds.REPORT, "/rooms/reports", place="Bay <b>lounge</b>")
    [push] = pushes(alice_sock)
    assert push == {"id": note.id, "text": services.text_of(note), "link": "/rooms/reports", "unread": 1}
    assert "Bay <b>lounge</b>" in push["text"]  # plain text: the page's script must insert it as text
    assert pushes(bob_sock) == []
    services.notify([alice], kinds.MENTION, "/rooms/1", actor=bob, place="Lounge")
    assert [p["unread"] for p in pushes(alice_sock)] == [2]
    assert pushes(bob_sock) == []


def test_a_deduped_notification_is_not_pushed_again(app, client, make_user, socket_client):
    alice = make_user("member")
    login(client, alice)
    sock = socket_client(NS)
    sock.get_received(NS)
    services.notify([alice], kinds.REPORT, "/rooms/reports", place="P")
    services.notify([alice], kinds.REPORT, "/rooms/reports", place="P")
    assert len(pushes(sock)) == 1


def test_the_push_is_in_the_readers_language(app, client, make_user, socket_client):
    alice = make_user("member", preferred_language="es")
    bob = make_user("member", preferred_language="en")
    login(client, alice)
    alice_sock = socket_client(NS)
    bob_sock = socket_client(NS, http_client=client_for(app, bob))
    alice_sock.get_received(NS)
    bob_sock.get_received(NS)
    services.notify([alice, bob], kinds.DECISION, "/proposals/1", title="Circles", decision_label="Adopted")
    [es] = pushes(alice_sock)
    [en] = pushes(bob_sock)
    assert en["text"] == "The Summit planners decided on your proposal “Circles”: Adopted."
    assert es["text"] != en["text"] and "Circles" in es["text"] and "Adopted" not in es["text"]


def test_signing_out_disconnects_the_bell(app, client, make_user, socket_client):
    alice = make_user("member")
    login(client, alice)
    sock = socket_client(NS)
    assert sock.is_connected(namespace=NS)
    client.post("/logout")
    assert not sock.is_connected(namespace=NS)
