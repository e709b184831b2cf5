"""T1 / T1b: the access-control matrix (deny by default) and object-level 404s for hidden proposals, polls, feeds.

Expected results are read from policy.ROUTES, never copied by hand: a route added without a policy entry fails
the coverage test, and the matrix then expects it to be refused to everyone (deny by default).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter

from stac_youth.common import policy
from stac_youth.common.roles import Role
from stac_youth.common.time import utcnow
from stac_youth.common.tokens import hash_token
from stac_youth.extensions import db
from stac_youth.meetings import agenda, calendar, services
from stac_youth.members.models import Invitation, Region
from stac_youth.notifications import kinds
from stac_youth.notifications.services import notify
from stac_youth.polls import counts, lifecycle
from stac_youth.proposals import comments as proposal_comments
from stac_youth.proposals import cosponsors
from stac_youth.rooms import messages as room_messages
from stac_youth.rooms import moderation, rooms
from tests.conftest import UserFactory, login
from tests.proposals.helpers import make_proposal, theme
from tests.summit_rows import summit_rows

PRINCIPALS = ("anonymous", "member", "advisor", "planner", "admin")
METHODS = ("GET", "POST")


def _endpoints(app: Flask) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"})


def test_every_endpoint_has_a_policy_entry_and_no_stale_entries(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(policy.ROUTES))
    stale = sorted(set(policy.ROUTES) - endpoints)
    assert missing == [], f"routes without a policy entry (refused to everyone): {missing}"
    assert stale == [], f"policy entries for routes that do not exist: {stale}"


def test_policy_entries_name_real_roles(app):
    for endpoint, rule in policy.ROUTES.items():
        if rule != policy.PUBLIC:
            assert rule and set(rule) <= set(Role), endpoint


def test_an_endpoint_missing_from_the_table_is_refused_to_everyone(make_app):
    """Deny by default: a new view without a policy entry → login for anonymous, 403 even for an admin."""
    application = make_app()

    @application.route("/not-in-the-policy")
    def not_in_the_policy():
        return "should never be served"

    client = application.test_client()
    response = client.get("/not-in-the-policy")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    with application.app_context():
        admin = UserFactory()("admin")
        assert login(client, admin).status_code == 302
    assert client.get("/not-in-the-policy").status_code == 403


def _item(title: str) -> agenda.AgendaItemData:
    return agenda.AgendaItemData(title=title, description="", minutes=10, presenter=None, kind="discussion")


def _meeting(advisor, title: str, items: tuple[str, ...] = (), publish: bool = True):
    """A statewide meeting starting in ten minutes (so check-in is open), with its agenda."""
    start = utcnow() + timedelta(minutes=10)
    meeting = services.create_meeting(advisor, services.MeetingData(
        title=title, description="About **the board**.", starts_at=start, ends_at=start + timedelta(hours=1),
        location="Sacramento", video_url=None,
    ))
    added = [agenda.add_item(advisor, meeting, _item(name)) for name in items]
    if publish:
        services.publish_meeting(advisor, meeting)
    return meeting, added


def _world(make_user) -> dict:
    """One user of each role, a student to look at, a region, an invitation, meetings and a room, all real rows."""
    users = {role: make_user(role) for role in ("member", "advisor", "planner", "admin")}
    region = db.session.scalars(db.select(Region).order_by(Region.id)).first()
    target = make_user("member", display_name="Target Student", region_id=region.id)
    invitation = Invitation(
        email="invitee@example.test", role=Role.MEMBER, token_hash=hash_token("matrix-invitation"),
        invited_by_id=users["admin"].id, created_at=utcnow(), expires_at=utcnow() + timedelta(days=7),
    )
    db.session.add(invitation)
    db.session.commit()
    # A published statewide meeting everyone may see, so an allowed role is never answered 404; the routes that
    # delete get their own meeting / item, so the rest of the sweep still finds theirs.
    meeting, (item, _second, doomed_item) = _meeting(users["advisor"], "Board meeting", ("Welcome", "Vote", "Spare"))
    doomed, _ = _meeting(users["advisor"], "Meeting to delete")
    # A statewide topic room everyone may see, with messages by another user (the target, also the one muted)
    # and an open report; deleting a message acts on one of its own, so the report form still finds its message.
    room = rooms.create_topic_room(users["advisor"], "Statewide lounge", "", None)
    message = room_messages.post_message(target, room, "Hello *everyone*", "matrix-1").message
    doomed_message = room_messages.post_message(target, room, "Delete me", "matrix-2").message
    report = moderation.report_message(users["member"], message, "Off topic")
    # A submitted proposal by the target everyone may see, with the member invited to co-sponsor it (for accept /
    # decline) and comments by the target; deleting a comment acts on one of its own, so the rest still find theirs.
    proposal = make_proposal(target, status="submitted", title="Peer support circles")
    cosponsors.invite_cosponsor(target, proposal, users["member"])
    comment = proposal_comments.add_comment(target, proposal, "I *like* it")
    doomed_comment = proposal_comments.add_comment(target, proposal, "Delete me")
    # An open poll on the meeting's first agenda item that everyone may see, and a draft one to open (closing
    # acts on the open one: a closed poll is still shown to everyone).
    poll = lifecycle.create_poll(users["advisor"], None, "Which theme first?", "yes_no_abstain", agenda_item=item)
    lifecycle.open_poll(users["advisor"], poll)
    draft_poll = lifecycle.create_poll(users["advisor"], None, "Not yet?", "yes_no_abstain")
    # A Summit edition with a session everyone may see, and a spare one to delete.
    summit = summit_rows(users["planner"])
    # A notification of each user's own, to open (someone else's is a 404, tested in tests/notifications).
    own_notifications = {role: notify([user], kinds.MENTION, "/account", actor=target, place="Lounge")[0].id
                         for role, user in users.items()}
    ids = {"user_id": target.id, "invitation_id": invitation.id, "region_id": region.id,
           "meeting_id": meeting.id, "item_id": item.id,
           "room_id": room.id, "message_id": message.id, "report_id": report.id,
           "proposal_id": proposal.id, "comment_id": comment.id, "theme_id": theme().id, "poll_id": poll.id,
           "edition_id": summit["edition_id"], "session_id": summit["session_id"]}
    per_endpoint = {
        "summit.delete_session": {"session_id": summit["doomed_id"]},
        "polls.poll_open": {"poll_id": draft_poll.id},
        "meetings.delete": {"meeting_id": doomed.id},
        "meetings.delete_item": {"item_id": doomed_item.id},
        "meetings.feed": {"token": calendar.regenerate_feed_token(target)},
        "rooms.delete_message": {"message_id": doomed_message.id},
        "proposals.delete_comment": {"comment_id": doomed_comment.id},
    }
    return {"users": users, "ids": ids, "per_endpoint": per_endpoint, "notifications": own_notifications}


def _urls(app: Flask, ids: dict, per_endpoint: dict | None = None) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every rule; int arguments get real ids, others a real token or 'x'."""
    adapter = app.url_map.bind("localhost")
    cases = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        known = {**ids, **(per_endpoint or {}).get(rule.endpoint, {})}
        values = {}
        for name in rule.arguments:
            if isinstance(rule._converters[name], IntegerConverter):
                assert name in known, f"give the matrix a real id for <{name}> of {rule.endpoint}"
                values[name] = known[name]
            else:
                values[name] = known.get(name, "x")
        url = adapter.build(rule.endpoint, values)
        for method in METHODS:
            if method in rule.methods:
                cases.append((rule.endpoint, method, url))
    return cases


