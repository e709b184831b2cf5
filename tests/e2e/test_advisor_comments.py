"""An advisor comments on a student's proposal on a phone (390 px), by keyboard only, in English and Spanish: the
comment shows with an "Advisor" badge next to the name, and axe finds no WCAG 2.2 A/AA violation.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import DEMO_PASSWORD, assert_no_axe_violations, sign_in, tab_to

pytestmark = pytest.mark.e2e

STUDENT_EMAIL = "student2@example.org"
TEXT = {
    "en": {"label": "Comment", "button": "Post comment", "posted": "Your comment is posted.", "badge": "Advisor",
           "comment": "Could you ask your principal which rooms stay open?"},
    "es": {"label": "Comentario", "button": "Publicar comentario", "posted": "Se publicó tu comentario.",
           "badge": "Persona asesora", "comment": "¿Puedes preguntarle a tu director qué salones quedan abiertos?"},
}


def advisor_and_proposal(lang: str) -> dict:
    """An advisor of this test's own (so the language runs change no shared account) and a submitted proposal."""
    from stac_youth.members.accounts import find_user_by_email
    from stac_youth.members.bootstrap import create_account
    from stac_youth.proposals import services

    email = f"comment-advisor-{lang}@example.org"
    advisor = find_user_by_email(email) or create_account(email, f"Casey Guide {lang}", DEMO_PASSWORD, "advisor")
    student = find_user_by_email(STUDENT_EMAIL)
    proposal = services.create_proposal(student, services.ProposalData(
        title=f"Open classrooms at lunch ({lang})", summary="Quiet rooms to eat and study.", description="",
        theme_id=services.active_themes()[0].id, region_id=None))
    services.submit_proposal(student, proposal)
    return {"email": email, "name": advisor.display_name, "proposal": proposal.id}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_an_advisor_comments_by_keyboard_on_a_phone(page, in_app, lang):
    words = TEXT[lang]
    ids = in_app(advisor_and_proposal, lang)
    advisor = page(390)
    sign_in(advisor, ids["email"], lang=lang)
    advisor.goto(f"/proposals/{ids['proposal']}")
    comments = advisor.locator("#comments")
    box = comments.get_by_label(words["label"], exact=True)
    expect(box).to_be_visible()
    assert_no_axe_violations(advisor, f"proposal page, advisor, {lang}, 390 px")

    # Keyboard only: Tab to the box, type, Tab to the button, Enter.
    advisor.locator("body").focus()
    tab_to(advisor, box, limit=120)
    advisor.keyboard.type(words["comment"])
    button = comments.get_by_role("button", name=words["button"])
    tab_to(advisor, button, limit=5)
    with advisor.expect_navigation():
        advisor.keyboard.press("Enter")

    expect(advisor.locator(".alert-success")).to_contain_text(words["posted"])
    posted = comments.locator(".comment").filter(has_text=words["comment"])
    expect(posted).to_have_count(1)
    expect(posted.locator("strong")).to_have_text(ids["name"])
    expect(posted.locator(".role-badge")).to_have_text(words["badge"])
    assert_no_axe_violations(advisor, f"proposal page after the advisor's comment, {lang}, 390 px")
