"""What each role sees first after signing in."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from ..common.audit import AuditEvent
from ..common.i18n import localized_pair
from ..common.roles import Role
from ..common.time import utcnow
from ..extensions import db
from ..meetings.attendance import attendance_counts, my_rsvps
from ..meetings.models import Attendance, Meeting, MeetingStatus
from ..meetings.visibility import may_manage_meetings, visible_meetings
from ..members.models import Invitation, Region, User
from ..polls.models import Poll
from ..polls.views import may_manage as may_manage_polls
from ..polls.views import open_polls_to_vote, visible_polls
from ..proposals.models import Proposal, ProposalStatus
from ..rooms.access import may_moderate
from ..rooms.moderation import open_reports
from ..rooms.rooms import RoomListEntry, list_rooms
from ..summit.models import Decision
from ..summit.services import current_edition


@dataclass
class Dashboard:
    """Cards for the home screen; a card is shown when its data is present."""

    profile_missing: list[str] = field(default_factory=list)
    pending_invitations: list[Invitation] = field(default_factory=list)
    recent_audit: list[AuditEvent] = field(default_factory=list)
    counts_by_role: dict[str, int] = field(default_factory=dict)
    counts_by_region: list[tuple[str, int]] = field(default_factory=list)
    members_in_region: int = 0
    next_meeting: Meeting | None = None
    my_rsvp: str | None = None
    checked_in: bool = False  # the member checked in at the next meeting: they are there, whatever they answered
    draft_meetings: list[Meeting] = field(default_factory=list)
    last_meeting: Meeting | None = None
    last_meeting_attended: int = 0
    unread_rooms: list[RoomListEntry] = field(default_factory=list)
    my_proposals: list[Proposal] = field(default_factory=list)
    waiting_proposals: list[Proposal] = field(default_factory=list)
    open_reports: int = 0
    polls_to_vote: list[Poll] = field(default_factory=list)
    awaiting_decision: list[Proposal] = field(default_factory=list)
    summit_edition: object | None = None
    recent_polls: list[Poll] = field(default_factory=list)


def _missing_profile_fields(user: User) -> list[str]:
    checks = {"pronouns": user.pronouns, "region": user.region_id, "interests": user.interests, "bio": user.bio}
    return [name for name, value in checks.items() if not value]


def _add_meetings(board: Dashboard, user: User) -> None:
    now = utcnow()
    board.next_meeting = db.session.scalar(
        visible_meetings(user)
        .where(Meeting.status.in_((MeetingStatus.PUBLISHED, MeetingStatus.LIVE)), Meeting.ends_at >= now)
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    if board.next_meeting is not None:
        board.my_rsvp = my_rsvps(user, [board.next_meeting.id]).get(board.next_meeting.id)
        if user.role == Role.MEMBER:
            board.checked_in = db.session.scalar(select(Attendance.id).where(
                Attendance.meeting_id == board.next_meeting.id, Attendance.user_id == user.id)) is not None
    if may_manage_meetings(user):
        board.draft_meetings = list(db.session.scalars(
            select(Meeting).where(Meeting.status == MeetingStatus.DRAFT).order_by(Meeting.starts_at).limit(5)
        ))
        board.last_meeting = db.session.scalar(
            select(Meeting).where(Meeting.status == MeetingStatus.ENDED).order_by(Meeting.starts_at.desc()).limit(1)
        )
        if board.last_meeting is not None:
            board.last_meeting_attended = attendance_counts([board.last_meeting.id]).get(board.last_meeting.id, 0)


def build_dashboard(user: User) -> Dashboard:
    """The home cards for the user's role, most urgent first."""
    board = Dashboard(profile_missing=_missing_profile_fields(user))
    _add_meetings(board, user)
    if user.role == Role.MEMBER:
        board.polls_to_vote = open_polls_to_vote(user)[:5]
    elif may_manage_polls(user):
        board.recent_polls = visible_polls(user, limit=5)
    if user.role in (Role.PLANNER, Role.ADMIN):
        board.awaiting_decision = list(db.session.scalars(
            select(Proposal).outerjoin(Decision, Decision.proposal_id == Proposal.id)
            .where(Proposal.status == ProposalStatus.PASSED, Decision.id.is_(None))
            .order_by(Proposal.updated_at).limit(5)))
        board.summit_edition = current_edition()
    if user.role == Role.PLANNER:
        board.recent_polls = visible_polls(user, limit=5)
    board.unread_rooms = [entry for entry in list_rooms(user) if entry.unread][:5]
    board.my_proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.author_id == user.id).order_by(Proposal.updated_at.desc()).limit(5)
    ))
    if may_moderate(user):
        board.waiting_proposals = list(db.session.scalars(
            select(Proposal).where(Proposal.status == ProposalStatus.SUBMITTED).order_by(Proposal.updated_at).limit(5)
        ))
    if may_moderate(user):
        board.open_reports = len(open_reports())
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
        board.recent_audit = list(db.session.scalars(
            select(AuditEvent).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id.desc()).limit(8)))
        board.counts_by_role = dict(
            db.session.execute(select(User.role, func.count(User.id)).where(*active).group_by(User.role)).all()
        )
        board.counts_by_region = [
            (localized_pair(name, name_es), count) for name, name_es, count in db.session.execute(
                select(Region.name, Region.name_es, func.count(User.id))
                .outerjoin(User, (User.region_id == Region.id) & User.active.is_(True) & User.deleted_at.is_(None))
                .group_by(Region.id, Region.name, Region.name_es, Region.position)
                .order_by(Region.position)
            ).tuples()
        ]
    return board


def database_ok() -> bool:
    """Whether the database answers a trivial query."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ok" for the health check
        db.session.rollback()
        return False
