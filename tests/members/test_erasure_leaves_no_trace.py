"""Erasure from outside: once a member erases her account over HTTP, no page and no stored row names her."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import String, Text, func, select

from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db
from stac_youth.meetings import agenda
from stac_youth.members import invitations
from stac_youth.members.models import Invitation, User
from stac_youth.notifications.models import Notification
from stac_youth.proposals import comments
from tests.conftest import PASSWORD, login
from tests.meetings.helpers import item_data, make_meeting
from tests.members.helpers import _as
from tests.proposals.helpers import make_proposal
from tests.rooms.helpers import topic_room

NAME, EMAIL = "Imani Brooks", "imani@example.org"
TRACES = ("imani", "brooks")  # her name or email, in any case, anywhere


def _stored_traces() -> list[tuple[str, str, str]]:
    """(table, column, value) of every stored text, in every table, that holds her name or email."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, String | Text)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)).all():
            for column, value in zip(columns, row, strict=True):
                if value and any(trace in value.lower() for trace in TRACES):
                    found.append((table.name, column.name, value))
    return found


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def world(app, make_user):
    """Imani (invited) and Maya mention each other; Imani invites Maya to co-sponsor; texts and an agenda name Imani."""
    admin, advisor = make_user("admin"), make_user("advisor")
    maya = make_user("member", email="maya@example.org", display_name="Maya Chen")
    sent = invitations.invite_member(admin, EMAIL, "member", None, lambda token: f"/register/{token}")
    imani = invitations.accept_invitation(sent.token, NAME, PASSWORD)
    room = topic_room(advisor, "Statewide lounge")
    imani_client, maya_client = _as(app, imani), _as(app, maya)

    for number, (client, body) in enumerate(((imani_client, "@Maya Chen are you coming?"),
                                             (maya_client, f"@{NAME} yes, see you there"))):
        posted = client.post(f"/rooms/{room.id}/messages", data={"body": body, "client_id": f"client-{number}"})
        assert posted.status_code == 302
    draft = make_proposal(imani, title="Later school start")
    assert imani_client.post(f"/proposals/{draft.id}/cosponsors", data={"user_id": maya.id}).status_code == 302
    submitted = make_proposal(imani, status="submitted", title="Quiet study rooms")
    comments.add_comment(maya, submitted, f"Great idea, @{NAME.upper()}!")
    meeting = make_meeting(advisor, status="published", title="Board meeting")
    agenda.add_item(advisor, meeting, item_data("Wellness report", presenter=NAME))
    assert login(app.test_client(), EMAIL, "not the password").status_code == 200

    maya_page = _text(maya_client.get("/notifications"))  # the names are shown before the erasure
    assert f"{NAME} mentioned you in “Statewide lounge”." in maya_page
    assert f"{NAME} invites you to co-sponsor the proposal “Later school start”." in maya_page
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == imani.id, Notification.kind == "mention")) == 2  # room, comment
    return {"imani": imani, "maya": maya, "imani_client": imani_client, "maya_client": maya_client, "room": room,
            "draft": draft, "submitted": submitted, "meeting": meeting}


def _erase(world):
    response = world["imani_client"].post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    return response


def test_after_erasure_the_other_members_pages_say_former_member(app, world):
    _erase(world)
    maya_client = world["maya_client"]

    notifications = _text(maya_client.get("/notifications"))
    assert "Former member mentioned you in “Statewide lounge”." in notifications
    assert "Former member invites you to co-sponsor the proposal “Later school start”." in notifications

    invitation = _text(maya_client.get(f"/proposals/{world['draft'].id}"))  # where Maya answers the invitation
    assert "Former member (author)" in invitation
    assert "Co-sponsor this proposal" in invitation
    room = _text(maya_client.get(f"/rooms/{world['room'].id}"))
    assert "@former member yes, see you there" in room
    proposal = _text(maya_client.get(f"/proposals/{world['submitted'].id}"))
    assert "Great idea, @former member!" in proposal
    meeting = _text(maya_client.get(f"/meetings/{world['meeting'].id}"))
    assert "Wellness report" in meeting
    for page in (notifications, invitation, room, proposal, meeting):
        assert "Imani" not in page and "Brooks" not in page

    assert maya_client.post("/language", data={"lang": "es"}).status_code == 302
    spanish = _text(maya_client.get("/notifications"))
    assert "Exintegrante" in spanish and "Imani" not in spanish


def test_after_erasure_no_stored_row_holds_her_name_or_email(app, world):
    imani = world["imani"]
    _erase(world)
    db.session.expire_all()

    assert _stored_traces() == []
    mentions = db.session.scalars(select(Notification).where(
        Notification.user_id == world["maya"].id, Notification.kind.in_(("mention", "cosponsor_invited")))).all()
    assert sorted(note.kind for note in mentions) == ["cosponsor_invited", "mention"]
    assert {note.actor_id for note in mentions} == {imani.id}  # by id: the name is read from her erased row
    assert all("name" not in note.values for note in mentions)
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == imani.id)) == 0
    [invitation] = db.session.scalars(select(Invitation)).all()
    assert invitation.email == "" and invitation.user_id == imani.id
    actions = {event.action for event in db.session.scalars(select(AuditEvent).where(
        (AuditEvent.actor_id == imani.id) | (AuditEvent.subject_id == imani.id)))}
    assert {"invitation.accepted", "login.failed", "account.deleted"} <= actions
    assert db.session.get(User, imani.id).deleted_at is not None


def test_erasing_the_account_clears_what_the_browser_stored(app, world):
    response = _erase(world)
    assert response.headers["Clear-Site-Data"] == '"storage"'
