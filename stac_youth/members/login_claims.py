"""The login a session cookie names, checked by the one write that checks it inside its own statement.

Loading the signed-in user (accounts.load_user_from_login_id) costs a query, a database session and an ORM instance,
a quarter of a ballot's request. The ballot, which members send by the hundred within a minute of a poll opening,
checks the login in the statement that writes it instead: that statement holds the user loader's conditions (and the
member role), so a stale claim writes nothing, and the view then loads the user the usual way to answer (the sign-in
page, 403, or why the vote was refused). The route policy lets such a request through unloaded only for endpoints
listed in common.policy.CHECKED_IN_WRITE.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import g, session

from ..common.tokens import hash_token


class LoginClaim(NamedTuple):
    """Who the session cookie says is signed in, on which device login; nothing here has been checked."""

    user_id: int
    session_version: int
    token_hash: str


def parse_login_id(login_id) -> tuple[int, int, str] | None:
    """Flask-Login's id "<user>:<session version>:<device token>" as its parts, or None when it is not one."""
    if not isinstance(login_id, str):
        return None
    parts = login_id.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or not parts[2]:
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def unchecked_claim() -> LoginClaim | None:
    """The login the request's session names, when the user has not been loaded (a loaded user is what counts then);
    None without one (signed out, or only a remember cookie, which the user loader handles)."""
    if g.get("_login_user") is not None:
        return None
    parts = parse_login_id(session.get("_user_id"))
    if parts is None:
        return None
    user_id, version, token = parts
    return LoginClaim(user_id, version, hash_token(token))


#: The parameters of open_login_condition, in the order SQLite's question marks take them.
CONDITION_PARAMETERS = ("claim_user", "claim_version", "claim_role", "claim_token_hash", "claim_now")
_OPEN_LOGIN = {
    "sqlite": (
        "EXISTS (SELECT 1 FROM users JOIN login_sessions ON login_sessions.user_id = users.id"
        " WHERE users.id = ? AND users.session_version = ? AND users.role = ? AND users.active"
        " AND users.deleted_at IS NULL AND login_sessions.token_hash = ? AND login_sessions.ended_at IS NULL"
        " AND login_sessions.expires_at > ?)"),
    "postgresql": (
        "EXISTS (SELECT 1 FROM users JOIN login_sessions ON login_sessions.user_id = users.id"
        " WHERE users.id = %(claim_user)s::INTEGER AND users.session_version = %(claim_version)s::INTEGER"
        " AND users.role = %(claim_role)s::VARCHAR AND users.active AND users.deleted_at IS NULL"
        " AND login_sessions.token_hash = %(claim_token_hash)s::VARCHAR AND login_sessions.ended_at IS NULL"
        " AND login_sessions.expires_at > %(claim_now)s::TIMESTAMP WITHOUT TIME ZONE)"),
}


def open_login_condition(dialect: str) -> str:
    """SQL true when the claimed login is an open device login of an active, not deleted user with the claimed session
    version and role: the checks of load_user_from_login_id. SQLite takes CONDITION_PARAMETERS as question marks in
    that order, PostgreSQL (psycopg) as named parameters; see condition_parameters."""
    return _OPEN_LOGIN[dialect]


def condition_parameters(claim: LoginClaim, role: str, now: datetime | str) -> dict:
    """open_login_condition's parameters by name (now as the driver compares stored times: a string on SQLite)."""
    return {"claim_user": claim.user_id, "claim_version": claim.session_version, "claim_role": role,
            "claim_token_hash": claim.token_hash, "claim_now": now}
