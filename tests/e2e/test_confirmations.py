"""Destructive actions ask first, in the browser: the dialog with JavaScript (Escape cancels, the focus comes back,
"Yes" acts), the server's confirmation page without it, by keyboard alone, and axe-clean in English and Spanish."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from .conftest import TIMEOUT_MS, VIEWPORTS
from .helpers import DEMO_PASSWORD, assert_no_axe_violations, sign_in, tab_to

pytestmark = pytest.mark.e2e

CONFIRM_ADVISOR = "confirm-advisor@example.org"  # an advisor of its own: the Spanish runs change its language
WORDS = {
    "en": {"delete": "Delete", "question": "Delete the agenda item “{title}”?", "yes": "Yes, delete the item",
           "no": "No, go back", "undo": "Undo", "end": "End the meeting", "end_yes": "Yes, end the meeting",
           "deleted": "The agenda item “{title}” is deleted."},
    "es": {"delete": "Borrar", "question": "¿Borrar el punto de la agenda “{title}”?", "yes": "Sí, borrar el punto",
           "no": "No, regresar", "undo": "Deshacer", "end": "Terminar la reunión",
           "end_yes": "Sí, terminar la reunión", "deleted": "Se borró el punto de la agenda “{title}”."},
}


def _advisor() -> None:
    """The advisor, in English until a test switches (a page without JavaScript cannot use the menu to switch)."""
    from stac_youth.extensions import db
    from stac_youth.members.accounts import find_user_by_email
    from stac_youth.members.bootstrap import create_account

    user = find_user_by_email(CONFIRM_ADVISOR)
    if user is None:
        create_account(CONFIRM_ADVISOR, "Casey Confirm", DEMO_PASSWORD, "advisor")
    else:
        user.preferred_language = "en"
        db.session.commit()


def _meeting(title: str, items: tuple[str, ...], live: bool = False) -> int:
    from stac_youth.common.time import utcnow
    from stac_youth.meetings import agenda, services
    from stac_youth.members.accounts import find_user_by_email

    advisor = find_user_by_email(CONFIRM_ADVISOR)
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=5)
    meeting = services.create_meeting(advisor, services.MeetingData(
        title=title, description="", starts_at=starts, ends_at=starts + timedelta(hours=1), location="Online",
        video_url=None))
    for item in items:
        agenda.add_item(advisor, meeting, agenda.AgendaItemData(item, "", 10, None, "discussion"))
    services.publish_meeting(advisor, meeting)
    if live:
        services.start_meeting(advisor, meeting)
    return meeting.id


def _items(meeting_id: int) -> list[str]:
    from stac_youth.extensions import db
    from stac_youth.meetings.models import Meeting

    return [item.title for item in db.session.get(Meeting, meeting_id).items]


def _status(meeting_id: int) -> str:
    from stac_youth.extensions import db
    from stac_youth.meetings.models import Meeting

    return db.session.get(Meeting, meeting_id).status


@pytest.fixture
def advisor_page(page, in_app):
    """Factory: a page at this width, signed in as the confirmations' own advisor in this language."""
    in_app(_advisor)

    def _open(width: int = 1280, lang: str = "en"):
        tab = page(width)
        sign_in(tab, CONFIRM_ADVISOR, lang=lang)
        return tab

    return _open


def _delete_button(tab, title: str):
    return tab.locator(f"#agenda li.agenda-item:has(h3:text-is('{title}')) form[action$='/delete'] button")


def _focused_text(tab) -> str:
    return tab.evaluate("document.activeElement ? document.activeElement.textContent.trim() : ''")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_dialog_asks_escape_cancels_and_yes_acts(advisor_page, in_app, width):
    tab = advisor_page(width)
    title = f"Dialog meeting {width}"
    meeting_id = in_app(_meeting, title, ("Keep me", "Drop me", "Last"))
    tab.goto(f"/meetings/{meeting_id}")
    button = _delete_button(tab, "Drop me")
    button.click()
    dialog = tab.get_by_role("dialog", name="Delete the agenda item “Drop me”?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Right after, you can undo it.")
    expect(dialog.get_by_role("button", name="No, go back")).to_be_focused()
    assert_no_axe_violations(tab, f"the confirmation dialog at {width} px")

    tab.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    assert in_app(_items, meeting_id) == ["Keep me", "Drop me", "Last"]  # nothing deleted

    button.click()
    dialog.get_by_role("button", name="No, go back").click()
    expect(dialog).to_be_hidden()
    assert in_app(_items, meeting_id) == ["Keep me", "Drop me", "Last"]

    button.click()
    with tab.expect_navigation():
        dialog.get_by_role("button", name="Yes, delete the item").click()
    expect(tab.locator("#agenda-undo")).to_contain_text("The agenda item “Drop me” is deleted.")
    assert in_app(_items, meeting_id) == ["Keep me", "Last"]
    with tab.expect_navigation():
        tab.locator("#agenda-undo").get_by_role("button", name=re.compile("^Undo")).click()
    expect(tab.locator(".alert-success")).to_contain_text("The agenda item is back in its place.")
    assert in_app(_items, meeting_id) == ["Keep me", "Drop me", "Last"]


