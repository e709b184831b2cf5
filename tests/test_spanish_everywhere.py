"""Spanish everywhere: no page, export or email drawn in Spanish holds English text the app generated itself.

The demo data is seeded; each role then reads the app in Spanish, following every link from the home page (menus,
the seeded objects' pages, CSV, PDF, JSON and calendar exports), and every notification is emailed in Spanish.
What must not show is built from the app's own sources, not listed by hand: the label tables of every module (status,
outcome, decision, role, audit action and audit detail labels...), the notification sentences, the generated poll
question, "Former member", the raw audit codes, and the English names of themes and regions that have a Spanish one.
Text people wrote (titles, messages, minutes: English in the demo) may of course stay as written.
"""

from __future__ import annotations

import ast
import html
import io
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urldefrag, urlsplit

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import String, Text, select, update

from stac_youth.common import audit
from stac_youth.extensions import db
from stac_youth.members.models import Region, User
from stac_youth.notifications import kinds
from stac_youth.notifications.models import Notification
from stac_youth.notifications.services import email_notifications
from stac_youth.polls import questions
from stac_youth.proposals.models import Theme
from stac_youth.seed import seed_demo_data
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.sqlite_only  # translations: the same on any database (make test-postgres skips it)

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")
#: columns that hold codes or generated text, not words people wrote (they must not hide a generated string)
NOT_WRITTEN = {"audit_events", "notifications", "themes", "regions"}
CODE_COLUMNS = {"status", "kind", "role", "method", "outcome", "threshold", "action", "preferred_language",
                "timezone", "email_notifications", "question_kind"}
MAX_PAGES = 400
MAX_QUERIES_PER_PATH = 3
ROLES = ["admin@example.org", "advisor@example.org", "planner@example.org", "student1@example.org"]


# --- what must not show ------------------------------------------------------------------------------------------

def _lazy_tables() -> list[object]:
    """Every label of every module-level table of translated labels in the app (dict values that are lazy strings)."""
    found = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("stac_youth") or module is None:
            continue
        for value in vars(module).values():
            if isinstance(value, dict) and value and all(_is_lazy(item) for item in value.values()):
                found.extend(value.values())
    return found


def _is_lazy(value) -> bool:
    return type(value).__name__ == "LazyString"


def _fragments(message: str) -> list[str]:
    """The literal parts of a message with placeholders, each long enough to be the app's own words."""
    parts = [part.strip(" .,:;“”\"'?¿!¡()·-") for part in PLACEHOLDER.split(message)]
    return [part for part in parts if len(part) >= 6 or (part and " " not in part and len(part) >= 4)]


def _english_and_spanish(message) -> tuple[str, str]:
    """A translatable message (lazy string or English message id) in English and in Spanish."""
    if _is_lazy(message):
        with force_locale("en"):
            english = str(message)
        with force_locale("es"):
            return english, str(message)
    from flask_babel import gettext

    with force_locale("es"):
        return message, gettext(message)


def _audit_codes() -> tuple[set[str], set[str]]:
    """The audit actions and detail keys record_audit is called with across the app, read from the source."""
    actions, keys = set(), set()
    for path in (ROOT / "stac_youth").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = getattr(node, "func", None)
            if isinstance(node, ast.Call) and getattr(called, "id", getattr(called, "attr", "")) == "record_audit":
                for arg in node.args[:1]:
                    actions.update(_strings(arg))
                keys.update(k.arg for k in node.keywords if k.arg not in (None, "actor", "subject"))
    return actions, keys


def _strings(node) -> set[str]:
    """The string constants an expression can be ("a" if x else "b" gives both)."""
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _spanish_catalogue_text() -> str:
    """All the Spanish translations, as one text: an English word also used in Spanish ("No") is not a leak."""
    from babel.messages.pofile import read_po

    path = ROOT / "stac_youth/translations/es/LC_MESSAGES/messages.po"
    with open(path, "rb") as po:
        catalogue = read_po(po)
    return "\n".join(str(m.string if isinstance(m.string, str) else " ".join(m.string)) for m in catalogue if m.id)


def audit_codes_shown() -> set[str]:
    """The raw audit codes (actions, detail keys) a page must show by their labels; a JSON export may keep them."""
    actions, keys = _audit_codes()
    return actions | {key for key in keys if "_" in key}  # a plain word ("title") may be Spanish-page prose too


def generated_english() -> set[str]:
    """The English strings the app generates that a Spanish reader must never see."""
    messages = [*_lazy_tables(), "Former member"]  # what member_name shows once an account is erased
    for spec in kinds.KINDS.values():
        messages += [spec.text, spec.email_subject]
    messages += list(questions.TEMPLATES.values())
    spanish_words = _spanish_catalogue_text()
    found: set[str] = set()
    for message in messages:
        english, spanish = _english_and_spanish(message)
        if english == spanish:
            continue  # the same in both languages, or not translated yet (test_i18n's business)
        for fragment in _fragments(english):
            if fragment not in spanish and not _word(fragment).search(spanish_words):
                found.add(fragment)
    found |= audit_codes_shown()
    for model in (Theme, Region):
        found |= {row.name for row in db.session.scalars(select(model)) if row.name_es and row.name_es != row.name}
    return found


def _word(text: str) -> re.Pattern:
    return re.compile(rf"(?<![\w.]){re.escape(text)}(?![\w])")


