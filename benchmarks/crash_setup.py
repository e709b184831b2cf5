"""Prepare the real app for the crash test; run in its own process with the production environment.

`python -m benchmarks.crash_setup --out plan.json --members 600 --polls 4 --senders 8` with STAC_ENV=production,
SECRET_KEY and DATABASE_URL set (the harness does this; SQLite file or PostgreSQL). It

1. builds the schema through the migrations and creates one advisor (as vote_setup.py does);
2. creates the voters and the message senders as plain `User` rows sharing one precomputed scrypt hash;
3. creates --polls yes/no/abstain polls, every other one secret, with the app's `create_poll` and opens each with
   its `open_poll` after the members exist, so every voter may vote in every poll (without the "poll opened"
   notification to each voter, which is not what is tested and made the setup take minutes);
4. opens one topic room for all members with `create_topic_room`;
5. signs voters in with a CSRF token each (vote_setup.credentials_maker) and senders without one
   (room_setup.cookie_maker), the way the benchmark clients present themselves.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .room_setup import PASSWORD, USER_AGENT, cookie_maker
from .vote_setup import credentials_maker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--members", type=int, required=True, help="voters; each votes once in each poll")
    parser.add_argument("--polls", type=int, required=True, help="open yes/no/abstain polls, every other one secret")
    parser.add_argument("--senders", type=int, required=True, help="accounts sending room messages")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from stac_youth import create_app
    from stac_youth.common.passwords import hash_password
    from stac_youth.common.roles import Role
    from stac_youth.extensions import db
    from stac_youth.members.bootstrap import create_account
    from stac_youth.members.models import User
    from stac_youth.rooms.rooms import create_topic_room

    from .app_api import app_attrs, app_module

    create_poll, open_poll = app_attrs("create_poll", "open_poll")
    # nobody reads the crash voters' notifications: the poll notices' module sends none
    app_module("poll_opened").poll_opened = lambda _poll: None

    root = Path(__file__).resolve().parent.parent
    app = create_app()
    timings = {}
    with app.app_context():
        started = time.monotonic()
        upgrade(directory=str(root / "migrations"))
        advisor = create_account("crash-advisor@example.org", "Crash Advisor", PASSWORD, Role.ADVISOR)
        shared_hash = hash_password(PASSWORD)
        voters = [User(email=f"crash-voter-{i:04d}@example.org", display_name=f"Crash Voter {i:04d}",
                       password_hash=shared_hash, role=Role.MEMBER) for i in range(args.members)]
        senders = [User(email=f"crash-sender-{i:03d}@example.org", display_name=f"Crash Sender {i:03d}",
                        password_hash=shared_hash, role=Role.MEMBER) for i in range(args.senders)]
        db.session.add_all(voters + senders)
        db.session.commit()
        timings["accounts_seconds"] = time.monotonic() - started
        started = time.monotonic()
        poll_rows = []
        for n in range(args.polls):
            secret = n % 2 == 1
            poll = create_poll(advisor, None, f"Crash question {n}: adopt motion {n}?", "yes_no_abstain",
                                     secret=secret)
            open_poll(advisor, poll)
            poll_rows.append({"id": poll.id, "secret": secret})
        timings["polls_seconds"] = time.monotonic() - started
        room = create_topic_room(advisor, "Crash test room", "Messages sent while the server is killed", None)
        started = time.monotonic()
        credentials_for = credentials_maker(app)
        voter_credentials = [credentials_for(user) for user in voters]
        cookie_for = cookie_maker(app)
        sender_cookies = [cookie_for(user) for user in senders]
        timings["sessions_seconds"] = time.monotonic() - started
        result = {
            "polls": poll_rows,
            "voters": [{"id": user.id, "cookie": cookie, "csrf": token}
                       for user, (cookie, token) in zip(voters, voter_credentials, strict=True)],
            "senders": [{"id": user.id, "cookie": cookie} for user, cookie in zip(senders, sender_cookies,
                                                                                 strict=True)],
            "room_id": room.id,
            "cookie_name": app.config["SESSION_COOKIE_NAME"],
            "user_agent": USER_AGENT,
            "dialect": db.engine.dialect.name,
            "timings": timings,
        }
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
