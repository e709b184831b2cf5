"""axe-core finds no WCAG 2.2 A/AA violation on the journey's, the meetings' and the rooms' pages.

In English and Spanish, at 390 and 1280 px. At 390 px the pages also never scroll sideways, and the offcanvas menu
opens with its toggler with every link reachable.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import (
    ADVISOR_EMAIL,
    ADVISOR_NAME,
    STUDENT_EMAIL,
    STUDENT_NAME,
    PageChecks,
    chat_messages,
    click_menu_item,
    follow,
    is_mobile,
    open_meeting,
    open_menu,
    open_room,
    say,
    seeded_name,
    sign_in,
    switch_language,
    wait_until_joined,
)

pytestmark = pytest.mark.e2e


def check_menu(page, checks: PageChecks) -> None:
    """The toggler opens the offcanvas menu; its links are shown on screen and reached with Tab."""
    toggler = page.locator("#menu-button")
    expect(toggler).to_be_visible()
    assert (toggler.get_attribute("aria-label") or toggler.inner_text()).strip()  # a name: its label or its words
    open_menu(page)
    menu = page.locator("#site-nav")
    expect(menu).to_have_attribute("role", "dialog")
    items = menu.locator("a.nav-link")  # the places
    count = items.count()
    assert count >= 5
    for index in range(count):
        item = items.nth(index)
        expect(item).to_be_visible()
        expect(item).to_be_in_viewport()
    account = menu.locator(".dropdown-item")  # the account's items, listed under the places on phones
    assert account.count() >= 3
    for index in range(account.count()):
        expect(account.nth(index)).to_be_visible()
    checks("menu open")
    # Keyboard: focus is inside the menu and Tab walks through every place and account item (after the close button).
    total = count + account.count()
    reached = set()
    for _ in range(total + 2):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate(
                "() => { const el = document.activeElement;"
                " return el.closest('#site-nav') && el.matches('a.nav-link, .dropdown-item') ? el.outerHTML : null }"
            )
        )
    reached.discard(None)
    assert len(reached) == total, f"Tab reached {len(reached)} of the {total} menu items"
    page.keyboard.press("Escape")
    expect(menu).not_to_have_class(re.compile(r"(^|\s)show(ing)?(\s|$)"))
    expect(items.first).to_be_hidden()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_journey_pages_have_no_axe_violations(page, width, lang):
    """Slow by design (tens of seconds): a full axe-core run in Chromium on every page of the journey."""
    tab = page(width)
    checks = PageChecks(tab, lang)

    # Signed out.
    tab.goto("/login")
    switch_language(tab, lang)
    checks("login")
    tab.goto("/forgot-password")
    checks("forgot password")
    tab.goto("/no-such-page")
    checks("404 signed out")

    # Signed in as the admin, who sees every screen of the journey.
    sign_in(tab, lang=lang)
    checks("home")
    if is_mobile(tab):
        check_menu(tab, checks)
    click_menu_item(tab, "a[href='/admin/invitations']")
    checks("invitations")
    tab.locator("#email").fill(f"a11y.{lang}.{width}@example.org")
    tab.locator("#role").select_option("member")
    tab.locator("#region_id").select_option(label=seeded_name(tab, "Bay Area"))
    with tab.expect_navigation():
        tab.locator("main form:has(#email) button[type=submit]").click()
    link = tab.locator("#invite-link").input_value()
    checks("invitation sent")
    click_menu_item(tab, "a[href='/members']")
    checks("directory")
    tab.locator("#q").fill("soccer")
    with tab.expect_navigation():
        tab.locator("#q").press("Enter")
    with tab.expect_navigation():
        tab.locator(".member-card").filter(has_text="Diego Hernández").get_by_role("link").first.click()
    checks("profile")
    click_menu_item(tab, "a[href^='/members/']")
    checks("my profile")
    tab.goto("/profile/edit")
    checks("edit profile")
    click_menu_item(tab, "a[href='/account']")
    checks("account")
    tab.goto("/members/999999")
    checks("404 signed in")

    # Opening an invitation link signs the admin out; the choice of language is made again on that page.
    tab.goto(link)
    switch_language(tab, lang)
    checks("register")

    assert len(checks.checked) >= 11
    checks.assert_clean()


# The seeded demo meetings (stac_youth/seed.py): a draft, an upcoming published one, and a past one with minutes.
DRAFT_MEETING = "Summit planning listening session"
UPCOMING_MEETING = "Proposal workshop: from idea to proposal"
PAST_MEETING = "Fall kickoff: getting to know the board"


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_meeting_pages_have_no_axe_violations(page, width, lang):
    """Slow by design (tens of seconds): a full axe-core run in Chromium on every meeting page and state."""
    # The admin manages meetings as an advisor does.
    tab = page(width)
    checks = PageChecks(tab, lang)
    sign_in(tab, lang=lang)
    click_menu_item(tab, "a[href='/meetings']")
    checks("meetings list")
    follow(tab, "main a[href='/meetings/new']")
    checks("new meeting")
    follow(tab, "main form button[type=submit]")
    expect(tab.locator("main .is-invalid").first).to_be_visible()
    checks("new meeting with errors")

    open_meeting(tab, DRAFT_MEETING)
    add_item = tab.locator("#agenda details")
    if add_item.get_attribute("open") is None:
        add_item.locator("summary").click()
    expect(tab.locator("#new-title")).to_be_visible()
    expect(tab.locator("#manage-title")).to_be_visible()
    checks("meeting detail, advisor, add-item form open")
    follow(tab, "#agenda a[href$='/edit']")
    checks("edit agenda item")

    # The upcoming meeting goes live (once per session; the later runs find it live already).
    open_meeting(tab, UPCOMING_MEETING)
    start = tab.locator("main form[action$='/start'] button")
    if start.count():
        follow(tab, "main form[action$='/start'] button")
    else:
        follow(tab, "main a[href$='/live']")
    expect(tab.locator("#live-meeting")).to_have_attribute("data-status", "live")
    expect(tab.locator(".live-agenda .is-current")).to_have_count(1)
    checks("live screen, advisor")

    click_menu_item(tab, "a[href='/meetings']")
    follow(tab, "main a[href='/calendar']")
    checks("calendar")
    follow(tab, "main form[action$='/calendar/feed'] button")
    expect(tab.locator("#feed-url")).to_be_visible()
    checks("calendar link made")

    open_meeting(tab, PAST_MEETING)
    checks("past meeting with minutes")
    follow(tab, "main a[href$='/minutes/history']")
    checks("minutes history")
    open_meeting(tab, PAST_MEETING)
    follow(tab, "main a[href$='/minutes']")
    checks("minutes form")

    # A student member: the RSVP on the detail page, the answer in the list, the live screen without controls.
    member = page(width)
    member_checks = PageChecks(member, lang)
    sign_in(member, STUDENT_EMAIL, lang=lang)
    open_meeting(member, UPCOMING_MEETING)
    expect(member.locator("#rsvp-yes")).to_be_visible()
    member_checks("meeting detail, member")
    member.locator("#rsvp-maybe").check()
    follow(member, "main form[action$='/rsvp'] button[type=submit]")
    expect(member.locator("#rsvp-maybe")).to_be_checked()
    member_checks("meeting detail, member, answer saved")
    click_menu_item(member, "a[href='/meetings']")
    member_checks("meetings list, member, with an answer")
    open_meeting(member, UPCOMING_MEETING)
    follow(member, "main a[href$='/live']")
    expect(member.locator(".live-agenda .is-current")).to_have_count(1)
    member_checks("live screen, member")

    assert len(checks.checked) + len(member_checks.checked) == 15
    problems = checks.problems + member_checks.problems
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_room_pages_have_no_axe_violations(page, width, lang):
    """Slow by design (tens of seconds): a full axe-core run in Chromium on every room page, two users live."""
    # A student member and an advisor in the seeded "Statewide lounge", each with live messages from the other.
    member, advisor = page(width), page(width)
    member_checks, checks = PageChecks(member, lang), PageChecks(advisor, lang)
    sign_in(member, STUDENT_EMAIL, lang=lang)
    sign_in(advisor, ADVISOR_EMAIL, lang=lang)

    click_menu_item(member, "a[href='/rooms']")
    member_checks("rooms list, member")
    click_menu_item(advisor, "a[href='/rooms']")
    checks("rooms list, advisor")
    open_room(member, STUDENT_NAME)
    open_room(advisor, ADVISOR_NAME)
    from_member, from_advisor = f"Hi from Maya ({lang}, {width} px)", f"Hi from Morgan ({lang}, {width} px)"
    say(member, from_member)
    say(advisor, from_advisor)
    # Messages drawn by the live client (with their Report, Delete and Mute controls) as well as the server's.
    expect(chat_messages(advisor, from_member)).to_have_count(1)
    expect(chat_messages(member, from_advisor)).to_have_count(1)
    expect(member.locator(".chat-pending")).to_have_count(0)
    member_checks("room, member, with messages")
    checks("room, advisor, with messages")

    # The member reports the advisor's message (the live client built its Report link).
    with member.expect_navigation():
        chat_messages(member, from_advisor).locator("a[href$='/report']").click()
    member_checks("report form")
    follow(member, "main form button[type=submit]")
    expect(member.locator("main .is-invalid").first).to_be_visible()
    member_checks("report form with errors")
    member.locator("main textarea").fill("Checking the report queue.")
    follow(member, "main form button[type=submit]")
    expect(member.locator(".alert-success")).to_have_count(1)

    # The advisor: the mute form for the member (not sent: the member keeps posting), the report queue, a new room.
    with advisor.expect_navigation():
        chat_messages(advisor, from_member).locator("a[href$='/mute']").click()
    checks("mute form")
    click_menu_item(advisor, "a[href='/rooms']")
    follow(advisor, "main a[href='/rooms/reports']")
    expect(advisor.locator("main .reported-message").first).to_be_visible()
    checks("reported messages")
    click_menu_item(advisor, "a[href='/rooms']")
    follow(advisor, "main a[href='/rooms/new']")
    checks("new room")
    follow(advisor, "main form button[type=submit]")
    expect(advisor.locator("main .is-invalid").first).to_be_visible()
    checks("new room with errors")

    # The meeting live screen with its room panel beside the agenda, with a message in it.
    open_meeting(advisor, UPCOMING_MEETING)
    follow(advisor, "main a[href$='/live']")
    wait_until_joined(advisor, ADVISOR_NAME)
    in_meeting = f"Meeting chat ({lang}, {width} px)"
    say(advisor, in_meeting)
    expect(chat_messages(advisor, in_meeting)).to_have_count(1)
    checks("live screen with room panel, advisor")
    open_meeting(member, UPCOMING_MEETING)
    follow(member, "main a[href$='/live']")
    expect(chat_messages(member, in_meeting)).to_have_count(1)
    wait_until_joined(member, STUDENT_NAME)
    member_checks("live screen with room panel, member")

    assert len(checks.checked) + len(member_checks.checked) == 12
    problems = checks.problems + member_checks.problems
    assert not problems, "\n".join(problems)
