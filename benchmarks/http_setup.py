"""Prepare the real app for the page benchmark; run in its own process with the production environment.

`python -m benchmarks.http_setup --out plan.json [--quick]` with STAC_ENV=production, SECRET_KEY and DATABASE_URL
set (the harness does this; SQLite file or PostgreSQL). It

1. migrates and seeds the database with benchmarks/dataset.py (the realistic size, or the small one);
2. picks the pages: the published meeting with the longest agenda a member may see, the proposal list, the busiest
   statewide room (its page shows the latest 50 messages) and the planners' Summit dashboard, each with the marker
   strings that prove it rendered its content (meeting and agenda titles, proposal titles of the first page, the
   newest message, the dashboard's first proposal), worked out with the app's own services;
3. signs a member and a planner in with the app's `start_session` (as room_setup.py does) and adds the CSRF token
   to each session, as a browser's session holds it after its first page with a form; without it every page
   would set a new cookie, which a browser would not cause.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from .room_setup import USER_AGENT
from .vote_setup import credentials_maker, gather_statistics


def pick_pages(member, planner) -> list[dict]:
    """The four pages with their paths, the role that loads them and their markers."""
    from sqlalchemy import func, select

    from stac_youth.extensions import db
    from stac_youth.meetings.models import AgendaItem, Meeting, MeetingStatus
    from stac_youth.meetings.visibility import visible_meetings
    from stac_youth.proposals.services import list_proposals
    from stac_youth.rooms.messages import latest_messages
    from stac_youth.rooms.models import Message, Room, RoomKind
    from stac_youth.summit import dashboard

    items = func.count(AgendaItem.id)
    meeting = db.session.execute(
        visible_meetings(member).where(Meeting.status == MeetingStatus.PUBLISHED)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id).group_by(Meeting.id)
        .order_by(items.desc(), Meeting.starts_at).limit(1)).scalar_one()
    proposals = list_proposals(member).items
    room = db.session.scalar(
        select(Room).join(Message, Message.room_id == Room.id)
        .where(Room.kind == RoomKind.TOPIC, Room.region_id.is_(None))
        .group_by(Room.id).order_by(func.count(Message.id).desc()).limit(1))
    shown, _older = latest_messages(room)
    plain = [m.body for m in shown if not set(m.body) & set("*`_[<>&")]
    board = dashboard.proposals_board(dashboard.Filters())
    in_room = db.session.scalar(select(func.count(Message.id)).where(Message.room_id == room.id))
    return [
        {"name": "meeting with agenda", "path": f"/meetings/{meeting.id}", "role": "member",
         "markers": [meeting.title, meeting.items[0].title, meeting.items[-1].title],
         "detail": f"{len(meeting.items)} agenda items"},
        {"name": "proposal list", "path": "/proposals", "role": "member",
         "markers": [proposals[0].title, proposals[-1].title],
         "detail": f"{len(proposals)} a page of {list_proposals(member).total}"},
        {"name": "room, 50 messages", "path": f"/rooms/{room.id}", "role": "member",
         "markers": [room.title, plain[-1]] if plain else [room.title],
         "detail": f"{len(shown)} shown of {in_room}"},
        {"name": "planner dashboard", "path": "/summit/plan", "role": "planner",
         "markers": [board.rows[0].proposal.title, board.rows[-1].proposal.title],
         "detail": f"{len(board.rows)} a page of {board.page.total}"},
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true", help="the small data set")
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from stac_youth import create_app
    from stac_youth.common.roles import Role
    from stac_youth.extensions import db
    from stac_youth.members.models import User

    from . import dataset

    sizes = dataset.SIZES["quick" if args.quick else "default"]
    app = create_app()
    report, migrated = dataset.seed_app_database(app, sizes)
    dataset.print_report(report, migrated)
    started = time.monotonic()
    with app.app_context():
        # The first member: every statewide page is theirs to see, regional ones of their region too.
        member = db.session.scalar(select(User).where(User.role == Role.MEMBER, User.active.is_(True))
                                   .order_by(User.id).limit(1))
        planner = db.session.scalar(select(User).where(User.role == Role.PLANNER).order_by(User.id).limit(1))
        pages = pick_pages(member, planner)
        credentials_for = credentials_maker(app)  # (cookie, CSRF token): the cookie's session holds the token
        cookies = {"member": credentials_for(member)[0], "planner": credentials_for(planner)[0]}
        gather_statistics(db.engine)
        result = {
            "pages": pages,
            "cookies": cookies,
            "cookie_name": app.config["SESSION_COOKIE_NAME"],
            "user_agent": USER_AGENT,
            "env": app.config["ENV_NAME"],
            "dialect": db.engine.dialect.name,
            "sizes": asdict(sizes),
            "seed": {"counts": report.counts, "ballots": report.ballots, "former_members": report.former_members,
                     "migrate_seconds": migrated, "build_seconds": report.build_seconds,
                     "write_seconds": report.write_seconds, "pages_seconds": time.monotonic() - started},
        }
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
