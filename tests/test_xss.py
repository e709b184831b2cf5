"""T7: stored XSS through profile fields (Loomio CVE-2017-11594, Decidim CVE-2023-32693 style vectors).

Each vector is saved through the real profile form as name, pronouns, school, interests and bio, then the pages
that show them are parsed with html.parser: no script of ours beyond /static files, no on* attribute, no URL with
a scheme other than http/https/mailto, no iframe/object/embed/style/svg/math/base from the user.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from stac_youth.common.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown, sanitize_html
from stac_youth.extensions import db
from stac_youth.members.models import User

pytestmark = pytest.mark.sqlite_only  # escaping in templates: the same on any database (make test-postgres skips it)

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1))",
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    "[x](javascript&colon;alert(1))",
    "<javascript:alert(1)>",
    "<https://example.org/\"onmouseover=\"alert(1)>",
    "[x](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '![x](https://evil.example/x.png" onerror="alert(1))',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "[x](javascript://%0aalert(1))",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "[x]( javascript:alert(1))",
    "[x](\x01javascript:alert(1))",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[click](https://ok.example \"title\" onclick=alert(1))",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<img src="x" onerror="alert(1)"//',
    "`<script>alert(1)</script>`",
    "{{ config.SECRET_KEY }} {% raw %}",
]

ALLOWED_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcset", "poster", "background", "ping",
                  "xlink:href", "cite", "codebase", "manifest"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "style", "svg", "math", "base", "frame", "frameset", "applet",
                  "noscript", "template"}
ICON_SPRITE = "/static/vendor/bootstrap-icons/icons.svg#"
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see: it trims spaces and C0 controls and drops tabs and newlines anywhere."""
    cleaned = re.sub(r"[\t\n\r]", "", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
                                                    "\x1e\x1f ")
    match = SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


