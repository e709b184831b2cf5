"""The mail sender: claims due outbox rows, sends them through Flask-Mailman, retries failures with back-off.

Several senders may run at once (a worker process, a second one during a deploy): a row is claimed by setting a lease
(`claimed_until`) in one short UPDATE, so each email goes to one sender. On PostgreSQL the rows to claim are picked
with FOR UPDATE SKIP LOCKED, so senders pass over each other's rows instead of waiting; on SQLite the UPDATE takes
the database's write lock and re-checks the lease itself. A sender killed mid-batch leaves leases that lapse: the
rows go out once `claimed_until` has passed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_mailman import EmailMessage
from sqlalchemy import or_, select, update

from ..extensions import db, mail
from .outbox import ERROR_CHARS, OutboxEmail, pending
from .time import utcnow

log = logging.getLogger(__name__)

RETRY_FIRST = timedelta(seconds=30)
RETRY_FACTOR = 4
RETRY_MOST = timedelta(hours=1)
BATCH = 50


@dataclass
class Delivery:
    """What one run of the sender did."""

    sent: int = 0
    failed: int = 0  # will be tried again
    gave_up: int = 0

    def add(self, other: Delivery) -> None:
        """Add another run's counts to these."""
        self.sent += other.sent
        self.failed += other.failed
        self.gave_up += other.gave_up


@dataclass(frozen=True)
class _Claimed:
    id: int
    recipient: str
    subject: str
    body: str
    attempts: int


def retry_delay(failures: int) -> timedelta:
    """The wait after the n-th failure: 30 s, 2 min, 8 min, 32 min, then every hour."""
    return min(RETRY_FIRST * RETRY_FACTOR ** (max(failures, 1) - 1), RETRY_MOST)


def _due(now: datetime):
    return pending() & (OutboxEmail.next_attempt_at <= now) & or_(OutboxEmail.claimed_until.is_(None),
                                                                   OutboxEmail.claimed_until <= now)


def claim_due(now: datetime, lease: timedelta, limit: int = BATCH) -> list[int]:
    """Lease up to `limit` due rows to this sender in one short transaction; returns their ids."""
    # MATERIALIZED: the picked rows are read once. As a plain IN (subquery), PostgreSQL may run the subquery again
    # for each row it updates, and SKIP LOCKED then hands it the next rows, past the limit.
    picked = (select(OutboxEmail.id).where(_due(now)).order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
              .limit(limit).with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED"))
    # The outer condition is checked again on the row itself: a row another sender leased meanwhile is left out.
    claim = (update(OutboxEmail).where(OutboxEmail.id.in_(select(picked.c.id)), _due(now))
             .values(claimed_until=now + lease).returning(OutboxEmail.id)
             .execution_options(synchronize_session=False))
    ids = list(db.session.scalars(claim))
    db.session.commit()
    return ids


def _load(ids: list[int]) -> list[_Claimed]:
    rows = db.session.execute(select(OutboxEmail.id, OutboxEmail.recipient, OutboxEmail.subject, OutboxEmail.body,
                                     OutboxEmail.attempts).where(OutboxEmail.id.in_(ids)).order_by(OutboxEmail.id))
    claimed = [_Claimed(*row) for row in rows]
    db.session.commit()
    return claimed


def _mark_sent(email: _Claimed, now: datetime) -> None:
    db.session.execute(update(OutboxEmail).where(OutboxEmail.id == email.id)
                       .values(sent_at=now, claimed_until=None, body="", attempts=email.attempts + 1,
                               last_error=None).execution_options(synchronize_session=False))
    db.session.commit()


def _mark_failed(email: _Claimed, error: Exception, now: datetime, max_attempts: int) -> bool:
    """Record a failed try; returns whether that was the last one allowed."""
    attempts = email.attempts + 1
    last = attempts >= max_attempts
    error_text = f"{type(error).__name__}: {error}"[:ERROR_CHARS]
    values = {"attempts": attempts, "claimed_until": None, "last_error": error_text}
    if last:
        values["gave_up_at"] = now
    else:
        values["next_attempt_at"] = now + retry_delay(attempts)
    db.session.execute(update(OutboxEmail).where(OutboxEmail.id == email.id, OutboxEmail.sent_at.is_(None))
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()
    return last


def _send_claimed(claimed: list[_Claimed], now: datetime, max_attempts: int) -> Delivery:
    delivery = Delivery()
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    connection = None
    for email in claimed:
        try:
            if connection is None:
                connection = mail.get_connection()
                connection.open()
            EmailMessage(subject=email.subject, body=email.body, to=[email.recipient], from_email=sender,
                         connection=connection).send()
        except Exception as error:  # noqa: BLE001 - whatever the mail server or network did, the row is retried
            if connection is not None:
                _close_quietly(connection)
                connection = None  # the next email opens a fresh one: this one may be broken
            if _mark_failed(email, error, now, max_attempts):
                delivery.gave_up += 1
                log.error("outbox email %s: gave up after %s attempts: %s", email.id, max_attempts,
                          type(error).__name__)
            else:
                delivery.failed += 1
                log.warning("outbox email %s: attempt %s failed (%s), will retry", email.id, email.attempts + 1,
                            type(error).__name__)
        else:
            _mark_sent(email, now)
            delivery.sent += 1
    if connection is not None:
        _close_quietly(connection)
    return delivery


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a connection that will not close cleanly is dropped anyway
        log.debug("closing the mail connection failed", exc_info=True)


def deliver_due(now: datetime | None = None, lease: timedelta | None = None, limit: int = BATCH) -> Delivery:
    """Claim one batch of due emails and send them; each failure is retried later, up to MAIL_MAX_ATTEMPTS tries."""
    config = current_app.config
    now = now or utcnow()
    lease = lease if lease is not None else timedelta(seconds=config["MAIL_CLAIM_SECONDS"])
    ids = claim_due(now, lease, limit)
    if not ids:
        return Delivery()
    return _send_claimed(_load(ids), now, config["MAIL_MAX_ATTEMPTS"])


def deliver_all_due(now: datetime | None = None, lease: timedelta | None = None, limit: int = BATCH) -> Delivery:
    """Send batches until nothing is due (failures wait for their retry time, so this ends)."""
    total = Delivery()
    while True:
        delivery = deliver_due(now, lease, limit)
        total.add(delivery)
        if not (delivery.sent or delivery.failed or delivery.gave_up):
            return total
