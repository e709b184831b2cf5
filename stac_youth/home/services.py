"""What each role sees first after signing in."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, text

from ..common.audit import AuditEvent
from ..common.roles import Role
from ..common.time import utcnow
from ..extensions import db
from ..members.models import Invitation, Region, User


@dataclass
class Dashboard:
    """Cards for the home screen; a card is shown when its data is present."""

    profile_missing: list[str] = field(default_factory=list)
    pending_invitations: list[Invitation] = field(default_factory=list)
    recent_audit: list[AuditEvent] = field(default_factory=list)
    counts_by_role: dict[str, int] = field(default_factory=dict)
    counts_by_region: list[tuple[str, int]] = field(default_factory=list)
    members_in_region: int = 0


def _missing_profile_fields(user: User) -> list[str]:
    checks = {"pronouns": user.pronouns, "region": user.region_id, "interests": user.interests, "bio": user.bio}
    return [name for name, value in checks.items() if not value]


def build_dashboard(user: User) -> Dashboard:
    """The home cards for the user's role, most urgent first."""
    board = Dashboard(profile_missing=_missing_profile_fields(user))
    active = (User.active.is_(True), User.deleted_at.is_(None))
    if user.region_id:
        board.members_in_region = db.session.scalar(
            select(func.count(User.id)).where(*active, User.region_id == user.region_id, User.role == Role.MEMBER)
        )
    if user.role in (Role.ADVISOR, Role.ADMIN):
        pending = select(Invitation).where(
            Invitation.used_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow()
        )
        if user.role != Role.ADMIN:
            pending = pending.where(Invitation.invited_by_id == user.id)
        board.pending_invitations = list(db.session.scalars(pending.order_by(Invitation.expires_at).limit(10)))
    if user.role == Role.ADMIN:
        board.recent_audit = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(8)))
        board.counts_by_role = dict(
            db.session.execute(select(User.role, func.count(User.id)).where(*active).group_by(User.role)).all()
        )
        board.counts_by_region = list(
            db.session.execute(
                select(Region.name, func.count(User.id))
                .outerjoin(User, (User.region_id == Region.id) & User.active.is_(True) & User.deleted_at.is_(None))
                .group_by(Region.id, Region.name, Region.position)
                .order_by(Region.position)
            ).all()
        )
    return board


def database_ok() -> bool:
    """Whether the database answers a trivial query."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ok" for the health check
        db.session.rollback()
        return False
