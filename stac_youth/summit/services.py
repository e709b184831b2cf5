"""Summit use cases: editions and their sessions, and the planners' decision on each passed proposal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..common.audit import record_audit
from ..common.errors import NotFound, ServiceError
from ..common.roles import Role
from ..common.time import DEFAULT_TIMEZONE, utc_to_local, utcnow
from ..common.urls import path_for
from ..extensions import db
from ..notifications import kinds
from ..notifications.services import notify
from ..proposals import services as proposal_services
from ..proposals.models import Proposal, ProposalStatus
from .models import DECISION_IDS, Decision, DecisionKind, SummitEdition, SummitSession

PLANNERS = frozenset({Role.PLANNER, Role.ADMIN})
MAX_TITLE = 160
MAX_RESPONSE = 10_000
#: proposal statuses a decision may be taken on: passed, or already decided (a decision can be changed)
DECIDABLE = frozenset({ProposalStatus.PASSED, ProposalStatus.ADOPTED, ProposalStatus.DECLINED,
                       ProposalStatus.UNDER_REVIEW, ProposalStatus.MERGED})
DECISION_STATUS = {
    DecisionKind.ADOPTED: ProposalStatus.ADOPTED,
    DecisionKind.DECLINED: ProposalStatus.DECLINED,
    DecisionKind.UNDER_REVIEW: ProposalStatus.UNDER_REVIEW,
    DecisionKind.MERGED: ProposalStatus.MERGED,
}


def may_plan(user) -> bool:
    """Planners and admins manage the Summit and decide on proposals."""
    return user is not None and user.role in PLANNERS and user.is_active


def _require_planner(user) -> None:
    if not may_plan(user):
        raise ServiceError(_l("Only Summit planners can do this."))


@dataclass(frozen=True)
class EditionData:
    year: int | None
    title: str
    starts_on: date | None
    ends_on: date | None
    place: str


@dataclass(frozen=True)
class SessionData:
    title: str
    track: str
    starts_at: datetime | None  # UTC
    ends_at: datetime | None  # UTC
    room: str
    description: str


#: an edition's program as its pages and exports show it: the sessions, the decisions they carry and their proposals
PROGRAM = selectinload(SummitEdition.sessions).selectinload(SummitSession.decisions).selectinload(Decision.proposal)
#: the decision form's list of sessions, edition by edition
SESSIONS = selectinload(SummitEdition.sessions)
#: a session's page: the decisions it carries and their proposals
CARRIED = selectinload(SummitSession.decisions).selectinload(Decision.proposal)


def list_editions(*options) -> list[SummitEdition]:
    """Every Summit edition, the newest first, with the loader options given (e.g. its sessions)."""
    return list(db.session.scalars(select(SummitEdition).options(*options)
                                   .order_by(SummitEdition.year.desc(), SummitEdition.starts_on.desc())))


def current_edition() -> SummitEdition | None:
    """The next edition still to come or running, else the latest one."""
    today = utcnow().date()
    upcoming = db.session.scalar(select(SummitEdition).where(SummitEdition.ends_on >= today)
                                 .order_by(SummitEdition.starts_on).limit(1))
    return upcoming or db.session.scalar(select(SummitEdition).order_by(SummitEdition.starts_on.desc()).limit(1))


def get_edition(edition_id: int, *options) -> SummitEdition:
    """An edition by id (with the loader options given, e.g. PROGRAM); NotFound when there is none."""
    edition = db.session.get(SummitEdition, edition_id, options=options)
    if edition is None:
        raise NotFound(_l("We could not find that Summit edition."))
    return edition


def get_session(session_id: int, *options) -> SummitSession:
    """A Summit session by id (with the loader options given, e.g. CARRIED); NotFound when there is none."""
    session = db.session.get(SummitSession, session_id, options=options)
    if session is None:
        raise NotFound(_l("We could not find that Summit session."))
    return session


def _validate_edition(data: EditionData) -> None:
    if data.year is None or not 2000 <= data.year <= 2100:
        raise ServiceError(_l("Give the year of the Summit, like 2027."), field="year")
    if not data.title.strip():
        raise ServiceError(_l("Give the Summit a title."), field="title")
    if len(data.title.strip()) > MAX_TITLE:
        raise ServiceError(_l("The title can be at most %(n)d characters.", n=MAX_TITLE), field="title")
    if data.starts_on is None:
        raise ServiceError(_l("Give the first day of the Summit."), field="starts_on")
    if data.ends_on is None or data.ends_on < data.starts_on:
        raise ServiceError(_l("The last day cannot come before the first day."), field="ends_on")
    if len(data.place) > 200:
        raise ServiceError(_l("The place can be at most %(n)d characters.", n=200), field="place")


def _apply_edition(edition: SummitEdition, data: EditionData) -> None:
    edition.year = data.year
    edition.title = data.title.strip()
    edition.starts_on = data.starts_on
    edition.ends_on = data.ends_on
    edition.place = data.place.strip()


def create_edition(planner, data: EditionData) -> SummitEdition:
    """A planner adds a Summit edition."""
    _require_planner(planner)
    _validate_edition(data)
    edition = SummitEdition()
    _apply_edition(edition, data)
    db.session.add(edition)
    db.session.flush()
    record_audit("summit.edition_created", actor=planner, edition_id=edition.id, title=edition.title)
    db.session.commit()
    return edition


def update_edition(planner, edition: SummitEdition, data: EditionData) -> None:
    """A planner changes an edition; its sessions must still fall within its days."""
    _require_planner(planner)
    _validate_edition(data)
    outside = [s for s in edition.sessions if not data.starts_on <= summit_day(s.starts_at) <= data.ends_on]
    if outside:
        raise ServiceError(_l("Some sessions would fall outside the Summit's days. Move them first."),
                           field="starts_on")
    _apply_edition(edition, data)
    record_audit("summit.edition_updated", actor=planner, edition_id=edition.id)
    db.session.commit()


def summit_day(starts_at: datetime) -> date:
    """The calendar day, in California, of a stored UTC time."""
    return utc_to_local(starts_at, DEFAULT_TIMEZONE).date()


def _validate_session(edition: SummitEdition, data: SessionData) -> None:
    if not data.title.strip():
        raise ServiceError(_l("Give the session a title."), field="title")
    if len(data.title.strip()) > MAX_TITLE:
        raise ServiceError(_l("The title can be at most %(n)d characters.", n=MAX_TITLE), field="title")
    if data.starts_at is None:
        raise ServiceError(_l("Give the start of the session."), field="starts_at")
    if data.ends_at is None or data.ends_at <= data.starts_at:
        raise ServiceError(_l("The session must end after it starts."), field="ends_at")
    if not edition.starts_on <= summit_day(data.starts_at) <= edition.ends_on:
        raise ServiceError(_l("The session must be on one of the Summit's days."), field="starts_at")
    if len(data.track) > 80 or len(data.room) > 120:
        raise ServiceError(_l("The track or room name is too long."), field="track")
    if len(data.description) > MAX_RESPONSE:
        raise ServiceError(_l("The description is too long."), field="description")


def _apply_session(session: SummitSession, data: SessionData) -> None:
    session.title = data.title.strip()
    session.track = data.track.strip()
    session.starts_at = data.starts_at
    session.ends_at = data.ends_at
    session.room = data.room.strip()
    session.description = data.description.strip()


def add_session(planner, edition: SummitEdition, data: SessionData) -> SummitSession:
    """A planner adds a session to an edition."""
    _require_planner(planner)
    _validate_session(edition, data)
    session = SummitSession(edition_id=edition.id)
    _apply_session(session, data)
    db.session.add(session)
    db.session.flush()
    record_audit("summit.session_created", actor=planner, session_id=session.id, edition_id=edition.id)
    db.session.commit()
    return session


def update_session(planner, session: SummitSession, data: SessionData) -> None:
    """A planner changes a session; calendars see a new sequence number."""
    _require_planner(planner)
    _validate_session(session.edition, data)
    _apply_session(session, data)
    session.sequence += 1
    record_audit("summit.session_updated", actor=planner, session_id=session.id)
    db.session.commit()


def delete_session(planner, session: SummitSession) -> None:
    """A planner removes a session that carries no adopted proposal."""
    _require_planner(planner)
    if session.decisions:
        raise ServiceError(_l("Proposals are adopted into this session. Change those decisions first."))
    record_audit("summit.session_deleted", actor=planner, session_id=session.id, title=session.title)
    db.session.delete(session)
    db.session.commit()


@dataclass(frozen=True)
class DecisionData:
    kind: str
    response: str
    session_ids: tuple[int, ...] = ()
    merged_into_id: int | None = None


def decision_of(proposal_id: int) -> Decision | None:
    """The Summit's decision on a proposal, if there is one."""
    return db.session.scalar(select(Decision).options(selectinload(Decision.sessions))
                             .where(Decision.proposal_id == proposal_id))


