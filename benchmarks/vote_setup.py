"""Prepare the real app for the vote benchmark; run in its own process with the production environment.

`python -m benchmarks.vote_setup --out plan.json --members 5000 --polls 3` with STAC_ENV=production, SECRET_KEY
and DATABASE_URL set (the harness does this; SQLite file or PostgreSQL). It

1. builds the schema through the app factory and the migrations (what `flask db upgrade` does);
2. creates one advisor with `create_account`, then the members as plain `User` rows sharing one precomputed
   scrypt hash (5,000 separate hashes would take minutes, and nobody signs in with a password here);
3. creates --polls yes/no/abstain polls with the app's `create_poll` and opens each with its `open_poll` *after*
   the members exist, so every member is an eligible voter of every poll (eligibility is fixed at opening; the
   functions are found by name, benchmarks/app_api.py);
4. signs every member in with the app's own `start_session` inside a test request context (a device login row, as
   a sign-in makes), draws the Flask-WTF CSRF token a vote form would carry, and signs that session with the app's
   session serializer (`app.session_interface.get_signing_serializer(app)`, Flask's public API): each member's own
   cookie, which the clients send in a Cookie header with the token in the form.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .room_setup import PASSWORD, USER_AGENT


def credentials_maker(app):
    """user -> (signed session cookie, CSRF token of that session), as after signing in and opening a form."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from stac_youth.members.sessions import start_session

    serializer = app.session_interface.get_signing_serializer(app)

    def credentials_for(user) -> tuple[str, str]:
        # A fresh application context each time: Flask-WTF keeps the drawn token in `g`, which would otherwise be
        # shared by every member signed in here.
        with app.app_context(), app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                                         headers={"User-Agent": USER_AGENT}):
            start_session(user)
            token = generate_csrf()
            return serializer.dumps(dict(session)), token

    return credentials_for


def gather_statistics(engine) -> None:
    """PostgreSQL: VACUUM ANALYZE the freshly loaded tables, as autovacuum does within a minute of a bulk load.

    Without it the planner starts from no statistics, and autovacuum's own pass may land in the middle of the measured
    window, changing plans and taking CPU there. SQLite keeps no statistics unless asked, in production too.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--members", type=int, required=True, help="members, each eligible in every poll")
    parser.add_argument("--polls", type=int, required=True, help="open yes/no/abstain polls")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade
    from sqlalchemy import select

    from stac_youth import create_app
    from stac_youth.common.passwords import hash_password
    from stac_youth.common.roles import Role
    from stac_youth.extensions import db
    from stac_youth.members.bootstrap import create_account
    from stac_youth.models import Poll, User

    from .app_api import app_attrs

    create_poll, open_poll = app_attrs("create_poll", "open_poll")
    root = Path(__file__).resolve().parent.parent
    app = create_app()
    timings = {}
    with app.app_context():
        started = time.monotonic()
        upgrade(directory=str(root / "migrations"))
        timings["migrate_seconds"] = time.monotonic() - started
        advisor = create_account("bench-advisor@example.org", "Bench Advisor", PASSWORD, Role.ADVISOR)
        shared_hash = hash_password(PASSWORD)
        started = time.monotonic()
        members = [User(email=f"bench-voter-{i:05d}@example.org", display_name=f"Bench Voter {i:05d}",
                        password_hash=shared_hash, role=Role.MEMBER) for i in range(args.members)]
        db.session.add_all(members)
        db.session.commit()
        timings["members_seconds"] = time.monotonic() - started
        started = time.monotonic()
        poll_ids = []
        for n in range(args.polls):
            poll = create_poll(advisor, None, f"Statewide question {n}: adopt motion {n}?", "yes_no_abstain")
            open_poll(advisor, poll)
            poll_ids.append(poll.id)
        timings["polls_seconds"] = time.monotonic() - started
        eligible = sorted(set(db.session.scalars(select(Poll.eligible_count).where(Poll.id.in_(poll_ids)))))
        started = time.monotonic()
        credentials_for = credentials_maker(app)
        credentials = [credentials_for(user) for user in members]
        timings["sessions_seconds"] = time.monotonic() - started
        started = time.monotonic()
        gather_statistics(db.engine)
        timings["statistics_seconds"] = time.monotonic() - started
        result = {
            "poll_ids": poll_ids,
            "member_ids": [user.id for user in members],
            "cookies": [cookie for cookie, _token in credentials],
            "csrf_tokens": [token for _cookie, token in credentials],
            "eligible_counts": eligible,
            "cookie_name": app.config["SESSION_COOKIE_NAME"],
            "user_agent": USER_AGENT,
            "env": app.config["ENV_NAME"],
            "dialect": db.engine.dialect.name,
            "timings": timings,
        }
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
