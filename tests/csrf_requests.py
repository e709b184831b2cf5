"""The CSRF tests' requests: valid form data per POST route, who sends it, URLs, tokens, logins, snapshots."""

from __future__ import annotations

import io
import re

from werkzeug.routing import IntegerConverter

from stac_youth.common import policy
from stac_youth.extensions import db
from tests.conftest import PASSWORD
from tests.csrf_world import INVITE_TOKEN, NEW_PASSWORD, RESET_TOKEN, _png

TOKEN_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


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
        "admin.revoke_invitation": {"confirmed": "1"},
        "admin.change_role": {"role": "advisor"},
        "admin.set_active": {"active": "0", "confirmed": "1"},
        "admin.regions": {"new-name": "Brand New Region"},
        "admin.rename_region": {"name": "Renamed Region"},
        "admin.add_county": {"name": "New County"},
        "meetings.regenerate_feed": {},
        "meetings.new": {**MEETING_FORM, "title": "A new meeting"},
        "meetings.edit": {**MEETING_FORM, "title": "Renamed draft", "region_ids": str(data["ids"]["region_id"])},
        "meetings.publish": {},
        "meetings.delete": {"confirmed": "1"},
        "meetings.restore_item": {"token": data["meeting"]["undo_token"]},
        "meetings.cancel": {"reason": "The school is closed that day."},
        "meetings.restore": {},
        "meetings.add_item": {"new-title": "Any other business", "new-kind": "discussion", "new-minutes": "5",
                              "new-presenter": "", "new-description": ""},
        "meetings.edit_item": {"title": "Welcome and introductions", "kind": "presentation", "minutes": "15",
                               "presenter": "Ana", "description": "Say *hello*"},
        "meetings.move_item": {"direction": "up"},
        "meetings.delete_item": {"confirmed": "1"},
        "meetings.rsvp": {"answer": "yes"},
        "meetings.check_in": {},
        "meetings.start": {},
        "meetings.advance": {"step": "next"},
        "meetings.end": {"confirmed": "1"},
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
        "proposals.new_poll": {"question": "Adopt it?", "method": "yes_no_abstain", "options": "",
                                            "threshold": "simple", "quorum_percent": "50"},
        "polls.poll_new_for_item": {"question": "Which theme?", "method": "approval",
                                        "options": "Wellness\nTransit", "threshold": "simple", "quorum_percent": "0"},
        "polls.poll_open": {},
        "polls.poll_vote": {"choice": "yes"},
        "polls.poll_receipt": {"receipt": "AAAA-BBBB-CCCC-DDDD"},
        "polls.poll_close": {"confirmed": "1"},
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
        "summit.delete_session": {"confirmed": "1"},
        "summit.decide": {"kind": "declined", "response": "Not this year, and here is why.", "merged_into_id": "0"},
    }


# The order of the valid-token pass: the ones that end a session come last.
ORDER = [
    "home.set_language", "auth.forgot_password", "auth.register", "auth.reset_password", "auth.login",
    "members.edit_profile", "members.upload_avatar", "members.remove_avatar", "admin.invitations",
    "admin.revoke_invitation", "admin.change_role", "admin.set_active", "admin.regions", "admin.rename_region",
    "admin.add_county",
    "meetings.regenerate_feed", "meetings.new", "meetings.edit", "meetings.publish", "meetings.delete",
    "meetings.restore_item", "meetings.cancel", "meetings.restore",
    "meetings.add_item", "meetings.edit_item", "meetings.move_item", "meetings.delete_item", "meetings.rsvp",
    "meetings.check_in", "meetings.start", "meetings.advance", "meetings.end", "meetings.write_minutes",
    "rooms.new", "rooms.post_message", "rooms.report_message", "rooms.delete_message", "rooms.mute", "rooms.unmute",
    "rooms.lock", "rooms.hand", "rooms.call_next", "rooms.resolve_report",
    "proposals.new", "proposals.edit", "proposals.invite", "proposals.accept", "proposals.decline",
    "proposals.submit", "proposals.advance", "proposals.comment", "proposals.edit_comment",
    "proposals.report_comment", "proposals.delete_comment", "admin.themes", "admin.update_theme",
    "proposals.new_poll", "polls.poll_new_for_item", "polls.poll_open", "polls.poll_vote",
    "polls.poll_receipt", "polls.poll_close",
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
    "proposals.accept": "cosponsor", "proposals.decline": "decliner", "polls.poll_vote": "attendee",
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


def _clients(data):
    """An admin client, and an anonymous one holding its own session (and so its own CSRF token)."""
    app = data["app"]
    admin = app.test_client()
    _login(admin, data["emails"]["admin"])
    anonymous = app.test_client()
    _token(anonymous, "/login")
    return admin, anonymous


def _cases(data):
    """(client name, endpoint, url): admin for every POST route, and anonymous too for the public ones."""
    urls = _urls(data)
    for endpoint in sorted(urls):
        yield "admin", endpoint, urls[endpoint]
        if policy.ROUTES.get(endpoint) == policy.PUBLIC:
            yield "anonymous", endpoint, urls[endpoint]
