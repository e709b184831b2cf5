"""Summit services: editions and sessions (each validation error changes nothing), decisions (a written response,
sessions to adopt, a proposal to merge into, only on passed proposals, changed in place), the timeline, the audit
trail, notifications, the dashboard's filters, sorts, pages and summary, and the support / turnout set at a close."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.errors import ServiceError
from stac_youth.extensions import db
from stac_youth.home.services import build_dashboard
from stac_youth.members.models import Region
from stac_youth.notifications.models import Notification
from stac_youth.proposals import cosponsors, polls
from stac_youth.proposals import services as proposal_services
from stac_youth.proposals.models import ProposalStatus
from stac_youth.summit import dashboard, services
from stac_youth.summit.models import SummitEdition, SummitSession
from tests.proposals.helpers import data as proposal_data
from tests.proposals.helpers import make_proposal, theme

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


@pytest.fixture
def planner(make_user):
    return make_user("planner")


@pytest.fixture
def advisor(make_user):
    return make_user("advisor")


@pytest.fixture
def students(make_user):
    return [make_user("member") for _ in range(4)]


@pytest.fixture
def passed(students, advisor):
    proposal, _poll = voted_proposal(students[0], advisor, students, ["yes", "yes", "no"])
    assert proposal.status == ProposalStatus.PASSED
    return proposal


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
        polls.open_poll(advisor, polls.create_poll(advisor, proposal, "Adopt?", "yes_no_abstain"))
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
    poll = polls.create_poll(advisor, proposal, "Adopt it?", "yes_no_abstain")
    polls.open_poll(advisor, poll)
    polls.cast_ballot(voter, poll, "yes")
    polls.close_poll(advisor, poll)
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


# --- support and turnout at the close --------------------------------------------------------------------------


def test_support_and_turnout_are_set_when_a_yes_no_poll_closes(advisor, students):
    _proposal, poll = voted_proposal(students[0], advisor, students, ["yes", "yes", "no", "abstain"])
    assert (poll.support_percent, poll.turnout_percent) == (66.7, 100.0)
    assert (poll.support_percent, poll.turnout_percent) == (poll.result["yes_share"], poll.result["turnout"])


def test_support_and_turnout_for_approval_and_ranked_choice(advisor, students):
    poll = polls.create_poll(advisor, None, "Which day?", "approval", ["Mon", "Tue", "Wed"])
    polls.open_poll(advisor, poll)
    mon, tue, _wed = (option.id for option in poll.options)
    polls.cast_ballot(students[0], poll, [mon, tue])
    polls.cast_ballot(students[1], poll, [tue])
    polls.cast_ballot(students[2], poll, [tue, _wed])
    polls.cast_ballot(students[3], poll, [])
    polls.close_poll(advisor, poll)
    assert poll.result["winner"] == tue  # 3 of the 4 ballots approve it
    assert (poll.support_percent, poll.turnout_percent) == (75.0, 100.0)

    tie = polls.create_poll(advisor, None, "Which month?", "approval", ["May", "June"])
    polls.open_poll(advisor, tie)
    may, june = (option.id for option in tie.options)
    polls.cast_ballot(students[0], tie, [may])
    polls.cast_ballot(students[1], tie, [june])
    polls.close_poll(advisor, tie)
    assert tie.result["winner"] is None
    assert (tie.support_percent, tie.turnout_percent) == (None, 50.0)  # no winner, no support figure

    ranked = polls.create_poll(advisor, None, "Which theme?", "ranked_choice", ["A", "B", "C"])
    polls.open_poll(advisor, ranked)
    a, b, c = (option.id for option in ranked.options)
    for student, ranking in zip(students, [[a], [a, b], [b, a], [c, a]], strict=True):
        polls.cast_ballot(student, ranked, ranking)
    polls.close_poll(advisor, ranked)
    assert ranked.result["winner"] == a
    last = ranked.result["rounds"][-1]["percentages"]
    assert ranked.support_percent == last[str(a)]
    assert ranked.turnout_percent == 100.0


def test_no_support_without_a_winner_or_a_vote(advisor, students):
    poll = polls.create_poll(advisor, None, "Anyone?", "approval", ["Mon", "Tue"], quorum_percent=50)
    polls.open_poll(advisor, poll)
    polls.cast_ballot(students[0], poll, [poll.options[0].id])
    polls.close_poll(advisor, poll)
    assert poll.outcome == "no_quorum"
    assert poll.turnout_percent == 25.0
    assert poll.support_percent is None or poll.result["winner"] is not None

    _proposal, empty = voted_proposal(students[0], advisor, students, [], title="Nobody voted")
    assert (empty.support_percent, empty.turnout_percent) == (0.0, 0.0)


# --- the dashboard --------------------------------------------------------------------------------------------


def _titles(board) -> list[str]:
    return [row.proposal.title for row in board.rows]


def test_board_sorts_by_support_and_turnout(advisor, students, planner):
    low, _ = voted_proposal(students[0], advisor, students, ["yes", "no", "no", "no"], title="Low")  # 25 %, 100 %
    high, _ = voted_proposal(students[1], advisor, students, ["yes"], title="High")  # 100 %, 25 %
    mid, _ = voted_proposal(students[2], advisor, students, ["yes", "no", "abstain"], title="Mid")  # 50 %, 75 %
    make_proposal(students[3], "submitted", title="No vote yet")
    make_proposal(students[3], title="A draft")  # drafts never show
    assert _titles(dashboard.proposals_board(dashboard.Filters(sort="support"))) == ["High", "Mid", "Low",
                                                                                   "No vote yet"]
    assert _titles(dashboard.proposals_board(dashboard.Filters(sort="turnout"))) == ["Low", "Mid", "High",
                                                                                   "No vote yet"]
    assert _titles(dashboard.proposals_board(dashboard.Filters(sort="title"))) == ["High", "Low", "Mid",
                                                                                 "No vote yet"]
    assert _titles(dashboard.proposals_board(dashboard.Filters(sort="newest"))) == ["No vote yet", "Mid", "High",
                                                                                  "Low"]
    assert _titles(dashboard.proposals_board(dashboard.Filters(sort="nonsense")))[0] == "High"  # support
    board = dashboard.proposals_board(dashboard.Filters(sort="status"))
    assert [row.proposal.status for row in board.rows] == sorted(row.proposal.status for row in board.rows)
    row = next(row for row in board.rows if row.proposal.id == mid.id)
    assert (row.poll.support_percent, row.poll.turnout_percent, row.decision) == (50.0, 75.0, None)
    # Decided proposals sort by their decision, the undecided last.
    edition = make_edition(planner)
    assert (low.status, mid.status, high.status) == ("not_passed", "not_passed", "passed")
    services.decide(planner, high, decision_data(session_ids=[edition.sessions[0].id]))
    assert _titles(dashboard.proposals_board(dashboard.Filters(sort="decision")))[0] == "High"


def test_board_filters(advisor, students, planner):
    bay = db.session.scalar(select(Region).where(Region.name == "Bay Area"))
    transit = theme("Transit")
    a, _ = voted_proposal(students[0], advisor, students, ["yes"], title="Bay transit", theme_id=transit.id,
                          region_id=bay.id)
    b, _ = voted_proposal(students[1], advisor, students, ["yes"], title="Statewide wellness")
    c, _ = voted_proposal(students[2], advisor, students, ["no"], title="Not passed one")
    make_proposal(students[3], "submitted", title="Submitted one", theme_id=transit.id)
    edition = make_edition(planner)
    services.decide(planner, a, decision_data(session_ids=[edition.sessions[0].id]))

    def titles(**filters):
        return sorted(_titles(dashboard.proposals_board(dashboard.Filters(**filters))))

    assert titles(theme_id=transit.id) == ["Bay transit", "Submitted one"]
    assert titles(region_id=bay.id) == ["Bay transit"]
    assert titles(status="not_passed") == ["Not passed one"]
    assert titles(status="adopted") == ["Bay transit"]
    assert titles(decision="adopted") == ["Bay transit"]
    assert titles(decision="declined") == []
    assert titles(decision="none") == ["Statewide wellness"]
    assert titles(status="bogus") == ["Bay transit", "Not passed one", "Statewide wellness", "Submitted one"]
    assert titles(theme_id=transit.id, decision="none") == []
    assert b.id and c.id


def test_board_pages_by_25(students):
    for number in range(26):
        make_proposal(students[number % 4], "submitted", title=f"Proposal {number:02d}")
    first = dashboard.proposals_board(dashboard.Filters(sort="title"), page=1)
    second = dashboard.proposals_board(dashboard.Filters(sort="title"), page=2)
    assert (first.page.pages, first.page.total, len(first.rows), len(second.rows)) == (2, 26, 25, 1)
    assert _titles(second) == ["Proposal 25"]
    assert dashboard.proposals_board(dashboard.Filters(), page=9).rows == []


def test_summary_counts_by_theme_and_region_and_turnout(advisor, students, planner):
    bay = db.session.scalar(select(Region).where(Region.name == "Bay Area"))
    transit = theme("Transit")
    a, _ = voted_proposal(students[0], advisor, students, ["yes", "yes"], title="A", theme_id=transit.id,
                          region_id=bay.id)  # 50 % turnout
    voted_proposal(students[1], advisor, students, ["yes"], title="B", theme_id=transit.id)  # 25 %
    voted_proposal(students[2], advisor, students, ["yes", "yes", "yes", "no"], title="C")  # 100 %
    voted_proposal(students[3], advisor, students, ["no"], title="D")  # not passed, 25 %
    services.decide(planner, a, decision_data(session_ids=[make_edition(planner).sessions[0].id]))
    result = dashboard.summary()
    assert dict(result.passed_by_theme) == {"Mental health and wellness": 1, "Transit": 2}
    assert dict(result.passed_by_region) == {"": 2, "Bay Area": 1}
    assert sorted(value for _q, value in result.recent_turnout) == [25.0, 25.0, 50.0, 100.0]
    assert result.average_turnout == 50.0
    assert result.waiting_for_decision == 2
    assert dashboard.summary(recent=2).recent_turnout[0][0] == "Adopt D?"  # the newest first


def test_planner_home_card(planner, passed, make_user, students):
    admin, member = make_user("admin"), students[1]
    board = build_dashboard(planner)
    assert [p.id for p in board.awaiting_decision] == [passed.id] and board.summit_edition is None
    edition = make_edition(planner)
    assert build_dashboard(admin).summit_edition.id == edition.id
    services.decide(planner, passed, decision_data(session_ids=[edition.sessions[0].id]))
    assert build_dashboard(planner).awaiting_decision == []
    member_board = build_dashboard(member)
    assert member_board.awaiting_decision == [] and member_board.summit_edition is None


def test_a_changed_decision_is_notified_again_even_before_the_first_is_read(planner, passed):
    edition = make_edition(planner)
    services.decide(planner, passed, decision_data(session_ids=(edition.sessions[0].id,)))
    services.decide(planner, passed, decision_data(kind="under_review", response="We need one more month."))
    labels = [notice.values["decision_label"] for notice in notifications_of(passed.author)]
    assert labels == ["Adopted", "Under review"]
