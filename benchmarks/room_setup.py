"""Prepare the real app for the room benchmark; run in its own process with the production environment.

`python -m benchmarks.room_setup --out setup.json --members 200 --rate 20` with STAC_ENV=production, SECRET_KEY
and DATABASE_URL set (the harness does this). It

1. builds the schema through the app factory and the migrations (what `flask db upgrade` does);
2. creates one advisor with `create_account` (one scrypt hash), then the members and the sender accounts as
   plain `User` rows sharing one precomputed scrypt hash (200 separate hashes would take minutes, and nobody
   logs in with a password here);
3. opens one topic room for all members with `create_topic_room` and gives it --history (60) older messages,
   inserted as rows, so every join catches up on a full page (50) as it would in a room in use;
4. signs every member and sender in *without* POST /login: inside a test request context (REMOTE_ADDR
   127.0.0.1 and the User-Agent the benchmark clients send, so Flask-Login's session identifier matches) it calls
   the app's own `start_session`, which records a device login (`open_login`, a `login_sessions` row) and fills
   the session, then signs that session with the app's session serializer. The result is exactly the
   `__Host-session` cookie a browser gets after signing in. The benchmark clients send it in a Cookie header
   themselves, because a cookie jar would refuse a Secure/__Host- cookie over plain http.

The app rate-limits each author to RATE_LIMIT_COUNT messages per RATE_LIMIT_WINDOW (10 per 10 s), so one
account cannot send 20 messages a second. The sender therefore rotates over enough accounts to stay at or under
half the limit each (--senders, 0 = automatic); every message still runs the rate-limit query.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import timedelta
from pathlib import Path

USER_AGENT = "stac-youth-benchmark/1"
PASSWORD = "bench-only-password-not-used-2026"  # noqa: S105 - throw-away accounts in a temporary database


def sender_count(rate: float, limit: int, window_seconds: float) -> int:
    """Accounts needed so that each sends at most half its rate limit."""
    per_account = max(1, limit // 2) / window_seconds
    return max(1, math.ceil(rate / per_account))


def cookie_maker(app):
    """user -> the signed session cookie a browser holds after signing in, made with the app's own start_session."""
    from flask import session

    from stac_youth.members.sessions import start_session

    serializer = app.session_interface.get_signing_serializer(app)

    def cookie_for(user) -> str:
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                      headers={"User-Agent": USER_AGENT}):
            start_session(user)
            return serializer.dumps(dict(session))

    return cookie_for


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True, help="messages per second the run will send")
    parser.add_argument("--senders", type=int, default=0, help="sender accounts; 0 = enough for the rate limit")
    parser.add_argument("--history", type=int, default=60, help="messages already in the room before the run")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from stac_youth import create_app
    from stac_youth.common.passwords import hash_password
    from stac_youth.common.roles import Role
    from stac_youth.common.time import utcnow
    from stac_youth.extensions import db
    from stac_youth.members.bootstrap import create_account
    from stac_youth.members.models import User
    from stac_youth.rooms import messages as room_messages
    from stac_youth.rooms.models import Message
    from stac_youth.rooms.rooms import create_topic_room

    root = Path(__file__).resolve().parent.parent
    limit = room_messages.RATE_LIMIT_COUNT
    window = room_messages.RATE_LIMIT_WINDOW.total_seconds()
    senders = args.senders or sender_count(args.rate, limit, window)

    app = create_app()
    with app.app_context():
        upgrade(directory=str(root / "migrations"))
        advisor = create_account("bench-advisor@example.org", "Bench Advisor", PASSWORD, Role.ADVISOR)
        shared_hash = hash_password(PASSWORD)
        members = [User(email=f"bench-member-{i:04d}@example.org", display_name=f"Bench Member {i:04d}",
                        password_hash=shared_hash, role=Role.MEMBER) for i in range(args.members)]
        sending = [User(email=f"bench-sender-{i:03d}@example.org", display_name=f"Bench Sender {i:03d}",
                        password_hash=shared_hash, role=Role.MEMBER) for i in range(senders)]
        db.session.add_all(members + sending)
        db.session.commit()
        room = create_topic_room(advisor, "Benchmark room", "Room fan-out benchmark", None)
        # History, so that every join (in every round) catches up on a full page of messages, as in a room in use.
        start = utcnow() - timedelta(hours=1)
        db.session.add_all([
            Message(room_id=room.id, author_id=(members[i % len(members)].id if members else advisor.id),
                    client_id=f"history-{i}", body=f"Earlier message {i}: *welcome* to the room",
                    created_at=start + timedelta(seconds=10 * i))
            for i in range(args.history)
        ])
        db.session.commit()
        cookie_for = cookie_maker(app)
        result = {
            "room_id": room.id,
            "cookie_name": app.config["SESSION_COOKIE_NAME"],
            "user_agent": USER_AGENT,
            "members": [cookie_for(user) for user in members],
            "senders": [cookie_for(user) for user in sending],
            "rate_limit": {"count": limit, "window_seconds": window},
            "history": args.history,
            "session_cookie_secure": app.config["SESSION_COOKIE_SECURE"],
            "env": app.config["ENV_NAME"],
        }
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