def written_by_people() -> list[str]:
    """Every piece of text people wrote (the demo's titles, messages, minutes...), cut at lines and markdown marks."""
    pieces: set[str] = set()
    for mapper in db.Model.registry.mappers:
        table = mapper.local_table
        if table.name in NOT_WRITTEN:
            continue
        columns = [c for c in table.columns if isinstance(c.type, String | Text) and c.name not in CODE_COLUMNS]
        if not columns:
            continue
        query = select(*columns)
        if table.name == "polls":  # a generated question is what is checked, not something to hide behind
            query = query.where(table.c.question_kind.is_(None))
        for row in db.session.execute(query):
            for value in row:
                for piece in re.split(r"[\n,;.!?:()“”\"]|\*\*|^#+ |^- |\s-\s", value or "", flags=re.M):
                    if len(piece.strip()) >= 3:
                        pieces.add(_spaced(piece))
    return sorted(pieces, key=len, reverse=True)


def _spaced(text: str) -> str:
    """The text with every run of white space one space (a PDF breaks lines where a page did not)."""
    return re.sub(r"\s+", " ", text).strip()


def leaks(text: str, forbidden: set[str], written: list[str]) -> list[str]:
    """The forbidden strings in the text outside what people wrote, each with a little context."""
    text = _spaced(text)
    found = []
    spans = None
    for needle in forbidden:
        for match in _word(needle).finditer(text):
            if spans is None:
                spans = [(m.start(), m.end()) for piece in written for m in re.finditer(re.escape(piece), text)]
            if not any(start <= match.start() and match.end() <= end for start, end in spans):
                found.append(f"{needle!r} in …{text[max(0, match.start() - 60):match.end() + 60]!r}…")
                break
    return found


# --- reading what a Spanish reader gets --------------------------------------------------------------------------

class _Reader(HTMLParser):
    """A page's visible text (and the attributes people read) and its links."""

    SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-confirm-question")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        self.text += [values[name] for name in self.SHOWN_ATTRIBUTES if values.get(name)]
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.text.append(values.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)


def _followed(link: str) -> str | None:
    """The site-relative address worth reading, or None (other sites, static files, the English version on purpose)."""
    link = html.unescape(urldefrag(link)[0])
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/static/"):
        return None
    if parse_qs(parts.query).get("lang", [""])[0] == "en" or parts.path in ("/logout", "/language"):
        return None
    if parts.path == "/styleguide":  # shows every component in both languages on purpose (tests/test_styleguide.py)
        return None
    return link


def crawl(client) -> dict[str, str]:
    """Address → text for every page and export reachable from the home page, in the reader's language."""
    seen: dict[str, str] = {}
    queue = ["/"]
    per_path: dict[str, int] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or (urlsplit(url).query and per_path.get(path, 0) >= MAX_QUERIES_PER_PATH):
            continue
        per_path[path] = per_path.get(path, 0) + 1
        response = client.get(url)
        seen[url] = ""
        if response.status_code != 200:
            continue
        kind = response.mimetype
        if kind == "text/html":
            reader = _Reader()
            reader.feed(response.get_data(as_text=True))
            seen[url] = "\n".join(reader.text)
            queue += [link for link in map(_followed, reader.links) if link and link not in seen]
        elif kind == "application/pdf":
            seen[url] = _pdf_text(response.get_data())
        else:
            seen[url] = response.get_data().decode("utf-8-sig", errors="replace")
    return seen


@pytest.fixture
def demo(app):
    """The demo data, every account reading Spanish."""
    seed_demo_data(PASSWORD)
    db.session.execute(update(User).values(preferred_language="es"))
    if hasattr(User, "language_chosen"):
        db.session.execute(update(User).values(language_chosen=True))
    db.session.commit()
    return app


# --- the checks --------------------------------------------------------------------------------------------------

def test_every_audit_action_and_detail_key_has_a_label(app):
    actions, keys = _audit_codes()
    assert actions and keys
    assert sorted(actions - set(audit.ACTION_LABELS)) == []
    assert sorted(keys - set(audit.DETAIL_LABELS)) == []


def test_the_list_of_generated_english_is_built_from_the_sources(demo):
    forbidden = generated_english()
    for expected in ("Do you support the proposal", "A poll is open for your vote", "Former member",
                     "Mental health and wellness", "Bay Area", "summit.decision", "proposal_id"):
        assert expected in forbidden, expected
    assert len(forbidden) > 100


@pytest.mark.parametrize("email", ROLES)
def test_pages_and_exports_in_spanish_hold_no_generated_english(demo, email):
    forbidden, written = generated_english(), written_by_people()
    client = demo.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    assert login(client, email).status_code == 302
    pages = crawl(client)
    read = [url for url, text in pages.items() if text]
    assert len(read) > 20, read
    if email in ("planner@example.org", "admin@example.org"):
        assert any(url.endswith(".csv") for url in read) and any(".pdf" in url for url in read), read
    codes = audit_codes_shown()
    problems = [f"{url}: {leak}" for url, text in pages.items()
                for leak in leaks(text, forbidden - codes if ".json" in url else forbidden, written)]
    assert problems == [], "\n".join(problems)


def test_notification_emails_in_spanish_hold_no_generated_english(demo, outbox):
    forbidden, written = generated_english(), written_by_people()
    outbox.clear()
    ids = list(db.session.scalars(select(Notification.id)))
    assert ids, "the demo data notifies nobody"
    assert email_notifications(ids, "https://stac.example.org") > 0
    db.session.commit()  # the emails were queued in this transaction
    kinds_sent = set(db.session.scalars(select(Notification.kind)))
    assert {kinds.POLL_OPENED, kinds.POLL_CLOSED, kinds.DECISION} <= kinds_sent
    problems = [f"{mail.to}: {leak}" for mail in outbox for leak in leaks(f"{mail.subject}\n{mail.body}", forbidden,
                                                                          written)]
    assert problems == [], "\n".join(problems)
