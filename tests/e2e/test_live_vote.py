"""Voting and speaking on the live meeting screen at 390 px: the advisor opens a poll; a student votes and stays on
the live screen, sees the receipt in the panel, then the outcome with its counts when the poll closes (the poll page
follows by itself too); called from
the speakers queue, the student gets an unmissable "It's your turn to speak" (banner, assertive announcement,
vibration and beep) while the others only see the small "has the floor" line. axe runs with the receipt and with
the banner shown."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from . import data
from .helpers import ADVISOR_EMAIL, assert_no_axe_violations, sign_in

pytestmark = pytest.mark.e2e

STUDENT = "student8@example.org"
STUDENT_NAME = "Tanya Whitehorse"
RECEIPT = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$")
QUESTION = "Do we adopt the survey plan?"

# Stand-ins for the device's vibration and sound, recording what the page asks of them.
FAKE_DEVICE = """() => {
  window.__vibrations = [];
  navigator.vibrate = (ms) => { window.__vibrations.push(ms); return true; };
  window.__beeps = 0;
  window.AudioContext = class {
    constructor() { this.state = 'running'; this.currentTime = 0; this.destination = {}; }
    createOscillator() {
      window.__beeps += 1;
      return { frequency: { value: 0 }, connect: (node) => node, start() {}, stop() {} };
    }
    createGain() { return { gain: { value: 0 }, connect: (node) => node }; }
    resume() { return Promise.resolve(); }
  };
}"""


def _draft_poll(item_id: int, question: str) -> int:
    """An advisor's draft poll on the agenda item (opened on the live screen by the test)."""
    from stac_youth.extensions import db
    from stac_youth.meetings.models import AgendaItem
    from stac_youth.polls import lifecycle

    advisor = data._advisor()
    item = db.session.get(AgendaItem, item_id)
    poll = lifecycle.create_poll(advisor, None, question, "yes_no_abstain", agenda_item=item)
    return poll.id


def _eligible(poll_id: int) -> int:
    from stac_youth.extensions import db
    from stac_youth.polls.models import Poll

    return db.session.get(Poll, poll_id).eligible_count


def _panel(tab):
    return tab.locator("#live-poll [data-poll-panel]")


def _live(tab, path: str) -> None:
    tab.goto(path)
    expect(tab.locator("#live-meeting")).to_have_attribute("data-status", "live")
    expect(tab.locator("#live-connection")).to_have_text("Live: updates appear by themselves.")


