"""Who may reach what: one table for every route and socket event, deny by default."""

from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from .roles import ALL_ROLES, Role

PUBLIC = "public"
SIGNED_IN = frozenset(ALL_ROLES)
ADVISORS = frozenset({Role.ADVISOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
MEMBERS = frozenset({Role.MEMBER})
PLANNERS = frozenset({Role.PLANNER, Role.ADMIN})

#: endpoint -> PUBLIC, or the roles allowed. An endpoint missing here is refused to everyone.
ROUTES: dict[str, str | frozenset[str]] = {
    "static": PUBLIC,
    "home.healthz": PUBLIC,
    "home.readyz": PUBLIC,
    "home.set_language": PUBLIC,
    "auth.login": PUBLIC,
    "auth.register": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.logout_everywhere": SIGNED_IN,
    "home.index": SIGNED_IN,
    "members.directory": SIGNED_IN,
    "members.profile": SIGNED_IN,
    "members.avatar": SIGNED_IN,
    "members.edit_profile": SIGNED_IN,
    "members.upload_avatar": SIGNED_IN,
    "members.remove_avatar": SIGNED_IN,
    "members.account": SIGNED_IN,
    "members.change_password": SIGNED_IN,
    "members.export_data": SIGNED_IN,
    "members.delete_account": SIGNED_IN,
    "admin.invitations": ADVISORS,
    "admin.revoke_invitation": ADVISORS,
    "admin.users": ADMINS,
    "admin.change_role": ADMINS,
    "admin.set_active": ADMINS,
    "admin.regions": ADMINS,
    "admin.rename_region": ADMINS,
    "admin.add_county": ADMINS,
    "admin.audit_log": ADMINS,
    "admin.themes": ADMINS,
    "admin.update_theme": ADMINS,
    "meetings.index": SIGNED_IN,
    "meetings.detail": SIGNED_IN,
    "meetings.live": SIGNED_IN,
    "meetings.ics": SIGNED_IN,
    "meetings.minutes_history": SIGNED_IN,
    "meetings.calendar_page": SIGNED_IN,
    "meetings.regenerate_feed": SIGNED_IN,
    "meetings.feed": PUBLIC,
    "meetings.rsvp": MEMBERS,
    "meetings.check_in": MEMBERS,
    "meetings.new": ADVISORS,
    "meetings.edit": ADVISORS,
    "meetings.publish": ADVISORS,
    "meetings.delete": ADVISORS,
    "meetings.cancel": ADVISORS,
    "meetings.restore": ADVISORS,
    "meetings.start": ADVISORS,
    "meetings.end": ADVISORS,
    "meetings.advance": ADVISORS,
    "meetings.add_item": ADVISORS,
    "meetings.edit_item": ADVISORS,
    "meetings.delete_item": ADVISORS,
    "meetings.restore_item": ADVISORS,
    "meetings.move_item": ADVISORS,
    "meetings.write_minutes": ADVISORS,
    "rooms.index": SIGNED_IN,
    "rooms.show": SIGNED_IN,
    "rooms.post_message": SIGNED_IN,
    "rooms.report_message": SIGNED_IN,
    "rooms.hand": SIGNED_IN,
    "rooms.new": ADVISORS,
    "rooms.delete_message": ADVISORS,
    "rooms.mute": ADVISORS,
    "rooms.unmute": ADVISORS,
    "rooms.lock": ADVISORS,
    "rooms.call_next": ADVISORS,
    "rooms.reports": ADVISORS,
    "rooms.resolve_report": ADVISORS,
    "proposals.index": SIGNED_IN,
    "proposals.detail": SIGNED_IN,
    "proposals.report_comment": SIGNED_IN,
    "proposals.new": MEMBERS,
    "proposals.edit": MEMBERS,
    "proposals.submit": MEMBERS,
    "proposals.invite": MEMBERS,
    "proposals.accept": MEMBERS,
    "proposals.decline": MEMBERS,
    "proposals.comment": MEMBERS | ADVISORS,
    "proposals.edit_comment": MEMBERS | ADVISORS,
    "proposals.delete_comment": MEMBERS | ADVISORS,
    "proposals.advance": ADVISORS,
    "notifications.index": SIGNED_IN,
    "notifications.open_one": SIGNED_IN,
    "notifications.read_all": SIGNED_IN,
    "notifications.email_setting": SIGNED_IN,
    "summit.board": SIGNED_IN,
    "summit.edition": SIGNED_IN,
    "summit.session": SIGNED_IN,
    "summit.export_csv": SIGNED_IN,
    "summit.schedule": SIGNED_IN,
    "summit.report": SIGNED_IN,
    "summit.report_pdf": SIGNED_IN,
    "summit.plan": PLANNERS,
    "summit.new_edition": PLANNERS,
    "summit.edit_edition": PLANNERS,
    "summit.new_session": PLANNERS,
    "summit.edit_session": PLANNERS,
    "summit.delete_session": PLANNERS,
    "summit.decide": PLANNERS,
    "polls.polls_index": SIGNED_IN,
    "polls.poll_show": SIGNED_IN,
    "polls.poll_panel": SIGNED_IN,
    "polls.item_poll_panel": SIGNED_IN,
    "polls.poll_live_json": SIGNED_IN,
    "polls.poll_receipt": SIGNED_IN,
    "polls.poll_csv": SIGNED_IN,
    "polls.poll_vote": MEMBERS,
    "polls.poll_voted": MEMBERS,
    "proposals.new_poll": ADVISORS,
    "polls.poll_new_for_item": ADVISORS,
    "polls.poll_open": ADVISORS,
    "polls.poll_close": ADVISORS,
    "styleguide.index": ADVISORS,
}

#: (namespace, event) -> roles allowed. Connecting is refused to anonymous users before this is read.
#: The event "*" is any event the namespace has no handler for: it is answered "unknown_event" (else "forbidden").
SOCKET_EVENTS: dict[tuple[str, str], frozenset[str]] = {
    ("/", "connect"): SIGNED_IN,
    ("/", "disconnect"): SIGNED_IN,
    ("/", "*"): SIGNED_IN,
    ("/meetings", "connect"): SIGNED_IN,
    ("/meetings", "disconnect"): SIGNED_IN,
    ("/meetings", "*"): SIGNED_IN,
    ("/meetings", "join"): SIGNED_IN,
    ("/meetings", "advance"): ADVISORS,
    ("/notifications", "connect"): SIGNED_IN,
    ("/notifications", "disconnect"): SIGNED_IN,
    ("/notifications", "*"): SIGNED_IN,
    ("/polls", "connect"): SIGNED_IN,
    ("/polls", "disconnect"): SIGNED_IN,
    ("/polls", "*"): SIGNED_IN,
    ("/polls", "watch"): SIGNED_IN,
    ("/rooms", "connect"): SIGNED_IN,
    ("/rooms", "disconnect"): SIGNED_IN,
    ("/rooms", "*"): SIGNED_IN,
    ("/rooms", "join"): SIGNED_IN,
    ("/rooms", "leave"): SIGNED_IN,
    ("/rooms", "send"): SIGNED_IN,
    ("/rooms", "history"): SIGNED_IN,
    ("/rooms", "read"): SIGNED_IN,
    ("/rooms", "typing"): SIGNED_IN,
    ("/rooms", "here"): SIGNED_IN,
    ("/rooms", "raise_hand"): SIGNED_IN,
    ("/rooms", "lower_hand"): SIGNED_IN,
    ("/rooms", "call_next"): ADVISORS,
    ("/rooms", "delete_message"): ADVISORS,
    ("/subjects", "connect"): SIGNED_IN,
    ("/subjects", "disconnect"): SIGNED_IN,
    ("/subjects", "*"): SIGNED_IN,
    ("/subjects", "follow"): SIGNED_IN,
}


def allowed_roles(endpoint: str | None):
    """The policy entry of an endpoint, or None when there is none."""
    return ROUTES.get(endpoint or "")


def enforce_route_policy():
    """before_request hook: anonymous → login, a role not allowed → 403, unknown endpoint → 403."""
    if request.endpoint is None:
        return None  # no route matched: the 404 handler answers
    rule = allowed_roles(request.endpoint)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if rule is None or current_user.role not in rule:
        abort(403)
    return None


def socket_event_allowed(namespace: str, event: str) -> bool:
    """Whether the signed-in user may send this socket event."""
    rule = SOCKET_EVENTS.get((namespace, event))
    return bool(rule) and current_user.is_authenticated and current_user.role in rule


def safe_next_url(target: str | None) -> str:
    """A local path to go to after login, or the home page for anything that leaves the site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("home.index")
    if any(ch in target for ch in "\r\n\t") or ":" in target.split("?", 1)[0]:
        return url_for("home.index")
    return target


def redirect_to_login():
    """Send an anonymous visitor to the login page, keeping where they were going."""
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
