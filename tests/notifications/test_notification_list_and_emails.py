"""Notifications: the list, its actions and the bell, the email setting, the emails' language, zone, secrecy."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from sqlalchemy import select

from stac_youth.extensions import db
from stac_youth.members.models import User
from stac_youth.notifications import kinds, services
from stac_youth.notifications.models import Notification
from stac_youth.polls import ballots, lifecycle
from tests.conftest import login
from tests.meetings.helpers import client_for, make_meeting
from tests.polls.poll_helpers import new_poll

STARTS = datetime(2031, 3, 4, 16, 0)  # UTC: 8:00 in Los Angeles, 11:00 in New York


def mails_to(outbox, user) -> list:
    return [message for message in outbox if message.to == [user.email]]


# --- the list and its actions -------------------------------------------------------------------------------------

def test_list_mark_read_and_mark_all_read(app, client, make_user):
    member, other = make_user("member"), make_user("member")
    services.notify([member], kinds.REPORT, "/rooms/reports", place="First place")
    services.notify([member], kinds.REPORT, "/members", place="Second place")
    services.notify([other], kinds.REPORT, "/members", place="Other person's place")
    login(client, member)
    page = html.unescape(client.get("/notifications").get_data(as_text=True))
    assert "First place" in page and "Second place" in page and "Other person's place" not in page
    assert page.index("Second place") < page.index("First place")  # newest first
    assert page.count("Unread:") == 2
    response = client.post("/notifications/read-all")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert services.unread_count(member) == 0
    assert services.unread_count(other) == 1  # someone else's stay unread


def test_open_marks_read_and_redirects_to_the_link(app, client, make_user):
    member = make_user("member")
    [note] = services.notify([member], kinds.REPORT, "/rooms/reports?x=1#top", place="P")
    login(client, member)
    response = client.post(f"/notifications/{note.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == "/rooms/reports?x=1#top"
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None
    assert client.get(f"/notifications/{note.id}/open").status_code == 405  # only POST


def test_open_never_redirects_off_site(app, client, make_user):
    member = make_user("member")
    [note] = services.notify([member], kinds.REPORT, "//evil.example/x", place="P")
    login(client, member)
    location = client.post(f"/notifications/{note.id}/open").headers["Location"]
    assert location.startswith("/") and not location.startswith("//")


def test_someone_elses_notification_is_a_404_and_stays_unread(app, client, make_user):
    member, other = make_user("member"), make_user("member")
    [theirs] = services.notify([other], kinds.REPORT, "/members", place="P")
    login(client, member)
    assert client.post(f"/notifications/{theirs.id}/open").status_code == 404
    assert client.post(f"/notifications/{theirs.id + 1000}/open").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    for method, url in (("GET", "/notifications"), ("POST", "/notifications/read-all"),
                        ("POST", "/notifications/1/open"), ("POST", "/notifications/email")):
        response = client.open(url, method=method)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url


def test_the_bell_shows_the_unread_count(app, client, make_user):
    member = make_user("member")
    login(client, member)
    bell = re.compile(r'<a id="notification-bell".*?</a>', re.S)
    page = client.get("/notifications").get_data(as_text=True)
    badge = bell.search(page).group(0)
    assert 'data-unread="0"' in badge and " hidden" in badge
    for place in ("A", "B", "C"):
        services.notify([member], kinds.REPORT, f"/{place}", place=place)
    badge = bell.search(client.get("/account").get_data(as_text=True)).group(0)
    assert 'data-unread="3"' in badge and ">3</span>" in badge and "3 unread" in badge
    client.post("/notifications/read-all")
    assert 'data-unread="0"' in bell.search(client.get("/account").get_data(as_text=True)).group(0)


def test_anonymous_pages_have_no_bell(client):
    assert 'id="notification-bell"' not in client.get("/login").get_data(as_text=True)


def test_notification_text_is_in_the_readers_language_and_zone(app, make_user):
    advisor = make_user("advisor")
    es = make_user("member", preferred_language="es", timezone="America/New_York")
    en = make_user("member", preferred_language="en", timezone="America/Los_Angeles")
    meeting = make_meeting(advisor, "draft", title="Junta", starts_at=STARTS,
                           ends_at=STARTS.replace(hour=18))
    from stac_youth.meetings import services as meeting_services

    meeting_services.publish_meeting(advisor, meeting)
    es_client, en_client = client_for(app, es), client_for(app, en)
    es_page = html.unescape(es_client.get("/notifications").get_data(as_text=True))
    en_page = html.unescape(en_client.get("/notifications").get_data(as_text=True))
    assert "Junta" in es_page and "is published" not in es_page
    assert "is published with its agenda" in en_page
    assert _short(STARTS, "America/Los_Angeles", "en") in en_page
    assert _short(STARTS, "America/New_York", "es") in es_page


def _short(when: datetime, zone: str, locale: str) -> str:
    return format_datetime(when.replace(tzinfo=UTC), "short", tzinfo=ZoneInfo(zone), locale=locale)


# --- email setting ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("setting", "report_mail", "decision_mail"),
                         [("all", True, True), ("decisions", False, True), ("none", False, False)])
def test_the_email_setting_chooses_which_emails_are_sent(app, client, make_user, outbox, setting, report_mail,
                                                         decision_mail):
    member = make_user("member")
    login(client, member)
    response = client.post("/notifications/email", data={"email": setting})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(member), member.id).email_notifications == setting
    services.notify([member], kinds.REPORT, "/rooms/reports", place="P")
    assert bool(mails_to(outbox, member)) is report_mail
    outbox.clear()
    services.notify([member], kinds.DECISION, "/proposals/1", title="T", decision_label="Adopted")
    assert bool(mails_to(outbox, member)) is decision_mail
    page = client.get("/notifications").get_data(as_text=True)
    assert f'value="{setting}" checked' in page


def test_an_unknown_email_setting_is_refused(app, client, make_user):
    member = make_user("member")
    login(client, member)
    client.post("/notifications/email", data={"email": "decisions"})
    response = client.post("/notifications/email", data={"email": "sometimes"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Choose one of the email settings." in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(type(member), member.id).email_notifications == "decisions"


def test_a_new_member_gets_all_emails_by_default(app, make_user, outbox):
    member = make_user("member")
    assert member.email_notifications in ("all", None)
    services.notify([member], kinds.REPORT, "/rooms/reports", place="P")
    [mail] = outbox
    assert mail.to == [member.email]
    assert "/rooms/reports" in mail.body


# --- the emails ---------------------------------------------------------------------------------------------------

def test_emails_are_in_the_recipients_language_and_time_zone(app, make_user, outbox):
    advisor = make_user("advisor")
    es = make_user("member", display_name="Lucía", preferred_language="es", timezone="America/New_York")
    en = make_user("member", display_name="Lucy", preferred_language="en", timezone="America/Los_Angeles")
    make_meeting(advisor, "published", title="Board meeting", starts_at=STARTS, ends_at=STARTS.replace(hour=18))
    [es_mail] = mails_to(outbox, es)
    [en_mail] = mails_to(outbox, en)
    assert en_mail.subject == "STAC Youth: New meeting: Board meeting"
    assert "Hello Lucy," in en_mail.body and "is published with its agenda" in en_mail.body
    assert _short(STARTS, "America/Los_Angeles", "en") in en_mail.body
    assert _short(STARTS, "America/New_York", "en") not in en_mail.body
    assert "New meeting" not in es_mail.subject and "Board meeting" in es_mail.subject
    assert "Hola, Lucía:" in es_mail.body and "is published" not in es_mail.body
    assert _short(STARTS, "America/New_York", "es") in es_mail.body
    assert _short(STARTS, "America/Los_Angeles", "es") not in es_mail.body


def test_emails_sent_outside_a_request_carry_a_full_link(app, make_user, outbox):
    """A poll opened by the schedule (no request) still emails a link a mail program can follow."""
    advisor = make_user("advisor")
    member = make_user("member")
    poll = new_poll(advisor, question="Scheduled?")
    [mail] = mails_to(outbox, member)
    assert re.search(rf"https?://[^\s/]+/polls/{poll.id}\b", mail.body), mail.body


def test_the_senders_language_does_not_leak_into_the_emails(app, client, make_user, outbox):
    """A Spanish-speaking advisor in New York publishes; a member in Los Angeles reads English, in their zone."""
    advisor = make_user("advisor", preferred_language="es", timezone="America/New_York")
    member = make_user("member", preferred_language="en", timezone="America/Los_Angeles")
    meeting = make_meeting(advisor, "draft", title="Board meeting", starts_at=STARTS, ends_at=STARTS.replace(hour=18))
    login(client, advisor)
    client.post("/language", data={"lang": "es"})
    assert client.post(f"/meetings/{meeting.id}/publish").status_code == 302
    [mail] = mails_to(outbox, member)
    assert mail.subject == "STAC Youth: New meeting: Board meeting"
    assert "Hello" in mail.body
    assert f"{app.config['PUBLIC_BASE_URL']}/meetings/{meeting.id}" in mail.body  # the site's address, not the Host
    assert _short(STARTS, "America/Los_Angeles", "en") in mail.body, mail.body


def test_poll_emails_never_carry_hidden_results(app, make_user, outbox):
    advisor = make_user("advisor")
    voters = [make_user("member") for _ in range(3)]
    poll = new_poll(advisor, question="Adopt the budget?")
    opened = mails_to(outbox, voters[0])
    assert len(opened) == 1

    for voter in voters[:2]:
        ballots.cast_ballot(voter, poll, "yes")
    ballots.cast_ballot(voters[2], poll, "no")
    # between votes nothing is sent: results stay hidden while the poll is open
    assert len(mails_to(outbox, voters[0])) == 1
    body = opened[0].body + opened[0].subject
    assert "Adopt the budget?" in body
    for hidden in ("Result", "Passed", "votes", "turnout"):
        assert hidden not in body, hidden
    assert not re.search(r"\d+ ?%", body)
    lifecycle.close_poll(advisor, poll)
    [closed] = [m for m in mails_to(outbox, voters[0]) if m is not opened[0]]
    assert "Poll closed: Adopt the budget?" in closed.subject
    db.session.refresh(poll)
    outcome = {"passed": "Passed", "not_passed": "Not passed", "no_quorum": "No quorum"}[poll.outcome]
    assert f"Result: {outcome}." in closed.body


def test_a_failing_address_does_not_stop_the_other_emails(app, make_user, outbox, monkeypatch):
    from stac_youth.notifications import services as notification_services

    first, second = make_user("member"), make_user("member")
    real = notification_services.send_email

    def flaky(to, *args, **kwargs):
        if to == first.email:
            raise OSError("mailbox unavailable")
        return real(to, *args, **kwargs)

    monkeypatch.setattr(notification_services, "send_email", flaky)
    rows = services.notify([first, second], kinds.REPORT, "/rooms/reports", place="P")
    assert len(rows) == 2
    assert [m.to for m in outbox] == [[second.email]]


def test_notification_params_are_stored_not_translated(app, make_user):
    member = make_user("member", preferred_language="es")
    [note] = services.notify([member], kinds.DECISION, "/p", title="T", decision_label="Adopted")
    assert json.loads(note.params) == {"decision_label": "Adopted", "title": "T"}


def test_notifying_many_members_runs_as_many_statements_as_notifying_a_few(app, make_user):
    """Opening a poll notifies every eligible member in the advisor's request: no read per recipient.

    (The rows themselves may go in one INSERT per row: SQLite hands back generated ids in order only that way.)"""
    from tests.query_budget import recorded_statements

    few, many = [make_user("member") for _ in range(2)], [make_user("member") for _ in range(12)]
    counts = []
    for users, link in ((few, "/polls/1"), (many, "/polls/2")):
        users = db.session.scalars(select(User).where(User.id.in_([user.id for user in users]))).all()  # as loaded
        with recorded_statements(db.engine) as statements:
            rows = services.notify(users, "poll_opened", link, question="Adopt it?")
        assert len(rows) == len(users)
        counts.append(len([statement for statement in statements if statement.lstrip().startswith("SELECT")]))
    assert counts[0] == counts[1], counts
    stored = db.session.scalars(select(Notification.user_id).where(Notification.link == "/polls/2")).all()
    assert sorted(stored) == sorted(user.id for user in many)
