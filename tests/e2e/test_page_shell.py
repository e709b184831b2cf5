"""The shell of every page: the language switch early in the keyboard order, dark mode, focus rings, target sizes,
flash messages that keep the focus, scrollable tables reachable by keyboard."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from . import data
from .helpers import ADMIN_EMAIL, DEMO_PASSWORD, axe_violations, format_violations, open_menu, sign_in, tab_to

pytestmark = pytest.mark.e2e

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
_numbers = itertools.count(1)


def new_member(in_app) -> str:
    """A student account of this test's own (its language choices stay with it); returns its email."""
    from stac_youth.extensions import db
    from stac_youth.members.bootstrap import create_account
    from stac_youth.members.models import Region

    email = f"shell{next(_numbers)}@example.org"

    def _create():
        region_id = db.session.query(Region.id).order_by(Region.id).first()[0]
        create_account(email, "Sam Rivera", DEMO_PASSWORD, "member", region_id=region_id)

    in_app(_create)
    return email


def test_signed_out_language_switch_is_in_the_top_bar_within_four_tabs(page):
    tab = page(390)
    tab.goto("/login")
    spanish = tab.locator("header .language-switch button[value='es']")
    expect(spanish).to_be_visible()
    assert tab_to(tab, spanish, limit=4) <= 4
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    expect(tab.locator("html")).to_have_attribute("lang", "es")
    expect(tab.locator("header .language-switch button[value='es']")).to_have_attribute("aria-pressed", "true")
    assert tab.url.split("?")[0].endswith("/login")


def test_phones_keep_the_bell_and_the_language_switch_in_the_top_bar_and_the_tabs_at_the_bottom(page, in_app):
    email = new_member(in_app)
    tab = page(390)
    sign_in(tab, email)
    tab.goto("/")
    assert tab.locator(".language-switch").count() == 1  # one switch: no second one in the footer or the menu
    bell, spanish = tab.locator("#notification-bell"), tab.locator("header .language-switch button[value='es']")
    expect(bell).to_be_in_viewport()
    expect(spanish).to_be_in_viewport()
    assert tab_to(tab, spanish, limit=5) <= 5  # skip link, brand, bell, English, Español
    # The tab bar: at the bottom of the screen, reached by keyboard right after the top bar, "More" opens the menu.
    tabs = tab.get_by_role("navigation", name="Tabs")
    box = tabs.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(844, abs=1)
    assert [link.inner_text().strip() for link in tabs.locator("a").all()] == ["Home", "Meetings", "Rooms", "Proposals"]
    expect(tabs.locator("a[href='/']")).to_have_attribute("aria-current", "page")
    more = tab.locator("#menu-button")
    assert tab_to(tab, more, limit=6) <= 6
    tab.keyboard.press("Enter")
    menu = tab.locator("#site-nav")
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(menu.locator("a[href='/polls']")).to_be_visible()
    expect(menu.locator("form[action$='/logout'] button")).to_be_visible()
    tab.keyboard.press("Escape")
    with tab.expect_navigation():
        spanish.click()
    expect(tab.locator("html")).to_have_attribute("lang", "es")
    tabs = tab.get_by_role("navigation", name="Pestañas")
    spanish_tabs = ["Inicio", "Reuniones", "Salas", "Propuestas"]
    assert [link.inner_text().strip() for link in tabs.locator("a").all()] == spanish_tabs


def test_wide_screens_show_the_switch_in_the_top_bar(page, in_app):
    tab = page(1280)
    sign_in(tab, new_member(in_app))
    switch = tab.locator("header .language-switch")
    expect(switch.locator("button[value='en']")).to_be_visible()
    expect(switch.locator("button[value='es']")).to_be_visible()
    # after the skip link, the brand, the seven places, the account menu and the bell
    assert tab_to(tab, switch.locator("button[value='en']"), limit=12) <= 12


def shell_pages(in_app, member_email: str, suffix: str) -> dict[str, str]:
    """A proposal, an open yes/no poll on it (the member is one of its voters) and a published meeting."""
    proposal = in_app(data.submitted_proposal, "student5@example.org", f"Shade trees in the yard {suffix}")
    poll = in_app(data.open_poll, proposal, f"Shade trees {suffix}?", "yes_no_abstain")
    meeting = in_app(data.published_meeting, f"Shell meeting {suffix}", [("Welcome", "discussion")])
    return {"proposal": f"/proposals/{proposal}", "poll": f"/polls/{poll}", "meeting": f"/meetings/{meeting}"}


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_main_pages_have_no_axe_violations_in_dark_and_light(page, in_app, scheme):
    """Slow by design (tens of seconds): 16 full axe-core runs in Chromium (3 users, 2 widths, the menu)."""
    member_email = new_member(in_app)
    urls = shell_pages(in_app, member_email, f"({scheme})")
    problems = []
    for email, width in ((ADMIN_EMAIL, 390), (member_email, 390), (member_email, 1280)):
        tab = page(width, scheme)
        sign_in(tab, email)
        pages = ["/", urls["proposal"], urls["poll"], urls["meeting"]]
        if email == ADMIN_EMAIL:
            pages.append("/admin/audit")
        for url in pages:
            tab.goto(url)
            assert tab.locator("html").get_attribute("data-bs-theme") == scheme
            violations = axe_violations(tab)
            if violations:
                problems.append(format_violations(f"{url} ({scheme}, {width} px, {email})", violations))
        if width == 390:  # the open phone menu too
            open_menu(tab)
            violations = axe_violations(tab)
            if violations:
                problems.append(format_violations(f"menu ({scheme}, {width} px)", violations))
    tab = page(390, scheme)
    tab.goto("/login")
    assert tab.locator("html").get_attribute("data-bs-theme") == scheme
    violations = axe_violations(tab)
    if violations:
        problems.append(format_violations(f"/login ({scheme})", violations))
    assert not problems, "\n".join(problems)