def merged_into(proposal_ids: list[int]) -> dict[int, list[Proposal]]:
    """proposal id → the proposals the Summit merged into it, by title, for the proposals named."""
    merged: dict[int, list[Proposal]] = {}
    if not proposal_ids:
        return merged
    rows = db.session.execute(
        select(Decision.merged_into_id, Proposal).join(Proposal, Proposal.id == Decision.proposal_id)
        .where(Decision.kind == DecisionKind.MERGED, Decision.merged_into_id.in_(proposal_ids))
        .order_by(Proposal.title, Proposal.id)).tuples()
    for target_id, proposal in rows:
        merged.setdefault(target_id, []).append(proposal)
    return merged


def _checked_decision(proposal: Proposal, data: DecisionData) -> tuple[list[SummitSession], Proposal | None]:
    if data.kind not in set(DecisionKind):
        raise ServiceError(_l("Choose a decision."), field="kind")
    if not data.response.strip():
        raise ServiceError(_l("Write a response: the students will read what happened to their proposal and why."),
                           field="response")
    if len(data.response) > MAX_RESPONSE:
        raise ServiceError(_l("The response is too long."), field="response")
    sessions = list(db.session.scalars(select(SummitSession).where(SummitSession.id.in_(data.session_ids))))
    if len(sessions) != len(set(data.session_ids)):
        raise ServiceError(_l("Choose sessions from the list."), field="session_ids")
    if data.kind == DecisionKind.ADOPTED and not sessions:
        raise ServiceError(_l("Choose the Summit session or sessions that carry the proposal."), field="session_ids")
    merged_into = None
    if data.kind == DecisionKind.MERGED:
        merged_into = db.session.get(Proposal, data.merged_into_id) if data.merged_into_id else None
        if merged_into is None or merged_into.id == proposal.id or merged_into.status == ProposalStatus.DRAFT:
            raise ServiceError(_l("Choose the proposal this one is merged into."), field="merged_into_id")
    return (sessions if data.kind == DecisionKind.ADOPTED else []), merged_into


