"""Prepare the real app for the load test; run in its own process with the production environment.

`python -m benchmarks.load_setup --out plan.json --users 50 --sockets 200 --rooms 4 [--quick]` with
STAC_ENV=production, SECRET_KEY and DATABASE_URL set (the harness does this; SQLite file or PostgreSQL). It

1. migrates and seeds the database with benchmarks/dataset.py (the realistic size, or the small one);
2. picks the rooms every member may see (statewide: no region, not a meeting's), busiest first;
3. signs in --users members for the HTTP users, each with a CSRF token (vote_setup.credentials_maker),
   and works out what each of them may do with the app's own services: the meetings and proposals they see, the
   open polls they may still vote in (open_polls_to_vote) with the poll's method and options;
4. signs in the members the --sockets Socket.IO clients connect as (more clients than members: several tabs each).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from .room_setup import USER_AGENT
from .vote_setup import credentials_maker

PAGE_CHOICES = 20  # meetings and proposals per user to browse among


def pick_rooms(count: int) -> list[int]:
    """The busiest rooms open to every member (no region, not a meeting's room, not locked)."""
    from sqlalchemy import func, select

    from stac_youth.extensions import db
    from stac_youth.rooms.models import Message, Room, RoomKind

    rows = db.session.scalars(
        select(Room.id).outerjoin(Message, Message.room_id == Room.id)
        .where(Room.kind != RoomKind.MEETING, Room.region_id.is_(None), Room.locked.is_(False))
        .group_by(Room.id).order_by(func.count(Message.id).desc(), Room.id).limit(count)).all()
    return list(rows)


def user_plan(credentials_for, user) -> dict:
    """What one HTTP user browses and may vote in, with its session cookie and CSRF token."""
    from stac_youth.extensions import db
    from stac_youth.meetings.models import Meeting, MeetingStatus
    from stac_youth.meetings.visibility import visible_meetings
    from stac_youth.proposals.models import ProposalStatus
    from stac_youth.proposals.services import list_proposals

    from .app_api import app_attr

    open_polls_to_vote = app_attr("open_polls_to_vote")

    cookie, token = credentials_for(user)
    meetings = db.session.scalars(visible_meetings(user).with_only_columns(Meeting.id)
                                  .where(Meeting.status != MeetingStatus.DRAFT)
                                  .order_by(Meeting.starts_at.desc()).limit(PAGE_CHOICES)).all()
    proposals = list_proposals(user).items[:PAGE_CHOICES]
    votes = [{"poll_id": poll.id, "method": poll.method, "secret": poll.secret,
              "options": [option.id for option in poll.options]} for poll in open_polls_to_vote(user)]
    return {"id": user.id, "cookie": cookie, "csrf": token, "meetings": list(meetings),
            "proposals": [p.id for p in proposals],
            "commentable": [p.id for p in proposals if p.status != ProposalStatus.DRAFT],
            "votes": votes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--users", type=int, required=True, help="members browsing, voting and posting over HTTP")
    parser.add_argument("--sockets", type=int, required=True, help="Socket.IO clients (members, several tabs each)")
    parser.add_argument("--rooms", type=int, required=True, help="rooms the socket clients are spread over")
    parser.add_argument("--quick", action="store_true", help="the small data set")
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from stac_youth import create_app
    from stac_youth.common.roles import Role
    from stac_youth.extensions import db
    from stac_youth.members.models import User

    from . import dataset
    from .room_setup import cookie_maker

    sizes = dataset.SIZES["quick" if args.quick else "default"]
    app = create_app()
    report, migrated = dataset.seed_app_database(app, sizes)
    dataset.print_report(report, migrated)
    started = time.monotonic()
    with app.app_context():
        members = db.session.scalars(select(User).where(User.role == Role.MEMBER, User.active.is_(True))
                                     .order_by(User.id)).all()
        if len(members) < args.users:
            raise SystemExit(f"the data set has {len(members)} members, fewer than --users {args.users}")
        rooms = pick_rooms(args.rooms)
        if len(rooms) < args.rooms:
            raise SystemExit(f"only {len(rooms)} rooms are open to every member, fewer than --rooms {args.rooms}")
        credentials_for = credentials_maker(app)
        users = [user_plan(credentials_for, user) for user in members[:args.users]]
        # Socket clients: the members after the HTTP users first, then round again (a second tab each).
        order = members[args.users:] + members[:args.users]
        cookie_for = cookie_maker(app)
        cookies = {}
        sockets = []
        for k in range(args.sockets):
            user = order[k % len(order)]
            if user.id not in cookies:
                cookies[user.id] = cookie_for(user)
            sockets.append({"user_id": user.id, "cookie": cookies[user.id], "room_id": rooms[k % len(rooms)]})
        result = {
            "users": users,
            "sockets": sockets,
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
