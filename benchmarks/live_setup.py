"""Prepare the real app for the live benchmark; run in its own process with the production environment.

`python -m benchmarks.live_setup --out plan.json --members 300` with STAC_ENV=production, SECRET_KEY and
DATABASE_URL set (the harness does this; SQLite file or PostgreSQL). It

1. builds the schema through the migrations and creates one advisor with `create_account`, then the members and a
   message sender as plain `User` rows sharing one precomputed scrypt hash (as room_setup.py does);
2. creates a statewide meeting that started five minutes ago with the app's meeting services (`create_meeting`,
   `add_item` for AGENDA_ITEMS items, `publish_meeting`, `start_meeting`): it is live at its first item, and its
   room (opened by the app for every meeting) is found with `room_for_meeting`;
3. gives that room HISTORY older messages, inserted as rows, so every join catches up on a full page;
4. signs the members, the sender and the advisor in with the app's `start_session` (room_setup.cookie_maker):
   a session of its own each.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

from .room_setup import PASSWORD, USER_AGENT, cookie_maker

AGENDA_ITEMS = 15
HISTORY = 60


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--members", type=int, required=True)
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from stac_youth import create_app
    from stac_youth.common.passwords import hash_password
    from stac_youth.common.roles import Role
    from stac_youth.common.time import utcnow
    from stac_youth.extensions import db
    from stac_youth.meetings import agenda, services
    from stac_youth.meetings.models import AgendaKind
    from stac_youth.members.bootstrap import create_account
    from stac_youth.models import Message, User
    from stac_youth.rooms.rooms import room_for_meeting

    root = Path(__file__).resolve().parent.parent
    app = create_app()
    with app.app_context():
        upgrade(directory=str(root / "migrations"))
        advisor = create_account("live-advisor@example.org", "Live Advisor", PASSWORD, Role.ADVISOR)
        shared_hash = hash_password(PASSWORD)
        members = [User(email=f"live-member-{i:04d}@example.org", display_name=f"Live Member {i:04d}",
                        password_hash=shared_hash, role=Role.MEMBER) for i in range(args.members + 1)]
        db.session.add_all(members)
        db.session.commit()
        members, sender = members[:-1], members[-1]
        now = utcnow()
        meeting = services.create_meeting(advisor, services.MeetingData(
            title="Statewide board meeting (live benchmark)", description="Every member follows it live.",
            starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=3), location=None,
            video_url="https://video.example.org/board"))
        for n in range(AGENDA_ITEMS):
            agenda.add_item(advisor, meeting, agenda.AgendaItemData(
                title=f"Agenda item {n + 1}", description=f"Discussion of item {n + 1}.", minutes=10,
                presenter=None, kind=AgendaKind.DISCUSSION))
        services.publish_meeting(advisor, meeting)
        services.start_meeting(advisor, meeting)
        room = room_for_meeting(meeting)
        start = now - timedelta(minutes=4)
        db.session.add_all([
            Message(room_id=room.id, author_id=members[i % len(members)].id, client_id=f"history-{i}",
                    body=f"Earlier message {i}: *welcome* to the meeting", created_at=start + timedelta(seconds=3 * i))
            for i in range(HISTORY)])
        db.session.commit()
        cookie_for = cookie_maker(app)
        result = {
            "meeting_id": meeting.id,
            "room_id": room.id,
            "items": [item.id for item in meeting.items],
            "members": [cookie_for(user) for user in members],
            "sender": cookie_for(sender),
            "advisor": cookie_for(advisor),
            "cookie_name": app.config["SESSION_COOKIE_NAME"],
            "user_agent": USER_AGENT,
            "history": HISTORY,
            "dialect": db.engine.dialect.name,
        }
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
