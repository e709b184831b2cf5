"""axe-core finds no WCAG 2.2 A/AA violation on the journey's, the meetings', the rooms', the proposals' and the
polls' pages, in English and Spanish, at 390 and 1280 px; a student votes with the keyboard alone.

At 390 px the pages also never scroll sideways, and the offcanvas menu opens with its toggler with every link
reachable.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import data
from .helpers import (
    ADVISOR_EMAIL,
    ADVISOR_NAME,
    STUDENT_EMAIL,
    STUDENT_NAME,
    axe_violations,
    chat_messages,
    click_menu_item,
    format_violations,
    is_mobile,
    open_meeting,
    open_menu,
    open_room,
    say,
    sign_in,
    switch_language,
    tab_to,
    wait_until_joined,
)

pytestmark = pytest.mark.e2e


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


def check_menu(page, checks: PageChecks) -> None:
    """The toggler opens the offcanvas menu; its links are shown on screen and reached with Tab."""
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    assert (toggler.get_attribute("aria-label") or "").strip()
    open_menu(page)
    menu = page.locator("#site-nav")
    expect(menu).to_have_attribute("role", "dialog")
    items = menu.locator(".nav-link")
    count = items.count()
    assert count >= 5
    for index in range(count):
        item = items.nth(index)
        expect(item).to_be_visible()
        expect(item).to_be_in_viewport()
    checks("menu open")
    # Keyboard: focus is inside the menu and Tab walks through every link and the sign-out button.
    reached = set()
    for _ in range(count + 2):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate(
                "() => { const el = document.activeElement;"
                " return el.closest('#site-nav') && el.classList.contains('nav-link') ? el.outerHTML : null }"
            )
        )
    reached.discard(None)
    assert len(reached) == count, f"Tab reached {len(reached)} of the {count} menu items"
    page.keyboard.press("Escape")
    expect(menu).not_to_have_class(re.compile(r"(^|\s)show(ing)?(\s|$)"))
    expect(items.first).to_be_hidden()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_journey_pages_have_no_axe_violations(page, width, lang):
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
    tab.locator("#region_id").select_option(label="Bay Area")
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


def follow(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_meeting_pages_have_no_axe_violations(page, width, lang):
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


# Two students of their own, so that the Spanish runs do not change the language of the journeys' accounts.
PROPOSAL_AUTHOR_EMAIL = "student5@example.org"
PROPOSAL_COSPONSOR_EMAIL = "student6@example.org"
PROPOSAL_COSPONSOR_NAME = "Priya Patel"


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_proposal_pages_have_no_axe_violations(page, width, lang):
    author, cosponsor, advisor = page(width), page(width), page(width)
    checks, cosponsor_checks, advisor_checks = (
        PageChecks(author, lang),
        PageChecks(cosponsor, lang),
        PageChecks(advisor, lang),
    )
    sign_in(author, PROPOSAL_AUTHOR_EMAIL, lang=lang)
    sign_in(cosponsor, PROPOSAL_COSPONSOR_EMAIL, lang=lang)
    sign_in(advisor, ADVISOR_EMAIL, lang=lang)

    # The list, filtered down to the seeded proposal in discussion.
    click_menu_item(author, "a[href='/proposals']")
    author.locator("#q").fill("Family nights")
    author.locator("#status").select_option("in_discussion")
    author.locator("#theme").select_option(label="Family and community engagement")
    author.locator("#region").select_option(label="Central Valley")
    follow(author, "main form[role=search] button[type=submit]")
    expect(author.locator("main .meeting-card")).to_have_count(1)
    checks("proposals list with filters")

    # A new draft: the empty form, the form with errors, then the saved draft with the invite form.
    follow(author, "main a[href='/proposals/new']")
    checks("new proposal")
    follow(author, "main form button[type=submit]")
    expect(author.locator("main .is-invalid").first).to_be_visible()
    checks("new proposal with errors")
    author.locator("#title").fill(f"Later buses for clubs ({lang}, {width} px)")
    author.locator("#summary").fill("A late bus twice a week so every student can stay for clubs.")
    author.locator("#description").fill("Clubs end at five; the **last bus** leaves at four.")
    author.locator("#theme_id").select_option(label="Student voice in decisions")
    follow(author, "main form button[type=submit]")
    expect(author.locator("#sponsors select")).to_be_visible()
    checks("proposal detail, author, invite form")
    detail_url = author.url.split("#")[0]
    author.locator("#sponsors select").select_option(label=PROPOSAL_COSPONSOR_NAME)
    follow(author, "#sponsors form[action$='/cosponsors'] button")

    # The invited student, before accepting.
    cosponsor.goto(detail_url)
    expect(cosponsor.locator("#sponsors form[action$='/accept'] button")).to_be_visible()
    cosponsor_checks("proposal detail, invited co-sponsor")
    follow(cosponsor, "#sponsors form[action$='/accept'] button")

    # Submitted: the advisor's view, then comments with a reply box open, editing, reporting.
    follow(author, "main form[action$='/submit'] button")
    advisor.goto(detail_url)
    expect(advisor.locator("main form[action$='/advance'] button")).to_be_visible()
    advisor_checks("proposal detail, advisor")
    cosponsor.goto(detail_url)
    cosponsor.locator("#body").fill(f"I will ask the district about drivers ({lang}, {width} px).")
    follow(cosponsor, "#comments form:has(#body) button[type=submit]")
    follow(cosponsor, "#comments .comment a[href$='/edit']")
    expect(cosponsor.locator("main textarea")).to_be_visible()
    cosponsor_checks("edit comment")

    author.goto(detail_url)
    author.locator("#comments details.reply-box summary").first.click()
    expect(author.locator("#comments details.reply-box textarea").first).to_be_visible()
    checks("proposal detail with comments and a reply box open")
    follow(author, "#comments .comment a[href$='/report']")
    checks("report comment")
    follow(author, "main form button[type=submit]")
    expect(author.locator("main .is-invalid").first).to_be_visible()
    checks("report comment with errors")

    # The admin's themes.
    admin = page(width)
    admin_checks = PageChecks(admin, lang)
    sign_in(admin, lang=lang)
    click_menu_item(admin, "a[href='/admin/themes']")
    admin_checks("admin themes")

    everyone = [checks, cosponsor_checks, advisor_checks, admin_checks]
    assert sum(len(each.checked) for each in everyone) == 11
    problems = [problem for each in everyone for problem in each.problems]
    assert not problems, "\n".join(problems)


# Polls: the proposal pages' co-sponsor votes (students 7 to 12 vote in the polls journey); the other ballots come
# through the services.
POLL_VOTER_EMAIL = PROPOSAL_COSPONSOR_EMAIL
OTHER_VOTERS = [f"student{number}@example.org" for number in (1, 2, 3, 4, 5)]
RANKED_OPTIONS = ["Mental health", "Belonging", "Student voice"]
APPROVAL_OPTIONS = ["Monday", "Wednesday", "Friday"]


def poll_set_up(in_app, lang: str, width: int) -> dict[str, int]:
    """A yes/no poll on a proposal, a ranked-choice poll on another, an approval poll on the current item of a live
    meeting (all open, with a few ballots), and a submitted proposal without a poll."""
    suffix = f"({lang}, {width} px)"
    yes_no_proposal = in_app(data.submitted_proposal, "student5@example.org", f"Water stations in every hall {suffix}")
    ranked_proposal = in_app(data.submitted_proposal, "student5@example.org", f"A theme for the summit {suffix}")
    meeting_id, item_id = in_app(data.live_meeting, f"Poll meeting {suffix}", [("Club fair", "vote")])
    ids = {
        "yes_no_proposal": yes_no_proposal,
        "proposal_to_vote_on": in_app(data.submitted_proposal, "student5@example.org", f"Later lunch {suffix}"),
        "meeting": meeting_id,
        "yes_no": in_app(data.open_poll, yes_no_proposal, f"Water stations {suffix}?", "yes_no_abstain"),
        "ranked": in_app(data.open_poll, ranked_proposal, f"Summit theme {suffix}?", "ranked_choice", RANKED_OPTIONS),
        "approval": in_app(
            data.open_poll, None, f"Club fair days {suffix}?", "approval", APPROVAL_OPTIONS, item_id=item_id
        ),
    }
    in_app(
        data.cast_ballots, ids["yes_no"], dict(zip(OTHER_VOTERS, ["yes", "yes", "no", "abstain", "yes"], strict=True))
    )
    approvals = [["Monday"], ["Monday", "Friday"], [], ["Wednesday"], ["Friday"]]
    in_app(data.cast_ballots, ids["approval"], dict(zip(OTHER_VOTERS, approvals, strict=True)))
    # First preferences spread out, so that the instant runoff takes several rounds.
    rankings = [
        ["Belonging"],
        ["Student voice", "Belonging"],
        ["Mental health"],
        ["Student voice"],
        ["Belonging", "Mental health"],
    ]
    in_app(data.cast_ballots, ids["ranked"], dict(zip(OTHER_VOTERS, rankings, strict=True)))
    return ids


def cast_vote(page, method: str) -> None:
    """Fill the poll page's vote form (Yes; Monday and Friday; Belonging first, Mental health second) and send it."""
    form = page.locator("main form.vote-form")
    if method == "yes_no":
        form.locator("input[name=choice][value=yes]").check()
    elif method == "approval":
        for label in ("Monday", "Friday"):
            form.get_by_label(label, exact=True).check()
    else:
        form.get_by_label("Belonging", exact=True).select_option("1")
        form.get_by_label("Mental health", exact=True).select_option("2")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("main .receipt-code")).to_have_count(1)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_poll_pages_have_no_axe_violations(page, in_app, width, lang):
    ids = poll_set_up(in_app, lang, width)
    member, advisor = page(width), page(width)
    checks, advisor_checks = PageChecks(member, lang), PageChecks(advisor, lang)
    sign_in(member, POLL_VOTER_EMAIL, lang=lang)
    sign_in(advisor, ADVISOR_EMAIL, lang=lang)

    # The member: the proposal with its poll listed, the polls waiting for a vote, each open poll with its form.
    member.goto(f"/proposals/{ids['yes_no_proposal']}")
    expect(member.locator(f"#polls a[href='/polls/{ids['yes_no']}']")).to_be_visible()
    checks("proposal with a poll listed")
    click_menu_item(member, "a[href='/polls']")
    expect(member.locator(f"main a[href='/polls/{ids['ranked']}']").first).to_be_visible()
    checks("polls list, member")
    for method in ("yes_no", "approval", "ranked"):
        member.goto(f"/polls/{ids[method]}")
        expect(member.locator("main form.vote-form")).to_be_visible()
        checks(f"open poll, member, {method} vote form")
    follow(member, "main form.vote-form button[type=submit]")  # ranked choice with no rank: the form's error
    expect(member.locator("main .alert-danger")).to_be_visible()
    checks("open poll, member, vote form with an error")
    member.goto(f"/meetings/{ids['meeting']}/live")
    expect(member.locator("#live-poll form.vote-form")).to_be_visible()
    checks("live screen, member, approval vote form")

    # It votes in each poll: the receipt, then the open poll with the vote to change.
    for method in ("yes_no", "approval", "ranked"):
        member.goto(f"/polls/{ids[method]}")
        cast_vote(member, method)
    checks("receipt")
    member.goto(f"/polls/{ids['ranked']}")
    expect(member.locator("main form.vote-form button[type=submit]")).to_be_visible()
    checks("open poll, member, after voting")

    # The advisor: an open poll with the close button, the new-poll form, empty and with errors.
    advisor.goto(f"/polls/{ids['yes_no']}")
    expect(advisor.locator("main form[action$='/close'] button")).to_be_visible()
    advisor_checks("open poll, advisor")
    advisor.goto(f"/proposals/{ids['proposal_to_vote_on']}")
    follow(advisor, f"main a[href='/proposals/{ids['proposal_to_vote_on']}/polls/new']")
    poll_form = advisor.locator("main form[method=post]")
    expect(poll_form.locator("#question")).to_be_visible()
    advisor_checks("new poll")
    poll_form.locator("#method").select_option("approval")
    follow(advisor, "main form[method=post] button[type=submit]")
    expect(advisor.locator("main .is-invalid").first).to_be_visible()
    advisor_checks("new poll with errors")

    # Closed: the results with the table, the chart and, for ranked choice, the rounds; the live screen's outcome.
    # (An open poll's page reloads by itself when the poll closes: away from them first.)
    member.goto("/polls")
    advisor.goto("/polls")
    for method in ("yes_no", "approval", "ranked"):
        in_app(data.close_poll, ids[method])
    for method in ("yes_no", "approval", "ranked"):
        member.goto(f"/polls/{ids[method]}")
        expect(member.locator("#results table.results-table")).to_be_visible()
        expect(member.locator("#results .bar-chart")).to_be_visible()
        if method == "ranked":
            expect(member.locator("#results table")).to_have_count(2)
        checks(f"closed poll, member, {method} results")
    member.goto(f"/meetings/{ids['meeting']}/live")
    expect(member.locator("#live-poll [data-poll-status=closed] strong")).to_be_visible()
    checks("live screen, member, poll outcome")
    advisor.goto(f"/polls/{ids['ranked']}")
    expect(advisor.locator("#voters-title")).to_be_visible()
    advisor_checks("closed poll, advisor, with who voted")
    click_menu_item(advisor, "a[href='/polls']")
    advisor_checks("polls list, advisor")

    assert len(checks.checked) + len(advisor_checks.checked) == 18
    problems = checks.problems + advisor_checks.problems
    assert not problems, "\n".join(problems)