def decide(planner, proposal: Proposal, data: DecisionData) -> Decision:
    """Adopt (into sessions), decline, keep under review or merge a passed proposal, with a written response."""
    _require_planner(planner)
    if proposal.status not in DECIDABLE:
        raise ServiceError(_l("Only a proposal the students passed can get a Summit decision."))
    sessions, merged_into = _checked_decision(proposal, data)
    decision = decision_of(proposal.id) or Decision(proposal_id=proposal.id)
    decision.kind = data.kind
    decision.response = data.response.strip()
    decision.sessions = sessions
    decision.merged_into_id = merged_into.id if merged_into else None
    decision.decided_by_id = planner.id
    decision.decided_at = utcnow()
    db.session.add(decision)
    proposal_services.record_outcome(proposal, planner, DECISION_STATUS[DecisionKind(data.kind)],
                                     note=decision.response)
    record_audit("summit.decision", actor=planner, proposal_id=proposal.id, decision=data.kind,
                 sessions=[s.id for s in sessions], merged_into=decision.merged_into_id)
    db.session.commit()
    sponsors = [proposal.author] + [s.user for s in proposal.sponsors if s.accepted_at]
    notify(sponsors, kinds.DECISION, path_for("proposals.detail", proposal_id=proposal.id), once_unread=False,
           title=proposal.title, decision_label=DECISION_IDS[DecisionKind(data.kind)])
    return decision
