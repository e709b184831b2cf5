"""Rooms through the UI: a student and an advisor chat live in the seeded "Statewide lounge".

Two browser contexts (two people) talk through Socket.IO (namespace /rooms) on the e2e live server. Every message
must show once: live pushes, join catch-up after a reconnect and the localStorage outbox all meet in one log.
The server is shared by the whole session, so every text made here carries the viewport width.
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
    chat_messages,
    composer,
    open_meeting,
    open_room,
    say,
    sign_in,
    tab_to,
)

pytestmark = pytest.mark.e2e

WIDTHS = [390, 1280]
UPCOMING_MEETING = "Proposal workshop: from idea to proposal"
OFFLINE_TEXT = "You are offline. Your message will be sent when the connection is back."
# After going back online, socket.io retries on its own back-off (0.5 s doubling up to 5 s, ±50 %).
RECONNECT_MS = 15_000


def expect_once(page, text: str, timeout: float | None = None) -> None:
    expect(chat_messages(page, text)).to_have_count(1, timeout=timeout)


@pytest.mark.parametrize("width", WIDTHS)
def test_student_and_advisor_chat_live(page, width):
    student, advisor = page(width), page(width)
    sign_in(student, STUDENT_EMAIL, lang="en")
    sign_in(advisor, ADVISOR_EMAIL, lang="en")
    open_room(student, STUDENT_NAME)
    open_room(advisor, ADVISOR_NAME)
    for tab in (student, advisor):
        tab.evaluate("window.__sameDocument = true")  # everything below happens without a page load

    # a) The student types and presses Enter; the focus stays in the emptied composer. Each sees it once.
    hello = f"Hello from the student at {width} px"
    say(student, hello)
    expect(composer(student)).to_be_focused()
    expect(composer(student)).to_have_value("")
    expect_once(advisor, hello)
    expect_once(student, hello)
    expect(student.locator(".chat-pending")).to_have_count(0)

    # Shift+Enter adds a line inside the same message.
    box = composer(student)
    box.press_sequentially(f"First line {width}")
    box.press("Shift+Enter")
    expect(box).to_have_value(f"First line {width}\n")
    box.press_sequentially(f"second line {width}")
    box.press("Enter")
    expect(box).to_be_focused()
    for tab in (student, advisor):
        two_lines = chat_messages(tab, f"First line {width}")
        expect(two_lines).to_have_count(1)
        expect(two_lines.locator(".chat-body br")).to_have_count(1)
        expect(two_lines.locator(".chat-body")).to_have_text(re.compile(rf"First line {width}\s+second line {width}"))
        expect(chat_messages(tab, f"second line {width}")).to_have_count(1)

    # The advisor answers; the student sees it live (this also proves the student's client has joined).
    reply = f"Welcome, Maya ({width} px)"
    say(advisor, reply)
    expect(composer(advisor)).to_be_focused()
    expect_once(student, reply)
    expect_once(advisor, reply)
    report_name = re.compile(rf"^Report\W+message from {ADVISOR_NAME}$")
    report = chat_messages(student, reply).get_by_role("link", name=report_name)
    expect(report).to_have_attribute("href", re.compile(r"/rooms/\d+/messages/\d+/report$"))

    # Presence shows both names on both screens.
    for tab in (student, advisor):
        people = tab.locator(".room-panel .presence-list li")
        expect(people.filter(has_text=STUDENT_NAME)).to_have_count(1)
        expect(people.filter(has_text=ADVISOR_NAME)).to_have_count(1)

    # b) The advisor deletes the student's first message: it disappears for the student without a reload.
    # (The live client names its controls as the server does: "Delete message from Maya Chen", not just "Delete".)
    delete_name = re.compile(rf"^Delete\W+message from {STUDENT_NAME}$")
    chat_messages(advisor, hello).get_by_role("button", name=delete_name).click()
    expect(chat_messages(advisor, hello)).to_have_count(0)
    expect(chat_messages(student, hello)).to_have_count(0)
    assert student.evaluate("window.__sameDocument === true"), "the student's room page was reloaded"

    # c) The student goes offline. A message sent now waits in the outbox; the advisor posts three meanwhile.
    student.context.set_offline(True)
    assert student.evaluate("navigator.onLine") is False
    offline_note = f"Sent while offline at {width} px"
    say(student, offline_note)
    expect(student.locator(".room-panel .composer-status")).to_have_text(OFFLINE_TEXT)
    expect(student.locator(".chat-pending").filter(has_text=offline_note)).to_have_count(1)
    missed = [f"Missed message {number} at {width} px" for number in (1, 2, 3)]
    for text in missed:
        say(advisor, text)
        expect_once(advisor, text)
    for text in missed:
        expect(chat_messages(student, text)).to_have_count(0)

    # d) Back online: the student catches up on the three, once each and in order; the outbox goes out once.
    student.context.set_offline(False)
    for text in missed:
        expect_once(student, text, timeout=RECONNECT_MS)
    expect_once(student, offline_note)
    expect(student.locator(".chat-pending")).to_have_count(0)
    expect_once(advisor, offline_note)
    bodies = student.locator(".room-panel .chat-log .chat-message[data-message-id] .chat-body").all_inner_texts()
    assert [body for body in bodies if body in missed] == missed
    assert bodies.index(missed[-1]) < bodies.index(offline_note)
    outbox = student.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('stac-outbox-')).map(k => localStorage.getItem(k))"
    )
    assert not any(offline_note in box for box in outbox), f"the delivered message is still in the outbox: {outbox}"
    assert student.evaluate("window.__sameDocument === true"), "the student's room page was reloaded"

    # e) The student raises a hand: it shows in the advisor's queue live. Calling the next speaker empties both.
    hand = student.locator(".room-panel .hand-button")
    expect(hand).to_have_text("Raise hand")
    hand.click()
    expect(hand).to_have_attribute("aria-pressed", "true")
    expect(hand).to_have_text("Lower hand")
    expect(advisor.locator(".room-panel .queue-list li .person-name")).to_have_text([STUDENT_NAME])
    expect(student.locator(".room-panel .queue-list li .person-name")).to_have_text([STUDENT_NAME])
    expect(student.locator(".room-panel .queue-list li .avatar")).to_have_count(1)  # a face (or initials) by the name
    advisor.get_by_role("button", name="Call next speaker").click()
    for tab in (student, advisor):
        expect(tab.locator(".room-panel .queue-list li")).to_have_count(0)
        expect(tab.locator(".room-panel .queue-empty")).to_be_visible()
        expect(tab.locator(".room-panel .called-speaker")).to_have_text(f"{STUDENT_NAME} has the floor.")
    expect(hand).to_have_text("Raise hand")
    expect(hand).to_have_attribute("aria-pressed", "false")

    # Once everything has settled: still each message once on both screens, and no page was loaded again.
    for tab in (student, advisor):
        for text in [f"First line {width}", reply, *missed, offline_note]:
            assert chat_messages(tab, text).count() == 1, (text, tab is student)
        assert chat_messages(tab, hello).count() == 0
        assert tab.evaluate("window.__sameDocument === true"), "a room page was loaded again"

    # f) The meeting live screen shows the meeting's room panel beside the agenda (below it on a phone).
    open_meeting(advisor, UPCOMING_MEETING)
    with advisor.expect_navigation():
        advisor.locator("main a[href$='/live']").first.click()
    agenda = advisor.locator(".live-agenda-column")
    panel = advisor.locator(".live-room-column .room-panel")
    expect(agenda).to_be_visible()
    expect(panel).to_be_visible()
    expect(panel.locator(".composer-body")).to_be_visible()
    expect(panel.locator(".presence-list li").filter(has_text=ADVISOR_NAME)).to_have_count(1)
    agenda_box, panel_box = agenda.bounding_box(), advisor.locator(".live-room-column").bounding_box()
    if width >= 1200:
        assert panel_box["x"] >= agenda_box["x"] + agenda_box["width"], (agenda_box, panel_box)
        assert abs(panel_box["y"] - agenda_box["y"]) < 5, (agenda_box, panel_box)
    else:
        assert panel_box["y"] >= agenda_box["y"] + agenda_box["height"], (agenda_box, panel_box)


@pytest.mark.parametrize("width", WIDTHS)
def test_room_controls_are_reached_with_tab(page, width):
    student = page(width)
    sign_in(student, STUDENT_EMAIL, lang="en")
    open_room(student, STUDENT_NAME)
    panel = student.locator(".room-panel")
    # Document order: the messages (each with its Report link), the composer and Send, then the side panel.
    report = panel.locator(".chat-log a.chat-action").filter(has_text="Report").first
    student.locator("h1").click()
    tab_to(student, report, limit=200)
    tab_to(student, panel.locator(".composer-body"), limit=200)
    tab_to(student, panel.get_by_role("button", name="Send"), limit=5)
    tab_to(student, panel.get_by_role("button", name="Raise hand"), limit=10)
