"""'Forgot password' never talks to the mail server: it queues the email in its own transaction and answers the
same whether or not the address has an account, so neither the page nor how long it takes tells which."""

from __future__ import annotations

import re

from flask_mailman.backends.locmem import EmailBackend
from sqlalchemy import select

from stac_youth.common.mail_sender import deliver_all_due
from stac_youth.common.outbox import OutboxEmail
from stac_youth.extensions import db

CALLS: list = []


class RecordingBackend(EmailBackend):
    """The in-memory backend, noting every time anything opens it."""

    def open(self):
        CALLS.append("open")
        return super().open()

    def send_messages(self, messages):
        CALLS.append("send")
        return super().send_messages(messages)


def _ask(client, email: str) -> tuple[int, str, list[str]]:
    """The status, where it sends the browser, and the messages the next page shows."""
    response = client.post("/forgot-password", data={"email": email})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.headers["Location"], re.findall(r'<div class="alert[^>]*>([^<]*)<', page)


def test_the_answer_is_the_same_and_no_request_touches_the_mail_server(app, make_user):
    make_user("member", email="forgetful@example.org")
    app.extensions["mailman"].backend = RecordingBackend
    CALLS.clear()

    known = _ask(app.test_client(), "forgetful@example.org")
    unknown = _ask(app.test_client(), "nobody@example.org")

    assert known == unknown
    assert known[0] == 302 and len(known[2]) == 1 and "If that email belongs to an account" in known[2][0]
    assert CALLS == []  # nothing was sent, or even connected to, during either request
    queued = db.session.scalars(select(OutboxEmail)).all()
    assert [row.recipient for row in queued] == ["forgetful@example.org"]
    assert "/reset-password/" in queued[0].body


def test_the_queued_reset_email_goes_out_through_the_sender(app, client, make_user):
    make_user("member", email="forgetful@example.org")
    sent = app.extensions["mailman"].outbox = []
    client.post("/forgot-password", data={"email": "forgetful@example.org"})
    assert sent == []

    with app.app_context():  # a session of its own: only what the request committed is there to send
        delivery = deliver_all_due()
    assert delivery.sent == 1
    assert len(sent) == 1 and sent[0].to == ["forgetful@example.org"] and "/reset-password/" in sent[0].body
    row = db.session.scalars(select(OutboxEmail)).one()
    assert row.sent_at is not None and row.body == ""  # the link does not stay in the database once sent
