"""The style guide in a browser: no axe violations, nothing scrolls sideways on a phone, each copy paints its mode."""

from __future__ import annotations

import pytest

from .helpers import ADVISOR_EMAIL, assert_no_axe_violations, sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("width", "scheme"), [(390, "light"), (390, "dark"), (1280, "light"), (1280, "dark")])
def test_the_style_guide_is_accessible_and_fits_a_phone(page, width, scheme):
    tab = page(width, scheme)
    sign_in(tab, ADVISOR_EMAIL)
    tab.goto("/styleguide")
    assert tab.locator("h1").inner_text().strip() in ("Style guide", "Guía de estilo")
    assert tab.locator("section.sg-copy").count() == 4
    assert_no_axe_violations(tab, f"/styleguide at {width} px, {scheme} system setting")
    if width == 390:
        assert tab.evaluate("document.documentElement.scrollWidth") <= tab.evaluate("innerWidth")


def test_each_copy_paints_its_own_colour_mode_whatever_the_system_setting(page):
    tab = page(1280, "dark")
    sign_in(tab, ADVISOR_EMAIL)
    tab.goto("/styleguide")

    def background(copy_id: str) -> str:
        return tab.locator(f"#{copy_id}").evaluate("el => getComputedStyle(el).backgroundColor")

    light, dark = background("sg-en-light"), background("sg-en-dark")
    assert light != dark
    assert background("sg-es-light") == light and background("sg-es-dark") == dark
    # the light copies keep light text colours on a dark page: their text is darker than their background
    text = tab.locator("#sg-en-light .ui-card-title").first.evaluate("el => getComputedStyle(el).color")
    assert text != tab.locator("#sg-en-dark .ui-card-title").first.evaluate("el => getComputedStyle(el).color")
