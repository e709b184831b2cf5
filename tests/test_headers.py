"""T8 (and part of T3/T14): security headers on every page, production cookies, and templates without inline script.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from werkzeug.routing import IntegerConverter

from stac_youth import create_app
from stac_youth.common import policy
from stac_youth.common.time import utcnow
from stac_youth.config import ProductionConfig
from stac_youth.extensions import db, limiter
from stac_youth.meetings import agenda, calendar, minutes, services
from stac_youth.members.models import Invitation, Region
from stac_youth.polls import ballots, lifecycle
from stac_youth.proposals import comments as proposal_comments
from stac_youth.rooms import messages as room_messages
from stac_youth.rooms import rooms
from tests.conftest import PASSWORD, UserFactory, login
from tests.proposals.helpers import make_proposal, theme
from tests.summit_rows import summit_rows

pytestmark = pytest.mark.sqlite_only  # markup and headers: the same on any database (make test-postgres skips it)

ROOT = Path(__file__).resolve().parent.parent
PRINCIPALS = ("anonymous", "member", "advisor", "planner", "admin")


# --- helpers ----------------------------------------------------------------------------------------------------

def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_security_headers(response, where: str, signed_in: bool) -> None:
    csp = csp_directives(response)
    assert csp.get("default-src") == ["'self'"], where
    scripts = csp.get("script-src", csp["default-src"])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
    assert not {"*", "data:", "http:", "https:", "blob:"} & set(scripts), where
    assert all(source.startswith("'") for source in scripts), (where, scripts)  # no host allowlisted: no CDN
    assert csp.get("object-src") == ["'none'"], where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("base-uri") == ["'self'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where
    assert "cookie" in {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}, where
    if signed_in:
        assert "no-store" in response.headers.get("Cache-Control", ""), where
    assert not re.search(r"\d", response.headers.get("Server", "")), where  # no version in Server


class _Refs(HTMLParser):
    """Every URL a page makes the browser load or follow."""

    URL_ATTRIBUTES = {"src", "href", "action", "formaction", "poster", "data", "srcset", "background", "cite"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in self.URL_ATTRIBUTES and value is not None:
                for url in (value.split(",") if name == "srcset" else [value]):
                    self.urls.append((tag, name, url.strip().split(" ")[0]))


def assert_no_external_references(response, where: str) -> None:
    if not response.mimetype == "text/html":
        return
    parser = _Refs()
    parser.feed(response.get_data(as_text=True))
    for tag, attribute, url in parser.urls:
        parts = urlsplit(url)
        if parts.scheme == "mailto":
            continue
        assert not parts.scheme and not parts.netloc and not url.startswith("//"), (where, tag, attribute, url)


def _signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 20, 20)).save(out, format="PNG")
    return out.getvalue()


# --- every GET route × role ---------------------------------------------------------------------------------------

def _get_urls(app, ids, tokens=None) -> list[tuple[str, str]]:
    """(endpoint, url) of every GET rule: int arguments get real ids, others the endpoint's real token or 'x'."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        values = {
            name: ids[name] if isinstance(rule._converters[name], IntegerConverter)
            else (tokens or {}).get(rule.endpoint, "x")
            for name in rule.arguments
        }
        urls.append((rule.endpoint, adapter.build(rule.endpoint, values)))
    return urls


def _meetings_in_every_state(advisor) -> list[tuple[int, int]]:
    """(meeting id, item id) of statewide meetings everyone may see: upcoming, live, and ended with minutes."""
    made = []
    for state, hours in (("upcoming", 24), ("live", 0), ("ended", -3)):
        start = utcnow() + timedelta(hours=hours)
        meeting = services.create_meeting(advisor, services.MeetingData(
            title=f"Board meeting ({state})", description="About **the board**, see [the plan](/meetings).",
            starts_at=start, ends_at=start + timedelta(hours=1), location="Sacramento", video_url=None,
        ))
        item = agenda.add_item(advisor, meeting, agenda.AgendaItemData(
            title="Welcome", description="*Hello*", minutes=10, presenter="Ana", kind="presentation",
        ))
        agenda.add_item(advisor, meeting, agenda.AgendaItemData(
            title="Vote", description="", minutes=20, presenter=None, kind="vote",
        ))
        services.publish_meeting(advisor, meeting)
        if state != "upcoming":
            services.start_meeting(advisor, meeting)
            services.move_current_item(advisor, meeting, 1)
        if state == "ended":
            services.end_meeting(advisor, meeting)
            minutes.save_minutes(advisor, meeting, "First **draft**.")
            minutes.save_minutes(advisor, meeting, "The **final** minutes.")
        made.append((meeting.id, item.id))
    return made


