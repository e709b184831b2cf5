"""T2, the control: every POST route with the page's own CSRF token goes through and does its work."""

from __future__ import annotations

import json

import pytest

from stac_youth.common import policy
from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db
from stac_youth.meetings.models import Attendance, Meeting, MeetingStatus, Rsvp
from stac_youth.members.models import User
from stac_youth.polls.models import Ballot, Participation, Poll
from stac_youth.proposals.models import Comment, CommentReport, Cosponsor, Proposal, Theme
from stac_youth.rooms.models import Message, MessageReport, Mute, Room, SpeakerRequest
from tests.csrf_requests import (
    ACTOR,
    ORDER,
    _clients,
    _language,
    _login,
    _payloads,
    _signed_in,
    _snapshot,
    _token,
    _urls,
)
from tests.csrf_world import build_world


@pytest.fixture
def world(make_app):
    """A CSRF-enabled app with real rows for every POST route to act on (tests/csrf_world.py)."""
    yield from build_world(make_app)


def test_post_with_a_valid_token_is_accepted(world):
    """The same requests with the page's own token go through: the payloads above are real ones."""
    app = world["app"]
    admin, anonymous = _clients(world)
    clients = {"admin": admin, "anonymous": anonymous}
    for who in set(ACTOR.values()):
        clients[who] = app.test_client()
        _login(clients[who], world["emails"][who])
    leaver = clients["leaver"]
    urls = _urls(world)
    payloads = _payloads(world)
    unchanged = []
    for endpoint in ORDER:
        who = ACTOR.get(endpoint) or ("anonymous" if policy.ROUTES.get(endpoint) == policy.PUBLIC else "admin")
        client = clients[who]
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        page = urls[endpoint] if "GET" in rule.methods else ("/login" if who == "anonymous" else "/account")
        token = _token(client, page)
        before = _snapshot(app)
        response = client.post(urls[endpoint], data={**payloads[endpoint], "csrf_token": token})
        assert response.status_code != 400, (endpoint, response.get_data(as_text=True)[:1000])
        assert response.status_code < 500, endpoint
        if _snapshot(app) == before:
            unchanged.append(endpoint)

        if endpoint == "auth.login":
            assert _signed_in(anonymous)
            anonymous.post("/logout", data={"csrf_token": _token(anonymous, "/account")})
        if endpoint == "home.set_language":
            assert _language(anonymous) == "es"
    # Every route but the session-only ones and the receipt check changed the database: the payloads do reach the
    # services.
    assert set(unchanged) <= {"home.set_language", "auth.login", "auth.logout", "polls.poll_receipt"}, unchanged
    assert not _signed_in(admin)  # logout went through
    assert not _signed_in(leaver)  # the account is erased
    _assert_the_meeting_went_through_its_life(world)
    _assert_the_room_routes_did_their_work(world)
    _assert_the_proposal_routes_did_their_work(world)
    _assert_the_poll_went_through_its_life(world)
    _assert_the_summit_and_notification_routes_did_their_work(world)


def _assert_the_summit_and_notification_routes_did_their_work(data) -> None:
    """The Summit and notification routes did what their payloads asked, not just some change."""
    from stac_youth.notifications.models import Notification
    from stac_youth.summit.models import Decision, SummitEdition, SummitSession

    ids = data["summit"]
    with data["app"].app_context():
        assert db.session.get(SummitEdition, ids["edition_id"]).title == "Renamed Summit"
        assert db.session.scalar(db.select(SummitEdition).where(SummitEdition.year == 2032)).place == "Fresno"
        titles = set(db.session.scalars(db.select(SummitSession.title)))
        assert titles == {"Renamed session", "New session"}  # the spare one is deleted
        decision = db.session.scalar(db.select(Decision).where(Decision.proposal_id == ids["decided"]))
        assert decision.kind == "declined" and db.session.get(Proposal, ids["decided"]).status == "declined"
        assert db.session.get(Notification, ids["notification"]).read_at is not None
        admin = db.session.scalar(db.select(User).where(User.email == data["emails"]["admin"]))
        assert admin is None or admin.email_notifications == "decisions"


def _assert_the_meeting_went_through_its_life(data) -> None:
    """The meeting routes did what their payloads asked, not just some change."""
    ids = data["meeting"]
    with data["app"].app_context():
        meeting = db.session.get(Meeting, ids["id"])
        assert meeting.status == MeetingStatus.ENDED
        assert [item.title for item in meeting.items] == ["Vote", "Welcome and introductions", "Any other business"]
        assert meeting.latest_minutes.body == "We met and **voted**."
        assert [rsvp.answer for rsvp in db.session.scalars(db.select(Rsvp).where(Rsvp.meeting_id == meeting.id))] \
            == ["yes"]
        attended = db.select(db.func.count(Attendance.id)).where(Attendance.meeting_id == meeting.id)
        assert db.session.scalar(attended) == 1
        draft = db.session.get(Meeting, ids["draft"])
        assert draft.status == MeetingStatus.PUBLISHED and draft.title == "Renamed draft"
        assert [region.id for region in draft.regions] == [data["ids"]["region_id"]]
        assert db.session.get(Meeting, ids["doomed"]) is None
        called_off = db.session.get(Meeting, ids["called_off"])  # its item undone, then cancelled and restored
        assert called_off.status == MeetingStatus.PUBLISHED
        assert [item.title for item in called_off.items] == ["Kept", "Undone"]
        cancelled = db.session.scalars(db.select(AuditEvent.detail).where(AuditEvent.action == "meeting.cancelled"))
        assert [json.loads(detail)["reason"] for detail in cancelled] == ["The school is closed that day."]
        assert db.session.scalar(db.select(Meeting).where(Meeting.title == "A new meeting")).status == "draft"
        moved = db.session.scalars(db.select(AuditEvent.detail).where(AuditEvent.action == "meeting.item_moved"))
        assert [json.loads(detail)["item_id"] for detail in moved] == [ids["items"][0]]  # advanced to the next item