def _signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def _expected(endpoint: str, principal: str) -> str:
    rule = policy.ROUTES.get(endpoint)
    if rule == policy.PUBLIC:
        return "allowed"
    if principal == "anonymous":
        return "login"
    return "allowed" if rule is not None and principal in rule else "forbidden"


def _goes_to_login(response) -> bool:
    """The policy's answer to an anonymous visitor: the login page, with where they were going.

    (Signing out also ends on /login, but without a next= to come back to.)
    """
    location = urlsplit(response.headers.get("Location", ""))
    return response.status_code == 302 and location.path == "/login" and "next" in parse_qs(location.query)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_access_matrix(app, client, make_user, principal):
    world = _world(make_user)
    user = world["users"].get(principal)
    own = world["notifications"].get(principal, world["notifications"]["member"])
    cases = _urls(app, {**world["ids"], "notification_id": own}, world["per_endpoint"])
    assert len(cases) >= len(_endpoints(app))
    if user is not None:
        assert login(client, user).status_code == 302
    failures = []
    for endpoint, method, url in cases:
        if user is not None and not _signed_in(client):
            assert login(client, user).status_code == 302  # an earlier request (logout, register) signed us out
        response = client.open(url, method=method)
        expected = _expected(endpoint, principal)
        got = f"{response.status_code} {response.headers.get('Location', '')}".strip()
        if expected == "login":
            ok = _goes_to_login(response)
        elif expected == "forbidden":
            ok = response.status_code == 403
        else:
            ok = response.status_code != 403 and not _goes_to_login(response) and response.status_code < 500
            if endpoint.startswith(("meetings.", "rooms.", "proposals.", "summit.", "notifications.")):
                # real, visible rows (and the principal's own notification): never a 404
                ok = ok and response.status_code != 404
        if not ok:
            failures.append(f"{principal} {method} {url} ({endpoint}): expected {expected}, got {got}")
    assert failures == []


