"""Members: users and their profiles, regions, invitations and reset tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.roles import Role
from ..common.time import DEFAULT_TIMEZONE, utcnow
from ..extensions import db


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    #: the Spanish form where it differs (empty: `name` serves both languages)
    name_es: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)

    counties: Mapped[list[County]] = relationship(
        back_populates="region", order_by="County.name", cascade="all, delete-orphan"
    )


class County(db.Model):
    __tablename__ = "counties"
    __table_args__ = (UniqueConstraint("region_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))

    region: Mapped[Region] = relationship(back_populates="counties")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column()

    display_name: Mapped[str | None] = mapped_column(String(80))
    pronouns: Mapped[str | None] = mapped_column(String(40))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"))
    school: Mapped[str | None] = mapped_column(String(120))
    grade: Mapped[str | None] = mapped_column(String(16))
    bio: Mapped[str | None] = mapped_column(Text)
    preferred_language: Mapped[str] = mapped_column(String(5), default="en")
    #: whether the member picked a language; until then sign-in keeps the browser's
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    avatar_filename: Mapped[str | None] = mapped_column(String(64))
    hide_school: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_bio: Mapped[bool] = mapped_column(Boolean, default=False)
    #: which notifications also come by email: all, decisions (on one's proposals) or none
    email_notifications: Mapped[str] = mapped_column(String(16), default="all", server_default="all")

    region: Mapped[Region | None] = relationship()
    county: Mapped[County | None] = relationship()
    interests: Mapped[list[MemberInterest]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="MemberInterest.tag"
    )

    @property
    def is_active(self) -> bool:
        return self.active and self.deleted_at is None

    @property
    def is_authenticated(self) -> bool:
        """A User is only ever the signed-in user (the loader refuses inactive accounts); the signed-out visitor is
        Flask-Login's anonymous user. Reading no column keeps a committed request from loading the user again."""
        return True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    #: The token of the device login this object was loaded for; not a column, set per request.
    login_token = None

    def get_id(self) -> str:
        """The login id: user, session version (bumped to end every session) and this device's login token."""
        return f"{self.id}:{self.session_version}:{self.login_token or ''}"

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds one of the given roles."""
        return self.role in roles

    @property
    def interest_tags(self) -> list[str]:
        return [interest.tag for interest in self.interests]

    @property
    def initials(self) -> str:
        words = (self.display_name or "").split()
        return "".join(word[0] for word in words[:2]).upper() or "?"


class MemberInterest(db.Model):
    __tablename__ = "member_interests"
    __table_args__ = (UniqueConstraint("user_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(40), index=True)

    user: Mapped[User] = relationship(back_populates="interests")


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    region: Mapped[Region | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def status(self, now: datetime) -> str:
        """pending, used, revoked or expired."""
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"


class LoginSession(db.Model):
    """One signed-in device: its cookies name it, so signing out there ends it and copies stop working."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()
