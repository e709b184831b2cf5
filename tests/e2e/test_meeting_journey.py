"""The meetings journey through the UI: an advisor plans and runs a meeting, a student follows it live.

The live screens talk Socket.IO through the e2e live server (werkzeug's make_server with Flask-SocketIO's
middleware): long-polling first, then the upgrade to a WebSocket (simple-websocket). The student's screen must
follow the advisor's "Next item" without a page load; how fast is the live benchmark's goal.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from .helpers import ADVISOR_EMAIL, STUDENT_EMAIL, click_menu_item, open_meeting, sign_in, tab_to

pytestmark = pytest.mark.e2e

WIDTHS = [390, 1280]
#: how long a follower may take here: the live benchmark holds the speed goal (agenda change p99 < 100 ms to 300
#: clients); this journey checks that screens follow without a reload, on runners however busy
FOLLOW_WITHIN_MS = 5_000
POLLING_STUDENT_EMAIL = "student2@example.org"
AGENDA = [
    ("Welcome and check-in", "Discussion", "10"),
    ("Vote on the survey", "Vote", "20"),
    ("Next steps", "Presentation", "15"),
]
CONNECTED = "Live: updates appear by themselves."
# The seeded draft meeting (stac_youth/seed.py); its two items are moved and moved back.
DRAFT_MEETING = "Summit planning listening session"


def local_input(moment: datetime) -> str:
    """The value a datetime-local input takes."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def add_agenda_item(page, title: str, kind: str, minutes: str) -> None:
    form = page.locator("#agenda details")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    expect(form.locator("#new-title")).to_be_visible()
    form.get_by_label("Title", exact=True).fill(title)
    form.get_by_label("Kind", exact=True).select_option(label=kind)
    form.get_by_label("Length in minutes", exact=True).fill(minutes)
    with page.expect_navigation():
        form.get_by_role("button", name="Add item").click()
    expect(page.locator(".alert-success")).to_contain_text("The agenda item is added.")


def expect_current(page, index: int, timeout: float | None = None) -> None:
    """The live agenda shows item `index` (0-based) as the current step, and only that one."""
    items = page.locator(".live-agenda .agenda-item")
    expect(items.nth(index)).to_have_attribute("aria-current", "step", timeout=timeout)
    expect(items.nth(index)).to_have_class(re.compile(r"(^|\s)is-current(\s|$)"), timeout=timeout)
    expect(page.locator(".live-agenda [aria-current]")).to_have_count(1)


def move_and_time(advisor, followers: list, button: str, index: int) -> list[float]:
    """Click the advisor's button; return the seconds until each follower's screen shows item `index` current.

    Every follower has FOLLOW_WITHIN_MS from the click, measured here, not per expect.
    """
    started = time.perf_counter()
    advisor.get_by_role("button", name=button, exact=True).click()
    elapsed = []
    for follower in followers:
        left_ms = FOLLOW_WITHIN_MS - (time.perf_counter() - started) * 1000
        expect_current(follower, index, timeout=max(left_ms, 1))
        elapsed.append(time.perf_counter() - started)
    expect_current(advisor, index)
    for follower in followers:
        expect(follower.locator("#live-announcer")).to_have_text(f"Now: {AGENDA[index][0]}")
    return elapsed


