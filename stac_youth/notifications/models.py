"""In-app notifications: one row per recipient, its text drawn in the reader's language when shown."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.time import utcnow
from ..extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    #: who did it (who mentioned or invited): their name is read from their row when shown, never stored here
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    params: Mapped[str] = mapped_column(Text, default="{}")
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()

    actor = relationship("User", foreign_keys=[actor_id])

    @property
    def values(self) -> dict:
        """The parameters of the notification's text."""
        return json.loads(self.params or "{}")