def test_keyboard_alone_ends_a_meeting_after_asking(advisor_page, in_app):
    tab = advisor_page(1280)
    meeting_id = in_app(_meeting, "Keyboard meeting", ("Only",), live=True)
    tab.goto(f"/meetings/{meeting_id}/live")
    end = tab.locator("form[data-confirm][action$='/end'] button")
    tab_to(tab, end)
    tab.keyboard.press("Enter")
    dialog = tab.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="No, go back")).to_be_focused()
    tab.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Yes, end the meeting")).to_be_focused()
    tab.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert _focused_text(tab) == "End the meeting"
    assert in_app(_status, meeting_id) == "live"

    tab.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name="No, go back")).to_be_focused()
    tab.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Yes, end the meeting")).to_be_focused()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    expect(tab.locator(".alert-success")).to_contain_text("The meeting has ended.")
    assert in_app(_status, meeting_id) == "ended"


def test_asking_again_before_the_last_answer_has_landed_still_sends_on_yes(advisor_page, in_app):
    """Escape then Enter at once: the first dialog's late close event must not eat the second question."""
    tab = advisor_page(1280)
    meeting_id = in_app(_meeting, "Quick keys meeting", ("Only",), live=True)
    tab.goto(f"/meetings/{meeting_id}/live")
    end = tab.locator("form[data-confirm][action$='/end'] button")
    end.click()
    dialog = tab.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # In one task: close (its close event is queued for later) and ask again, as fast keys can do.
    tab.evaluate("""() => {
        document.querySelector('dialog.confirm-dialog').close('no');
        document.querySelector("form[data-confirm][action$='/end']").requestSubmit();
    }""")
    expect(dialog).to_be_visible()
    with tab.expect_navigation():
        dialog.get_by_role("button", name="Yes, end the meeting").click()
    expect(tab.locator(".alert-success")).to_contain_text("The meeting has ended.")
    assert in_app(_status, meeting_id) == "ended"


def test_without_javascript_the_confirmation_page_asks(browser, live_server, in_app):
    in_app(_advisor)
    context = browser.new_context(base_url=live_server, java_script_enabled=False, locale="en-US",
                                  viewport={"width": 390, "height": VIEWPORTS[390]})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        tab = context.new_page()
        sign_in(tab, CONFIRM_ADVISOR)
        meeting_id = in_app(_meeting, "No script meeting", ("First", "Second"))
        tab.goto(f"/meetings/{meeting_id}")
        with tab.expect_navigation():
            _delete_button(tab, "Second").click()
        expect(tab.get_by_role("heading", level=1)).to_have_text("Delete the agenda item “Second”?")
        assert tab.get_by_role("dialog").count() == 0  # (axe needs scripts: the page is checked in the test below)
        with tab.expect_navigation():
            tab.get_by_role("link", name="No, go back").click()
        assert tab.url.split("#")[0].endswith(f"/meetings/{meeting_id}")
        assert in_app(_items, meeting_id) == ["First", "Second"]

        with tab.expect_navigation():
            _delete_button(tab, "Second").click()
        with tab.expect_navigation():
            tab.get_by_role("button", name="Yes, delete the item").click()
        assert in_app(_items, meeting_id) == ["First"]
        with tab.expect_navigation():
            tab.locator("#agenda-undo button").click()
        assert in_app(_items, meeting_id) == ["First", "Second"]
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_dialog_and_page_are_axe_clean_at_390_in_each_language(advisor_page, in_app, lang):
    words = WORDS[lang]
    tab = advisor_page(390, lang)
    title = f"Axe {lang}"
    meeting_id = in_app(_meeting, f"Axe meeting {lang}", (title, "Other"))
    tab.goto(f"/meetings/{meeting_id}")
    _delete_button(tab, title).click()
    dialog = tab.get_by_role("dialog", name=words["question"].format(title=title))
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name=words["no"])).to_be_focused()
    assert_no_axe_violations(tab, f"the dialog ({lang}, 390 px)")
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # fits the narrow screen
    tab.keyboard.press("Escape")

    # The same post without the dialog's confirmed=1 (as a browser without JavaScript sends it): the page.
    tab.evaluate("document.querySelectorAll('form[data-confirm]').forEach(f => f.removeAttribute('data-confirm'))")
    with tab.expect_navigation():
        _delete_button(tab, title).click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(words["question"].format(title=title))
    assert tab.locator("html").get_attribute("lang") == lang
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(tab, f"the confirmation page ({lang}, 390 px)")
    with tab.expect_navigation():
        tab.get_by_role("button", name=words["yes"]).click()
    expect(tab.locator("#agenda-undo")).to_contain_text(words["deleted"].format(title=title))
    assert in_app(_items, meeting_id) == ["Other"]