def test_dark_mode_follows_the_system_setting_while_the_page_is_open(page):
    tab = page(390, "light")
    tab.goto("/login")
    assert tab.locator("html").get_attribute("data-bs-theme") == "light"
    tab.emulate_media(color_scheme="dark")
    expect(tab.locator("html")).to_have_attribute("data-bs-theme", "dark")
    background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 25, 29)"  # --stac-page-bg in dark mode


def test_poll_radios_and_their_labels_are_at_least_24_px(page, in_app):
    email = new_member(in_app)
    urls = shell_pages(in_app, email, "(targets)")
    tab = page(390)
    sign_in(tab, email)
    tab.goto(urls["poll"])
    radios = tab.locator("main form.vote-form input[name=choice]")
    assert radios.count() == 3
    for index in range(3):
        box = radios.nth(index).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, box
        label = tab.locator(f"label[for='{radios.nth(index).get_attribute('id')}']").bounding_box()
        assert label["width"] >= 24 and label["height"] >= 24, label


@pytest.mark.parametrize("width", [390, 1280])
def test_focus_rings_are_at_least_2px_on_links_buttons_and_the_top_bar(page, width):
    tab = page(width)
    sign_in(tab, ADMIN_EMAIL)
    tab.goto("/admin/audit")
    targets = [tab.locator(".navbar-brand"), tab.locator("#notification-bell"),
               tab.locator("main form button[type=submit]").first, tab.locator("main #action")]
    for target in targets:
        tab_to(tab, target)
        style = target.evaluate("el => { const s = getComputedStyle(el);"
                                " return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor, s.boxShadow]; }")
        assert style[0] != "none" and style[1] >= 2, (target, style)
        assert style[3] != "none", (target, style)  # the halo of the other colour


def _open_invitation() -> None:
    """An invitation waiting to be accepted, so that the invitations page has a table whatever ran before."""
    from stac_youth.members import invitations
    from stac_youth.members.accounts import find_user_by_email

    admin = find_user_by_email(ADMIN_EMAIL)
    invitations.invite_member(admin, f"stack{next(_numbers)}@example.org", "member", None, lambda token: f"/r/{token}")


def test_admin_tables_stack_on_phones_without_sideways_scrolling(page, in_app):
    in_app(_open_invitation)
    tab = page(390)
    sign_in(tab, ADMIN_EMAIL)
    for url in ("/admin/audit", "/admin/invitations", "/admin/users"):
        tab.goto(url)
        table = tab.locator("main table.table-stack")
        expect(table).to_have_count(1)
        assert tab.locator("main .table-responsive").count() == 0  # nothing to scroll, so no scroll region
        assert table.locator("tbody th[scope=row]").count() >= 1
        assert tab.evaluate("document.documentElement.scrollWidth <= innerWidth"), url
        assert table.evaluate("t => t.scrollWidth <= t.clientWidth"), url
        header = table.locator("thead")
        assert header.evaluate("h => h.getBoundingClientRect().height") <= 1  # said by each cell's label instead


def test_every_table_wrapper_in_the_templates_is_focusable_and_named():
    wrappers, tables = [], 0
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        tags = re.findall(r"<div[^>]*table-responsive[^>]*>", text)
        wrappers += [(template.name, tag) for tag in tags]
        if template.parent.name == "admin":  # the admin tables stack on phones: nothing to scroll
            for table in re.findall(r"<table[^>]*>", text):
                tables += 1
                assert "table-stack" in table and not tags, (template.name, table)
    assert tables >= 3 and wrappers
    for name, tag in wrappers:
        assert 'tabindex="0"' in tag and 'role="region"' in tag and "aria-label" in tag, (name, tag)


def test_a_flash_takes_the_focus_and_is_a_status_message(page, in_app):
    tab = page(390)
    sign_in(tab, new_member(in_app))
    open_menu(tab)
    with tab.expect_navigation():
        tab.locator("#site-nav form[action$='/logout'] button").click()
    message = tab.locator(".flash-messages .alert")
    expect(message).to_have_count(1)
    expect(message).to_have_attribute("role", "status")
    expect(message).to_be_focused()
    tab.keyboard.press("Tab")  # keyboard users continue from the message: the sign-in form comes next
    expect(tab.locator("#email")).to_be_focused()


def test_a_flash_on_a_page_opened_at_a_section_keeps_the_place_and_is_said(page, in_app):
    tab = page(390)
    sign_in(tab, new_member(in_app))
    tab.goto("/notifications")
    form = tab.locator("main form").filter(has=tab.locator("input[name=email]"))
    form.locator("input[name=email]").last.check()
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()
    assert tab.url.endswith("#email")
    message = tab.locator(".flash-messages .alert")
    expect(message).to_have_attribute("role", "status")
    expect(message).not_to_be_focused()
    said = tab.locator(".flash-messages .visually-hidden[role=status]")
    expect(said).to_have_text(message.inner_text().strip())


def test_a_danger_flash_is_an_alert(page, in_app):
    tab = page(390)
    sign_in(tab, new_member(in_app))
    tab.goto("/notifications")
    form = tab.locator("main form").filter(has=tab.locator("input[name=email]"))
    form.locator("input[name=email]").last.evaluate("el => { el.value = 'sometimes'; el.checked = true; }")
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(tab.locator(".flash-messages .alert-danger")).to_have_attribute("role", "alert")