def tab_and_press(page, target, key: str) -> None:
    tab_to(page, target)
    page.keyboard.press(key)


@pytest.mark.parametrize("width", [390])
def test_a_student_votes_with_the_keyboard_alone(page, in_app, width):
    """Tab reaches each choice and the button; Space picks a choice, Enter sends the form (and typing a number picks
    a rank in a closed select)."""
    ids = poll_set_up(in_app, "keyboard", width)
    student = page(width)
    sign_in(student, POLL_VOTER_EMAIL, lang="en")

    student.goto(f"/polls/{ids['yes_no']}")
    form = student.locator("main form.vote-form")
    tab_and_press(student, form.get_by_label("Yes", exact=True), "Space")
    expect(form.get_by_label("Yes", exact=True)).to_be_checked()
    with student.expect_navigation():
        tab_and_press(student, form.get_by_role("button", name="Cast my vote"), "Enter")
    expect(student.get_by_role("heading", level=1)).to_have_text("Your vote is counted")
    student.goto(f"/polls/{ids['yes_no']}")
    expect(form).to_contain_text("You voted: Yes.")

    student.goto(f"/polls/{ids['approval']}")
    for label in ("Wednesday", "Friday"):
        tab_and_press(student, form.get_by_label(label, exact=True), "Space")
        expect(form.get_by_label(label, exact=True)).to_be_checked()
    with student.expect_navigation():
        tab_and_press(student, form.get_by_role("button", name="Cast my vote"), "Enter")
    expect(student.get_by_role("heading", level=1)).to_have_text("Your vote is counted")
    student.goto(f"/polls/{ids['approval']}")
    expect(form).to_contain_text("You voted: Wednesday, Friday.")

    student.goto(f"/polls/{ids['ranked']}")
    for label, rank in (("Student voice", "1"), ("Mental health", "2")):
        tab_and_press(student, form.get_by_label(label, exact=True), rank)
        expect(form.get_by_label(label, exact=True)).to_have_value(rank)
    with student.expect_navigation():
        tab_and_press(student, form.get_by_role("button", name="Cast my vote"), "Enter")
    expect(student.get_by_role("heading", level=1)).to_have_text("Your vote is counted")
    student.goto(f"/polls/{ids['ranked']}")
    expect(form).to_contain_text("You voted: 1. Student voice, 2. Mental health.")


