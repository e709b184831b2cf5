"""The main screens, who looks at each, and how to open one and wait until it is drawn for good."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from playwright.sync_api import expect

from .data import ADMIN, ADVISOR, PLANNER, STUDENT, ScreenIds

# The demo users' names (stac_youth/seed.py), as a room's presence list shows the viewer.
NAMES = {STUDENT: "Maya Chen", ADVISOR: "Morgan Lee", PLANNER: "Sam Okafor", ADMIN: "Alex Rivera"}


@dataclass(frozen=True)
class Screen:
    name: str
    user: str
    path: Callable[[ScreenIds], str]


# Live screens last: their sockets' comings and goings never run alongside another screen's drawing.
SCREENS = (
    Screen("home-student", STUDENT, lambda ids: "/"),
    Screen("home-advisor", ADVISOR, lambda ids: "/"),
    Screen("home-planner", PLANNER, lambda ids: "/"),
    Screen("home-admin", ADMIN, lambda ids: "/"),
    Screen("meeting", STUDENT, lambda ids: f"/meetings/{ids.meeting}"),
    Screen("proposal", STUDENT, lambda ids: f"/proposals/{ids.proposal}"),
    Screen("poll-results", STUDENT, lambda ids: f"/polls/{ids.closed_poll}"),
    Screen("summit", STUDENT, lambda ids: "/summit"),
    Screen("summit-plan", PLANNER, lambda ids: "/summit/plan"),
    Screen("profile", STUDENT, lambda ids: f"/members/{ids.student}"),
    Screen("notifications", STUDENT, lambda ids: "/notifications"),
    Screen("poll-open", STUDENT, lambda ids: f"/polls/{ids.open_poll}"),
    Screen("meeting-live", STUDENT, lambda ids: f"/meetings/{ids.live_meeting}/live"),
    Screen("room", STUDENT, lambda ids: f"/rooms/{ids.room}"),
)


def visit_all(signed_in, ids: ScreenIds, width: int, lang: str, color_scheme: str = "light") -> Iterator[tuple]:
    """Sign each user in once, then open every screen in turn; yields (screen, page) once the screen is drawn."""
    pages = {}
    for screen in SCREENS:
        if screen.user not in pages:
            pages[screen.user] = signed_in(screen.user, width, lang, color_scheme)
        page = pages[screen.user]
        open_screen(page, screen, ids, lang)
        yield screen, page


def open_screen(page, screen: Screen, ids: ScreenIds, lang: str) -> None:
    """Go to the screen and wait for its fonts, its live connection and (with a room panel) the viewer's presence."""
    path = screen.path(ids)
    response = page.goto(path)
    assert response is not None and response.ok, f"{screen.name}: {path} answered {response and response.status}"
    html_lang = page.locator("html").get_attribute("lang")
    assert html_lang == lang, f"{screen.name}: <html lang={html_lang!r}>, expected {lang!r}"
    page.evaluate("document.fonts.ready.then(() => true)")
    connection = page.locator("#live-connection[data-text-connected]")
    if connection.count():
        expect(connection).to_have_text(connection.get_attribute("data-text-connected"))
    if page.locator(".room-panel").count():  # a room, or a live meeting's discussion: the join answer lists the viewer
        expect(page.locator(".room-panel .presence-list li").filter(has_text=NAMES[screen.user])).to_have_count(1)
    # Two frames: whatever the connection's answers changed is laid out and painted before the picture.
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))")


def screenshot(page) -> bytes:
    """The whole page as PNG, animations run to their end and no blinking caret."""
    return page.screenshot(full_page=True, animations="disabled", caret="hide", scale="css")


def sideways_overflow(page) -> dict | None:
    """None when nothing scrolls sideways; else the page's scroll width and the widest elements sticking out.

    Elements in a fixed layer (the closed offcanvas menu waits off-screen) or hidden cannot widen the page: left out.
    Listed first are those sticking out of a parent that does not: where the overflow starts.
    """
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          const scrollWidth = document.documentElement.scrollWidth;
          if (scrollWidth <= width) return null;
          const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
            + Array.from(el.classList).slice(0, 3).map((c) => '.' + c).join('');
          const inFixedLayer = (el) => {
            for (let node = el; node && node !== document.body; node = node.parentElement) {
              if (getComputedStyle(node).position === 'fixed') return true;
            }
            return false;
          };
          const out = (el) => el.getBoundingClientRect().right > width + 0.5;
          const wide = Array.from(document.body.querySelectorAll('*'))
            .filter((el) => out(el) && el.checkVisibility({ visibilityProperty: true }) && !inFixedLayer(el))
            .map((el) => ({ el, rect: el.getBoundingClientRect(),
                            starts: !el.parentElement || !out(el.parentElement) }))
            .sort((a, b) => (b.starts - a.starts) || (b.rect.width - a.rect.width))
            .slice(0, 5)
            .map(({ el, rect }) => `${describe(el)} (${Math.round(rect.left)} to ${Math.round(rect.right)} px)`);
          return { scrollWidth, width, wide };
        }"""
    )
