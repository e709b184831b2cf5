"""The new-member journey through the UI only: invite, register, profile, Spanish, directory, keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import ADMIN_EMAIL, DEMO_PASSWORD, click_menu_item, open_account_menu, sign_in, sign_out, switch_language

pytestmark = pytest.mark.e2e

WIDTHS = [390, 1280]


@pytest.mark.parametrize("width", WIDTHS)
def test_invited_student_joins_and_finds_members(page, width):
    # example.org, not example.test: the Email validator (email_validator) refuses special-use domains such as .test.
    email = f"new.student+{width}@example.org"
    name = f"Riley Nguyen {width}"

    # a) An admin invites a student and reads the one-time link.
    admin = page(width)
    sign_in(admin, lang="en")
    click_menu_item(admin, "a[href='/admin/invitations']")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Invitations")
    admin.get_by_label("Email", exact=True).fill(email)
    admin.get_by_label("Role", exact=True).select_option(label="Student member")
    admin.get_by_label("Region", exact=True).select_option(label="Central Valley")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Invitation sent")
    expect(admin.get_by_role("main")).to_contain_text(email)
    link = admin.get_by_label("Invitation link").input_value()
    assert "/register/" in link
    sign_out(admin)

    # b) The student registers with the link and fills in the profile.
    student = page(width)
    student.goto(link)
    expect(student.get_by_role("heading", level=1)).to_have_text("Create your account")
    student.get_by_label("Name others will see").fill(name)
    student.get_by_label("Password", exact=True).fill("river stones and quiet mornings")
    student.get_by_role("button", name="Create account").click()
    expect(student.get_by_role("heading", level=1)).to_have_text("Edit my profile")
    assert student.url.endswith("/profile/edit")
    student.get_by_label("Pronouns", exact=True).fill("they/them")
    student.get_by_label("Region", exact=True).select_option(label="Central Valley")
    student.get_by_label("County", exact=True).select_option(label="Fresno (Central Valley)")
    student.get_by_label("School", exact=True).fill("Fresno High School")
    student.get_by_label("Interests", exact=True).fill("soccer, youth voice, robotics")
    student.get_by_label("About me", exact=True).fill("I care about **student voice** in every school.")
    student.get_by_role("button", name="Save profile").click()
    expect(student.get_by_role("heading", level=1)).to_have_text(name)
    expect(student.locator(".user-content strong")).to_have_text("student voice")
    expect(student.locator(".profile-fields")).to_contain_text("Central Valley · Fresno")
    expect(student.locator(".profile-fields")).to_contain_text("Fresno High School")
    expect(student.locator(".profile-fields .tag")).to_have_text(["robotics", "soccer", "youth voice"])

    # c) The footer switch turns the app into Spanish.
    switch_language(student, "es")
    expect(student.locator("html")).to_have_attribute("lang", "es")
    expect(student.locator(".language-switch button[value='es']")).to_have_attribute("aria-pressed", "true")
    expect(student.locator(".language-switch button[value='en']")).to_have_attribute("aria-pressed", "false")
    open_account_menu(student)
    # Needs the compiled Spanish catalog; checked at the end so that the rest of the journey still runs without it.
    sign_out_button = student.locator("#site-nav form[action$='/logout'] button")
    expect(sign_out_button).to_be_visible()
    spanish_sign_out = sign_out_button.inner_text().strip()

    # d) The member directory: search by an interest, then filter by region.
    click_menu_item(student, "a[href='/members']")
    expect(student.locator("html")).to_have_attribute("lang", "es")
    student.locator("#q").fill("soccer")
    student.locator("#q").press("Enter")
    cards = student.locator(".member-card")
    expect(cards.filter(has_text="Diego Hernández")).to_have_count(1)
    expect(cards.filter(has_text=name)).to_have_count(1)
    expect(cards.filter(has_text="Maya Chen")).to_have_count(0)
    student.locator("#region").select_option(label="Valle Central")
    student.locator("form[role=search] button[type=submit]").click()
    expect(student.locator("#region option:checked")).to_have_text("Valle Central")
    expect(cards.filter(has_text="Diego Hernández")).to_have_count(1)
    student.locator("#q").fill("")
    student.locator("#region").select_option(label="Área de la Bahía")
    student.locator("form[role=search] button[type=submit]").click()
    expect(student.locator("#region option:checked")).to_have_text("Área de la Bahía")
    expect(cards.filter(has_text="Maya Chen")).to_have_count(1)
    expect(cards.filter(has_text="Diego Hernández")).to_have_count(0)
    for card in cards.all():
        expect(card).to_contain_text("Área de la Bahía")

    assert spanish_sign_out == "Cerrar sesión", (
        f"the sign-out button reads {spanish_sign_out!r} in Spanish: is the Spanish catalog compiled?"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_login_with_the_keyboard_alone(page, width):
    tab = page(width)
    tab.goto("/login")
    focused_id = "() => document.activeElement && document.activeElement.id"

    # The skip link comes first and moves focus to the main content.
    tab.keyboard.press("Tab")
    skip = tab.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    tab.keyboard.press("Enter")
    expect(tab.locator("main#main")).to_be_focused()

    # From main, the form is next in the tab order.
    tab.keyboard.press("Tab")
    assert tab.evaluate(focused_id) == "email"
    tab.keyboard.type(ADMIN_EMAIL)
    tab.keyboard.press("Tab")
    assert tab.evaluate(focused_id) == "password"
    tab.keyboard.type(DEMO_PASSWORD)
    tab.keyboard.press("Tab")
    assert tab.evaluate(focused_id) == "remember"
    tab.keyboard.press("Tab")
    expect(tab.locator("main form button[type=submit]")).to_be_focused()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert not tab.url.split("?")[0].endswith("/login")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Alex Rivera")
