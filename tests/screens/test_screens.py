"""The main screens as pictures: each matches its committed baseline (tests/screens/baselines), so a change of look
is always deliberate (`make screenshots` makes the baselines again). At 390 px nothing scrolls sideways, and in dark
mode axe finds nothing, in English and Spanish.

Few test functions, each going through every screen: a worker builds the module's app (seeded on a frozen clock)
once for all the tests it is handed, and one run reports every mismatch at once.
"""

from __future__ import annotations

import pytest

from tests.e2e.helpers import axe_violations, format_violations

from .compare import baseline_name, keep
from .screens import SCREENS, screenshot, sideways_overflow, visit_all

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1280])
def test_screens_match_their_baselines(screens, signed_in, width, lang, tmp_path):
    screens.restore(lang)
    problems = []
    for screen, page in visit_all(signed_in, screens.ids, width, lang):
        problem = keep(screenshot(page), baseline_name(screen.name, width, lang), tmp_path)
        if problem:
            problems.append(problem)
    assert not problems, f"{len(problems)} of {len(SCREENS)} screens differ from their baselines:\n" + "\n".join(
        problems)


def test_nothing_scrolls_sideways_at_390(screens, signed_in):
    problems = []
    for lang in ("en", "es"):
        screens.restore(lang)
        for screen, page in visit_all(signed_in, screens.ids, 390, lang):
            overflow = sideways_overflow(page)
            if overflow:
                problems.append(f"{screen.name} ({lang}): scrollWidth {overflow['scrollWidth']} px > "
                                f"{overflow['width']} px; reaching out: " + "; ".join(overflow["wide"]))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_axe_finds_nothing_in_dark_mode(screens, signed_in, lang):
    screens.restore(lang)
    problems = []
    for width in (390, 1280):
        for screen, page in visit_all(signed_in, screens.ids, width, lang, color_scheme="dark"):
            assert page.locator("html").get_attribute("data-bs-theme") == "dark"
            violations = axe_violations(page)
            if violations:
                problems.append(format_violations(f"{screen.name} ({lang}, {width} px, dark)", violations))
    assert not problems, "\n".join(problems)
