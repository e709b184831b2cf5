"""Real Summit rows for the cross-cutting sweeps (access matrix, CSRF, headers): an edition with two sessions."""

from __future__ import annotations

from datetime import date, datetime

from stac_youth.extensions import db
from stac_youth.proposals.models import ProposalStatus
from stac_youth.summit import services as summit


def summit_rows(planner) -> dict:
    """An edition in June 2031 with a session to keep and one to delete: {edition_id, session_id, doomed_id}."""
    edition = summit.create_edition(planner, summit.EditionData(
        year=2031, title="Summit 2031", starts_on=date(2031, 6, 1), ends_on=date(2031, 6, 3), place="Sacramento"))
    kept, doomed = (summit.add_session(planner, edition, summit.SessionData(
        title=title, track="Wellness", starts_at=datetime(2031, 6, 1, hour), ends_at=datetime(2031, 6, 1, hour + 1),
        room="Hall A", description="About **it**.")) for title, hour in (("Opening", 17), ("Spare session", 19)))
    return {"edition_id": edition.id, "session_id": kept.id, "doomed_id": doomed.id}


def passed(proposal):
    """The proposal as the students passed it (the Summit decides on passed proposals only)."""
    proposal.status = ProposalStatus.PASSED
    db.session.commit()
    return proposal