def summit_set_up(lang: str, width: int) -> dict[str, int]:
    """The seeded Summit edition, its transit session (which carries the seeded adopted proposal), that proposal,
    and a decision notification for the planner, so that the notifications page lists one."""
    from sqlalchemy import select

    from stac_youth.extensions import db
    from stac_youth.members.accounts import find_user_by_email
    from stac_youth.notifications import kinds
    from stac_youth.notifications.services import notify
    from stac_youth.proposals.models import Proposal
    from stac_youth.summit.models import SummitSession

    transit = db.session.scalar(select(SummitSession).where(SummitSession.title == SUMMIT_SESSION))
    proposal_id = db.session.scalar(select(Proposal.id).where(Proposal.title == SUMMIT_PROPOSAL))
    notify([find_user_by_email(SUMMIT_PLANNER_EMAIL)], kinds.DECISION, f"/proposals/{proposal_id}",
           title=f"{SUMMIT_PROPOSAL} ({lang}, {width} px)", decision_label="Adopted")
    return {"edition": transit.edition_id, "session": transit.id, "proposal": proposal_id}


SUMMIT_PLANNER_EMAIL = "planner@example.org"
SUMMIT_SESSION = "Getting to school and back: transit for students"
SUMMIT_PROPOSAL = "Free transit passes for students"


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_summit_pages_have_no_axe_violations(page, in_app, width, lang):
    ids = in_app(summit_set_up, lang, width)
    planner = page(width)
    checks = PageChecks(planner, lang)
    sign_in(planner, SUMMIT_PLANNER_EMAIL, lang=lang)

    checks("home, planner, with the Summit card")
    click_menu_item(planner, "a[href='/summit/plan']")
    expect(planner.locator("main table tbody tr").first).to_be_visible()
    expect(planner.locator("main .bar-chart")).to_have_count(3)
    checks("Summit planning dashboard")
    planner.goto("/summit/plan?decision=adopted&sort=turnout")
    expect(planner.locator("main tbody tr").filter(has_text=SUMMIT_PROPOSAL)).to_have_count(1)
    checks("Summit planning dashboard, filtered")
    planner.goto("/summit")
    checks("Summit board")
    planner.goto(f"/summit/editions/{ids['edition']}")
    expect(planner.locator(f"main a[href='/summit/sessions/{ids['session']}']")).to_be_visible()
    checks("Summit edition")
    planner.goto(f"/summit/sessions/{ids['session']}")
    expect(planner.locator(f"main a[href='/proposals/{ids['proposal']}']")).to_be_visible()
    checks("Summit session with its proposal")
    planner.goto(f"/proposals/{ids['proposal']}")
    expect(planner.locator("#summit")).to_be_visible()
    checks("proposal with the Summit's decision")

    # The decide form, then with errors: the response emptied (nothing is saved).
    planner.goto(f"/summit/proposals/{ids['proposal']}/decide")
    checks("decide form")
    planner.locator("#response").fill("")
    follow(planner, "main form button[type=submit]")
    expect(planner.locator("main .is-invalid").first).to_be_visible()
    checks("decide form with errors")

    planner.goto("/notifications")
    expect(planner.locator("main .notification-item").first).to_be_visible()
    checks("notifications page")

    planner.goto(f"/summit/editions/{ids['edition']}/report?lang={lang}")
    expect(planner.locator("main.report h1")).to_be_visible()
    checks("printable Summit report")

    assert len(checks.checked) == 11
    checks.assert_clean()
