"""Prepare the real app for the pages benchmark; run in its own process with the production environment.

`python -m benchmarks.pages_setup --out plan.json --users 50 --planners 4 [--quick]` with STAC_ENV=production,
SECRET_KEY and DATABASE_URL set (the harness does this; SQLite file or PostgreSQL). It

1. migrates and seeds the database with benchmarks/dataset.py (the realistic size, or the small one);
2. signs in --users virtual users, each with a session of its own (a device login each, made with the app's
   `start_session`, and the CSRF token its forms carry; vote_setup.credentials_maker): --planners of them are the
   data set's planners (a planner with several sessions is a planner on several devices), the others members;
3. works out what each may open, with the app's own services and the poll tables: the meetings and proposals it
   sees, the proposals it may comment on, the statewide rooms (load_setup.pick_rooms) and the polls it is a voter of.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from .load_setup import pick_rooms, user_plan
from .room_setup import USER_AGENT
from .vote_setup import credentials_maker, gather_statistics

ROOMS = 4
POLL_CHOICES = 20


def polls_of(user_id: int) -> list[int]:
    """Polls the user is a voter of (open or closed), newest first, read from the poll tables."""
    from sqlalchemy import text

    from stac_youth.extensions import db

    return list(db.session.scalars(text(
        "SELECT e.poll_id FROM poll_eligibility e JOIN polls p ON p.id = e.poll_id WHERE e.user_id = :user "
        "ORDER BY p.id DESC LIMIT :n"), {"user": user_id, "n": POLL_CHOICES}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--users", type=int, required=True, help="virtual users, each with its own session")
    parser.add_argument("--planners", type=int, required=True, help="how many of them are planners")
    parser.add_argument("--quick", action="store_true", help="the small data set")
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from stac_youth import create_app
    from stac_youth.common.roles import Role
    from stac_youth.extensions import db
    from stac_youth.models import User

    from . import dataset

    sizes = dataset.SIZES["quick" if args.quick else "default"]
    app = create_app()
    report, migrated = dataset.seed_app_database(app, sizes)
    dataset.print_report(report, migrated)
    started = time.monotonic()
    with app.app_context():
        def active(role):
            return db.session.scalars(select(User).where(User.role == role, User.active.is_(True))
                                      .order_by(User.id)).all()

        members, planners = active(Role.MEMBER), active(Role.PLANNER)
        if not planners or len(members) < args.users - args.planners:
            raise SystemExit(f"the data set has {len(members)} members and {len(planners)} planners: too few")
        people = [("planner", planners[n % len(planners)]) for n in range(args.planners)]
        people += [("member", user) for user in members[:args.users - args.planners]]
        credentials_for = credentials_maker(app)
        rooms = pick_rooms(ROOMS)
        users = []
        for role, user in people:
            plan = user_plan(credentials_for, user)
            users.append({"id": user.id, "role": role, "cookie": plan["cookie"], "csrf": plan["csrf"],
                          "meetings": plan["meetings"], "proposals": plan["proposals"],
                          "commentable": plan["commentable"], "polls": polls_of(user.id)})
        gather_statistics(db.engine)
        result = {
            "users": users,
            "rooms": rooms,
            "cookie_name": app.config["SESSION_COOKIE_NAME"],
            "user_agent": USER_AGENT,
            "env": app.config["ENV_NAME"],
            "dialect": db.engine.dialect.name,
            "sizes": asdict(sizes),
            "seed": {"counts": report.counts, "ballots": report.ballots, "migrate_seconds": migrated,
                     "build_seconds": report.build_seconds, "write_seconds": report.write_seconds,
                     "plan_seconds": time.monotonic() - started},
        }
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