@pytest.mark.parametrize("width", WIDTHS)
def test_advisor_runs_a_meeting_and_a_student_follows_live(page, width):
    """Slow by design (tens of seconds): three browsers through a whole meeting, every step pushed live."""
    title = f"Regional check-in {width}"

    # a) The advisor creates a meeting that starts in a few minutes, so that check-in is open.
    advisor = page(width)
    sign_in(advisor, ADVISOR_EMAIL, lang="en")
    click_menu_item(advisor, "a[href='/meetings']")
    with advisor.expect_navigation():
        advisor.get_by_role("link", name="New meeting").click()
    expect(advisor.get_by_role("heading", level=1)).to_have_text("New meeting")
    zone = re.search(r"time zone: ([\w/+-]+)", advisor.locator("main").inner_text()).group(1)
    starts = datetime.now(ZoneInfo(zone)).replace(second=0, microsecond=0) + timedelta(minutes=5)
    ends = starts + timedelta(hours=1)
    advisor.get_by_label("Title", exact=True).fill(title)
    advisor.get_by_label("Description", exact=True).fill("Plan the **regional survey** together.")
    advisor.fill("#starts_at", local_input(starts))
    advisor.fill("#ends_at", local_input(ends))
    advisor.get_by_label("Location", exact=True).fill("Oakland Youth Center, Room 2")
    with advisor.expect_navigation():
        advisor.get_by_role("button", name="Save meeting").click()
    expect(advisor.get_by_role("heading", level=1)).to_have_text(title)
    expect(advisor.locator(".alert-success")).to_contain_text("saved as a draft")
    expect(advisor.locator(".badge.status-draft")).to_have_text("Draft")

    # b) Three agenda items through the "Add an agenda item" form, then publish.
    for item in AGENDA:
        add_agenda_item(advisor, *item)
    expect(advisor.locator("#agenda .agenda-item h3")).to_have_text([item[0] for item in AGENDA])
    with advisor.expect_navigation():
        advisor.get_by_role("button", name="Publish", exact=True).click()
    expect(advisor.locator(".badge.status-published")).to_have_text("Published")

    # c) A student finds it, answers yes, downloads the .ics, checks in and opens the live screen.
    student = page(width)
    websockets: list[str] = []  # recorded for the report only: polling alone must deliver too
    student.on("websocket", lambda socket: websockets.append(socket.url))
    sign_in(student, STUDENT_EMAIL, lang="en")
    open_meeting(student, title)
    student.get_by_label("Yes", exact=True).check()
    with student.expect_navigation():
        student.get_by_role("button", name="Save my answer").click()
    expect(student.locator(".alert-success")).to_contain_text("Your answer is saved.")
    expect(student.get_by_label("Yes", exact=True)).to_be_checked()

    with student.expect_download() as download_info:
        student.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = Calendar.from_ical(download.path().read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == title
    assert events[0].decoded("DTSTART") == starts
    assert events[0].decoded("DTEND") == ends

    with student.expect_navigation():
        student.get_by_role("button", name="Check in").click()
    expect(student.locator(".alert-success").first).to_contain_text("You are checked in.")
    expect(student.get_by_role("button", name="Check in")).to_have_count(0)

    with student.expect_navigation():
        student.get_by_role("link", name="Open the live screen").click()
    expect(student.locator("#live-meeting")).to_have_attribute("data-status", "published")
    expect(student.locator("#live-connection")).to_have_text(CONNECTED)

    # A second student watches with WebSockets refused: long-polling alone must deliver as well.
    polling = page(width)
    polling.route_web_socket(re.compile(r"/socket\.io/"), lambda socket: socket.close())
    sign_in(polling, POLLING_STUDENT_EMAIL, lang="en")
    polling.goto(student.url)
    expect(polling.locator("#live-connection")).to_have_text(CONNECTED)

    # d) The advisor starts the meeting; the student's screen goes live by itself (it reloads on a status change).
    with advisor.expect_navigation():
        advisor.get_by_role("button", name="Start the meeting").click()
    assert advisor.url.split("?")[0].endswith("/live")
    expect_current(advisor, 0)
    expect(advisor.locator("#live-connection")).to_have_text(CONNECTED)
    expect(student.locator("#live-meeting")).to_have_attribute("data-status", "live")
    expect(student.locator("#live-connection")).to_have_text(CONNECTED)
    expect_current(student, 0)
    expect(polling.locator("#live-meeting")).to_have_attribute("data-status", "live")
    expect(polling.locator("#live-connection")).to_have_text(CONNECTED)
    expect_current(polling, 0)
    expect(student.get_by_role("button", name="Next item")).to_have_count(0)
    expect(student.get_by_role("button", name="Previous item")).to_have_count(0)

    # e) "Next item" and "Previous item": the students follow on the same page (no load).
    for tab in (advisor, student, polling):
        tab.evaluate("window.__sameDocument = true")
    forward = move_and_time(advisor, [student, polling], "Next item", 1)
    back = move_and_time(advisor, [student, polling], "Previous item", 0)
    assert student.evaluate("window.__sameDocument === true"), "the student's live page was reloaded"
    assert polling.evaluate("window.__sameDocument === true"), "the polling student's live page was reloaded"
    assert advisor.evaluate("window.__sameDocument === true"), "the advisor's buttons posted the form"
    print(
        f"{width} px: seconds until the student's / the polling student's screen followed: "
        f"Next item {forward[0]:.3f} / {forward[1]:.3f}, Previous item {back[0]:.3f} / {back[1]:.3f}; "
        f"the student upgraded to a WebSocket: {'yes' if websockets else 'no (long-polling)'}"
    )
    assert max(forward + back) < FOLLOW_WITHIN_MS / 1000, (forward, back)


@pytest.mark.parametrize("width", WIDTHS)
def test_agenda_moves_with_the_keyboard(page, width):
    advisor = page(width)
    sign_in(advisor, ADVISOR_EMAIL, lang="en")
    open_meeting(advisor, DRAFT_MEETING)
    titles = advisor.locator("#agenda .agenda-item h3")
    first, second = titles.all_inner_texts()

    # Tab reaches "Move down" of the first item; Enter moves it.
    # The name is "Move down: <title>" (Chromium puts a space before the visually hidden ": <title>").
    move_down = advisor.get_by_role("button", name=re.compile(rf"^Move down\W+{re.escape(first)}$"))
    tab_to(advisor, move_down)
    with advisor.expect_navigation():
        advisor.keyboard.press("Enter")
    expect(titles).to_have_text([second, first])

    # And back: Tab reaches "Move up" of the moved item.
    move_up = advisor.get_by_role("button", name=re.compile(rf"^Move up\W+{re.escape(first)}$"))
    tab_to(advisor, move_up)
    with advisor.expect_navigation():
        advisor.keyboard.press("Enter")
    expect(titles).to_have_text([first, second])
