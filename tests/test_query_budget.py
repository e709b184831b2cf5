"""Query budget: a list page runs as many SQL statements with 3N rows as with N (no N+1 as lists grow).

Each scenario (tests/budget_pages_*.py) builds one page's rows through the app's services, every row with its own
people, regions and themes (so a lazy load per row cannot hide behind the identity map). The budget is strict: no
statement more for 3N rows than for N; a failure lists the statements that grew. To cover a new list page, add a
scenario to PAGES.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from stac_youth.extensions import db
from tests.budget_pages_members_meetings_rooms import (
    admin_audit_log,
    admin_invitations,
    admin_regions,
    admin_themes,
    admin_users,
    calendar_feed,
    live_meeting,
    meeting_with_agenda,
    meetings_list,
    members_directory,
    minutes_history,
    room_reports,
    room_with_messages,
    rooms_list,
)
from tests.budget_pages_proposals_summit import (
    home_dashboard,
    notifications_list,
    own_data_export,
    poll_results,
    polls_list,
    proposal_with_comments,
    proposals_list,
    summit_board,
    summit_decision_form,
    summit_edition,
    summit_export,
    summit_planner_dashboard,
    summit_report,
    summit_schedule,
    summit_session,
)
from tests.meetings.helpers import client_for
from tests.query_budget import People, grown, page_and_statements, recorded_statements

PAGES = [
    members_directory, admin_users, admin_audit_log, admin_invitations, admin_regions, admin_themes,
    meetings_list, meeting_with_agenda, live_meeting, minutes_history, calendar_feed,
    rooms_list, room_with_messages, room_reports,
    proposals_list, proposal_with_comments, polls_list, poll_results, notifications_list,
    summit_board, summit_planner_dashboard, summit_edition, summit_session, summit_report, summit_schedule,
    summit_export, summit_decision_form, own_data_export, home_dashboard,
]


@pytest.fixture
def people(make_user):
    return People(make_user)


@pytest.mark.parametrize("build", PAGES, ids=lambda build: build.__name__)
def test_list_page_runs_no_more_statements_for_three_times_the_rows(app, people, build):
    """The page shows 3N rows with the statements it needs for N."""
    page = build(people)
    client = client_for(app, page.viewer)
    shown = [label for i in range(page.few) for label in page.add_row(i)]
    body, few = page_and_statements(client, page.url)
    assert [label for label in shown if label not in body] == []
    shown += [label for i in range(page.few, 3 * page.few) for label in page.add_row(i)]
    body, many = page_and_statements(client, page.url)
    assert [label for label in shown if label not in body] == []
    assert few, "no statement was recorded"
    assert len(many) <= len(few), "\n".join(grown(few, many))


def test_recorder_sees_the_statements_run_inside_its_block_only(app):
    """recorded_statements lists what the engine ran in the block, in order, and nothing after it."""
    with recorded_statements(db.engine) as statements:
        db.session.execute(text("SELECT 1"))
        db.session.execute(text("SELECT 2"))
    db.session.execute(text("SELECT 3"))
    assert statements == ["SELECT 1", "SELECT 2"]


def test_growth_report_folds_in_lists_and_counts_the_extra_statements():
    """A longer IN list is the same statement; a statement run twice more shows as +2x."""
    before = ["SELECT a", "SELECT b WHERE id IN (?, ?)"]
    after = ["SELECT a", "SELECT b WHERE id IN (?, ?, ?, ?)", "SELECT c", "SELECT c"]
    assert grown(before, after) == ["+2x SELECT c"]
