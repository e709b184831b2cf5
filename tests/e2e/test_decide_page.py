"""The planner's decide page on a phone (390 px), in English and Spanish: the proposal is on the page, sessions are
checkboxes in a fieldset whose legend says several may be chosen, long session names wrap in full, the keyboard
reaches and ticks them, and axe finds no WCAG 2.2 A/AA violation (with and without errors).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import PageChecks, follow, sign_in, tab_to

pytestmark = pytest.mark.e2e

PLANNER_EMAIL = "planner@example.org"
PROPOSAL = "Free transit passes for students"
LONG_EDITION = "Youth Summit 2099"
LONG_SESSION = ("Getting to school and back safely: transit passes, bike racks, walking groups and late buses "
                "for every student who stays for clubs")
DESCRIPTION = ("Bus fare is **too much** for many families.\n\n- passes for school, work and clubs\n"
               "- rail included, across https://example.org/a-very-long-address-that-must-wrap-on-a-phone-screen")
LEGEND = {"en": "(you can choose several)", "es": "(puedes elegir varias)"}
ERROR = {"en": "Choose the Summit session or sessions that carry the proposal.",
         "es": "Elige la sesión o las sesiones de la Cumbre que llevan la propuesta."}


def a_long_session() -> dict[str, int]:
    """A far-off edition with one long-named session (made once), and the seeded adopted proposal's id."""
    from datetime import date, datetime

    from sqlalchemy import select

    from stac_youth.extensions import db
    from stac_youth.members.accounts import find_user_by_email
    from stac_youth.proposals.models import Proposal
    from stac_youth.summit import services
    from stac_youth.summit.models import SummitSession

    session_id = db.session.scalar(select(SummitSession.id).where(SummitSession.title == LONG_SESSION))
    if session_id is None:
        planner = find_user_by_email(PLANNER_EMAIL)
        edition = services.create_edition(planner, services.EditionData(
            year=2099, title=LONG_EDITION, starts_on=date(2099, 4, 16), ends_on=date(2099, 4, 17), place="Fresno"))
        session_id = services.add_session(planner, edition, services.SessionData(
            title=LONG_SESSION, track="Access", starts_at=datetime(2099, 4, 16, 17), ends_at=datetime(2099, 4, 16, 18),
            room="Hall B", description="")).id
    proposal = db.session.scalar(select(Proposal).where(Proposal.title == PROPOSAL))
    if not proposal.description:  # the seed writes none: a description in Markdown, as students write them
        proposal.description = DESCRIPTION
        db.session.commit()
    return {"session": session_id, "proposal": proposal.id}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_decide_page_on_a_phone(page, in_app, lang):
    ids = in_app(a_long_session)
    planner = page(390)
    checks = PageChecks(planner, lang)
    sign_in(planner, PLANNER_EMAIL, lang=lang)
    planner.goto(f"/summit/proposals/{ids['proposal']}/decide")

    # The proposal itself: title, summary, the rendered description and the students' vote.
    card = planner.locator("main .decide-proposal")
    expect(card.get_by_role("heading", level=2)).to_have_text(PROPOSAL)
    expect(card.locator(".lead")).not_to_be_empty()
    expect(card.locator(".user-content strong")).to_have_text("too much")
    expect(card.locator("table tbody tr").first).to_be_visible()

    # Sessions: checkboxes in a fieldset named by its legend; the long name is there in full, wrapped, not cut.
    fieldset = planner.locator("main fieldset.session-choices")
    expect(fieldset.locator("legend")).to_contain_text(LEGEND[lang])
    expect(planner.locator("main select[multiple]")).to_have_count(0)
    box = planner.locator(f"input[name=session_ids][value='{ids['session']}']")
    expect(box).to_have_attribute("type", "checkbox")
    label = planner.locator(f"label[for='{box.get_attribute('id')}']")
    expect(label).to_contain_text(f"{LONG_EDITION} · {LONG_SESSION}")
    # not clipped, inside the screen, and the name wraps onto several lines (the time comes on a line below)
    fits = label.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return el.scrollWidth <= el.clientWidth + 1 && r.right <= window.innerWidth"
        " && r.height > 3 * parseFloat(getComputedStyle(el).lineHeight); }")
    assert fits, "the long session name is cut or does not wrap onto several lines"
    checks("decide page, phone")

    # The keyboard reaches the checkbox and Space ticks and unticks it.
    planner.locator("#kind").focus()
    tab_to(planner, box)
    planner.keyboard.press("Space")
    expect(box).to_be_checked()
    planner.keyboard.press("Space")
    expect(box).not_to_be_checked()

    # Adopting with no session ticked: the fieldset says so, nothing is saved.
    for checked in fieldset.locator("input:checked").all():
        checked.uncheck()
    planner.locator("#kind").select_option("adopted")
    planner.locator("#response").fill("Adopted, in the transit session.")
    follow(planner, "main form button[type=submit]")
    expect(planner.locator("#session_ids-error")).to_have_text(ERROR[lang])
    expect(fieldset).to_have_attribute("aria-describedby", "session_ids-error")
    expect(fieldset.locator("input.is-invalid").first).to_be_visible()
    checks("decide page with errors, phone")

    assert len(checks.checked) == 2
    checks.assert_clean()
