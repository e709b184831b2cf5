"""The Summit: editions, their sessions, and the planners' decision on each proposal."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..extensions import db


class DecisionKind(StrEnum):
    ADOPTED = "adopted"
    DECLINED = "declined"
    UNDER_REVIEW = "under_review"
    MERGED = "merged"


#: the English message ids, translated for each reader when a notification is shown
DECISION_IDS = {
    DecisionKind.ADOPTED: "Adopted",
    DecisionKind.DECLINED: "Declined",
    DecisionKind.UNDER_REVIEW: "Under review",
    DecisionKind.MERGED: "Merged into another proposal",
}

DECISION_LABELS = {
    DecisionKind.ADOPTED: _l("Adopted"),
    DecisionKind.DECLINED: _l("Declined"),
    DecisionKind.UNDER_REVIEW: _l("Under review"),
    DecisionKind.MERGED: _l("Merged into another proposal"),
}


def decision_label(kind: str | None) -> str:
    """A decision as people read it, in their language."""
    return str(DECISION_LABELS.get(kind, "")) if kind else ""


class SummitEdition(db.Model):
    __tablename__ = "summit_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(160))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sessions: Mapped[list[SummitSession]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", order_by="SummitSession.starts_at"
    )


decision_sessions = Table(
    "decision_sessions",
    db.metadata,
    Column("decision_id", ForeignKey("summit_decisions.id", ondelete="CASCADE"), primary_key=True),
    Column("session_id", ForeignKey("summit_sessions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class SummitSession(db.Model):
    __tablename__ = "summit_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("summit_editions.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    track: Mapped[str] = mapped_column(String(80), default="")
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    room: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    edition: Mapped[SummitEdition] = relationship(back_populates="sessions")
    decisions: Mapped[list[Decision]] = relationship(secondary=decision_sessions, back_populates="sessions")


class Decision(db.Model):
    """What the Summit did with a proposal, with the planners' written response; one per proposal."""

    __tablename__ = "summit_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    response: Mapped[str] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal = relationship("Proposal", foreign_keys=[proposal_id])
    merged_into = relationship("Proposal", foreign_keys=[merged_into_id])
    decided_by = relationship("User")
    sessions: Mapped[list[SummitSession]] = relationship(
        secondary=decision_sessions, back_populates="decisions", order_by="SummitSession.starts_at"
    )
