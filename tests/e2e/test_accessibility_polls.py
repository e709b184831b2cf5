"""axe-core finds no WCAG 2.2 A/AA violation on the polls' pages (en / es, 390 / 1280 px); a keyboard-only vote."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import data
from .helpers import ADVISOR_EMAIL, PROPOSAL_COSPONSOR_EMAIL, PageChecks, click_menu_item, follow, sign_in, tab_to

pytestmark = pytest.mark.e2e


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
    """Slow by design (tens of seconds): 18 full axe-core runs in Chromium, with votes cast between them."""
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
