"""The Summit journey through the UI: a planner adopts a passed proposal into a Summit session with a written
response; the student who wrote it, reading in Spanish, sees the bell count go up, the notification on the
notifications page, and the decision on the proposal page with a link to the session.

The proposal, its vote and its count are set up through the services (the polls journey tests those screens).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from . import data
from .helpers import ADVISOR_EMAIL, DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.e2e

PLANNER_EMAIL = "planner@example.org"
AUTHOR_EMAIL = "summit.author@example.org"  # a student of its own, so no other journey's account changes
TITLE = "Bike racks at every community school"
SESSION = "Getting to school and back: transit for students"
RESPONSE = "Adopted. The transit session takes up **bike racks** with the students who wrote it."


def passed_proposal() -> tuple[int, int]:
    """A Spanish-reading student's proposal passed by a vote; returns its id and the seeded transit session's."""
    from sqlalchemy import select

    from stac_youth.extensions import db
    from stac_youth.members.accounts import find_user_by_email
    from stac_youth.members.bootstrap import create_account
    from stac_youth.polls import ballots, lifecycle
    from stac_youth.proposals import services as proposal_services
    from stac_youth.proposals.models import Proposal
    from stac_youth.summit.models import SummitSession

    if find_user_by_email(AUTHOR_EMAIL) is None:
        create_account(AUTHOR_EMAIL, "Lucía Ramírez", DEMO_PASSWORD, "member", preferred_language="es")
    proposal_id = data.submitted_proposal(AUTHOR_EMAIL, TITLE)
    advisor = find_user_by_email(ADVISOR_EMAIL)
    proposal = db.session.get(Proposal, proposal_id)
    proposal_services.advance_proposal(advisor, proposal)
    poll = lifecycle.create_poll(advisor, proposal, f"Adopt “{TITLE}”?", "yes_no_abstain")
    lifecycle.open_poll(advisor, poll)
    ballots.cast_ballot(find_user_by_email(AUTHOR_EMAIL), poll, "yes")
    lifecycle.close_poll(advisor, poll)
    assert proposal.status == "passed"
    session_id = db.session.scalar(select(SummitSession.id).where(SummitSession.title == SESSION))
    return proposal_id, session_id


def test_a_planner_adopts_a_proposal_and_its_author_reads_it_in_spanish(page, in_app):
    proposal_id, session_id = in_app(passed_proposal)

    # The author, in Spanish, starts with no unread notification (the poll's own notices are marked read).
    author = page(390)
    sign_in(author, AUTHOR_EMAIL, lang="es")
    author.goto("/notifications")
    read_all = author.locator("main form[action$='/notifications/read-all'] button")
    if read_all.count():
        with author.expect_navigation():
            read_all.click()
    bell_count = author.locator("#notification-bell .notification-count")
    expect(bell_count).to_be_hidden()

    # The planner finds the proposal among those waiting for a decision and adopts it into the transit session.
    planner = page(1280)
    sign_in(planner, PLANNER_EMAIL, lang="en")
    planner.goto("/summit/plan?decision=none")
    row = planner.locator("main tbody tr").filter(has_text=TITLE)
    expect(row).to_contain_text("100.0% support")
    with planner.expect_navigation():
        row.locator(f"a[href='/summit/proposals/{proposal_id}/decide']").click()
    expect(planner.get_by_role("heading", level=1)).to_have_text("Decide on a proposal")
    planner.locator("#kind").select_option("adopted")
    # Without a response nothing is saved.
    with planner.expect_navigation():
        planner.locator("main form button[type=submit]").click()
    expect(planner.locator("#response.is-invalid")).to_be_visible()
    planner.locator(f"input[name=session_ids][value='{session_id}']").check()
    planner.locator("#response").fill(RESPONSE)
    with planner.expect_navigation():
        planner.locator("main form button[type=submit]").click()
    assert planner.url.endswith(f"/proposals/{proposal_id}")
    expect(planner.locator(".alert-success")).to_be_visible()
    expect(planner.locator("#summit")).to_contain_text("Adopted")
    planner.goto(f"/summit/sessions/{session_id}")
    expect(planner.locator("main")).to_contain_text(TITLE)

    # The author: the bell counts one (live, or on the next page), the notifications page says what happened.
    author.goto("/")
    expect(bell_count).to_have_text("1")
    expect(author.locator("#notification-bell")).to_have_attribute("aria-label", "Notificaciones: 1 sin leer")
    with author.expect_navigation():
        author.locator("#notification-bell").click()
    item = author.locator("main .notification-item.is-unread").filter(has_text=TITLE)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("decidió sobre tu propuesta")
    expect(item).to_contain_text("Adoptada")
    with author.expect_navigation():
        item.locator("button").click()
    assert author.url.endswith(f"/proposals/{proposal_id}")
    summit = author.locator("#summit")
    expect(summit.get_by_role("heading", level=2)).to_have_text("Qué hizo la Cumbre")
    expect(summit).to_contain_text("Adoptada")
    expect(summit.locator("strong").filter(has_text="bike racks")).to_have_count(1)
    expect(summit.locator(f"a[href='/summit/sessions/{session_id}']")).to_have_text(SESSION)
    expect(author.locator(".timeline .timeline-note")).to_contain_text("The transit session takes up")
    expect(bell_count).to_be_hidden()  # opening it marked it read