def _may_see(endpoint: str, principal: str) -> bool:
    rule = policy.ROUTES.get(endpoint)
    return rule == policy.PUBLIC or (principal != "anonymous" and rule is not None and principal in rule)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_headers_on_every_get_route(app, client, make_user, principal):
    from stac_youth.members.profiles import set_avatar

    users = {role: make_user(role) for role in ("member", "advisor", "planner", "admin")}
    target = make_user("member", display_name="Target Student")
    set_avatar(target, _png())
    region = db.session.scalars(db.select(Region)).first()
    invitation = Invitation(email="x@example.org", role="member", token_hash="h" * 64,
                            created_at=utcnow(), expires_at=utcnow() + timedelta(days=1))
    db.session.add(invitation)
    db.session.commit()
    # A statewide topic room everyone may see, with a message (links and emphasis) by another user to report
    room = rooms.create_topic_room(users["advisor"], "Statewide lounge", "About **us**.", None)
    message = room_messages.post_message(target, room, "See [the plan](/meetings) and *this*", "headers-1").message
    # A proposal in discussion (so with its room) everyone may see, with a comment and a reply by another user
    proposal = make_proposal(target, status="in_discussion", advisor=users["advisor"], region_id=region.id,
                             description="See [the plan](/meetings) and *this*")
    comment = proposal_comments.add_comment(target, proposal, "I **like** [it](/proposals)")
    proposal_comments.add_comment(target, proposal, "Me too", parent=comment)
    # A closed poll with a ballot (so its results, chart and CSV export are shown to everyone)
    poll = lifecycle.create_poll(users["advisor"], None, "Which theme first?", "approval", ["Wellness", "Transit"])
    lifecycle.open_poll(users["advisor"], poll)
    ballots.cast_ballot(target, poll, [poll.options[1].id])
    lifecycle.close_poll(users["advisor"], poll)
    # A Summit edition with a session everyone may see, and the member's own notification
    summit = summit_rows(users["planner"])
    ids = {"user_id": target.id, "invitation_id": invitation.id, "region_id": region.id,
           "edition_id": summit["edition_id"], "session_id": summit["session_id"],
           "room_id": room.id, "message_id": message.id,
           "proposal_id": proposal.id, "comment_id": comment.id, "theme_id": theme().id, "poll_id": poll.id}
    tokens = {"meetings.feed": calendar.regenerate_feed_token(target)}
    urls = {}  # every GET route once, the meeting routes once per meeting state
    for meeting_id, item_id in _meetings_in_every_state(users["advisor"]):
        urls.update(dict.fromkeys(_get_urls(app, {**ids, "meeting_id": meeting_id, "item_id": item_id}, tokens)))
    user = users.get(principal)
    if user is not None:
        assert login(client, user).status_code == 302

    seen = 0
    for endpoint, url in [("auth.login", "/login"), *urls]:
        if not _may_see(endpoint, principal):
            continue
        if user is not None:
            assert _signed_in(client), f"{principal} was signed out before GET {url}"  # no GET signs out
        response = client.get(url)
        where = f"{principal} GET {url}"
        assert response.status_code < 500, where
        if endpoint == "proposals.edit_comment":  # only its author may edit: others are sent back to the proposal
            assert response.status_code == 302, (where, response.status_code)
        elif endpoint == "polls.poll_voted":  # a receipt shows once, right after a vote: here back to the poll
            assert response.status_code == 302, (where, response.status_code)
        elif endpoint == "meetings.cancel":  # only an upcoming meeting can be cancelled: live and ended go back
            assert response.status_code in (200, 302), (where, response.status_code)
        elif endpoint.startswith(("meetings.", "rooms.", "proposals.", "admin.", "summit.", "notifications.")):
            # real ids: the page itself
            assert response.status_code == 200, (where, response.status_code)
        assert_security_headers(response, where, signed_in=_signed_in(client))
        assert_no_external_references(response, where)
        seen += 1
    assert seen >= (3 if principal == "anonymous" else 10)

    # Refusals and errors carry the headers too.
    for url in ("/admin/audit", "/no-such-page"):
        response = client.get(url)
        assert_security_headers(response, f"{principal} GET {url}", _signed_in(client))


def test_signed_in_json_export_is_not_cached(client, login_as):
    login_as("member")
    response = client.get("/account/export.json")
    assert response.status_code == 200
    assert_security_headers(response, "export", signed_in=True)


