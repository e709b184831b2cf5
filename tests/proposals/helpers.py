"""Shared builders for the proposals tests (plain functions, not fixtures)."""

from __future__ import annotations

from sqlalchemy import select

from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db
from stac_youth.proposals import services
from stac_youth.proposals.models import Proposal, Theme


def theme(name: str = "Mental health and wellness", active: bool = True) -> Theme:
    """A proposal theme (the existing one of that name, or a new one)."""
    found = db.session.scalar(select(Theme).where(Theme.name == name))
    if found is None:
        position = (db.session.scalar(select(db.func.max(Theme.position))) or 0) + 1
        found = Theme(name=name, position=position, active=active)
        db.session.add(found)
        db.session.commit()
    return found


def data(theme_id: int | None = None, **changes) -> services.ProposalData:
    """Valid proposal data on the given theme (a default theme otherwise), statewide."""
    values = {
        "title": "Peer support circles",
        "summary": "Trained students lead weekly peer support circles.",
        "description": "Why it **matters**.",
        "theme_id": theme_id if theme_id is not None else theme().id,
        "region_id": None,
    }
    values.update(changes)
    return services.ProposalData(**values)


def make_proposal(author, status: str = "draft", advisor=None, **changes) -> Proposal:
    """A proposal through the services, taken to the status asked for (in_discussion needs an advisor)."""
    proposal = services.create_proposal(author, data(**changes))
    if status in ("submitted", "in_discussion"):
        services.submit_proposal(author, proposal)
    if status == "in_discussion":
        services.advance_proposal(advisor, proposal)
    return proposal


def actions() -> list[str]:
    """The proposal and theme audit actions written so far, oldest first."""
    query = select(AuditEvent.action).where(AuditEvent.action.like("proposal.%") | AuditEvent.action.like("theme.%"))
    return list(db.session.scalars(query.order_by(AuditEvent.id)))
