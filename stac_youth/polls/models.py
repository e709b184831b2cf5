"""Polls, who may vote in them, who voted, the ballots and live counters.

Ballot secrecy is a property of the schema: a Ballot carries no voter, no time and no serial number on a secret
poll, its id is random (and on SQLite the table has no hidden rowid, so storage order says nothing), and no
column links a ballot to the Participation row that records who voted.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..extensions import db


class PollMethod(StrEnum):
    YES_NO_ABSTAIN = "yes_no_abstain"
    APPROVAL = "approval"
    RANKED_CHOICE = "ranked_choice"


class PollThreshold(StrEnum):
    SIMPLE = "simple"
    TWO_THIRDS = "two_thirds"


class PollStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Poll(db.Model):
    __tablename__ = "polls"
    __table_args__ = (CheckConstraint("quorum_percent >= 0 AND quorum_percent <= 100", name="quorum_percent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"),
                                                       index=True)
    question: Mapped[str] = mapped_column(String(200))
    #: set when the app wrote the question: it is drawn in the reader's language (`question` keeps the English)
    question_kind: Mapped[str | None] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(16), default=PollMethod.YES_NO_ABSTAIN)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    results_live: Mapped[bool] = mapped_column(Boolean, default=False)
    quorum_percent: Mapped[int] = mapped_column(Integer, default=0)
    threshold: Mapped[str] = mapped_column(String(16), default=PollThreshold.SIMPLE)
    status: Mapped[str] = mapped_column(String(16), default=PollStatus.DRAFT, index=True)
    opens_at: Mapped[datetime | None] = mapped_column()
    closes_at: Mapped[datetime | None] = mapped_column()
    opened_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    eligible_count: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(16))
    result_json: Mapped[str | None] = mapped_column(Text)
    #: set at the close, for sorting on the planners' dashboard: percent of yes among yes + no (yes / no / abstain),
    #: of ballots approving the winner (approval) or for the winner in the last round (ranked choice)
    support_percent: Mapped[float | None] = mapped_column(Float)
    turnout_percent: Mapped[float | None] = mapped_column(Float)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal = relationship("Proposal")
    agenda_item = relationship("AgendaItem")
    created_by = relationship("User")
    options: Mapped[list[PollOption]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", order_by="PollOption.position"
    )

    @property
    def result(self) -> dict | None:
        """The stored final result as a dict (None before close)."""
        return json.loads(self.result_json) if self.result_json else None


class PollOption(db.Model):
    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))

    poll: Mapped[Poll] = relationship(back_populates="options")


class PollEligibility(db.Model):
    """A member who may vote in a poll, fixed when it opens."""

    __tablename__ = "poll_eligibility"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class Participation(db.Model):
    """That a member voted in a poll (never what): the database allows one per member and poll."""

    __tablename__ = "poll_participations"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ballot(db.Model):
    """What was voted. voter_id and updated_at are set only on open (non-secret) polls."""

    __tablename__ = "ballots"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    choices: Mapped[str] = mapped_column(Text)
    receipt_hash: Mapped[str] = mapped_column(String(64), index=True)
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[datetime | None] = mapped_column()

    @property
    def choice_data(self):
        return json.loads(self.choices)


class PollCount(db.Model):
    """A live counter per choice, kept in each ballot's transaction (yes / no / abstain, or an option id)."""

    __tablename__ = "poll_counts"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