def test_avatar_is_served_as_an_image_with_nosniff(client, login_as):
    from stac_youth.members.profiles import set_avatar

    member = login_as("member")
    set_avatar(member, _png())
    response = client.get(f"/members/{member.id}/avatar")
    assert response.status_code == 200
    assert response.mimetype.startswith("image/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- production configuration ------------------------------------------------------------------------------------

@pytest.fixture
def production_app(test_databases, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-like-secret-key-for-the-test-0123456789")
    url = test_databases.acquire(tmp_path)

    class _Production(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = url
        AVATAR_DIR = tmp_path / "avatars"
        RATELIMIT_STORAGE_URI = "memory://"
        REDIS_URL = None

    application = create_app(_Production)
    limiter.reset()
    with application.app_context():
        email = UserFactory()("member").email
    yield application, email
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    test_databases.release(url)


def _set_cookies(response) -> dict[str, dict]:
    """name -> attributes (lower-cased keys) of every Set-Cookie header."""
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0].strip()
        attributes = {}
        for part in header.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            attributes[key.lower()] = value
        cookies[name] = attributes
    return cookies


def _assert_host_cookie(name: str, attributes: dict) -> None:
    assert name.startswith("__Host-"), name
    assert "secure" in attributes, name
    assert "httponly" in attributes, name
    assert attributes.get("samesite", "").lower() == "lax", name
    assert attributes.get("path") == "/", name  # __Host- requires Path=/ ...
    assert "domain" not in attributes, name  # ... and no Domain


def test_production_cookies_are_secure_httponly_lax_and_host_prefixed(production_app):
    application, email = production_app
    assert application.config["SECRET_KEY"] != "testing-secret-key-not-for-production"
    client = application.test_client()
    base = "https://localhost"
    page = client.get("/login", base_url=base)
    assert page.status_code == 200
    assert "max-age=" in page.headers.get("Strict-Transport-Security", "")
    for name, attributes in _set_cookies(page).items():
        _assert_host_cookie(name, attributes)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post(
        "/login", base_url=base, headers={"Referer": f"{base}/login"},
        data={"email": email, "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    cookies = _set_cookies(response)
    assert {"__Host-session", "__Host-remember_token"} <= set(cookies), cookies
    for name, attributes in cookies.items():
        _assert_host_cookie(name, attributes)
    home = client.get("/", base_url=base)
    assert home.status_code == 200
    assert_security_headers(home, "production home", signed_in=True)
    assert "includesubdomains" in home.headers["Strict-Transport-Security"].lower()


def test_production_session_cookie_value_is_not_readable_session_data(production_app):
    application, email = production_app
    client = application.test_client()
    page = client.get("/login", base_url="https://localhost")
    raw = page.headers.getlist("Set-Cookie")[0]
    morsel = SimpleCookie(raw.replace("__Host-session", "session", 1))["session"]
    assert email not in morsel.value and "csrf" not in morsel.value  # signed and compressed, not plain JSON


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


# --- static checks of templates and static files -------------------------------------------------------------------

TEMPLATE_FILES = sorted(p for p in (ROOT / "templates").rglob("*") if p.is_file())
FORBIDDEN_IN_TEMPLATES = {
    "inline <script> without src": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I),
    "on<event>= attribute": re.compile(r"[\s\"'/]on[a-z]{3,}\s*=", re.I),
    "javascript: URL": re.compile(r"javascript\s*:", re.I),
    "|safe filter": re.compile(r"\|\s*safe\b"),
    "Markup(": re.compile(r"\bMarkup\s*\("),
    "autoescape off": re.compile(r"{%-?\s*autoescape\s+false", re.I),
    "inline style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
}


def test_template_files_exist():
    assert len(TEMPLATE_FILES) >= 20


@pytest.mark.parametrize("name", list(FORBIDDEN_IN_TEMPLATES))
def test_templates_have_no(name):
    pattern = FORBIDDEN_IN_TEMPLATES[name]
    hits = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)!r}"
        for path in TEMPLATE_FILES
        for text in [path.read_text(encoding="utf-8")]
        for match in pattern.finditer(text)
    ]
    assert hits == []


def _own_text_files():
    """Templates and static files we write (vendored libraries excluded)."""
    for folder in (ROOT / "templates", ROOT / "static"):
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or "vendor" in path.relative_to(ROOT).parts:
                continue
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # images


EXTERNAL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}|(?:src|href|action)\s*=\s*["']?//""", re.I)
XML_NAMESPACE = re.compile(r"""xmlns(?::\w+)?\s*=\s*["']http://www\.w3\.org/[^"']*["']""")


def test_templates_and_static_reference_no_external_host():
    hits = []
    for path, text in _own_text_files():
        text = XML_NAMESPACE.sub("", text)  # an SVG namespace name is not a request
        hits += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in EXTERNAL.finditer(text)]
    assert hits == []


def test_the_template_scan_catches_what_it_looks_for():
    """The patterns themselves: each finds its own example (so a typo cannot turn a check off)."""
    examples = {
        "inline <script> without src": "<script>alert(1)</script>",
        "on<event>= attribute": '<img src="/x" onerror="alert(1)">',
        "javascript: URL": '<a href="javascript:alert(1)">',
        "|safe filter": "{{ user.bio | safe }}",
        "Markup(": "Markup(user.bio)",
        "autoescape off": "{% autoescape false %}",
        "inline style attribute": '<p style="color:red">',
        "<style> block": "<style>p{}</style>",
    }
    for name, example in examples.items():
        assert FORBIDDEN_IN_TEMPLATES[name].search(example), name
    assert not FORBIDDEN_IN_TEMPLATES["inline <script> without src"].search('<script src="/static/x.js"></script>')
    assert EXTERNAL.search('<script src="https://cdn.example.com/x.js">')
    assert EXTERNAL.search('<link href="//fonts.example.com/css">')
    assert not EXTERNAL.search(XML_NAMESPACE.sub("", '<svg xmlns="http://www.w3.org/2000/svg">'))
