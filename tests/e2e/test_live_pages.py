"""Live means more than a badge number: with the author's proposal page open, a planner records the Summit decision;
without a reload the author's page shows the new status, the decision and its timeline entry, says "This page was
updated" to screen readers, and a toast gives the notification's sentence with a link. The toast is reached and
dismissed with the keyboard, does not cover the menu button at 390 px, and the page stays axe-clean with it shown.
In English and in Spanish. A member's open meeting page follows the meeting going live the same way.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from . import data
from .helpers import ADVISOR_EMAIL, DEMO_PASSWORD, assert_no_axe_violations, sign_in, tab_to

pytestmark = pytest.mark.e2e

PLANNER_EMAIL = "planner@example.org"
SESSION = "Getting to school and back: transit for students"
RESPONSE = "Adopted. The transit session takes up the late buses with the students who wrote it."
WORDS = {
    "en": {"status": "Adopted", "updated": "This page was updated: Adopted", "close": "Dismiss this notification",
           "sentence": "The Summit planners decided on your proposal"},
    "es": {"status": "Adoptada", "updated": "Esta página se actualizó: Adoptada", "close": "Cerrar esta notificación",
           "sentence": "decidió sobre tu propuesta"},
}


def passed_proposal(author_email: str, lang: str, title: str) -> tuple[int, int]:
    """A student's proposal passed by a vote, its notices read; returns its id and the seeded transit session's."""
    from sqlalchemy import select, update

    from stac_youth.extensions import db
    from stac_youth.members.accounts import find_user_by_email
    from stac_youth.members.bootstrap import create_account
    from stac_youth.notifications.models import Notification
    from stac_youth.polls import ballots, lifecycle
    from stac_youth.proposals import services as proposal_services
    from stac_youth.proposals.models import Proposal
    from stac_youth.summit.models import SummitSession

    if find_user_by_email(author_email) is None:
        create_account(author_email, f"Live Author {lang}", DEMO_PASSWORD, "member", preferred_language=lang)
    author = find_user_by_email(author_email)
    proposal_id = data.submitted_proposal(author_email, title)
    advisor = find_user_by_email(ADVISOR_EMAIL)
    proposal = db.session.get(Proposal, proposal_id)
    proposal_services.advance_proposal(advisor, proposal)
    poll = lifecycle.create_poll(advisor, proposal, f"Adopt “{title}”?", "yes_no_abstain")
    lifecycle.open_poll(advisor, poll)
    ballots.cast_ballot(author, poll, "yes")
    lifecycle.close_poll(advisor, poll)
    assert proposal.status == "passed"
    db.session.execute(update(Notification).where(Notification.user_id == author.id, Notification.read_at.is_(None))
                       .values(read_at=db.func.now()))
    db.session.commit()
    return proposal_id, db.session.scalar(select(SummitSession.id).where(SummitSession.title == SESSION))


def following(email: str, channel_kind: str, object_id: int) -> bool:
    """Whether a socket of the user has joined the live page channel of the object (the page's follow answered)."""
    from sqlalchemy import select

    from stac_youth.common.channels import SocketChannel
    from stac_youth.extensions import db
    from stac_youth.members.accounts import find_user_by_email

    user = find_user_by_email(email)
    return db.session.scalar(select(SocketChannel.sid).where(
        SocketChannel.user_id == user.id, SocketChannel.kind == channel_kind,
        SocketChannel.object_id == object_id).limit(1)) is not None


def wait_following(in_app, email: str, channel_kind: str, object_id: int) -> None:
    deadline = time.monotonic() + 10
    while not in_app(following, email, channel_kind, object_id):
        assert time.monotonic() < deadline, f"{email} never followed {channel_kind}:{object_id}"
        time.sleep(0.1)


def mark_page(page) -> None:
    """Mark the loaded document: the mark survives live updates and disappears with any reload."""
    page.evaluate("document.documentElement.dataset.loadedOnce = 'yes'")


def boxes_overlap(first: dict, second: dict) -> bool:
    return not (first["x"] + first["width"] <= second["x"] or second["x"] + second["width"] <= first["x"]
                or first["y"] + first["height"] <= second["y"] or second["y"] + second["height"] <= first["y"])


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_decision_shows_on_the_open_proposal_page_with_a_toast(page, in_app, lang):
    words = WORDS[lang]
    author_email = f"live.author.{lang}@example.org"
    title = f"Late buses after clubs ({lang})"
    proposal_id, session_id = in_app(passed_proposal, author_email, lang, title)

    author = page(390)
    sign_in(author, author_email, lang=lang)
    author.goto(f"/proposals/{proposal_id}")
    status = author.locator("main [data-live-region=status] .proposal-status")
    expect(status).not_to_have_text(words["status"])
    expect(author.locator("main #summit")).to_have_count(0)
    mark_page(author)
    wait_following(in_app, author_email, "page-proposal", proposal_id)

    planner = page(1280)
    sign_in(planner, PLANNER_EMAIL, lang="en")
    planner.goto(f"/summit/proposals/{proposal_id}/decide")
    planner.locator("#kind").select_option("adopted")
    planner.locator(f"input[name=session_ids][value='{session_id}']").check()
    planner.locator("#response").fill(RESPONSE)
    with planner.expect_navigation():
        planner.locator("main form button[type=submit]").click()
    assert planner.url.endswith(f"/proposals/{proposal_id}")

    # The author's page, never reloaded, shows the decision.
    expect(status).to_have_text(words["status"])
    expect(author.locator("main #summit")).to_contain_text(words["status"])
    expect(author.locator("main .timeline .timeline-note")).to_contain_text("late buses")
    expect(author.locator("#live-page-announcer")).to_have_text(words["updated"])
    assert author.evaluate("document.documentElement.dataset.loadedOnce") == "yes"

    # The toast: the notification's sentence, a link to it, a labelled close button; the bell counts it.
    toast = author.locator("#notification-toasts .toast")
    expect(toast).to_have_count(1)
    expect(toast).to_be_visible()
    link = toast.locator(f"a[href='/proposals/{proposal_id}']")
    expect(link).to_contain_text(words["sentence"])
    expect(link).to_contain_text(title)
    close = toast.get_by_role("button", name=words["close"])
    expect(close).to_be_visible()
    expect(author.locator("#notification-bell .notification-count")).to_have_text("1")
    expect(author.locator("#notification-announcer")).to_contain_text(title)

    # Keyboard: from the bell, Tab reaches the toast's link (holding it open) and then its close button.
    author.locator("#notification-bell").focus()
    tab_to(author, link, limit=3)
    assert not boxes_overlap(toast.bounding_box(), author.locator("#menu-button").bounding_box())
    assert_no_axe_violations(author, f"proposal page with a toast at 390 px ({lang})")
    tab_to(author, close, limit=2)
    author.keyboard.press("Enter")
    expect(toast).to_have_count(0)
    assert author.evaluate("document.activeElement.id") == "notification-bell"


def test_a_toast_goes_by_itself_and_at_most_three_stack(page, in_app):
    """Unless focused or hovered, a toast leaves after about 8 seconds; a fourth one pushes the oldest out."""
    from stac_youth.notifications import kinds
    from stac_youth.notifications.services import notify

    def notify_student(title: str) -> None:
        from stac_youth.members.accounts import find_user_by_email

        notify([find_user_by_email("student2@example.org")], kinds.DECISION, "/summit", once_unread=False,
               title=title, decision_label="Adopted")

    student = page(1280)
    sign_in(student, "student2@example.org", lang="en")
    student.goto("/")
    student.mouse.move(0, 0)
    deadline = time.monotonic() + 10
    while not in_app(_has_socket, "student2@example.org"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    for number in range(1, 5):
        in_app(notify_student, f"Toast {number}")
    toasts = student.locator("#notification-toasts .toast")
    expect(toasts).to_have_count(3)
    expect(toasts.first).to_contain_text("Toast 2")
    expect(toasts.last).to_contain_text("Toast 4")
    expect(toasts).to_have_count(0, timeout=12_000)


def _has_socket(email: str) -> bool:
    from sqlalchemy import select

    from stac_youth.common.sockets import SocketConnection
    from stac_youth.extensions import db
    from stac_youth.members.accounts import find_user_by_email

    user = find_user_by_email(email)
    return db.session.scalar(select(SocketConnection.sid).where(
        SocketConnection.user_id == user.id, SocketConnection.namespace == "/notifications").limit(1)) is not None


def test_an_open_meeting_page_follows_the_meeting_going_live(page, in_app):
    meeting_id = in_app(data.published_meeting, "Live page check-in", [("Welcome", "presentation")])

    member = page(390)
    sign_in(member, "student3@example.org", lang="en")
    member.goto(f"/meetings/{meeting_id}")
    badge = member.locator("main [data-live-region=status] .badge")
    expect(badge).to_have_text("Published")
    mark_page(member)
    wait_following(in_app, "student3@example.org", "page-meeting", meeting_id)

    def start(meeting_id: int) -> None:
        from stac_youth.extensions import db
        from stac_youth.meetings import services
        from stac_youth.meetings.models import Meeting
        from stac_youth.members.accounts import find_user_by_email

        services.start_meeting(find_user_by_email(ADVISOR_EMAIL), db.session.get(Meeting, meeting_id))

    in_app(start, meeting_id)
    expect(badge).to_have_text("Live now")
    expect(member.locator("main [data-live-region=actions] a[href$='/live']")).to_have_text("Join the live meeting")
    expect(member.locator("#live-page-announcer")).to_have_text("This page was updated: Live now")
    assert member.evaluate("document.documentElement.dataset.loadedOnce") == "yes"