def test_a_student_votes_and_speaks_on_the_live_screen(page, in_app):
    items = [("Survey plan", "vote"), ("Wrap-up", "discussion")]
    meeting_id, item_id = in_app(data.live_meeting, "Live vote journey", items)
    poll_id = in_app(_draft_poll, item_id, QUESTION)
    live_path = f"/meetings/{meeting_id}/live"

    advisor = page(1280)
    sign_in(advisor, ADVISOR_EMAIL, lang="en")
    _live(advisor, live_path)
    student = page(390)
    sign_in(student, STUDENT, lang="en")
    _live(student, live_path)
    expect(student.locator(".room-panel .presence-list li").filter(has_text=STUDENT_NAME)).to_have_count(1)
    student.evaluate("window.__sameDocument = true")

    # The advisor opens the poll; the student's vote form appears, the question shown once, as the panel's heading.
    with advisor.expect_navigation():
        _panel(advisor).get_by_role("button", name="Open the poll now").click()
    panel = _panel(student)
    expect(panel.locator("form.vote-form")).to_be_visible()
    expect(panel.get_by_role("heading", level=2)).to_have_text(QUESTION)
    expect(panel.get_by_text(QUESTION, exact=True)).to_have_count(1)
    expect(panel.locator("legend")).to_have_text("Your vote")

    # The student votes: the same screen, the receipt in the panel, focused; the choice is kept in "You voted".
    panel.get_by_label("Yes", exact=True).check()
    panel.get_by_role("button", name="Cast my vote").click()
    receipt = _panel(student).locator("[data-receipt-box]")
    expect(receipt).to_be_visible()
    expect(receipt).to_contain_text("Your vote is counted")
    expect(receipt).to_be_focused()
    code = receipt.locator(".receipt-code").inner_text().strip()
    assert RECEIPT.match(code), code
    expect(_panel(student)).to_contain_text("You voted: Yes. You can change your vote until the poll closes.")
    assert student.url.split("?")[0].endswith(live_path)
    assert student.evaluate("window.__sameDocument === true"), "the student left the live screen"
    assert_no_axe_violations(student, "live screen with the receipt (390 px)")

    # The poll page, open in another browser, follows the close by itself too.
    poll_page = page(1280)
    sign_in(poll_page, ADVISOR_EMAIL, lang="en")
    poll_page.goto(f"/polls/{poll_id}")
    expect(poll_page.locator("#live-connection")).to_have_text("Live: turnout updates by itself.")
    expect(poll_page.locator("#results")).to_contain_text("The results are hidden until the poll closes.")
    poll_page.evaluate("window.__sameDocument = true")

    # The advisor closes the poll: the student's panel shows the outcome with its counts; the receipt stays.
    eligible = in_app(_eligible, poll_id)
    assert in_app(data.close_poll, poll_id) == "passed"
    results = poll_page.locator("#results")
    expect(results.locator("p.lead [data-poll-counts]")).to_contain_text("1 yes, 0 no, 0 abstain")
    expect(results.locator("table.results-table tbody tr")).to_have_count(3)
    expect(poll_page.locator("[data-poll-panel] .poll-status")).to_have_text("Closed")
    assert poll_page.evaluate("window.__sameDocument === true"), "the poll page was reloaded"
    panel = _panel(student)
    expect(panel.locator(".poll-status")).to_have_text("Closed")
    expect(panel.locator("[data-poll-outcome] strong")).to_have_text("Passed")
    percent = int(100 * 1 / eligible + 0.5)
    expect(panel.locator("[data-poll-counts]")).to_have_text(
        f"1 yes, 0 no, 0 abstain · 1 of {eligible} voted ({percent}%)")
    expect(panel.locator("form.vote-form")).to_have_count(0)
    expect(panel.locator("[data-receipt-box] .receipt-code")).to_have_text(code)
    expect(student.locator("#poll-announcer")).to_have_text(re.compile(r"^Passed · 1 yes, 0 no, 0 abstain"))
    assert student.evaluate("window.__sameDocument === true"), "the live screen was reloaded"

    # The student raises a hand; the advisor calls the next speaker.
    student.evaluate(FAKE_DEVICE)
    student.locator(".room-panel .hand-button").click()
    expect(advisor.locator(".room-panel .queue-list li").filter(has_text=STUDENT_NAME)).to_have_count(1)
    expect(advisor.locator(".room-panel .room-announcer")).to_have_text("One person in the speakers queue.")
    expect(student.locator("#your-turn")).to_be_hidden()
    advisor.locator(".room-panel .call-next-form button").click()

    banner = student.locator("#your-turn")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("It's your turn to speak")
    expect(student.locator("#your-turn-announcer")).to_have_attribute("aria-live", "assertive")
    expect(student.locator("#your-turn-announcer")).to_have_text("It's your turn to speak")
    assert student.evaluate("window.__vibrations") == [200]
    assert student.evaluate("window.__beeps") == 1
    box = banner.bounding_box()
    assert box is not None and box["y"] < 200 and box["width"] > 300  # on top, across the 390 px screen
    # the others see the small line only
    expect(advisor.locator(".room-panel .called-speaker")).to_have_text(f"{STUDENT_NAME} has the floor.")
    expect(advisor.locator("#your-turn")).to_be_hidden()
    expect(advisor.locator(".room-panel .room-announcer")).to_have_text("No hands raised.")
    assert_no_axe_violations(student, "live screen with the banner (390 px)")

    # The banner can be dismissed from the keyboard.
    dismiss = banner.get_by_role("button", name="Dismiss")
    dismiss.focus()
    student.keyboard.press("Enter")
    expect(banner).to_be_hidden()