def test_a_draft_is_a_404_on_every_proposal_route_for_other_members(app, client, make_user):
    """IDOR: a member who is neither author nor co-sponsor finds nothing behind a draft's id, as for a missing one."""
    author, invited, outsider = make_user("member"), make_user("member"), make_user("member")
    draft = make_proposal(author, title="Secret draft")
    cosponsors.invite_cosponsor(author, draft, invited)
    missing_id = draft.id + 1000
    adapter = app.url_map.bind("localhost")
    rules = [rule for rule in app.url_map.iter_rules()
             if "proposal_id" in rule.arguments and Role.MEMBER in policy.ROUTES[rule.endpoint]]
    assert len(rules) >= 10
    assert login(client, outsider).status_code == 302
    before = (draft.title, len(draft.sponsors))
    for rule in rules:
        for proposal_id in (draft.id, missing_id):
            values = {"proposal_id": proposal_id, "comment_id": 1}
            url = adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})
            for method in METHODS:
                if method in rule.methods:
                    response = client.open(url, method=method, data={"title": "Stolen", "user_id": outsider.id})
                    assert response.status_code == 404, (method, url, response.status_code)
                    assert b"Secret draft" not in response.data
    db.session.expire_all()
    assert (draft.title, len(draft.sponsors)) == before
    assert b"Secret draft" not in client.get("/proposals?q=Secret").data
    # the invited member and the author see it
    for user in (invited, author):
        other = app.test_client()
        assert login(other, user).status_code == 302
        assert other.get(f"/proposals/{draft.id}").status_code == 200


def test_a_hidden_poll_is_a_404_on_every_poll_route_for_members(app, client, make_user):
    """IDOR: a draft poll, or one of another region's meeting, answers a member like a missing one."""
    from tests.meetings.helpers import make_meeting
    from tests.meetings.helpers import region as region_named

    advisor = make_user("advisor")
    outsider = make_user("member", region_id=region_named("Bay Area").id)
    draft = lifecycle.create_poll(advisor, None, "Secret draft poll?", "yes_no_abstain")
    meeting = make_meeting(advisor, "published", items=("Local vote",),
                           region_ids=(region_named("Greater Los Angeles").id,))
    regional = lifecycle.create_poll(advisor, None, "Regional poll?", "yes_no_abstain", agenda_item=meeting.items[0])
    lifecycle.open_poll(advisor, regional)
    missing_id = regional.id + 1000
    adapter = app.url_map.bind("localhost")
    rules = [rule for rule in app.url_map.iter_rules()
             if "poll_id" in rule.arguments and Role.MEMBER in policy.ROUTES[rule.endpoint]]
    assert len(rules) >= 6
    assert login(client, outsider).status_code == 302
    for rule in rules:
        for poll_id in (draft.id, regional.id, missing_id):
            url = adapter.build(rule.endpoint, {"poll_id": poll_id})
            for method in METHODS:
                if method in rule.methods:
                    response = client.open(url, method=method, data={"choice": "yes", "receipt": "AAAA-BBBB-CCCC-DDDD"})
                    assert response.status_code == 404, (method, url, response.status_code)
                    assert b"Secret draft poll?" not in response.data and b"Regional poll?" not in response.data
    assert b"Secret draft poll?" not in client.get("/polls").data and b"Regional poll?" not in client.get("/polls").data
    assert client.get(f"/agenda-items/{meeting.items[0].id}/poll-panel").status_code == 404
    db.session.expire_all()
    assert (draft.status, regional.status) == ("draft", "open")
    assert counts.turnout(regional) == (0, 0)


def test_calendar_feed_needs_a_real_token(app, client, make_user):
    """The feed is public only through its secret: an unknown or replaced token is a 404, signed in or not."""
    member = make_user("member")
    old = calendar.regenerate_feed_token(member)
    token = calendar.regenerate_feed_token(member)
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 200
    for unknown in (old, "x", token[:-1], token + "x"):
        assert client.get(f"/calendar/feed/{unknown}.ics").status_code == 404, unknown
    assert login(client, member).status_code == 302
    assert client.get("/calendar/feed/not-a-token.ics").status_code == 404
