"""Chat times and the composer's hint in a real browser, on a desktop (1280 px, mouse) and a phone (390 px, touch).

Times: a live message looks exactly as the server renders the same message on a reload (a time alone today, the
full date in the title and for screen readers), under one "Today" separator. The hint: "Enter sends" where there is
a mouse and so a keyboard, "Tap Send" on a touch screen, where Enter adds a line instead.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.members.accounts import find_user_by_email
from stac_youth.rooms import rooms
from stac_youth.rooms.models import Message

from .conftest import TIMEOUT_MS, VIEWPORTS
from .helpers import ADVISOR_EMAIL, assert_no_axe_violations, chat_messages, composer, say, sign_in

pytestmark = pytest.mark.e2e

EMAIL = "student7@example.org"
TIME_TODAY = re.compile(r"^\d{1,2}:\d{2} [AP]M$")  # "4:05 PM": no date on today's messages
KEYS_HINT = "Enter sends, Shift+Enter adds a line."
TOUCH_HINT = "Tap Send to post; the return key adds a line."


def _room_with_history(width: int) -> int:
    """A statewide room with a message from yesterday and one from a minute ago; its id."""
    advisor = find_user_by_email(ADVISOR_EMAIL)
    room = rooms.create_topic_room(advisor, f"Times and hints at {width} px", "", None)
    now = utcnow()
    db.session.add_all([
        Message(room_id=room.id, author_id=advisor.id, client_id=f"times-{width}-1", body=f"Yesterday at {width}",
                created_at=now - timedelta(days=1)),
        Message(room_id=room.id, author_id=advisor.id, client_id=f"times-{width}-2", body=f"Earlier at {width}",
                created_at=now - timedelta(minutes=1)),
    ])
    db.session.commit()
    return room.id


def _device(browser, live_server, width: int):
    """A fresh browser context: a desktop with a mouse at 1280 px, a touch phone at 390 px."""
    touch = width < 992
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": VIEWPORTS[width]},
                                  locale="en-US", has_touch=touch, is_mobile=touch)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _shown(message) -> dict:
    """What a message's time shows, says to screen readers, puts in its title and its datetime attribute."""
    time = message.locator(".chat-time")
    return {"short": time.locator(".chat-time-short").text_content(),
            "full": time.locator(".chat-time-full").text_content(),
            "title": time.get_attribute("title"), "datetime": time.get_attribute("datetime")}


def _days(page) -> list[str]:
    return [label.strip() for label in page.locator(".room-panel .chat-day").all_inner_texts()]


@pytest.mark.parametrize("width", [390, 1280])
def test_live_messages_look_as_the_server_renders_them_and_the_hint_fits_the_device(browser, live_server, in_app,
                                                                                     width):
    room_id = in_app(_room_with_history, width)
    context = _device(browser, live_server, width)
    try:
        tab = context.new_page()
        sign_in(tab, EMAIL, lang="en")
        tab.goto(f"/rooms/{room_id}")
        expect(tab.locator("#live-connection")).to_contain_text("Live")
        expect(chat_messages(tab, f"Earlier at {width}")).to_have_count(1)
        assert _days(tab) == ["Yesterday", "Today"]
        earlier = _shown(chat_messages(tab, f"Earlier at {width}"))
        assert TIME_TODAY.match(earlier["short"]), earlier
        yesterday = _shown(chat_messages(tab, f"Yesterday at {width}"))
        assert not TIME_TODAY.match(yesterday["short"]) and re.search(r", \d{1,2}:\d{2} [AP]M$", yesterday["short"])

        # the hint of this device, and only it, describes the message box
        hint_keys, hint_touch = tab.locator(".composer-hint-keys"), tab.locator(".composer-hint-touch")
        box = composer(tab)
        if width == 1280:
            expect(hint_keys).to_be_visible()
            expect(hint_touch).to_be_hidden()
            expect(box).to_have_accessible_description(re.compile(re.escape(KEYS_HINT)))
            live_text = f"Sent with Enter at {width}"
            say(tab, live_text)
        else:
            expect(hint_touch).to_be_visible()
            expect(hint_keys).to_be_hidden()
            expect(box).to_have_accessible_description(re.compile(re.escape(TOUCH_HINT)))
            live_text = f"Sent with a tap at {width}"
            box.tap()
            box.press_sequentially("Two lines")
            box.press("Enter")  # on a touch screen the return key adds a line, as the hint says
            box.press_sequentially(live_text)
            expect(box).to_have_value(f"Two lines\n{live_text}")
            expect(chat_messages(tab, live_text)).to_have_count(0)
            tab.locator(".room-panel .composer button[type=submit]").tap()
        live = chat_messages(tab, live_text)
        expect(live).to_have_count(1)
        shown_live = _shown(live)
        assert TIME_TODAY.match(shown_live["short"]), shown_live
        assert shown_live["title"] == shown_live["full"] and shown_live["full"].endswith(shown_live["short"])
        assert _days(tab) == ["Yesterday", "Today"]  # the live message joined today's separator
        assert_no_axe_violations(tab, f"room with day separators at {width} px")

        # the same message as the server renders it on a reload: the same texts
        message_id = live.get_attribute("data-message-id")
        tab.reload()
        expect(tab.locator("#live-connection")).to_contain_text("Live")
        assert _shown(tab.locator(f"#message-{message_id}")) == shown_live
        assert _days(tab) == ["Yesterday", "Today"]
        server_html = context.request.get(f"/rooms/{room_id}").text()  # before any script ran
        short = re.search(rf'id="message-{message_id}".*?<span class="chat-time-short" aria-hidden="true">([^<]+)<',
                          server_html, re.S).group(1)
        assert short == shown_live["short"]
        assert f'title="{shown_live["full"]}"' in server_html
    finally:
        context.close()