class PageAudit(HTMLParser):
    """Collects what would run or load in the browser."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False
        self._in_bell = False  # the notification bell's own icon (no user content) is an inline <svg>
        self._in_icon = False  # a design-system icon: <svg class="bi"> holding only a <use> of the app's own sprite

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("id") == "notification-bell":
            self._in_bell = True
        if self._in_icon and not (tag == "use" and (dict(attrs).get("href") or "").startswith(ICON_SPRITE)):
            self.problems.append(f"<{tag}> in an icon: {attrs}")
        icon = tag == "svg" and "bi" in (dict(attrs).get("class") or "").split()
        if icon:
            self._in_icon = True
        if tag in FORBIDDEN_TAGS and not (self._in_bell and tag == "svg") and not icon:
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"<script> not from /static/: {attrs}")
            self._in_script = True
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            self.problems.append(f"<meta http-equiv>: {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in ALLOWED_SCHEMES:
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_bell = False
        if tag == "svg":
            self._in_icon = False
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:80]!r}")


def audit_html(html: str) -> list[str]:
    parser = PageAudit()
    parser.feed(html)
    parser.close()
    return parser.problems


def test_corpus_is_large_enough():
    assert len(VECTORS) >= 25
    assert len(set(VECTORS)) == len(VECTORS)


def test_page_audit_catches_what_it_looks_for():
    """The checker itself: each bad page is reported, a clean one is not."""
    bad = [
        "<script>alert(1)</script>", '<img src="x" onerror="alert(1)">', '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVa\tScRiPt:alert(1)">x</a>', '<a href="data:text/html,x">x</a>', "<iframe></iframe>",
        "<svg></svg>", "<style></style>", '<form action="javascript:alert(1)"></form>', '<p style="x">',
        '<meta http-equiv="refresh" content="0">', '<script src="https://cdn.example/x.js"></script>',
        '<svg class="bi"><use href="https://evil.example/x.svg#a"></use></svg>',
        '<svg class="bi"><a href="/x">x</a></svg>',
    ]
    for html in bad:
        assert audit_html(html), html
    clean = ('<script src="/static/vendor/x.js"></script><a href="/members">m</a><a href="https://ok.example">o</a>'
             '<a href="mailto:a@b.example">e</a><img src="/members/1/avatar" alt="">'
             '<svg class="bi" aria-hidden="true">'
             '<use href="/static/vendor/bootstrap-icons/icons.svg#bell"></use></svg>')
    assert audit_html(clean) == []


# --- through the real form and pages --------------------------------------------------------------------------------

def _profile_form(vector: str) -> dict:
    return {
        "display_name": vector[:80], "pronouns": vector[:40], "region_id": "0", "county_id": "0",
        "school": vector[:120], "grade": "", "interests": vector[:600], "bio": vector,
        "preferred_language": "en", "timezone": "America/Los_Angeles",
    }


def test_vectors_saved_through_the_profile_form_render_inert(client, login_as):
    member = login_as("member")
    failures = []
    for vector in VECTORS:
        response = client.post("/profile/edit", data=_profile_form(vector))
        assert response.status_code == 302, (vector, response.get_data(as_text=True)[:500])
        db.session.expire_all()
        saved = db.session.get(User, member.id)
        assert saved.bio == vector.strip() and saved.display_name == vector[:80].strip(), vector  # stored as typed
        pages = {
            "profile": f"/members/{member.id}",
            "directory": "/members",
            "search": "/members",
            "home": "/",
            "edit form": "/profile/edit",
        }
        for page, url in pages.items():
            response = client.get(url, query_string={"q": vector[:80]} if page == "search" else None)
            assert response.status_code == 200, (page, vector)
            failures += [f"{page} {vector!r}: {problem}" for problem in audit_html(response.get_data(as_text=True))]
    assert failures == []


def test_names_are_shown_as_text_not_markup(client, login_as):
    login_as("member", display_name="<b>Bold</b> & <i>co</i>")
    html = client.get("/").get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;i&gt;co&lt;/i&gt;" in html
    assert "<b>Bold</b>" not in html


def test_vectors_in_another_members_profile_are_inert_for_an_admin_viewer(client, login_as, make_user):
    """Adults see hidden fields: the hidden bio path renders the same sanitized Markdown."""
    authors = [make_user("member", display_name=v[:80], bio=v, school=v[:120], hide_bio=True, hide_school=True)
               for v in VECTORS[:12]]
    login_as("admin")
    failures = []
    for author in authors:
        html = client.get(f"/members/{author.id}").get_data(as_text=True)
        failures += [f"{author.bio!r}: {p}" for p in audit_html(html)]
    failures += [f"directory: {p}" for p in audit_html(client.get("/members").get_data(as_text=True))]
    failures += [f"admin users: {p}" for p in audit_html(client.get("/admin/users").get_data(as_text=True))]
    assert failures == []


# --- poll questions and option labels ------------------------------------------------------------------------------

def test_poll_questions_and_option_labels_render_inert(app, client, make_user):
    """Loomio 2026: stored XSS through poll titles. Vectors typed into the poll form as the question and as an option
    are shown as text on the poll page, the panels, the lists and the results, and stay plain cells in the CSV."""
    import csv
    import io

    from stac_youth.polls import ballots, lifecycle
    from stac_youth.polls.models import Poll
    from tests.conftest import login
    from tests.meetings.helpers import make_meeting

    advisor, voter = make_user("advisor"), make_user("member")
    item = make_meeting(advisor, "live", items=("Vote",)).items[0]
    staff, member = app.test_client(), app.test_client()
    assert login(staff, advisor).status_code == 302 and login(member, voter).status_code == 302
    vectors = [vector for vector in VECTORS if "\n" not in vector]
    live = f"/meetings/{item.meeting_id}/live"
    own = set(audit_html(member.get(live).get_data(as_text=True)))  # the chat's own <template>, before any poll
    assert own <= {"<template> element"}
    failures = []
    for vector in vectors:
        response = staff.post(f"/agenda-items/{item.id}/polls/new", data={
            "question": vector, "method": "approval", "options": f"{vector}\nPlain option", "threshold": "simple",
            "quorum_percent": "0"})
        assert response.status_code == 302, (vector, response.get_data(as_text=True)[:300])
        poll = db.session.scalars(db.select(Poll).order_by(Poll.id.desc())).first()
        assert poll.question == vector.strip() and poll.options[0].label == vector.strip()  # stored as typed
        lifecycle.open_poll(advisor, poll)
        ballots.cast_ballot(voter, poll, [poll.options[0].id])
        pages = {"poll page": (member, f"/polls/{poll.id}"), "panel": (member, f"/polls/{poll.id}/panel"),
                 "item panel": (staff, f"/agenda-items/{item.id}/poll-panel"),
                 "live meeting": (member, live), "polls": (member, "/polls"),
                 "home": (member, "/"), "advisor home": (staff, "/")}
        for name, (viewer, url) in pages.items():
            response = viewer.get(url)
            assert response.status_code == 200, (name, vector)
            html = response.get_data(as_text=True)
            failures += [f"{name} {vector!r}: {problem}" for problem in audit_html(html) if problem not in own]
            if "<script>alert(1)</script>" in vector:
                assert "<script>alert(1)" not in html, (name, vector)
                if name != "home":  # the member voted already: nothing waits for their vote on the home page
                    assert "&lt;script&gt;alert(1)" in html, (name, vector)
        lifecycle.close_poll(advisor, poll)
        # the results: table, chart, who voted with their choice, for the advisor
        html = staff.get(f"/polls/{poll.id}").get_data(as_text=True)
        assert "results-table" in html and 'id="voters-title"' in html
        charts = html.count('<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" '
                            'focusable="false"><rect class="bar-fill')
        # every other <svg> is a bar of the app's own chart, or an icon of the app's sprite (the bell's among them)
        icons = html.count('<svg class="bi') + html.count('<svg aria-hidden="true" focusable')
        assert charts == len(poll.options) == html.count("<svg") - icons
        failures += [f"results {vector!r}: {problem}" for problem in audit_html(html) if problem != "<svg> element"]
        response = staff.get(f"/polls/{poll.id}/results.csv")
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        formula = vector.strip()[:1] in ("=", "+", "-", "@")
        assert rows[0] == ["Poll", ("'" if formula else "") + vector.strip()], vector  # one cell, quoted as needed
        assert [("'" if formula else "") + vector.strip(), "1", "100.0"] in rows, vector
    assert failures == []


# --- the Markdown renderer on its own ---------------------------------------------------------------------------

class _Fragment(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _elements(html: str) -> list[tuple[str, dict]]:
    parser = _Fragment()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize("render", [render_markdown, sanitize_html], ids=["render_markdown", "sanitize_html"])
def test_renderer_output_is_allowlisted(render):
    failures = []
    for vector in VECTORS:
        html = str(render(vector))
        failures += [f"{vector!r}: {p}" for p in audit_html(html)]
        for tag, attrs in _elements(html):
            if tag not in ALLOWED_TAGS:
                failures.append(f"{vector!r}: tag <{tag}>")
            extra = set(attrs) - ALLOWED_ATTRIBUTES.get(tag, set()) - ({"rel"} if tag == "a" else set())
            if extra:
                failures.append(f"{vector!r}: attributes {extra} on <{tag}>")
            if tag == "a" and "href" in attrs:
                if url_scheme(attrs["href"]) not in ALLOWED_SCHEMES | {None}:
                    failures.append(f"{vector!r}: href {attrs['href']!r}")
                if "noopener" not in attrs.get("rel", "").split():
                    failures.append(f"{vector!r}: link without rel=noopener")
    assert failures == []


def test_links_keep_their_target_and_get_noopener():
    cases = {
        "[site](https://example.org/page)": "https://example.org/page",
        "<https://example.org/auto>": "https://example.org/auto",
        "[mail](mailto:someone@example.org)": "mailto:someone@example.org",
        "[here](/members)": "/members",
    }
    for source, href in cases.items():
        links = [attrs for tag, attrs in _elements(str(render_markdown(source))) if tag == "a"]
        assert len(links) == 1, source
        assert links[0]["href"] == href
        rel = links[0].get("rel", "").split()
        assert "noopener" in rel and "noreferrer" in rel, (source, rel)
    raw = sanitize_html('<a href="https://example.org" rel="opener" target="_blank">x</a>')
    (tag, attrs), = _elements(raw)
    assert "noopener" in attrs["rel"].split() and "opener" not in attrs["rel"].split()
    assert "target" not in attrs


def test_markdown_still_formats_and_dangerous_links_lose_their_href():
    html = str(render_markdown("**bold** and *it*\n\n- one\n- two"))
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html and "<li>one</li>" in html
    for vector in ("[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](data:text/html,hi)"):
        links = [attrs for tag, attrs in _elements(str(render_markdown(vector))) if tag == "a"]
        assert all("href" not in attrs for attrs in links), (vector, links)
    assert str(render_markdown("")) == "" and str(render_markdown(None)) == ""
    assert "&lt;script&gt;" in str(render_markdown("<script>alert(1)</script>"))


def test_summit_texts_and_notification_params_render_inert(app, client, make_user):
    """Summit edition and session titles, a session description, a decision response and a notification whose
    params hold markup are shown as text on every page that shows them."""
    from datetime import date, datetime

    from stac_youth.notifications import kinds
    from stac_youth.notifications.services import notify
    from stac_youth.proposals.models import ProposalStatus
    from stac_youth.summit import services as summit
    from tests.conftest import login
    from tests.proposals.helpers import make_proposal

    planner, author = make_user("planner"), make_user("member")
    vector = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    edition = summit.create_edition(planner, summit.EditionData(
        year=2031, title=f"Summit {vector}", starts_on=date(2031, 6, 1), ends_on=date(2031, 6, 3), place=vector))
    session = summit.add_session(planner, edition, summit.SessionData(
        title=f"Session {vector}", track=vector, starts_at=datetime(2031, 6, 1, 17), ends_at=datetime(2031, 6, 1, 18),
        room=vector, description=f"About {vector} [x](javascript:alert(1))"))
    proposal = make_proposal(author, status="submitted", title=f"Proposal {vector}"[:120])
    proposal.status = ProposalStatus.PASSED
    db.session.commit()
    summit.decide(planner, proposal, summit.DecisionData(kind="adopted", response=f"Yes {vector}",
                                                         session_ids=(session.id,)))
    notify([author, planner], kinds.MENTION, "/summit", actor=make_user("member", display_name=vector), place=vector)
    notify([author], kinds.REPORT, "/summit/plan", place_label=vector)
    staff, member = app.test_client(), app.test_client()
    assert login(staff, planner).status_code == 302 and login(member, author).status_code == 302
    pages = {"board": (member, "/summit"), "plan": (staff, "/summit/plan"),
             "edition": (member, f"/summit/editions/{edition.id}"),
             "edit edition": (staff, f"/summit/editions/{edition.id}/edit"),
             "session": (member, f"/summit/sessions/{session.id}"),
             "edit session": (staff, f"/summit/sessions/{session.id}/edit"),
             "decide": (staff, f"/summit/proposals/{proposal.id}/decide"),
             "proposal": (member, f"/proposals/{proposal.id}"),
             "notifications": (member, "/notifications"), "staff notifications": (staff, "/notifications")}
    failures = []
    for name, (viewer, url) in pages.items():
        response = viewer.get(url)
        assert response.status_code == 200, (name, response.status_code)
        html = response.get_data(as_text=True)
        # the plan's vote bars are the app's own <svg> charts, each with no attribute but its drawing
        bars = html.count('<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" ')
        problems = audit_html(html)
        assert problems.count("<svg> element") == bars, name
        failures += [f"{name}: {problem}" for problem in problems if problem not in ("<template> element",
                                                                                     "<svg> element")]
        assert "<script>alert(1)" not in html and "<img src=x" not in html, name
    assert failures == []
    notifications = member.get("/notifications").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in notifications
