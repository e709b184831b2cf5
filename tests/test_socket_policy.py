"""T1 for Socket.IO: every registered socket handler has a policy entry, and one without an entry is refused.

Expected results are read from policy.SOCKET_EVENTS and from the handlers the live server holds, never listed by
hand: an event added without an entry fails the coverage test, and is refused to everyone at run time.
"""

from __future__ import annotations

import pytest

from stac_youth.common import policy, sockets
from stac_youth.common.roles import Role
from stac_youth.extensions import socketio
from tests.conftest import login

pytestmark = pytest.mark.sqlite_only  # the policy table, the same on any database (make test-postgres skips it)

PROBE_NAMESPACE = "/policy-probe"
PROBE_EVENT = "probe-not-in-the-policy"


def _registered(server) -> set[tuple[str, str]]:
    """(namespace, event) of every handler on the Socket.IO server; (namespace, "*") for its unknown events."""
    unknown = {(namespace, sockets.UNKNOWN_EVENT) for namespace, handler in server.namespace_handlers.items()
               if isinstance(handler, sockets.UnknownEvents)}
    return unknown | {(namespace, event) for namespace, events in server.handlers.items() for event in events}


def _is_guarded(handler) -> bool:
    """Whether the handler the server calls goes through guarded_event's policy check.

    Flask-SocketIO wraps each handler (functools.wraps sets __wrapped__); guarded_event puts its own wrapper in
    between, whose code object is recognisable whatever name it was given.
    """
    inner = getattr(handler, "__wrapped__", None)
    code = getattr(inner, "__code__", None)
    return code is not None and code.co_filename == sockets.__file__ and code.co_name == "guarded"


def _coverage_problems(server) -> list[str]:
    registered = _registered(server)
    problems = [f"no policy entry: {key}" for key in sorted(registered - set(policy.SOCKET_EVENTS))]
    problems += [f"stale policy entry: {key}" for key in sorted(set(policy.SOCKET_EVENTS) - registered)]
    for namespace, events in server.handlers.items():
        for event, handler in events.items():
            if event not in ("connect", "disconnect") and not _is_guarded(handler):
                problems.append(f"registered without guarded_event: {(namespace, event)}")
    # class-based namespaces would bypass guarded_event altogether; the one that answers unknown events only refuses
    others = sorted(namespace for namespace, handler in server.namespace_handlers.items()
                    if not isinstance(handler, sockets.UnknownEvents))
    if others:
        problems.append(f"class-based namespaces: {others}")
    return problems


@pytest.fixture
def throwaway_handlers(app):
    """Restore the server's handlers after a test registers its own (they must not leak into other tests)."""
    server = socketio.server
    before = {namespace: dict(events) for namespace, events in server.handlers.items()}
    module_handlers = list(socketio.handlers)
    yield server
    server.handlers.clear()
    server.handlers.update(before)
    socketio.handlers[:] = module_handlers


def test_every_socket_handler_has_a_policy_entry_and_no_stale_entries(app):
    assert ("/meetings", "join") in _registered(socketio.server)  # the introspection does see the app's handlers
    assert _coverage_problems(socketio.server) == []


def test_every_namespace_answers_its_unknown_events(app):
    """Each namespace has the handler of events it does not know, and the policy table names who gets its answer."""
    assert set(socketio.server.handlers) == set(socketio.server.namespace_handlers)
    for namespace in socketio.server.handlers:
        assert isinstance(socketio.server.namespace_handlers[namespace], sockets.UnknownEvents), namespace
        assert policy.SOCKET_EVENTS[namespace, sockets.UNKNOWN_EVENT], namespace


def test_socket_policy_entries_name_real_roles():
    for key, roles in policy.SOCKET_EVENTS.items():
        assert roles and set(roles) <= set(Role), key


def test_every_socket_namespace_refuses_anonymous_connections(app, socket_client):
    for namespace in socketio.server.handlers:
        sock = socket_client(namespace=namespace)
        assert not sock.is_connected(namespace=namespace), namespace


def test_a_handler_registered_without_guarded_event_fails_the_coverage_test(throwaway_handlers, monkeypatch):
    @socketio.on(PROBE_EVENT, namespace="/meetings")
    def unguarded(_payload):
        return {"ok": True}

    problems = _coverage_problems(throwaway_handlers)
    assert f"no policy entry: {('/meetings', PROBE_EVENT)}" in problems
    monkeypatch.setitem(policy.SOCKET_EVENTS, ("/meetings", PROBE_EVENT), policy.SIGNED_IN)
    # a policy entry is not enough: the handler itself must check it
    assert _coverage_problems(throwaway_handlers) == [f"registered without guarded_event: {('/meetings', PROBE_EVENT)}"]


def test_a_guarded_event_without_a_policy_entry_is_refused(app, client, make_user, socket_client,
                                                          throwaway_handlers, monkeypatch):
    """Deny by default, on a namespace and an event the policy table has never heard of."""
    ran = []

    @socketio.on("connect", namespace=PROBE_NAMESPACE)
    def probe_connect(_auth=None):
        return sockets.accept_connection(PROBE_NAMESPACE)

    @sockets.guarded_event(PROBE_EVENT, PROBE_NAMESPACE)
    def probe(payload):
        ran.append(payload)
        return {"ok": True}

    assert f"no policy entry: {(PROBE_NAMESPACE, PROBE_EVENT)}" in _coverage_problems(throwaway_handlers)
    admin, member = make_user("admin"), make_user("member")
    member_client = app.test_client()
    assert login(client, admin).status_code == 302
    assert login(member_client, member).status_code == 302

    # Not even an admin may connect to a namespace without a connect entry.
    assert not socket_client(namespace=PROBE_NAMESPACE, http_client=client).is_connected(namespace=PROBE_NAMESPACE)

    monkeypatch.setitem(policy.SOCKET_EVENTS, (PROBE_NAMESPACE, "connect"), policy.SIGNED_IN)
    as_member = socket_client(namespace=PROBE_NAMESPACE, http_client=member_client)
    as_admin = socket_client(namespace=PROBE_NAMESPACE, http_client=client)
    assert as_member.is_connected(namespace=PROBE_NAMESPACE) and as_admin.is_connected(namespace=PROBE_NAMESPACE)
    for sock in (as_member, as_admin):
        ack = sock.emit(PROBE_EVENT, {"x": 1}, namespace=PROBE_NAMESPACE, callback=True)
        assert ack == {"ok": False, "error": "forbidden"}
    assert ran == []  # the handler body never ran

    # With an entry the same handler answers, to the roles it names only: the guard reads the table.
    monkeypatch.setitem(policy.SOCKET_EVENTS, (PROBE_NAMESPACE, PROBE_EVENT), policy.ADMINS)
    assert as_member.emit(PROBE_EVENT, {"x": 2}, namespace=PROBE_NAMESPACE, callback=True) == {
        "ok": False, "error": "forbidden"}
    assert as_admin.emit(PROBE_EVENT, {"x": 3}, namespace=PROBE_NAMESPACE, callback=True) == {"ok": True}
    assert ran == [{"x": 3}]
    assert _coverage_problems(throwaway_handlers) == []
