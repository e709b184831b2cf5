"""The outbox: an email is a row of its cause's transaction; the sender claims, sends, retries with back-off, gives up.

Time is driven by passing `now` to the sender; nothing sleeps.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from benchmarks.harness import free_port
from stac_youth.common.mail_sender import claim_due, deliver_due, retry_delay
from stac_youth.common.mailer import send_email
from stac_youth.common.outbox import OutboxEmail, backlog, queue_email
from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.members import invitations


class FlakyHandler:
    """An SMTP server's handler that answers the first `failures` messages with a temporary 451 refusal."""

    def __init__(self, failures: int):
        self.failures = failures
        self.tries = 0
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - the name aiosmtpd calls
        self.tries += 1
        if self.failures > 0:
            self.failures -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    """A real SMTP server on a free local port; its handler fails the first 2 messages."""
    handler = FlakyHandler(failures=2)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def smtp_app(make_app, smtp):
    """An app that sends through the local SMTP server, tried at most 3 times per email."""
    _handler, port = smtp
    application = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5,
                           MAIL_MAX_ATTEMPTS=3)
    with application.app_context():
        yield application
        db.session.remove()


@pytest.fixture
def sent(app) -> list:
    """What Flask-Mailman's in-memory backend received, read as is (the `outbox` fixture would send first)."""
    app.extensions["mailman"].outbox = []
    return app.extensions["mailman"].outbox


def _row(email_id: int) -> OutboxEmail:
    db.session.expire_all()
    return db.session.get(OutboxEmail, email_id)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEmail))


# --- written in the cause's transaction -----------------------------------------------------------------------------

def test_a_rolled_back_transaction_leaves_no_email_and_sends_nothing(app, make_user, sent):
    user = make_user("member")
    send_email(user.email, "email/password_reset_subject.txt", "email/password_reset.txt", user=user,
               reset_url="https://stac.example.org/reset-password/abc")
    assert _count() == 1  # in the transaction, not yet committed
    db.session.rollback()

    assert _count() == 0
    assert deliver_due().sent == 0
    assert sent == []


def test_a_committed_email_is_sent_after_the_commit_in_the_readers_language(app, make_user, sent):
    user = make_user("member", preferred_language="es")
    send_email(user.email, "email/password_reset_subject.txt", "email/password_reset.txt",
               language=user.preferred_language, user=user, reset_url="https://stac.example.org/reset-password/abc")
    assert sent == []  # queuing sends nothing
    db.session.commit()

    delivery = deliver_due()
    assert (delivery.sent, delivery.failed) == (1, 0)
    assert [message.to for message in sent] == [[user.email]]
    assert "https://stac.example.org/reset-password/abc" in sent[0].body
    assert "contraseña" in (sent[0].subject + sent[0].body).lower()
    assert deliver_due().sent == 0  # sent once


def test_an_invitation_and_its_email_are_committed_together(app, make_user, sent):
    admin = make_user("admin")
    created = invitations.invite_member(admin, "newcomer@example.org", "member", None, lambda token: f"/r/{token}")
    db.session.rollback()  # nothing left to roll back: the service committed both

    [row] = db.session.scalars(select(OutboxEmail)).all()
    assert row.recipient == "newcomer@example.org" and f"/r/{created.token}" in row.body
    assert deliver_due().sent == 1 and sent[0].to == ["newcomer@example.org"]


# --- retries with back-off, through a real SMTP server ----------------------------------------------------------------

def test_retry_delays_grow_four_times_and_stop_at_an_hour():
    assert [retry_delay(n) for n in range(1, 7)] == [
        timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=8), timedelta(minutes=32),
        timedelta(hours=1), timedelta(hours=1)]


def test_a_refusing_smtp_server_gets_the_email_after_retries_with_back_off(smtp_app, smtp):
    handler, _port = smtp
    email = queue_email("ana@example.org", "Meeting moved", "It is on Friday now.")
    db.session.commit()
    start = utcnow()

    first = deliver_due(now=start)
    assert (first.sent, first.failed) == (0, 1)
    row = _row(email.id)
    assert row.attempts == 1 and row.next_attempt_at == start + timedelta(seconds=30)
    assert "451" in row.last_error and "Friday" not in row.last_error and row.claimed_until is None

    assert deliver_due(now=start + timedelta(seconds=29)).failed == 0  # not before its time
    assert handler.tries == 1

    second_at = start + timedelta(seconds=30)
    assert deliver_due(now=second_at).failed == 1
    assert _row(email.id).next_attempt_at == second_at + timedelta(minutes=2)
    assert deliver_due(now=second_at + timedelta(minutes=1)).sent == 0

    third_at = second_at + timedelta(minutes=2)
    assert deliver_due(now=third_at).sent == 1
    assert handler.tries == 3 and len(handler.received) == 1
    [envelope] = handler.received
    assert envelope.rcpt_tos == ["ana@example.org"]
    assert b"Subject: Meeting moved" in envelope.content and b"It is on Friday now." in envelope.content
    row = _row(email.id)
    assert row.sent_at == third_at and row.attempts == 3 and row.last_error is None and row.body == ""
    assert deliver_due(now=third_at + timedelta(days=1)).sent == 0
    assert len(handler.received) == 1