def _assert_the_room_routes_did_their_work(data) -> None:
    """The room routes did what their payloads asked, not just some change."""
    ids = data["room"]
    with data["app"].app_context():
        assert db.session.scalar(db.select(Room).where(Room.title == "Climate action")).region_id is None
        room = db.session.get(Room, ids["id"])
        assert room.locked is True
        bodies = db.session.scalars(db.select(Message.body).where(Message.room_id == room.id,
                                                                  Message.client_id == "csrf-admin-1"))
        assert list(bodies) == ["Hello from the admin"]
        assert db.session.get(Message, ids["deleted"]).deleted_at is not None
        reasons = db.session.scalars(db.select(MessageReport.reason).where(MessageReport.message_id == ids["reported"]))
        assert list(reasons) == ["This is not kind."]
        handled = db.session.get(MessageReport, ids["report"])
        assert handled.resolution == "deleted" and handled.message.deleted_at is not None
        assert db.session.scalar(db.select(db.func.count(Mute.id))) == 0  # muted, then unmuted
        assert db.session.scalar(db.select(db.func.count(SpeakerRequest.id))) == 0  # hand raised, then called
        called = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.action.like("room.%")))
        assert {"room.member_muted", "room.member_unmuted", "room.locked", "room.speaker_called",
                "room.message_deleted", "room.report_resolved"} <= set(called)


def _assert_the_proposal_routes_did_their_work(data) -> None:
    """The proposal and theme routes did what their payloads asked, not just some change."""
    ids = data["proposal"]
    with data["app"].app_context():
        created = db.session.scalar(db.select(Proposal).where(Proposal.title == "A new proposal"))
        assert created.status == "draft" and created.theme_id == ids["theme"]
        draft = db.session.get(Proposal, ids["draft"])
        assert draft.title == "Renamed draft proposal" and draft.status == "submitted"
        assert [(s.user_id, s.accepted_at is not None) for s in draft.sponsors] == [(ids["cosponsor"], True)]
        declined = db.select(Cosponsor).where(Cosponsor.user_id == ids["decliner"])
        assert db.session.scalar(declined) is None
        moved = db.session.get(Proposal, ids["submitted"])
        assert moved.status == "in_discussion" and moved.room_id is not None
        bodies = db.session.scalars(db.select(Comment.body).where(Comment.proposal_id == moved.id)
                                    .order_by(Comment.id))
        assert list(bodies) == ["My edited thought", "Delete me", "A *new* comment"]
        assert db.session.get(Comment, ids["doomed"]).deleted_at is not None
        reasons = db.session.scalars(db.select(CommentReport.reason).where(CommentReport.comment_id == ids["comment"]))
        assert list(reasons) == ["This is not kind either."]
        names = set(db.session.scalars(db.select(Theme.name)))
        assert {"Climate and environment", "Mental health"} <= names
        audited = set(db.session.scalars(db.select(AuditEvent.action)))
        assert {"proposal.moved", "proposal.comment_deleted", "theme.created", "theme.updated"} <= audited


def _assert_the_poll_went_through_its_life(data) -> None:
    """The poll routes did what their payloads asked: two polls drafted, and one opened, voted in and closed."""
    ids = data["poll"]
    with data["app"].app_context():
        poll = db.session.get(Poll, ids["id"])
        assert poll.status == "closed" and poll.result["counts"] == {"yes": 1, "no": 0, "abstain": 0}
        assert db.session.scalars(db.select(Participation.user_id).where(Participation.poll_id == poll.id)).all() \
            == [ids["voter"]]
        assert db.session.scalars(db.select(Ballot.choices).where(Ballot.poll_id == poll.id)).all() == ['"yes"']
        on_proposal = db.session.scalar(db.select(Poll).where(Poll.question == "Adopt it?"))
        assert (on_proposal.proposal_id, on_proposal.status, on_proposal.quorum_percent) \
            == (ids["proposal"], "draft", 50)
        on_item = db.session.scalar(db.select(Poll).where(Poll.question == "Which theme?"))
        assert on_item.agenda_item_id == ids["item"] and [o.label for o in on_item.options] == ["Wellness", "Transit"]
        actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.action.like("poll.%"))
                                     .order_by(AuditEvent.id)).all()
        assert actions == ["poll.created", "poll.created", "poll.created", "poll.opened", "poll.closed"]
