"""On a shared computer, what a student typed in a room (queued offline, or after a sign-out) dies with the session."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from stac_youth.extensions import db
from stac_youth.rooms.models import Message

from .helpers import chat_messages, composer, open_room, say, sign_in, sign_out

pytestmark = pytest.mark.e2e

EMAIL, NAME = "student3@example.org", "Jordan Blake"
OFFLINE_TEXT = "You are offline. Your message will be sent when the connection is back."
SIGNED_OUT_TEXT = ("You are signed out, so what you typed here was not sent and is not kept. "
                   "Sign in again to post.")
STORED = "() => [localStorage, sessionStorage].flatMap(s => Object.keys(s).map(k => `${k}=${s.getItem(k)}`))"


def _offline(tab, offline: bool) -> None:
    """Cut (or restore) the network of one tab only, as a flaky connection would."""
    session = tab.context.new_cdp_session(tab)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions",
                 {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def _posted(in_app, texts) -> int:
    return in_app(lambda: db.session.scalar(select(func.count()).select_from(Message).where(Message.body.in_(texts))))


def _kept(tab, texts) -> list[str]:
    return [item for item in tab.evaluate(STORED) if any(text in item for text in texts)]


def _nothing_was_posted(tab, in_app, texts) -> None:
    """Once a new message is posted (an old outbox would have gone first), none of the texts is posted or kept."""
    check = f"Back again {uuid.uuid4().hex[:8]}"
    say(tab, check)
    expect(chat_messages(tab, check)).to_have_count(1)
    for text in texts:
        expect(chat_messages(tab, text)).to_have_count(0)
    assert _posted(in_app, texts) == 0
    assert _kept(tab, texts) == []


def test_text_typed_after_signing_out_in_another_tab_is_not_kept_or_posted(page, in_app):
    room_tab = page(1280)
    sign_in(room_tab, EMAIL, lang="en")
    open_room(room_tab, NAME)
    other_tab = room_tab.context.new_page()
    queued, typed_after = (f"{what} {uuid.uuid4().hex[:8]}" for what in ("Queued offline", "Typed after sign-out"))

    # Offline in the room tab: the message waits in the outbox, under this sign-in's key.
    _offline(room_tab, True)
    say(room_tab, queued)
    status = room_tab.locator(".room-panel .composer-status")
    expect(status).to_have_text(OFFLINE_TEXT)
    expect(room_tab.locator(".chat-pending").filter(has_text=queued)).to_have_count(1)
    login_key = room_tab.locator('meta[name="stac-login"]').get_attribute("content")
    [stored] = _kept(room_tab, [queued])
    assert stored.startswith(f"stac-outbox-{login_key}-")

    # Signed out in the other tab: the room tab says so at once, and drops the waiting message.
    other_tab.goto("/account")
    sign_out(other_tab)
    expect(status).to_have_text(SIGNED_OUT_TEXT)
    expect(room_tab.locator(".chat-pending")).to_have_count(0)
    assert _kept(room_tab, [queued]) == []

    # Typed after the sign-out: not queued, and the student is told it was not kept.
    say(room_tab, typed_after)
    expect(composer(room_tab)).to_have_value("")
    expect(status).to_have_text(SIGNED_OUT_TEXT)
    expect(room_tab.locator(".chat-pending")).to_have_count(0)
    assert _kept(room_tab, [queued, typed_after]) == []

    # The connection comes back and the student signs in again: nothing of the old session is posted.
    _offline(room_tab, False)
    sign_in(other_tab, EMAIL, lang="en")
    open_room(other_tab, NAME)
    _nothing_was_posted(other_tab, in_app, [queued, typed_after])
    assert _posted(in_app, [queued, typed_after]) == 0  # nor by the old tab, whose connection came back


def test_a_message_left_waiting_by_an_ended_session_is_dropped_at_the_next_sign_in(page, in_app):
    tab = page(1280)
    context = tab.context
    sign_in(tab, EMAIL, lang="en")
    open_room(tab, NAME)
    queued = f"Left waiting {uuid.uuid4().hex[:8]}"
    context.set_offline(True)
    say(tab, queued)
    expect(tab.locator(".chat-pending").filter(has_text=queued)).to_have_count(1)
    assert len(_kept(tab, [queued])) == 1
    tab.close()  # the student walks away; the message waits in this browser's storage

    # The session ends elsewhere: the student signs out every other device from another computer.
    elsewhere = page(1280)
    sign_in(elsewhere, EMAIL, lang="en")
    elsewhere.goto("/account")
    with elsewhere.expect_navigation():
        elsewhere.locator("main form[action$='/logout-everywhere'] button").click()

    # Back on the shared computer, someone signs in as the student again: the old message is not posted.
    context.set_offline(False)
    again = context.new_page()
    sign_in(again, EMAIL, lang="en")
    open_room(again, NAME)
    _nothing_was_posted(again, in_app, [queued])
