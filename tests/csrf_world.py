"""The CSRF tests' world: a CSRF-enabled app with real rows (meetings, rooms, proposals, polls, Summit)."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from stac_youth.common.time import utcnow
from stac_youth.common.tokens import hash_token
from stac_youth.extensions import db, limiter
from stac_youth.meetings import agenda, services
from stac_youth.meetings.models import Meeting
from stac_youth.members.models import Invitation, PasswordResetToken, Region
from stac_youth.notifications import kinds
from stac_youth.notifications.services import notify
from stac_youth.polls import lifecycle
from stac_youth.proposals import comments as proposal_comments
from stac_youth.proposals import cosponsors
from stac_youth.rooms import messages as room_messages
from stac_youth.rooms import moderation, rooms
from tests.conftest import UserFactory
from tests.proposals.helpers import make_proposal, theme
from tests.summit_rows import passed, summit_rows

NEW_PASSWORD = "a brand new passphrase for testing"
INVITE_TOKEN = "csrf-invitation-token"
RESET_TOKEN = "csrf-reset-token"


def _meeting(advisor, title: str, items: tuple[str, ...] = (), publish: bool = True) -> Meeting:
    """A statewide meeting starting in five minutes (check-in is open), with its agenda."""
    start = utcnow() + timedelta(minutes=5)
    meeting = services.create_meeting(advisor, services.MeetingData(
        title=title, description="", starts_at=start, ends_at=start + timedelta(hours=2), location="Sacramento",
        video_url=None,
    ))
    for name in items:
        agenda.add_item(advisor, meeting, agenda.AgendaItemData(
            title=name, description="", minutes=10, presenter=None, kind="discussion",
        ))
    if publish:
        services.publish_meeting(advisor, meeting)
    return meeting


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def build_world(make_app):
    """A CSRF-enabled app with real rows for every POST route to act on: yields its data, then resets the limiter.

    Use from a fixture: `yield from build_world(make_app)`."""
    app = make_app(WTF_CSRF_ENABLED=True)
    limiter.reset()
    with app.app_context():
        from stac_youth.members.profiles import set_avatar
        from stac_youth.seed import seed_regions

        seed_regions()
        users = UserFactory()
        admin = users("admin")
        set_avatar(admin, _png())  # so that "remove my picture" has something to remove
        # example.org, not example.test: the forgot-password form's Email() validator refuses special-use domains
        target = users("member", email="target@example.org", display_name="Target Student")
        leaver = users("member", display_name="Leaving Student")
        resettable = users("member", display_name="Forgetful Student")
        attendee = users("member", display_name="Attending Student")
        advisor = users("advisor")
        region = db.session.scalars(db.select(Region).order_by(Region.id)).first()
        now = utcnow()
        db.session.add(Invitation(email="joiner@example.test", role="member", token_hash=hash_token(INVITE_TOKEN),
                                  invited_by_id=admin.id, created_at=now, expires_at=now + timedelta(days=7)))
        pending = Invitation(email="pending@example.test", role="member", token_hash=hash_token("other"),
                             invited_by_id=admin.id, created_at=now, expires_at=now + timedelta(days=7))
        db.session.add(pending)
        db.session.add(PasswordResetToken(user_id=resettable.id, token_hash=hash_token(RESET_TOKEN),
                                          created_at=now, expires_at=now + timedelta(hours=1)))
        db.session.commit()
        # The valid-token pass walks one published meeting through its life (agenda, RSVP, check-in, live, end,
        # minutes); publishing, editing and deleting act on meetings of their own.
        meeting = _meeting(advisor, "Board meeting", ("Welcome", "Vote", "Spare"))
        first, second, spare = meeting.items
        draft = _meeting(advisor, "Draft meeting", publish=False)
        doomed = _meeting(advisor, "Meeting to delete")
        # A meeting to cancel and restore, with an agenda item just deleted whose undo token the pass sends.
        called_off = _meeting(advisor, "Meeting to cancel", ("Kept", "Undone"))
        undo_token = agenda.delete_item(advisor, called_off.items[1])
        # A statewide topic room with messages by a member: one to report, one to delete, and one already
        # reported whose report an advisor handles.
        room = rooms.create_topic_room(advisor, "Statewide lounge", "", None)
        to_report, to_delete, reported = (
            room_messages.post_message(target, room, body, f"csrf-{number}").message
            for number, body in enumerate(("Report me", "Delete me", "Already reported"))
        )
        report = moderation.report_message(attendee, reported, "Off topic")
        # A draft its author edits, invites a co-sponsor to (who accepts) and submits, with another member already
        # invited who declines; a submitted proposal the admin moves to discussion, with the proposer's comments to
        # edit and report and the target's one to delete.
        proposer = users("member", display_name="Proposing Student")
        cosponsor = users("member", display_name="Co-sponsoring Student")
        decliner = users("member", display_name="Declining Student")
        topic = theme()
        draft_proposal = make_proposal(proposer, title="Draft proposal")
        cosponsors.invite_cosponsor(proposer, draft_proposal, decliner)
        submitted = make_proposal(target, status="submitted", title="Submitted proposal")
        own_comment = proposal_comments.add_comment(proposer, submitted, "My first *thought*")
        doomed_comment = proposal_comments.add_comment(target, submitted, "Delete me")
        # A draft poll the valid-token pass walks through its life: opened, voted in, its receipt checked, closed.
        poll = lifecycle.create_poll(advisor, None, "Which theme first?", "yes_no_abstain")
        # A Summit edition with a session to edit and one to delete, and a passed proposal to decide on.
        summit = summit_rows(admin)
        to_decide = passed(make_proposal(proposer, status="submitted", title="Passed proposal"))
        # The admin's own notification to open (the room report above already left one unread to mark read).
        own_notification = notify([admin], kinds.MENTION, "/account", actor=target, place="Lounge")[0]
        data = {
            "app": app,
            "emails": {"admin": admin.email, "target": target.email, "leaver": leaver.email,
                       "attendee": attendee.email, "proposer": proposer.email, "cosponsor": cosponsor.email,
                       "decliner": decliner.email},
            "ids": {"user_id": target.id, "invitation_id": pending.id, "region_id": region.id,
                    "meeting_id": meeting.id, "item_id": second.id, "room_id": room.id,
                    "message_id": to_report.id, "report_id": report.id,
                    "proposal_id": submitted.id, "comment_id": own_comment.id, "theme_id": topic.id,
                    "poll_id": poll.id, "edition_id": summit["edition_id"], "session_id": summit["session_id"],
                    "notification_id": own_notification.id},
            "per_endpoint": {
                "summit.delete_session": {"session_id": summit["doomed_id"]},
                "summit.decide": {"proposal_id": to_decide.id},
                "meetings.publish": {"meeting_id": draft.id},
                "meetings.edit": {"meeting_id": draft.id},
                "meetings.delete": {"meeting_id": doomed.id},
                **{f"meetings.{name}": {"meeting_id": called_off.id} for name in ("cancel", "restore", "restore_item")},
                "meetings.delete_item": {"item_id": spare.id},
                "meetings.edit_item": {"item_id": first.id},
                "rooms.delete_message": {"message_id": to_delete.id},
                **{f"proposals.{name}": {"proposal_id": draft_proposal.id}
                   for name in ("edit", "invite", "accept", "decline", "submit")},
                "proposals.delete_comment": {"comment_id": doomed_comment.id},
            },
            "meeting": {"id": meeting.id, "draft": draft.id, "doomed": doomed.id, "items": [first.id, second.id],
                        "called_off": called_off.id, "undo_token": undo_token},
            "room": {"id": room.id, "reported": to_report.id, "deleted": to_delete.id, "report": report.id},
            "proposal": {"draft": draft_proposal.id, "submitted": submitted.id, "comment": own_comment.id,
                         "doomed": doomed_comment.id, "theme": topic.id, "cosponsor": cosponsor.id,
                         "decliner": decliner.id},
            "poll": {"id": poll.id, "item": second.id, "proposal": submitted.id, "voter": attendee.id},
            "summit": {**summit, "decided": to_decide.id, "notification": own_notification.id},
        }
    yield data
    limiter.reset()
