"""Summit services: editions and sessions (a refused change changes nothing), decisions, timeline, audit."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.errors import ServiceError
from stac_youth.extensions import db
from stac_youth.notifications.models import Notification
from stac_youth.polls import ballots, lifecycle
from stac_youth.proposals import cosponsors
from stac_youth.proposals import services as proposal_services
from stac_youth.proposals.models import ProposalStatus
from stac_youth.summit import services
from stac_youth.summit.models import SummitEdition, SummitSession
from tests.proposals.helpers import data as proposal_data
from tests.proposals.helpers import make_proposal

from .helpers import (
    YEAR,
    count,
    decision_data,
    decisions,
    edition_data,
    make_edition,
    notifications_of,
    session_data,
    summit_actions,
    voted_proposal,
)

# --- editions and sessions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "field"), [
    ({"year": None}, "year"),
    ({"year": 1999}, "year"),
    ({"title": "  "}, "title"),
    ({"title": "x" * 161}, "title"),
    ({"starts_on": None}, "starts_on"),
    ({"ends_on": None}, "ends_on"),
    ({"ends_on": date(YEAR, 4, 15)}, "ends_on"),
    ({"place": "p" * 201}, "place"),
])
def test_edition_validation_errors_change_nothing(planner, changes, field):
    with pytest.raises(ServiceError) as caught:
        services.create_edition(planner, edition_data(**changes))
    assert caught.value.field == field
    db.session.rollback()
    assert count(SummitEdition) == 0 and summit_actions() == []

    edition = make_edition(planner, sessions=())
    before = (edition.year, edition.title, edition.starts_on, edition.ends_on, edition.place)
    with pytest.raises(ServiceError) as caught:
        services.update_edition(planner, edition, edition_data(**changes))
    assert caught.value.field == field
    db.session.rollback()
    edition = db.session.get(SummitEdition, edition.id)
    assert (edition.year, edition.title, edition.starts_on, edition.ends_on, edition.place) == before
    assert summit_actions() == ["summit.edition_created"]


def test_edition_days_cannot_leave_a_session_outside(planner):
    edition = make_edition(planner)
    with pytest.raises(ServiceError) as caught:
        services.update_edition(planner, edition, edition_data(starts_on=date(YEAR, 5, 1), ends_on=date(YEAR, 5, 2)))
    assert caught.value.field == "starts_on"
    db.session.rollback()
    assert db.session.get(SummitEdition, edition.id).starts_on == date(YEAR, 4, 16)


def test_a_session_must_fall_within_the_editions_days(planner):
    edition = make_edition(planner, sessions=())
    with pytest.raises(ServiceError, match="The session must be on one of the Summit's days.") as refused:
        services.add_session(planner, edition, session_data(starts_at=datetime(YEAR, 6, 1, 17),
                                                            ends_at=datetime(YEAR, 6, 1, 18)))
    assert refused.value.field == "starts_at" and edition.sessions == []
    # 11 p.m. on the last day in California is already the next day in UTC: the day counts in California
    late = services.add_session(planner, edition, session_data(starts_at=datetime(YEAR, 4, 18, 6, 0),
                                                               ends_at=datetime(YEAR, 4, 18, 6, 30)))
    assert late.edition_id == edition.id


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": ""}, "title"),
    ({"title": "t" * 161}, "title"),
    ({"starts_at": None}, "starts_at"),
    ({"ends_at": None}, "ends_at"),
    ({"ends_at": datetime(YEAR, 4, 16, 17, 0)}, "ends_at"),  # not after the start
    ({"track": "t" * 81}, "track"),
    ({"room": "r" * 121}, "track"),
    ({"description": "d" * 10_001}, "description"),
])
def test_session_validation_errors_change_nothing(planner, changes, field):
    edition = make_edition(planner)
    summit_session = edition.sessions[0]
    with pytest.raises(ServiceError) as caught:
        services.add_session(planner, edition, session_data(**changes))
    assert caught.value.field == field
    with pytest.raises(ServiceError) as caught:
        services.update_session(planner, summit_session, session_data(**changes))
    assert caught.value.field == field
    db.session.rollback()
    assert count(SummitSession) == 1
    summit_session = db.session.get(SummitSession, summit_session.id)
    assert (summit_session.title, summit_session.sequence, summit_session.room) == ("Transit for students", 0, "Hall B")
    assert summit_actions() == ["summit.edition_created", "summit.session_created"]


def test_planner_manages_editions_and_sessions_with_audit(planner, make_user):
    edition = make_edition(planner, sessions=("Opening",))
    summit_session = edition.sessions[0]
    services.update_edition(planner, edition, edition_data(title="Renamed Summit", place="Fresno"))
    services.update_session(planner, summit_session, session_data(title="Opening plenary", room="Main hall",
                                                                  starts_at=datetime(YEAR, 4, 16, 16),
                                                                  ends_at=datetime(YEAR, 4, 16, 17)))
    assert (edition.title, edition.place) == ("Renamed Summit", "Fresno")
    assert (summit_session.title, summit_session.room, summit_session.sequence) == ("Opening plenary", "Main hall", 1)
    services.delete_session(planner, summit_session)
    assert count(SummitSession) == 0
    assert summit_actions() == ["summit.edition_created", "summit.session_created", "summit.edition_updated",
                                "summit.session_updated", "summit.session_deleted"]
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("summit.%"))))
    assert all(event.actor_id == planner.id for event in events)
    assert services.current_edition().id == edition.id
    admin = make_user("admin")
    assert services.may_plan(admin) and services.may_plan(planner)


@pytest.mark.parametrize("role", ["member", "advisor"])
def test_only_planners_and_admins_plan(make_user, planner, passed, role):
    someone = make_user(role)
    edition = make_edition(planner)
    assert not services.may_plan(someone)
    calls = [
        lambda: services.create_edition(someone, edition_data()),
        lambda: services.update_edition(someone, edition, edition_data(title="Mine")),
        lambda: services.add_session(someone, edition, session_data()),
        lambda: services.update_session(someone, edition.sessions[0], session_data(title="Mine")),
        lambda: services.delete_session(someone, edition.sessions[0]),
        lambda: services.decide(someone, passed, decision_data(session_ids=[edition.sessions[0].id])),
    ]
    for call in calls:
        with pytest.raises(ServiceError):
            call()
    db.session.rollback()
    assert count(SummitEdition) == 1 and count(SummitSession) == 1 and decisions() == 0
    assert db.session.get(SummitEdition, edition.id).title == f"Youth Summit {YEAR}"


# --- decisions --------------------------------------------------------------------------------------------------


def _unchanged(proposal, events_before: int) -> None:
    db.session.rollback()
    proposal = db.session.get(type(proposal), proposal.id)
    assert proposal.status == ProposalStatus.PASSED
    assert len(proposal.events) == events_before
    assert decisions() == 0
    assert "summit.decision" not in summit_actions()
    assert db.session.scalar(select(Notification).where(Notification.kind == "decision")) is None


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "maybe"}, "kind"),
    ({"response": ""}, "response"),
    ({"response": "   \n "}, "response"),
    ({"response": "r" * 10_001}, "response"),
    ({"session_ids": []}, "session_ids"),  # adopting needs a session
    ({"session_ids": [999_999]}, "session_ids"),
    ({"kind": "merged", "session_ids": []}, "merged_into_id"),  # merging needs a proposal
])
def test_decision_validation_errors_change_nothing(planner, passed, data, field):
    edition = make_edition(planner)
    values = {"session_ids": [edition.sessions[0].id]}
    values.update(data)
    events_before = len(passed.events)
    with pytest.raises(ServiceError) as caught:
        services.decide(planner, passed, decision_data(**values))
    assert caught.value.field == field
    _unchanged(passed, events_before)


def test_merge_needs_another_non_draft_proposal(planner, passed, students):
    draft = make_proposal(students[1], title="Still a draft")
    events_before = len(passed.events)
    for target in (passed.id, draft.id, 999_999):
        with pytest.raises(ServiceError) as caught:
            services.decide(planner, passed, decision_data(kind="merged", merged_into_id=target))
        assert caught.value.field == "merged_into_id"
    _unchanged(passed, events_before)


@pytest.mark.parametrize("status", ["draft", "submitted", "in_discussion", "not_passed", "in_vote"])
def test_only_passed_proposals_get_a_decision(planner, advisor, students, status):
    edition = make_edition(planner)
    if status == "not_passed":
        proposal, _poll = voted_proposal(students[0], advisor, students, ["no", "no"])
    elif status == "in_vote":
        proposal = make_proposal(students[0], "in_discussion", advisor=advisor)
        lifecycle.open_poll(advisor, lifecycle.create_poll(advisor, proposal, "Adopt?", "yes_no_abstain"))
    else:
        proposal = make_proposal(students[0], status, advisor=advisor)
    assert proposal.status == status
    with pytest.raises(ServiceError):
        services.decide(planner, proposal, decision_data(session_ids=[edition.sessions[0].id]))
    db.session.rollback()
    assert decisions() == 0 and proposal.status == status


def test_adopting_records_the_outcome_on_the_timeline_audits_and_notifies(planner, advisor, students):
    author, cosponsor, invited, voter = students
    proposal = proposal_services.create_proposal(author, proposal_data())
    cosponsors.invite_cosponsor(author, proposal, cosponsor)
    cosponsors.accept_cosponsorship(cosponsor, proposal)
    cosponsors.invite_cosponsor(author, proposal, invited)  # never accepted: not notified
    proposal_services.submit_proposal(author, proposal)
    proposal_services.advance_proposal(advisor, proposal)
    poll = lifecycle.create_poll(advisor, proposal, "Adopt it?", "yes_no_abstain")
    lifecycle.open_poll(advisor, poll)
    ballots.cast_ballot(voter, poll, "yes")
    lifecycle.close_poll(advisor, poll)
    assert proposal.status == ProposalStatus.PASSED
    edition = make_edition(planner, sessions=("Transit", "Wellness"))
    ids = [s.id for s in edition.sessions]

    decision = services.decide(planner, proposal, decision_data(response="  We adopt it **gladly**.  ",
                                                                session_ids=ids))
    assert (decision.kind, decision.response, decision.decided_by_id) == ("adopted", "We adopt it **gladly**.",
                                                                         planner.id)
    assert sorted(s.id for s in decision.sessions) == sorted(ids)
    assert proposal.status == ProposalStatus.ADOPTED
    last = proposal.events[-1]
    assert (last.from_status, last.to_status, last.actor_id, last.note) == ("passed", "adopted", planner.id,
                                                                            "We adopt it **gladly**.")
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "summit.decision"))
    assert audit.actor_id == planner.id
    assert audit.details["proposal_id"] == proposal.id and audit.details["decision"] == "adopted"
    assert sorted(audit.details["sessions"]) == sorted(ids) and audit.details["merged_into"] is None
    for user in (author, cosponsor):
        [notice] = notifications_of(user)
        assert notice.link == f"/proposals/{proposal.id}"
        assert notice.values["title"] == proposal.title and notice.values["decision_label"] == "Adopted"
    assert notifications_of(invited) == [] and notifications_of(voter) == [] and notifications_of(planner) == []
    # The trace both ways.
    assert services.decision_of(proposal.id).id == decision.id
    assert [d.proposal_id for d in db.session.get(SummitSession, ids[1]).decisions] == [proposal.id]


def test_redeciding_changes_the_one_decision_and_adds_a_timeline_event(planner, passed, students, advisor):
    edition = make_edition(planner)
    other, _ = voted_proposal(students[1], advisor, students, ["yes"], title="Later buses")
    first = services.decide(planner, passed, decision_data(session_ids=[edition.sessions[0].id]))
    events = len(passed.events)
    services.decide(planner, passed, decision_data(kind="under_review", response="We need more time."))
    services.decide(planner, passed, decision_data(kind="merged", response="Joined with later buses.",
                                                   merged_into_id=other.id))
    assert decisions() == 1
    decision = services.decision_of(passed.id)
    assert decision.id == first.id
    assert (decision.kind, decision.response, decision.merged_into_id, decision.sessions) == (
        "merged", "Joined with later buses.", other.id, [])
    assert passed.status == ProposalStatus.MERGED
    assert [(e.from_status, e.to_status, e.note) for e in passed.events[events:]] == [
        ("adopted", "under_review", "We need more time."), ("under_review", "merged", "Joined with later buses.")]
    assert summit_actions().count("summit.decision") == 3
    # The session no longer carries it, so it can go.
    services.delete_session(planner, edition.sessions[0])
    services.decide(planner, passed, decision_data(kind="declined", response="Declined after all."))
    assert passed.status == ProposalStatus.DECLINED and passed.events[-1].from_status == "merged"


def test_a_session_carrying_a_proposal_cannot_be_deleted(planner, passed):
    edition = make_edition(planner)
    services.decide(planner, passed, decision_data(session_ids=[edition.sessions[0].id]))
    with pytest.raises(ServiceError):
        services.delete_session(planner, edition.sessions[0])
    db.session.rollback()
    assert count(SummitSession) == 1 and "summit.session_deleted" not in summit_actions()


def test_a_changed_decision_is_notified_again_even_before_the_first_is_read(planner, passed):
    edition = make_edition(planner)
    services.decide(planner, passed, decision_data(session_ids=(edition.sessions[0].id,)))
    services.decide(planner, passed, decision_data(kind="under_review", response="We need one more month."))
    labels = [notice.values["decision_label"] for notice in notifications_of(passed.author)]
    assert labels == ["Adopted", "Under review"]