def test_after_the_last_allowed_attempt_the_email_is_kept_and_no_longer_tried(smtp_app, smtp, caplog):
    handler, _port = smtp
    handler.failures = 100
    email = queue_email("ana@example.org", "Meeting moved", "It is on Friday now.")
    db.session.commit()
    now = utcnow()
    with caplog.at_level(logging.WARNING, logger="stac_youth.common.mail_sender"):
        for _ in range(2):
            assert deliver_due(now=now).failed == 1
            now = _row(email.id).next_attempt_at
        assert deliver_due(now=now).gave_up == 1

    row = _row(email.id)
    assert row.gave_up_at == now and row.sent_at is None and row.attempts == 3 and row.body
    assert any(f"outbox email {email.id}: gave up after 3 attempts" in r.getMessage() for r in caplog.records)
    assert all("ana@example.org" not in r.getMessage() for r in caplog.records)
    later = now + timedelta(days=2)
    assert deliver_due(now=later).gave_up == 0 and handler.tries == 3
    assert backlog(later) == backlog(later).__class__(due=0, retrying=0, gave_up=1, oldest_due_at=None)


# --- leases ---------------------------------------------------------------------------------------------------------

def test_an_email_claimed_by_a_worker_that_died_goes_out_once_its_lease_lapses(app, sent):
    email = queue_email("ana@example.org", "Hello", "Body")
    db.session.commit()
    now = utcnow()
    assert claim_due(now, timedelta(seconds=60)) == [email.id]  # claimed, then the worker was killed

    assert deliver_due(now=now + timedelta(seconds=59), lease=timedelta(seconds=60)).sent == 0
    assert sent == []
    assert deliver_due(now=now + timedelta(seconds=61), lease=timedelta(seconds=60)).sent == 1
    assert [message.to for message in sent] == [["ana@example.org"]]
    assert deliver_due(now=now + timedelta(minutes=10)).sent == 0


def test_a_claim_takes_due_unclaimed_rows_oldest_first_and_at_most_the_limit(app):
    rows = [queue_email(f"m{n}@example.org", "Hello", "Body") for n in range(2)]
    db.session.commit()
    now = utcnow()
    later = queue_email("later@example.org", "Hello", "Body")
    later.next_attempt_at = now + timedelta(minutes=5)
    db.session.commit()

    assert claim_due(now, timedelta(minutes=5), limit=1) == [rows[0].id]
    assert claim_due(now, timedelta(minutes=5)) == [rows[1].id]
    assert claim_due(now, timedelta(minutes=5)) == []  # the others are claimed, the last one is not due


# --- the command ----------------------------------------------------------------------------------------------------

def test_mail_worker_once_sends_everything_due_then_exits(app, runner, sent):
    for n in range(3):
        queue_email(f"member{n}@example.org", f"Notice {n}", "Body")
    db.session.commit()

    result = runner.invoke(args=["mail-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 3, failed 0" in result.output
    assert sorted(message.to[0] for message in sent) == [f"member{n}@example.org" for n in range(3)]
    again = runner.invoke(args=["mail-worker", "--once"])
    assert "sent 0" in again.output and len(sent) == 3


def test_mail_backlog_shows_what_waits(app, runner):
    queue_email("due@example.org", "Hello", "Body")
    retrying = queue_email("retry@example.org", "Hello", "Body")
    db.session.flush()
    retrying.attempts, retrying.next_attempt_at = 1, utcnow() + timedelta(minutes=2)
    db.session.commit()

    result = runner.invoke(args=["mail-backlog"])
    assert result.exit_code == 0, result.output
    assert "due: 1 (oldest due" in result.output
    assert "waiting for a retry: 1" in result.output and "given up: 0" in result.output


# --- readiness ------------------------------------------------------------------------------------------------------

def test_readyz_says_the_outbox_stalled_when_an_email_waits_past_its_time_for_over_15_minutes(app, client):
    email = queue_email("ana@example.org", "Hello", "Body")
    email.next_attempt_at = utcnow() - timedelta(minutes=14)
    retrying = queue_email("bo@example.org", "Hello", "Body")  # failed long ago, waiting for its retry: not late
    retrying.created_at, retrying.attempts = utcnow() - timedelta(hours=2), 5
    retrying.next_attempt_at = utcnow() + timedelta(minutes=30)
    db.session.commit()
    assert client.get("/readyz").get_json()["checks"]["outbox"] == "ok"

    email.next_attempt_at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["outbox"] and response.get_json()["checks"]["outbox"] == "stalled"

    assert deliver_due().sent == 1  # a sender at work again
    assert client.get("/readyz").status_code == 200
