"""The proposals journey through the UI: a student writes a proposal and invites a co-sponsor, who accepts; the
author submits it, an advisor moves it to discussion, and the two students talk it over in its comments.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import ADVISOR_EMAIL, click_menu_item, sign_in

pytestmark = pytest.mark.e2e

WIDTHS = [390, 1280]
AUTHOR_EMAIL = "student3@example.org"
AUTHOR_NAME = "Jordan Blake"
COSPONSOR_EMAIL = "student4@example.org"
COSPONSOR_NAME = "Ana Lucía Torres"


def follow(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def expect_flash(page, text: str) -> None:
    expect(page.locator(".alert-success")).to_contain_text(text)


def expect_status(page, label: str) -> None:
    expect(page.locator("main .proposal-status").first).to_have_text(label)


@pytest.mark.parametrize("width", WIDTHS)
def test_proposal_from_draft_to_discussion(page, width):
    """Slow by design (tens of seconds): three browsers take a proposal from draft to discussion."""
    title = f"Quiet study rooms after school ({width} px)"
    summary = "Libraries stay open until six so students have a calm place to study."
    comment = f"I can ask our librarian about staffing ({width} px)."
    reply = f"Thank you! Let us bring it to the next meeting ({width} px)."

    # The author writes the draft through the form.
    author = page(width)
    sign_in(author, AUTHOR_EMAIL, lang="en")
    click_menu_item(author, "a[href='/proposals']")
    follow(author, author.locator("main a[href='/proposals/new']"))
    expect(author.get_by_role("heading", level=1)).to_have_text("Write a proposal")
    form = author.locator("main form[method=post]")
    form.get_by_label("Title", exact=True).fill(title)
    form.get_by_label("In one sentence").fill(summary)
    form.get_by_label("The whole idea").fill(
        "Many students have **no quiet place** at home.\n\nOpen the library two more hours on school days."
    )
    form.get_by_label("Theme", exact=True).select_option(label="School climate and belonging")
    form.get_by_label("Region (optional)").select_option(label="Northern California")
    follow(author, form.get_by_role("button", name="Save draft"))
    expect_flash(author, "Your draft is saved.")
    expect(author.get_by_role("heading", level=1)).to_have_text(title)
    expect(author.locator("main .lead")).to_have_text(summary)
    expect(author.locator("main .user-content strong")).to_have_text("no quiet place")
    expect(author.locator("main .proposal-facts")).to_contain_text("School climate and belonging")
    expect(author.locator("main .proposal-facts")).to_contain_text("Northern California")
    expect_status(author, "Draft")
    detail_url = author.url.split("#")[0]

    # ... and invites a co-sponsor.
    sponsors = author.locator("#sponsors")
    sponsors.get_by_label("Student member").select_option(label=COSPONSOR_NAME)
    follow(author, sponsors.get_by_role("button", name="Invite to co-sponsor"))
    expect_flash(author, "The invitation to co-sponsor is sent.")
    invited = sponsors.locator("li .item-main").filter(has_text=COSPONSOR_NAME)
    expect(invited).to_have_text(f"{COSPONSOR_NAME} (invited)")

    # The invited student finds the draft in the list and accepts.
    cosponsor = page(width)
    sign_in(cosponsor, COSPONSOR_EMAIL, lang="en")
    click_menu_item(cosponsor, "a[href='/proposals']")
    card = cosponsor.locator("main .proposal-card").filter(has_text=title)
    expect(card.locator(".proposal-status")).to_have_text("Draft")
    expect(card).to_contain_text(AUTHOR_NAME)
    follow(cosponsor, card.get_by_role("link", name=title))
    expect(cosponsor.get_by_role("heading", level=1)).to_have_text(title)
    follow(cosponsor, cosponsor.get_by_role("button", name="Co-sponsor this proposal"))
    expect_flash(cosponsor, "You co-sponsor this proposal.")
    expect(cosponsor.locator("#sponsors li .item-main").filter(has_text=COSPONSOR_NAME)).to_have_text(COSPONSOR_NAME)
    expect(cosponsor.get_by_role("button", name="Stop co-sponsoring")).to_be_visible()
    expect(cosponsor.get_by_role("link", name="Edit draft")).to_be_visible()
    expect(cosponsor.get_by_role("button", name="Submit to the advisors")).to_have_count(0)

    # The author sees the acceptance and submits.
    author.reload()
    expect(sponsors.locator("li .item-main").filter(has_text=COSPONSOR_NAME)).to_have_text(COSPONSOR_NAME)
    follow(author, author.get_by_role("button", name="Submit to the advisors"))
    expect_flash(author, "Your proposal is submitted.")
    expect_status(author, "Submitted")
    expect(author.get_by_role("link", name="Edit draft")).to_have_count(0)

    # An advisor finds it among the submitted proposals and moves it to discussion, which opens its room.
    advisor = page(width)
    sign_in(advisor, ADVISOR_EMAIL, lang="en")
    click_menu_item(advisor, "a[href='/proposals']")
    advisor.locator("#q").fill(title)
    advisor.locator("#status").select_option("submitted")
    follow(advisor, advisor.get_by_role("button", name="Filter"))
    expect(advisor.locator("main .proposal-card")).to_have_count(1)
    follow(advisor, advisor.locator("main .proposal-card").get_by_role("link", name=title))
    expect(advisor.get_by_role("link", name="Open the discussion room")).to_have_count(0)
    follow(advisor, advisor.get_by_role("button", name="Move to discussion"))
    expect_flash(advisor, "The proposal moved to its next step.")
    expect_status(advisor, "In discussion")
    expect(advisor.get_by_role("button", name="Move to discussion")).to_have_count(0)
    room_link = advisor.get_by_role("link", name="Open the discussion room")
    expect(room_link).to_have_attribute("href", re.compile(r"^/rooms/\d+$"))
    follow(advisor, room_link)
    expect(advisor.get_by_role("heading", level=1)).to_have_text(title)

    # The co-sponsor comments; the author replies to that comment.
    cosponsor.goto(detail_url)
    expect_status(cosponsor, "In discussion")
    cosponsor.locator("#comments").get_by_label("Comment", exact=True).fill(comment)
    follow(cosponsor, cosponsor.get_by_role("button", name="Post comment"))
    expect_flash(cosponsor, "Your comment is posted.")
    posted = cosponsor.locator("#comments .comment").filter(has_text=comment)
    expect(posted).to_contain_text(COSPONSOR_NAME)
    expect(posted.get_by_role("link", name="Edit")).to_be_visible()

    author.goto(detail_url)
    top = author.locator("#comments .comment").filter(has_text=comment)
    expect(top).to_be_visible()
    expect(top.get_by_role("link", name=f"Report comment from {COSPONSOR_NAME}")).to_be_visible()
    box = author.locator("#comments details.reply-box").filter(
        has=author.locator(f"input[name=parent_id][value='{top.get_attribute('id').removeprefix('comment-')}']")
    )
    box.locator("summary").click()
    box.get_by_label("Your reply").fill(reply)
    follow(author, box.get_by_role("button", name="Post reply"))
    expect_flash(author, "Your comment is posted.")
    answer = author.locator("#comments .comment-replies .comment").filter(has_text=reply)
    expect(answer).to_have_count(1)
    expect(answer).to_contain_text(AUTHOR_NAME)
    # The reply sits under the comment it answers.
    expect(author.locator(f"#{top.get_attribute('id')} + li .comment-replies")).to_contain_text(reply)

    # The timeline tells the story: draft, submitted, in discussion, with who moved it.
    steps = author.locator(".timeline li")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text(f"Draft · {AUTHOR_NAME}")
    expect(steps.nth(1)).to_contain_text(f"Submitted · {AUTHOR_NAME}")
    expect(steps.nth(2)).to_contain_text("In discussion · Morgan Lee")
