"""What the e2e tests do again and again: menus, language, signing in, meetings, Tab, axe and page checks."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from stac_youth.seed import REGION_NAMES_ES, THEME_NAMES_ES

AXE_JS = Path(__file__).resolve().parent / "assets" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DEMO_PASSWORD = "stac-demo-2026"
ADMIN_EMAIL = "admin@example.org"
ADVISOR_EMAIL = "advisor@example.org"
STUDENT_EMAIL = "student1@example.org"
MENU_BUTTON = "#menu-button"  # "More" in the phone tab bar opens the menu
SHOWN = re.compile(r"(^|\s)show(\s|$)")


def is_mobile(page) -> bool:
    return page.viewport_size["width"] < 992


def open_menu(page) -> None:
    """On narrow screens open the menu with "More" in the tab bar; on wide ones the links are already shown."""
    if not is_mobile(page):
        return
    menu = page.locator("#site-nav")
    if SHOWN.search(menu.get_attribute("class") or ""):
        return
    page.locator(MENU_BUTTON).click()
    # Bootstrap adds "showing" during the slide-in and "show" once the menu is open.
    # (No wait_for_function: its string predicate needs eval, which the app's CSP refuses.)
    expect(menu).to_have_class(SHOWN)
    expect(menu).not_to_have_class(re.compile(r"(^|\s)showing(\s|$)"))
    expect(menu.locator(".nav-link").first).to_be_visible()


def click_menu_item(page, selector: str) -> None:
    """Follow a menu link (a CSS selector inside the menu, so that it works in any language).

    On wide screens the account's and the administration's links are in the account menu, opened first."""
    open_menu(page)
    link = page.locator("#site-nav").locator(selector)
    if not link.is_visible() and link.locator("xpath=ancestor::*[contains(@class, 'account-menu')]").count():
        open_account_menu(page)
    with page.expect_navigation():
        link.click()


def switch_language(page, lang: str) -> None:
    """Use the language switch in the top bar; afterwards the page is in that language."""
    label = {"en": "English", "es": "Español"}[lang]
    button = page.locator(f"header .language-switch button[value='{lang}']")
    assert button.inner_text().strip() == label
    if page.locator("html").get_attribute("lang") == lang and button.get_attribute("aria-pressed") == "true":
        return
    with page.expect_navigation():
        button.click()
    assert page.locator("html").get_attribute("lang") == lang


def seeded_name(page, english: str) -> str:
    """A seeded region or theme name as the page shows it: its Spanish form on a Spanish page."""
    if page.locator("html").get_attribute("lang") == "es":
        return REGION_NAMES_ES.get(english) or THEME_NAMES_ES.get(english) or english
    return english


def sign_in(page, email: str = ADMIN_EMAIL, password: str = DEMO_PASSWORD, lang: str | None = None) -> None:
    """Sign in through the login form; with lang, also pick that language with the language switch."""
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert not page.url.split("?")[0].endswith("/login"), page.locator("main").inner_text()
    if lang:
        switch_language(page, lang)


def open_account_menu(page) -> None:
    """Show the account's items: the phone menu lists them; on wide screens the account menu opens."""
    open_menu(page)
    if not is_mobile(page) and not page.locator("#site-nav .account-menu").is_visible():
        page.locator("#site-nav .account-toggle").click()
        expect(page.locator("#site-nav .account-menu")).to_be_visible()


def sign_out(page) -> None:
    open_account_menu(page)
    with page.expect_navigation():
        page.locator("#site-nav form[action$='/logout'] button").click()
    assert page.url.split("?")[0].endswith("/login")


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the current page; return its violations.

    axe is evaluated through the DevTools protocol: page.add_script_tag would insert an inline <script>, which the
    app's CSP (script-src 'self') rightly blocks, and the CSP stays on for everything the app does.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations.map(v => ({"
        "id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({target: n.target.join(' '),"
        " summary: n.failureSummary}))})))",
        AXE_TAGS,
    )


def format_violations(where: str, violations: list[dict]) -> str:
    lines = [f"{where}: {len(violations)} axe violation(s)"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:8]:
            summary = (node["summary"] or "").replace("\n", " ")
            lines.append(f"      {node['target']} — {summary[:300]}")
    return "\n".join(lines)


def assert_no_axe_violations(page, where: str | None = None) -> None:
    violations = axe_violations(page)
    assert violations == [], format_violations(where or page.url, violations)


def open_meeting(page, title: str) -> None:
    """From any page: the Meetings menu item, then the meeting's link in the list."""
    click_menu_item(page, "a[href='/meetings']")
    with page.expect_navigation():
        page.locator("main .meeting-card a").filter(has_text=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def tab_to(page, target, limit: int = 80) -> int:
    """Press Tab until the target locator has the focus; return the number of presses (fails after limit)."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


# The seeded rooms (stac_youth/seed.py) and the demo names shown in them.
LOUNGE = "Statewide lounge"
STUDENT_NAME = "Maya Chen"
ADVISOR_NAME = "Morgan Lee"


def open_room(page, me: str, title: str = LOUNGE) -> None:
    """From any page: the Rooms menu item, then the room's link; returns once the presence list shows `me`."""
    click_menu_item(page, "a[href='/rooms']")
    with page.expect_navigation():
        page.locator("main .room-card a").filter(has_text=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    wait_until_joined(page, me)


def wait_until_joined(page, me: str) -> None:
    """The live client draws the presence list from its join answer, which includes the viewer (`me`).

    (A connection the server has not yet seen drop can list `me` earlier; tests that need the join itself wait for
    a message to arrive instead.)
    """
    expect(page.locator(".room-panel .presence-list li").filter(has_text=me)).to_have_count(1)


def chat_messages(page, text: str):
    """The delivered (not pending) messages of the room panel whose text contains `text`."""
    return page.locator(".room-panel .chat-log .chat-message[data-message-id]").filter(has_text=text)


def composer(page):
    """The message box of the (first) room panel on the page."""
    return page.locator(".room-panel .composer-body").first


def say(page, text: str) -> None:
    """Type a message into the room panel's composer and press Enter, as a person does."""
    box = composer(page)
    box.click()
    box.press_sequentially(text)
    box.press("Enter")


# Two students of their own, so that the Spanish runs do not change the language of the journeys' accounts.
PROPOSAL_AUTHOR_EMAIL = "student5@example.org"
PROPOSAL_COSPONSOR_EMAIL = "student6@example.org"
PROPOSAL_COSPONSOR_NAME = "Priya Patel"


def follow(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


class PageChecks:
    """Runs the checks on each page visited and gathers every problem, so one run reports them all."""

    def __init__(self, page, lang: str):
        self.page = page
        self.lang = lang
        self.problems: list[str] = []
        self.checked: list[str] = []

    def __call__(self, name: str) -> None:
        page = self.page
        where = f"{name} ({page.url}, {self.lang}, {page.viewport_size['width']} px)"
        self.checked.append(name)
        lang = page.locator("html").get_attribute("lang")
        if lang != self.lang:
            self.problems.append(f"{where}: <html lang={lang!r}>, expected {self.lang!r}")
        violations = axe_violations(page)
        if violations:
            self.problems.append(format_violations(where, violations))
        if is_mobile(page):
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > page.viewport_size["width"]:
                self.problems.append(f"{where}: scrolls sideways, scrollWidth {scroll_width} px")

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)
