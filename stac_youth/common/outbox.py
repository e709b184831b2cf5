"""The outbox: every email is a row written in the transaction that caused it, and sent later by the mail sender.

A rolled-back change sends nothing, and a restart loses nothing: what is not yet sent is still in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, delete, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .signals import account_erased
from .time import utcnow

#: how much of a sending error a row keeps (the error's text, never the message)
ERROR_CHARS = 300
#: a shorter name is not looked for in emails on erasure: it would match words of other people's mail
SHORTEST_NAME_LOOKED_FOR = 3


class OutboxEmail(db.Model):
    """One email, already rendered in its reader's language, waiting to be sent, sent, or given up on."""

    __tablename__ = "outbox_emails"
    __table_args__ = (Index("ix_outbox_emails_sent_at_next_attempt_at", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    #: emptied once sent, so links that carry a secret (a password reset) do not stay in the database
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime]
    #: a sender's lease: until then no other sender takes the row; a sender that died lets it lapse
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    #: set after the last allowed attempt failed; the row stays for the operator
    gave_up_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(ERROR_CHARS))


def queue_email(recipient: str, subject: str, body: str) -> OutboxEmail:
    """Add an email to the session's transaction; it goes out after the caller commits, and never if it rolls back."""
    now = utcnow()
    row = OutboxEmail(recipient=recipient, subject=subject, body=body, created_at=now, attempts=0,
                      next_attempt_at=now)
    db.session.add(row)
    return row


@dataclass(frozen=True)
class Backlog:
    """What the outbox holds that is not sent: for operators and the readiness check."""

    due: int  # waiting for a first try or a retry whose time has come
    retrying: int  # failed at least once, waiting for the next try
    gave_up: int
    oldest_due_at: datetime | None


def pending(row=OutboxEmail):
    """The condition of rows still to be sent: not sent and not given up on."""
    return row.sent_at.is_(None) & row.gave_up_at.is_(None)


def oldest_due_at(now: datetime | None = None) -> datetime | None:
    """When the unsent email due the longest was due, or None when none is due."""
    now = now or utcnow()
    return db.session.scalar(select(func.min(OutboxEmail.next_attempt_at))
                             .where(pending(), OutboxEmail.next_attempt_at <= now))


def backlog(now: datetime | None = None) -> Backlog:
    """Count the unsent emails: due now, waiting for a retry, given up on; and when the oldest due one was due."""
    now = now or utcnow()
    due_now = pending() & (OutboxEmail.next_attempt_at <= now)
    due, oldest = db.session.execute(select(func.count(), func.min(OutboxEmail.next_attempt_at))
                                     .where(due_now)).one()
    retrying = db.session.scalar(select(func.count()).where(pending(), OutboxEmail.next_attempt_at > now))
    gave_up = db.session.scalar(select(func.count()).where(OutboxEmail.gave_up_at.is_not(None)))
    return Backlog(due=due, retrying=retrying or 0, gave_up=gave_up or 0, oldest_due_at=oldest)


@account_erased.connect
def forget_erased_recipient(user, former_name: str | None = None, former_email: str | None = None, **_extra) -> None:
    """Erasure drops the emails to the member and those naming them, sent or not; the eraser's service commits."""
    matches = []
    if former_email:
        matches.append(func.lower(OutboxEmail.recipient) == former_email.lower())
    if former_name and len(former_name) >= SHORTEST_NAME_LOOKED_FOR:
        for column in (OutboxEmail.subject, OutboxEmail.body):
            matches += [column.contains(former_name, autoescape=True),
                        func.lower(column).contains(former_name.lower(), autoescape=True)]
    if matches:
        db.session.execute(delete(OutboxEmail).where(or_(*matches)).execution_options(synchronize_session=False))
