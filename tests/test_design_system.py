"""The design system's promises: colours readable in both modes, self-hosted type, icons that exist and have words."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOKENS = ROOT / "static" / "css" / "tokens.css"
SPRITE = ROOT / "static" / "vendor" / "bootstrap-icons" / "icons.svg"
ICON_LIST = ROOT / "scripts" / "icons.txt"

# (text, background) pairs the components put together; each must keep 4.5:1 in light and in dark mode.
TEXT_PAIRS = [
    ("--stac-text", "--stac-page-bg"),
    ("--stac-text", "--stac-card-bg"),
    ("--stac-text", "--stac-surface"),
    ("--stac-text", "--stac-surface-sunken"),
    ("--stac-muted", "--stac-page-bg"),
    ("--stac-muted", "--stac-card-bg"),
    ("--stac-muted", "--stac-surface"),
    ("--stac-muted", "--stac-surface-sunken"),
    ("--stac-link", "--stac-page-bg"),
    ("--stac-link", "--stac-card-bg"),
    ("--stac-link", "--stac-surface"),
    ("--stac-link", "--stac-highlight-bg"),
    ("--stac-icon-fg", "--stac-icon-bg"),
    ("--stac-success", "--stac-success-bg"),
    ("--stac-warning", "--stac-warning-bg"),
    ("--stac-danger", "--stac-danger-soft"),
    ("--stac-info", "--stac-info-bg"),
    ("--stac-neutral", "--stac-neutral-bg"),
    ("--stac-success", "--stac-card-bg"),
    ("--stac-warning", "--stac-card-bg"),
    ("--stac-danger", "--stac-card-bg"),
    ("--stac-text", "--stac-tag-bg"),
    ("#ffffff", "--stac-button-bg"),
    ("#ffffff", "--stac-button-hover-bg"),
    ("#ffffff", "--stac-secondary-bg"),
    ("#ffffff", "--stac-danger-bg"),
    ("#ffffff", "--stac-navbar-bg"),
    ("#1b2329", "--stac-sun"),
]
# White initials on the six avatar tones (static/css/app.css): the same in both modes.
AVATAR_TONES = ["#0b5c7a", "#5b3a8c", "#8a3b00", "#0a6e31", "#a4161a", "#3d4650"]


def _block(css: str, selector: str) -> dict[str, str]:
    start = css.index(selector + " {")
    body = css[start : css.index("\n}", start)]
    return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", body))


def _tokens(mode: str) -> dict[str, str]:
    css = TOKENS.read_text()
    tokens = _block(css, ":root,\n[data-bs-theme=light]")
    if mode == "dark":
        tokens |= _block(css, "[data-bs-theme=dark]")
    return tokens


def _colour(value: str, tokens: dict[str, str]) -> str:
    value = value.split("/*")[0].strip()
    while value.startswith("var("):
        value = tokens[value[4:-1].strip()].split("/*")[0].strip()
    return tokens.get(value, value) if value.startswith("--") else value


def _luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_every_text_and_background_pair_keeps_4_5_to_1(mode):
    tokens = _tokens(mode)
    low = []
    for text, background in TEXT_PAIRS:
        fg = _colour(text if text.startswith("#") else f"var({text})", tokens)
        bg = _colour(f"var({background})", tokens)
        assert re.fullmatch(r"#[0-9a-f]{6}", fg) and re.fullmatch(r"#[0-9a-f]{6}", bg), (text, fg, background, bg)
        ratio = contrast(fg, bg)
        if ratio < 4.5:
            low.append(f"{text} {fg} on {background} {bg}: {ratio:.2f}")
    assert not low, "\n".join(low)


def test_white_initials_are_readable_on_every_avatar_tone():
    css = (ROOT / "static" / "css" / "app.css").read_text()
    tones = re.findall(r"\.avatar-tone-(\d) \{ background: (#[0-9a-f]{6}); \}", css)
    assert [colour for _, colour in tones] == AVATAR_TONES[1:]
    assert all(contrast("#ffffff", colour) >= 4.5 for colour in AVATAR_TONES)


def test_the_contrast_helper_agrees_with_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_type_and_icons_are_served_from_the_app_with_their_licences():
    css = TOKENS.read_text() + (ROOT / "static" / "css" / "app.css").read_text()
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), "no stylesheet loads anything from another host"
    fonts = re.findall(r'url\("\.\./(vendor/atkinson-hyperlegible/[\w.-]+\.woff2)"\)', css)
    assert len(fonts) == 6
    for font in fonts:
        assert (ROOT / "static" / font).stat().st_size > 5000
    assert "Open Font License" in (ROOT / "static/vendor/atkinson-hyperlegible/LICENSE").read_text()
    assert "MIT License" in (ROOT / "static/vendor/bootstrap-icons/LICENSE").read_text()
    assert '"Atkinson Hyperlegible"' in _tokens("light")["--stac-font"]


def _sprite_ids() -> set[str]:
    return set(re.findall(r'<symbol id="([\w-]+)"', SPRITE.read_text()))


def test_the_sprite_holds_exactly_the_listed_icons():
    listed = [line.strip() for line in ICON_LIST.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert _sprite_ids() == set(listed)
    assert len(listed) == len(set(listed))


class _Icons(HTMLParser):
    """Each sprite icon of a page: its name, whether it is named itself, and the text or name of what holds it."""

    def __init__(self):
        super().__init__()
        self.open: list[dict] = []
        self.icons: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "use" and self.open and self.open[-1]["tag"] == "svg":
            self.open[-1]["href"] = attrs.get("href", "")
            return
        if tag in VOID:
            return
        self.open.append({"tag": tag, "attrs": attrs, "text": "", "href": None})

    def handle_endtag(self, tag):
        if tag in VOID or tag == "use" or not self.open:
            return
        node = self.open.pop()
        if node["tag"] == "svg" and node["href"] and "icons.svg#" in node["href"]:
            holder = self.open[-1] if self.open else None
            self.icons.append({"name": node["href"].split("#", 1)[1], "attrs": node["attrs"], "holder": holder})
        elif self.open:
            self.open[-1]["text"] += node["text"] + " " + node["attrs"].get("aria-label", "")

    def handle_data(self, data):
        if self.open:
            self.open[-1]["text"] += data


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
PAGES = ["/", "/meetings", "/proposals", "/polls", "/rooms", "/notifications", "/members", "/summit", "/summit/plan",
         "/account"]
DETAIL = re.compile(r'href="(/(?:meetings|proposals|polls|rooms|members)/\d+)"')


@pytest.fixture
def demo(app):
    from stac_youth.seed import seed_demo_data
    from tests.conftest import PASSWORD

    seed_demo_data(PASSWORD)
    return app


def test_every_icon_on_the_main_pages_is_in_the_sprite_and_has_words(demo):
    """The main pages and one page of each kind they link to, read by each role."""
    problems = []
    for email in ("student1@example.org", "advisor@example.org", "planner@example.org", "admin@example.org"):
        problems += _icon_problems(demo, email)
    assert not problems, "\n".join(sorted(set(problems)))


def _icon_problems(app, email: str) -> list[str]:
    from tests.conftest import login

    client = app.test_client()
    assert login(client, email).status_code == 302
    sprite, problems, seen = _sprite_ids(), [], 0
    pages, details = list(PAGES), set()
    while pages:
        url = pages.pop(0)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        if url in PAGES:
            for link in DETAIL.findall(body):
                if link.rsplit("/", 1)[0] not in details:  # one of each kind is enough
                    details.add(link.rsplit("/", 1)[0])
                    pages.append(link)
        reader = _Icons()
        reader.feed(body)
        for found in reader.icons:
            seen += 1
            if found["name"] not in sprite:
                problems.append(f"{url}: icon {found['name']} is not in the sprite")
            attrs = found["attrs"]
            if attrs.get("role") == "img":
                if not (attrs.get("aria-label") or "").strip():
                    problems.append(f"{url}: icon {found['name']} stands alone without a name")
            elif attrs.get("aria-hidden") != "true":
                problems.append(f"{url}: icon {found['name']} is neither hidden nor named")
            else:
                holder = found["holder"] or {"text": "", "attrs": {}}
                words = holder["text"] + " " + (holder["attrs"].get("aria-label") or "")
                if holder["tag"] in ("span",) and not words.strip():
                    continue  # an icon chip: the words are the heading or text beside it
                if not words.strip():
                    problems.append(f"{url}: icon {found['name']} in <{holder['tag']}> has no words beside it")
    assert seen > 20 and len(details) >= 3, (email, seen, details)
    return problems
