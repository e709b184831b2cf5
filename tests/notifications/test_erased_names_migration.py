"""The data migration b7e4c2a91f30: names stored in notifications become actor ids, stored emails go."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.members import privacy
from stac_youth.members.models import Invitation
from stac_youth.notifications import services
from stac_youth.notifications.models import Notification
from stac_youth.proposals import comments
from tests.conftest import PASSWORD
from tests.proposals.helpers import make_proposal
from tests.rooms.helpers import post, topic_room

MIGRATIONS = str(Path(__file__).resolve().parent.parent.parent / "migrations")
BEFORE = "6d6fcf9f2888"  # the revision before notifications had an actor

notifications = sa.table("notifications", sa.column("user_id"), sa.column("kind"), sa.column("params"),
                         sa.column("link"), sa.column("created_at"))
audit_events = sa.table("audit_events", sa.column("created_at"), sa.column("actor_id"), sa.column("subject_id"),
                        sa.column("action"), sa.column("detail"))
invitations = sa.table("invitations", sa.column("email"), sa.column("role"), sa.column("token_hash"),
                       sa.column("created_at"), sa.column("expires_at"), sa.column("used_at"), sa.column("user_id"))


def _old_rows(conn, people: dict, links: dict) -> None:
    """What the code before this revision stored: names in notification params, emails in audit details."""
    now = utcnow()
    maya = people["maya"]
    conn.execute(notifications.insert(), [
        {"user_id": maya, "kind": kind, "params": json.dumps(params, sort_keys=True), "link": link, "created_at": now}
        for kind, link, params in (
            ("cosponsor_invited", links["draft"], {"name": "Imani Brooks", "title": "Later school start"}),
            ("mention", links["comment"], {"name": "Bo Chen", "place": "Quiet rooms"}),
            ("mention", links["room"], {"name": "Sam Lee", "place": "Statewide lounge"}),
            ("mention", links["room"] + "0", {"name": "Nobody Known", "place": "Gone room"}),
            ("report", links["room"], {"place": "Statewide lounge"}),
        )
    ])
    conn.execute(notifications.insert().values(user_id=people["imani"], kind="report", link=links["room"],
                                               params=json.dumps({"place": "Statewide lounge"}), created_at=now))
    conn.execute(audit_events.insert(), [
        {"created_at": now, "actor_id": actor, "subject_id": subject, "action": action, "detail": json.dumps(detail)}
        for actor, subject, action, detail in (
            (None, maya, "login.failed", {"email": "maya@example.org"}),
            (None, None, "login.failed", {"email": "someone@example.org"}),
            (people["admin"], None, "invitation.created", {"email": "imani@example.org", "invitation_id": 7,
                                                           "role": "member"}),
        )
    ])
    conn.execute(invitations.insert().values(email="imani@example.org", role="member", token_hash="0" * 64,
                                             created_at=now, expires_at=now, used_at=now, user_id=people["imani"]))


def test_stored_names_become_actors_and_stored_emails_go(app, make_user):
    admin, advisor = make_user("admin"), make_user("advisor")
    imani = make_user("member", email="imani@example.org", display_name="Imani Brooks")
    maya, bo = make_user("member", display_name="Maya Chen"), make_user("member", display_name="Bo Chen")
    sam_writer, sam_namesake = make_user("member", display_name="Sam Lee"), make_user("member", display_name="Sam Lee")
    room = topic_room(advisor, "Statewide lounge")
    post(sam_writer, room, "Hello all")
    draft = make_proposal(imani, title="Later school start")
    comment = comments.add_comment(bo, make_proposal(maya, status="submitted", title="Quiet rooms"), "Nice")
    privacy.delete_account(imani, PASSWORD)
    people = {"admin": admin.id, "imani": imani.id, "maya": maya.id}
    links = {"draft": f"/proposals/{draft.id}", "comment": f"/proposals/{comment.proposal_id}#comment-{comment.id}",
             "room": f"/rooms/{room.id}"}
    expected = {"Later school start": imani.id, "Quiet rooms": bo.id, "Statewide lounge": sam_writer.id,
                "Gone room": None}
    assert sam_namesake.id != sam_writer.id
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision=BEFORE)
    with db.engine.begin() as conn:
        _old_rows(conn, people, links)
    upgrade(directory=MIGRATIONS)

    named = db.session.scalars(select(Notification).where(Notification.kind.in_(("mention", "cosponsor_invited")))
                               .order_by(Notification.id)).all()
    assert {note.values.get("place", note.values.get("title")): note.actor_id for note in named} == expected
    assert all("name" not in note.values for note in named)
    texts = [services.text_of(note) for note in named]
    assert texts[0] == "Former member invites you to co-sponsor the proposal “Later school start”."
    assert texts[1:] == ["Bo Chen mentioned you in “Quiet rooms”.", "Sam Lee mentioned you in “Statewide lounge”.",
                         "Former member mentioned you in “Gone room”."]
    assert db.session.scalars(select(Notification.kind).where(Notification.user_id == imani.id)).all() == []
    assert db.session.scalars(select(Notification.kind).where(Notification.kind == "report")).all() == ["report"]

    details = {(event.action, event.subject_id): event.details for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(("login.failed", "invitation.created"))))}
    assert details[("login.failed", maya.id)] == {}
    assert details[("login.failed", None)] == {"account": "unknown"}
    assert details[("invitation.created", None)] == {"invitation_id": 7, "role": "member"}
    assert "example.org" not in json.dumps(list(details.values()))
    assert db.session.scalars(select(Invitation.email).where(Invitation.user_id == imani.id)).all() == [""]
