"""T2: every state-changing route refuses a request without a valid CSRF token, and changes nothing.

The app here is built with WTF_CSRF_ENABLED=True (the shared test config turns CSRF off). It is used without a
pushed app context, so each request gets its own `g` and clients do not share a login.
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from freezegun import freeze_time
from PIL import Image
from werkzeug.routing import IntegerConverter

from stac_youth.common import policy
from stac_youth.common.audit import AuditEvent
from stac_youth.common.time import utcnow
from stac_youth.common.tokens import hash_token
from stac_youth.extensions import csrf, db, limiter
from stac_youth.meetings import agenda, services
from stac_youth.meetings.models import Attendance, Meeting, MeetingStatus, Rsvp
from stac_youth.members.models import Invitation, PasswordResetToken, Region, User
from stac_youth.notifications import kinds
from stac_youth.notifications.services import notify
from stac_youth.proposals import comments as proposal_comments
from stac_youth.proposals import cosponsors, polls
from stac_youth.proposals.models import Comment, CommentReport, Cosponsor, Proposal, Theme
from stac_youth.proposals.poll_models import Ballot, Participation, Poll
from stac_youth.rooms import messages as room_messages
from stac_youth.rooms import moderation, rooms
from stac_youth.rooms.models import Message, MessageReport, Mute, Room, SpeakerRequest
from tests.conftest import PASSWORD, UserFactory
from tests.proposals.helpers import make_proposal, theme
from tests.summit_rows import passed, summit_rows

NEW_PASSWORD = "a brand new passphrase for testing"
INVITE_TOKEN = "csrf-invitation-token"
RESET_TOKEN = "csrf-reset-token"
TOKEN_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


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


@pytest.fixture
def world(make_app):
    """A CSRF-enabled app with real rows for every POST route to act on."""
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
        poll = polls.create_poll(advisor, None, "Which theme first?", "yes_no_abstain")
        # A Summit edition with a session to edit and one to delete, and a passed proposal to decide on.
        summit = summit_rows(admin)
        to_decide = passed(make_proposal(proposer, status="submitted", title="Passed proposal"))
        # The admin's own notification to open (the room report above already left one unread to mark read).
        own_notification = notify([admin], kinds.MENTION, "/account", name="Target Student", place="Lounge")[0]
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
                "meetings.delete_item": {"item_id": spare.id},
                "meetings.edit_item": {"item_id": first.id},
                "rooms.delete_message": {"message_id": to_delete.id},
                **{f"proposals.{name}": {"proposal_id": draft_proposal.id}
                   for name in ("edit", "invite", "accept", "decline", "submit")},
                "proposals.delete_comment": {"comment_id": doomed_comment.id},
            },
            "meeting": {"id": meeting.id, "draft": draft.id, "doomed": doomed.id, "items": [first.id, second.id]},
            "room": {"id": room.id, "reported": to_report.id, "deleted": to_delete.id, "report": report.id},
            "proposal": {"draft": draft_proposal.id, "submitted": submitted.id, "comment": own_comment.id,
                         "doomed": doomed_comment.id, "theme": topic.id, "cosponsor": cosponsor.id,
                         "decliner": decliner.id},
            "poll": {"id": poll.id, "item": second.id, "proposal": submitted.id, "voter": attendee.id},
            "summit": {**summit, "decided": to_decide.id, "notification": own_notification.id},
        }
    yield data
    limiter.reset()


MEETING_FORM = {
    "description": "About the board.", "starts_at": "2031-03-04T16:00", "ends_at": "2031-03-04T17:30",
    "location": "Sacramento", "video_url": "https://video.example.org/board",
}


def _payloads(data) -> dict[str, dict]:
    """Otherwise valid form data for each POST endpoint, so that only the token decides."""
    target = data["emails"]["target"]
    proposal_form = {"summary": "Students lead weekly circles.", "description": "Why it **matters**.",
                     "theme_id": str(data["proposal"]["theme"]), "region_id": str(data["ids"]["region_id"])}
    return {
        "home.set_language": {"lang": "es"},
        "auth.login": {"email": target, "password": PASSWORD},
        "auth.logout": {},
        "auth.logout_everywhere": {},
        "auth.register": {"display_name": "Joining Student", "password": PASSWORD},
        "auth.forgot_password": {"email": target},
        "auth.reset_password": {"password": NEW_PASSWORD},
        "members.edit_profile": {
            "display_name": "Renamed Admin", "pronouns": "they/them", "region_id": "0", "county_id": "0",
            "school": "", "grade": "", "interests": "art", "bio": "hi", "preferred_language": "en",
            "timezone": "America/Los_Angeles",
        },
        "members.upload_avatar": {"avatar": (io.BytesIO(_png()), "me.png")},
        "members.remove_avatar": {},
        "members.change_password": {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        "members.delete_account": {"password": PASSWORD, "confirm": "y"},
        "admin.invitations": {"email": "invitee@example.org", "role": "member", "region_id": "0"},
        "admin.revoke_invitation": {},
        "admin.change_role": {"role": "advisor"},
        "admin.set_active": {"active": "0"},
        "admin.regions": {"new-name": "Brand New Region"},
        "admin.rename_region": {"name": "Renamed Region"},
        "admin.add_county": {"name": "New County"},
        "meetings.regenerate_feed": {},
        "meetings.new": {**MEETING_FORM, "title": "A new meeting"},
        "meetings.edit": {**MEETING_FORM, "title": "Renamed draft", "region_ids": str(data["ids"]["region_id"])},
        "meetings.publish": {},
        "meetings.delete": {},
        "meetings.add_item": {"new-title": "Any other business", "new-kind": "discussion", "new-minutes": "5",
                              "new-presenter": "", "new-description": ""},
        "meetings.edit_item": {"title": "Welcome and introductions", "kind": "presentation", "minutes": "15",
                               "presenter": "Ana", "description": "Say *hello*"},
        "meetings.move_item": {"direction": "up"},
        "meetings.delete_item": {},
        "meetings.rsvp": {"answer": "yes"},
        "meetings.check_in": {},
        "meetings.start": {},
        "meetings.advance": {"step": "next"},
        "meetings.end": {},
        "meetings.write_minutes": {"body": "We met and **voted**."},
        "rooms.new": {"title": "Climate action", "description": "Ideas for greener schools.", "region_id": "0"},
        "rooms.post_message": {"body": "Hello from the admin", "client_id": "csrf-admin-1"},
        "rooms.report_message": {"reason": "This is not kind."},
        "rooms.delete_message": {},
        "rooms.mute": {"minutes": "10"},
        "rooms.unmute": {},
        "rooms.lock": {"locked": "1"},
        "rooms.hand": {"raised": "1"},
        "rooms.call_next": {},
        "rooms.resolve_report": {"action": "delete"},
        "proposals.new": {**proposal_form, "title": "A new proposal"},
        "proposals.edit": {**proposal_form, "title": "Renamed draft proposal"},
        "proposals.invite": {"user_id": str(data["proposal"]["cosponsor"])},
        "proposals.accept": {},
        "proposals.decline": {},
        "proposals.submit": {},
        "proposals.advance": {},
        "proposals.comment": {"body": "A *new* comment"},
        "proposals.edit_comment": {"body": "My edited thought"},
        "proposals.report_comment": {"reason": "This is not kind either."},
        "proposals.delete_comment": {},
        "admin.themes": {"new-name": "Climate and environment"},
        "admin.update_theme": {"name": "Mental health", "active": "1"},
        "proposals.poll_new_for_proposal": {"question": "Adopt it?", "method": "yes_no_abstain", "options": "",
                                            "threshold": "simple", "quorum_percent": "50"},
        "proposals.poll_new_for_item": {"question": "Which theme?", "method": "approval",
                                        "options": "Wellness\nTransit", "threshold": "simple", "quorum_percent": "0"},
        "proposals.poll_open": {},
        "proposals.poll_vote": {"choice": "yes"},
        "proposals.poll_receipt": {"receipt": "AAAA-BBBB-CCCC-DDDD"},
        "proposals.poll_close": {},
        "notifications.open_one": {},
        "notifications.read_all": {},
        "notifications.email_setting": {"email": "decisions"},
        "summit.new_edition": {"year": "2032", "title": "Summit 2032", "starts_on": "2032-06-01",
                               "ends_on": "2032-06-02", "place": "Fresno"},
        "summit.edit_edition": {"year": "2031", "title": "Renamed Summit", "starts_on": "2031-06-01",
                                "ends_on": "2031-06-03", "place": "Sacramento"},
        "summit.new_session": {"title": "New session", "track": "", "starts_at": "2031-06-02T10:00",
                               "ends_at": "2031-06-02T11:00", "room": "", "description": ""},
        "summit.edit_session": {"title": "Renamed session", "track": "Wellness", "starts_at": "2031-06-01T09:00",
                                "ends_at": "2031-06-01T10:30", "room": "Hall B", "description": "New *plan*"},
        "summit.delete_session": {},
        "summit.decide": {"kind": "declined", "response": "Not this year, and here is why.", "merged_into_id": "0"},
    }


# The order of the valid-token pass: the ones that end a session come last.
ORDER = [
    "home.set_language", "auth.forgot_password", "auth.register", "auth.reset_password", "auth.login",
    "members.edit_profile", "members.upload_avatar", "members.remove_avatar", "admin.invitations",
    "admin.revoke_invitation", "admin.change_role", "admin.set_active", "admin.regions", "admin.rename_region",
    "admin.add_county",
    "meetings.regenerate_feed", "meetings.new", "meetings.edit", "meetings.publish", "meetings.delete",
    "meetings.add_item", "meetings.edit_item", "meetings.move_item", "meetings.delete_item", "meetings.rsvp",
    "meetings.check_in", "meetings.start", "meetings.advance", "meetings.end", "meetings.write_minutes",
    "rooms.new", "rooms.post_message", "rooms.report_message", "rooms.delete_message", "rooms.mute", "rooms.unmute",
    "rooms.lock", "rooms.hand", "rooms.call_next", "rooms.resolve_report",
    "proposals.new", "proposals.edit", "proposals.invite", "proposals.accept", "proposals.decline",
    "proposals.submit", "proposals.advance", "proposals.comment", "proposals.edit_comment",
    "proposals.report_comment", "proposals.delete_comment", "admin.themes", "admin.update_theme",
    "proposals.poll_new_for_proposal", "proposals.poll_new_for_item", "proposals.poll_open", "proposals.poll_vote",
    "proposals.poll_receipt", "proposals.poll_close",
    "notifications.open_one", "notifications.read_all", "notifications.email_setting",
    "summit.new_edition", "summit.edit_edition", "summit.new_session", "summit.edit_session",
    "summit.delete_session", "summit.decide",
    "members.change_password", "auth.logout_everywhere", "members.delete_account", "auth.logout",
]
#: Who sends the valid-token request: public routes go anonymous, delete_account, the RSVP / check-in and the
#: member-only proposal routes members, the rest the admin.
ACTOR = {
    "members.delete_account": "leaver", "meetings.rsvp": "attendee", "meetings.check_in": "attendee",
    **{f"proposals.{name}": "proposer" for name in ("new", "edit", "invite", "submit", "comment", "edit_comment")},
    "proposals.accept": "cosponsor", "proposals.decline": "decliner", "proposals.poll_vote": "attendee",
}


def _post_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}


def _urls(data) -> dict[str, str]:
    """endpoint -> URL of every POST route: int arguments get real ids, tokens the real invitation/reset."""
    app = data["app"]
    adapter = app.url_map.bind("localhost")
    tokens = {"auth.register": INVITE_TOKEN, "auth.reset_password": RESET_TOKEN}
    urls = {}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        ids = {**data["ids"], **data["per_endpoint"].get(rule.endpoint, {})}
        values = {
            name: ids[name] if isinstance(rule._converters[name], IntegerConverter) else tokens[rule.endpoint]
            for name in rule.arguments
        }
        urls[rule.endpoint] = adapter.build(rule.endpoint, values)
    return urls


def _snapshot(app) -> dict:
    """Every row of every table, and the avatar files: "nothing changed" means this is equal."""
    with app.app_context():
        tables = {
            table.name: sorted((tuple(row) for row in db.session.execute(table.select()).all()), key=repr)
            for table in db.metadata.sorted_tables
        }
    avatar_dir = app.config["AVATAR_DIR"]
    tables["avatar files"] = sorted(p.name for p in avatar_dir.iterdir()) if avatar_dir.exists() else []
    return tables


def _token(client, url: str = "/login") -> str:
    response = client.get(url)
    match = TOKEN_INPUT.search(response.get_data(as_text=True))
    assert match, (url, response.status_code)
    return match.group(1)


def _login(client, email: str, password: str = PASSWORD) -> None:
    token = _token(client, "/login")
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _language(client) -> str:
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    return re.search(r'<html lang="(\w+)"', page).group(1)


def test_the_app_has_no_csrf_exempt_views(world):
    assert csrf._exempt_views == set()
    assert csrf._exempt_blueprints == set()
    assert world["app"].config["WTF_CSRF_ENABLED"] is True
    assert world["app"].config["WTF_CSRF_CHECK_DEFAULT"] is True


def test_every_post_route_is_covered(world):
    endpoints = _post_endpoints(world["app"])
    assert endpoints == set(_payloads(world)) == set(ORDER), "add the new POST route to _payloads() and ORDER"


def _clients(data):
    """An admin client, and an anonymous one holding its own session (and so its own CSRF token)."""
    app = data["app"]
    admin = app.test_client()
    _login(admin, data["emails"]["admin"])
    anonymous = app.test_client()
    _token(anonymous, "/login")
    return admin, anonymous


def _assert_nothing_changed(data, before, admin, anonymous, outbox_before: int):
    assert _snapshot(data["app"]) == before
    assert _signed_in(admin), "a refused POST must not sign the admin out"
    assert not _signed_in(anonymous), "a refused POST must not sign anyone in"
    assert _language(admin) == "en" and _language(anonymous) == "en"
    assert len(data["app"].extensions["mailman"].outbox) == outbox_before


def _cases(data):
    """(client name, endpoint, url): admin for every POST route, and anonymous too for the public ones."""
    urls = _urls(data)
    for endpoint in sorted(urls):
        yield "admin", endpoint, urls[endpoint]
        if policy.ROUTES.get(endpoint) == policy.PUBLIC:
            yield "anonymous", endpoint, urls[endpoint]


def test_post_without_token_is_refused_and_changes_nothing(world):
    admin, anonymous = _clients(world)
    clients = {"admin": admin, "anonymous": anonymous}
    world["app"].extensions["mailman"].outbox = []
    before = _snapshot(world["app"])
    payloads = _payloads(world)
    failures = []
    for who, endpoint, url in _cases(world):
        response = clients[who].post(url, data=payloads[endpoint])
        if response.status_code != 400:
            failures.append(f"{who} POST {url}: {response.status_code}")
    assert failures == []
    _assert_nothing_changed(world, before, admin, anonymous, 0)


def test_post_with_a_token_from_another_session_is_refused(world):
    admin, anonymous = _clients(world)
    attacker = world["app"].test_client()
    foreign = _token(attacker, "/login")  # a genuine token, signed with the same key, of the attacker's session
    assert foreign != _token(admin, "/account")
    clients = {"admin": admin, "anonymous": anonymous}
    world["app"].extensions["mailman"].outbox = []
    before = _snapshot(world["app"])
    payloads = _payloads(world)
    failures = []
    for who, endpoint, url in _cases(world):
        response = clients[who].post(url, data={**payloads[endpoint], "csrf_token": foreign})
        if response.status_code != 400:
            failures.append(f"{who} POST {url}: {response.status_code}")
    assert failures == []
    _assert_nothing_changed(world, before, admin, anonymous, 0)


def test_post_with_a_garbled_or_header_only_token_is_refused(world):
    admin, _anonymous = _clients(world)
    user_id = world["ids"]["user_id"]
    token = _token(admin, "/account")
    for data in ({"role": "advisor", "csrf_token": token[:-2] + "xx"}, {"role": "advisor", "csrf_token": ""}):
        assert admin.post(f"/admin/users/{user_id}/role", data=data).status_code == 400
    with world["app"].app_context():
        assert db.session.get(User, user_id).role == "member"


def test_a_token_older_than_the_time_limit_is_refused(world):
    admin, _anonymous = _clients(world)
    user_id = world["ids"]["user_id"]
    with freeze_time(utcnow()) as frozen:
        token = _token(admin, "/account")
        frozen.tick(timedelta(seconds=world["app"].config["WTF_CSRF_TIME_LIMIT"] + 1))
        response = admin.post(f"/admin/users/{user_id}/role", data={"role": "advisor", "csrf_token": token})
    assert response.status_code == 400
    with world["app"].app_context():
        assert db.session.get(User, user_id).role == "member"


def test_logout_without_token_keeps_the_user_signed_in(world):
    admin, _anonymous = _clients(world)
    assert admin.post("/logout").status_code == 400
    assert _signed_in(admin)
    assert admin.post("/logout", data={"csrf_token": _token(admin, "/account")}).status_code == 302
    assert not _signed_in(admin)


def test_role_change_without_token_keeps_the_role(world):
    admin, _anonymous = _clients(world)
    user_id = world["ids"]["user_id"]
    assert admin.post(f"/admin/users/{user_id}/role", data={"role": "admin"}).status_code == 400
    with world["app"].app_context():
        assert db.session.get(User, user_id).role == "member"


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
    assert set(unchanged) <= {"home.set_language", "auth.login", "auth.logout", "proposals.poll_receipt"}, unchanged
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
