"""Meetings: the meeting, its agenda, RSVPs, attendance, minutes and calendar feeds."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..extensions import db


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"


class AgendaKind(StrEnum):
    PRESENTATION = "presentation"
    DISCUSSION = "discussion"
    VOTE = "vote"
    BREAK = "break"


class RsvpAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


meeting_regions = Table(
    "meeting_regions",
    db.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
)


class Meeting(db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column()
    location: Mapped[str | None] = mapped_column(String(200))
    video_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.DRAFT, index=True)
    #: why an advisor cancelled the meeting, shown to members while it stays cancelled
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    current_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", use_alter=True, ondelete="SET NULL")
    )
    current_item_started_at: Mapped[datetime | None] = mapped_column()

    regions = relationship("Region", secondary=meeting_regions, order_by="Region.position")
    created_by = relationship("User", foreign_keys=[created_by_id])
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan",
        foreign_keys="AgendaItem.meeting_id",
    )
    current_item: Mapped[AgendaItem | None] = relationship(foreign_keys=[current_item_id], post_update=True)
    minutes_revisions: Mapped[list[MinutesRevision]] = relationship(
        back_populates="meeting", order_by="MinutesRevision.id.desc()", cascade="all, delete-orphan"
    )

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def planned_minutes(self) -> int:
        return sum(item.minutes for item in self.items)

    @property
    def is_draft(self) -> bool:
        return self.status == MeetingStatus.DRAFT

    @property
    def latest_minutes(self) -> MinutesRevision | None:
        return self.minutes_revisions[0] if self.minutes_revisions else None


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int] = mapped_column(Integer, default=10)
    presenter: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default=AgendaKind.DISCUSSION)

    meeting: Mapped[Meeting] = relationship(back_populates="items", foreign_keys=[meeting_id])


class Rsvp(db.Model):
    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")


class Attendance(db.Model):
    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")


class MinutesRevision(db.Model):
    __tablename__ = "minutes_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="minutes_revisions")
    author = relationship("User")


class CalendarFeed(db.Model):
    """A user's secret calendar subscription; only the token's hash is kept."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
