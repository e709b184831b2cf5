"""The style guide: advisors and admins only; every macro and every status, in both languages and colour modes."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_babel import force_locale, gettext

from stac_youth.meetings.models import MeetingStatus
from stac_youth.polls import results as poll_results
from stac_youth.polls.models import PollStatus
from stac_youth.proposals.models import ProposalStatus, status_label
from stac_youth.styleguide import samples
from tests.conftest import login

ROOT = Path(__file__).resolve().parent.parent
UI_MACROS = re.findall(r"{%-?\s*macro\s+(\w+)\(", (ROOT / "templates/_macros/ui.html").read_text(encoding="utf-8"))
#: The labels templates/_macros/ui.html gives meeting statuses.
MEETING_LABELS = {"draft": "Draft", "published": "Published", "live": "Live now", "ended": "Ended",
                  "cancelled": "Cancelled"}
COPIES = ("sg-en-light", "sg-en-dark", "sg-es-light", "sg-es-dark")
#: The domain cards each feature keeps in its own file under templates/_macros/.
DOMAIN_MACROS = ("meeting_card", "poll_card", "proposal_card", "session_card", "notification_card")


class _Copies(HTMLParser):
    """The ids of a page, and the text and badges of each copy of the components (<section id="sg-...">)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
            "use"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: list[str] = []
        self.copies: dict[str, dict] = {}
        self._open: list[str] = []  # the tags open inside the current copy
        self._copy: dict | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(values["id"])
        if self._copy is not None and tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag == "section" and values.get("id") in COPIES:
            self._copy = self.copies[values["id"]] = {"attrs": values, "text": [], "classes": [], "macros": []}
            self._open = []
        if self._copy is None:
            return
        self._copy["classes"] += (values.get("class") or "").split()
        if values.get("data-macro"):
            self._copy["macros"].append(values["data-macro"])
        if tag not in self.VOID:
            self._open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self._copy is not None and tag not in self.VOID:
            self._open.pop()

    def handle_endtag(self, tag):
        if self._copy is None or tag in self.VOID:
            return
        self._open.pop()
        if not self._open:
            self._copy = None

    def handle_data(self, data):
        if self._copy is not None:
            self._copy["text"].append(data)


@pytest.fixture
def styleguide(client, make_user):
    """The page as an advisor reads it, parsed."""
    assert login(client, make_user("advisor")).status_code == 302
    response = client.get("/styleguide")
    assert response.status_code == 200
    parsed = _Copies()
    parsed.feed(response.get_data(as_text=True))
    parsed.close()
    return parsed


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_advisors_and_admins_see_the_style_guide(client, make_user, role):
    assert login(client, make_user(role)).status_code == 302
    response = client.get("/styleguide")
    assert response.status_code == 200
    assert "Style guide" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["member", "planner"])
def test_students_and_planners_are_refused(client, make_user, role):
    assert login(client, make_user(role)).status_code == 302
    assert client.get("/styleguide").status_code == 403


def test_signed_out_visitors_go_to_login(client):
    response = client.get("/styleguide")
    location = urlsplit(response.headers["Location"])
    assert response.status_code == 302 and location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/styleguide"]


def test_four_copies_in_both_languages_and_colour_modes(styleguide):
    assert list(styleguide.copies) == list(COPIES)
    for name, copy in styleguide.copies.items():
        _prefix, lang, mode = name.split("-")
        assert copy["attrs"]["lang"] == lang and copy["attrs"]["data-bs-theme"] == mode
    spanish_dark = " ".join(styleguide.copies["sg-es-dark"]["text"])
    assert "Español · oscuro" in spanish_dark and "Insignias de estado" in spanish_dark
    assert "English · light" in " ".join(styleguide.copies["sg-en-light"]["text"])


def test_every_ui_macro_is_shown_in_every_copy(styleguide):
    expected = {"icon", "avatar", "status_badge", "page_header", "section_card", "empty_state", "stat_tile"}
    assert expected <= set(UI_MACROS)
    for name, copy in styleguide.copies.items():
        missing = sorted(set(UI_MACROS) - set(copy["macros"]))
        assert missing == [], f"{name} shows no demo of {missing}"
        classes = set(copy["classes"])
        assert {"page-header", "ui-card", "empty-state", "stat-tile", "meta-line", "table-stack", "form-control",
                "is-invalid", "alert-danger", "btn-primary"} <= classes, name


def test_every_domain_card_is_shown_in_every_copy_and_links_to_no_real_row(styleguide, client):
    for name, copy in styleguide.copies.items():
        missing = sorted(set(DOMAIN_MACROS) - set(copy["macros"]))
        assert missing == [], f"{name} shows no demo of {missing}"
        classes = set(copy["classes"])
        assert {"meeting-card", "poll-card", "proposal-card", "session-card", "notification-card"} <= classes, name
    links = [href for href in styleguide.links if re.search(r"/\d+(/|$)", href)]
    assert links and all(re.search(r"/0(/|$)", href) for href in links), links
    assert client.get("/meetings/0").status_code == 404


def test_avatars_come_in_every_size_with_and_without_a_photo_and_on_every_tone(styleguide):
    for copy in styleguide.copies.values():
        classes = Counter(copy["classes"])
        for size in samples.AVATAR_SIZES:
            assert classes[f"avatar-{size}"] >= 2, size  # a photo and initials at least
        assert {f"avatar-tone-{tone}" for tone in range(6)} <= set(classes)
        assert classes["avatar-initials"] > classes["avatar"] - classes["avatar-initials"] > 0  # photos too


def _labels(lang: str) -> list[str]:
    with force_locale(lang):
        return ([gettext(label) for label in MEETING_LABELS.values()]
                + [status_label(status) for status in ProposalStatus]
                + [poll_results.status_label(status) for status in PollStatus])


def test_every_status_is_shown_in_both_languages(styleguide, app):
    statuses = ([f"status-{s}" for s in MeetingStatus] + [f"status-{s}" for s in ProposalStatus]
                + [f"status-{s}" for s in PollStatus])
    assert set(MEETING_LABELS) == {status.value for status in MeetingStatus}
    for name, copy in styleguide.copies.items():
        classes = set(copy["classes"])
        assert set(statuses) <= classes, name
        text = "\n".join(copy["text"])
        lang = name.split("-")[1]
        for label in _labels(lang):
            assert label in text, f"{name}: {label!r}"
    english, spanish = (set(_labels("en")), set(_labels("es")))
    assert len(spanish - english) >= 12  # the Spanish copies really read Spanish, not the English labels again


def test_ids_are_unique_on_the_page(styleguide):
    repeated = sorted(name for name, count in Counter(styleguide.ids).items() if count > 1)
    assert repeated == []
    assert len(styleguide.ids) > 40


def test_the_sample_people_are_invented(app):
    from stac_youth.seed import STAFF

    seeded = {name for _email, name, *_rest in STAFF}
    assert not seeded & set(samples.NAMES)
