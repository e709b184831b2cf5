"""Summit services: support and turnout set when a poll closes, the dashboard's sorts, filters, pages, summary."""

from __future__ import annotations

from sqlalchemy import select

from stac_youth.extensions import db
from stac_youth.home.services import build_dashboard
from stac_youth.members.models import Region
from stac_youth.polls import ballots, lifecycle
from stac_youth.summit import dashboard, services
from tests.proposals.helpers import make_proposal, theme

from .helpers import decision_data, make_edition, voted_proposal

# --- support and turnout at the close --------------------------------------------------------------------------


def test_support_and_turnout_are_set_when_a_yes_no_poll_closes(advisor, students):
    _proposal, poll = voted_proposal(students[0], advisor, students, ["yes", "yes", "no", "abstain"])
    assert (poll.support_percent, poll.turnout_percent) == (66.7, 100.0)
    assert (poll.support_percent, poll.turnout_percent) == (poll.result["yes_share"], poll.result["turnout"])


def test_support_and_turnout_for_approval_and_ranked_choice(advisor, students):
    poll = lifecycle.create_poll(advisor, None, "Which day?", "approval", ["Mon", "Tue", "Wed"])
    lifecycle.open_poll(advisor, poll)
    mon, tue, _wed = (option.id for option in poll.options)
    ballots.cast_ballot(students[0], poll, [mon, tue])
    ballots.cast_ballot(students[1], poll, [tue])
    ballots.cast_ballot(students[2], poll, [tue, _wed])
    ballots.cast_ballot(students[3], poll, [])
    lifecycle.close_poll(advisor, poll)
    assert poll.result["winner"] == tue  # 3 of the 4 ballots approve it
    assert (poll.support_percent, poll.turnout_percent) == (75.0, 100.0)

    tie = lifecycle.create_poll(advisor, None, "Which month?", "approval", ["May", "June"])
    lifecycle.open_poll(advisor, tie)
    may, june = (option.id for option in tie.options)
    ballots.cast_ballot(students[0], tie, [may])
    ballots.cast_ballot(students[1], tie, [june])
    lifecycle.close_poll(advisor, tie)
    assert tie.result["winner"] is None
    assert (tie.support_percent, tie.turnout_percent) == (None, 50.0)  # no winner, no support figure

    ranked = lifecycle.create_poll(advisor, None, "Which theme?", "ranked_choice", ["A", "B", "C"])
    lifecycle.open_poll(advisor, ranked)
    a, b, c = (option.id for option in ranked.options)
    for student, ranking in zip(students, [[a], [a, b], [b, a], [c, a]], strict=True):
        ballots.cast_ballot(student, ranked, ranking)
    lifecycle.close_poll(advisor, ranked)
    assert ranked.result["winner"] == a
    last = ranked.result["rounds"][-1]["percentages"]
    assert ranked.support_percent == last[str(a)]
    assert ranked.turnout_percent == 100.0


def test_no_support_without_a_winner_or_a_vote(advisor, students):
    poll = lifecycle.create_poll(advisor, None, "Anyone?", "approval", ["Mon", "Tue"], quorum_percent=50)
    lifecycle.open_poll(advisor, poll)
    ballots.cast_ballot(students[0], poll, [poll.options[0].id])
    lifecycle.close_poll(advisor, poll)
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
