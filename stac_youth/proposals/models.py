"""Proposals: themes, the proposal with its co-sponsors and timeline, and comments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..extensions import db


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_DISCUSSION = "in_discussion"
    IN_VOTE = "in_vote"
    PASSED = "passed"
    NOT_PASSED = "not_passed"
    ADOPTED = "adopted"
    DECLINED = "declined"
    UNDER_REVIEW = "under_review"
    MERGED = "merged"


STATUS_LABELS = {
    ProposalStatus.DRAFT: _l("Draft"),
    ProposalStatus.SUBMITTED: _l("Submitted"),
    ProposalStatus.IN_DISCUSSION: _l("In discussion"),
    ProposalStatus.IN_VOTE: _l("In vote"),
    ProposalStatus.PASSED: _l("Passed"),
    ProposalStatus.NOT_PASSED: _l("Not passed"),
    ProposalStatus.ADOPTED: _l("Adopted"),
    ProposalStatus.DECLINED: _l("Declined"),
    ProposalStatus.UNDER_REVIEW: _l("Under review"),
    ProposalStatus.MERGED: _l("Merged into another proposal"),
}


def status_label(status: str) -> str:
    """A proposal status as people read it, in their language."""
    return str(STATUS_LABELS.get(status, status))


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: the Spanish form where it differs (empty: `name` serves both languages)
    name_es: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Proposal(db.Model):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(280))
    description: Mapped[str] = mapped_column(Text, default="")
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.DRAFT, index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    theme: Mapped[Theme] = relationship()
    region = relationship("Region")
    author = relationship("User", foreign_keys=[author_id])
    room = relationship("Room")
    sponsors: Mapped[list[Cosponsor]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="Cosponsor.invited_at"
    )
    events: Mapped[list[ProposalEvent]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalEvent.id"
    )


class Cosponsor(db.Model):
    """A member the author invited to co-sponsor; accepted_at is set once they agree."""

    __tablename__ = "proposal_cosponsors"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column()

    proposal: Mapped[Proposal] = relationship(back_populates="sponsors")
    user = relationship("User")


class ProposalEvent(db.Model):
    """One dated step of a proposal's timeline: who moved it where."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")  # Markdown: the Summit's response to a decision
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="events")
    actor = relationship("User")


class Comment(db.Model):
    __tablename__ = "proposal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_comments.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column()
    deleted_at: Mapped[datetime | None] = mapped_column()

    author = relationship("User", foreign_keys=[author_id])
    replies: Mapped[list[Comment]] = relationship(order_by="Comment.id")


class CommentReport(db.Model):
    __tablename__ = "proposal_comment_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("proposal_comments.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()

    comment: Mapped[Comment] = relationship()
