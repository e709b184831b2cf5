"""axe-core finds no WCAG 2.2 A/AA violation on the proposals' and the Summit's pages (en / es, 390 / 1280 px)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import (
    ADVISOR_EMAIL,
    PROPOSAL_AUTHOR_EMAIL,
    PROPOSAL_COSPONSOR_EMAIL,
    PROPOSAL_COSPONSOR_NAME,
    PageChecks,
    click_menu_item,
    follow,
    seeded_name,
    sign_in,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_proposal_pages_have_no_axe_violations(page, width, lang):
    """Slow by design (tens of seconds): a full axe-core run in Chromium on every page, for three users."""
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
    author.locator("#theme").select_option(label=seeded_name(author, "Family and community engagement"))
    author.locator("#region").select_option(label=seeded_name(author, "Central Valley"))
    follow(author, "main form[role=search] button[type=submit]")
    expect(author.locator("main .proposal-card")).to_have_count(1)
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
    author.locator("#theme_id").select_option(label=seeded_name(author, "Student voice in decisions"))
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
