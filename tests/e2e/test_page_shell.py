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


def test_signed_in_language_switch_comes_first_in_the_phone_menu(page, in_app):
    email = new_member(in_app)
    tab = page(390)
    sign_in(tab, email)
    tab.goto("/")
    assert tab.locator(".language-switch").count() == 1  # one switch: no second one in the footer
    assert tab_to(tab, tab.locator(".navbar-toggler"), limit=4) <= 4
    tab.keyboard.press("Enter")
    menu = tab.locator("#site-nav")
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    spanish = menu.locator(".language-switch button[value='es']")
    assert tab_to(tab, spanish, limit=3) <= 3  # after the menu's close button, before its links
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    expect(tab.locator("html")).to_have_attribute("lang", "es")


def test_wide_screens_show_the_switch_in_the_top_bar(page, in_app):
    tab = page(1280)
    sign_in(tab, new_member(in_app))
    switch = tab.locator("header .language-switch")
    expect(switch.locator("button[value='en']")).to_be_visible()
    expect(switch.locator("button[value='es']")).to_be_visible()
    assert tab_to(tab, switch.locator("button[value='en']"), limit=5) <= 5


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
    assert background == "rgb(33, 37, 41)"


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


def test_scrollable_tables_can_be_reached_by_keyboard(page):
    tab = page(390)
    sign_in(tab, ADMIN_EMAIL)
    for url in ("/admin/audit", "/admin/invitations", "/admin/users"):
        tab.goto(url)
        wrappers = tab.locator("main .table-responsive")
        assert wrappers.count() >= 1
        for index in range(wrappers.count()):
            wrapper = wrappers.nth(index)
            assert wrapper.get_attribute("tabindex") == "0"
            assert wrapper.get_attribute("role") == "region"
            assert wrapper.get_attribute("aria-label") or wrapper.get_attribute("aria-labelledby")
        tab_to(tab, wrappers.first)


def test_every_table_wrapper_in_the_templates_is_focusable_and_named():
    wrappers = []
    for template in TEMPLATES.rglob("*.html"):
        tags = re.findall(r"<div[^>]*table-responsive[^>]*>", template.read_text(encoding="utf-8"))
        wrappers += [(template.name, tag) for tag in tags]
    assert len(wrappers) >= 8
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
