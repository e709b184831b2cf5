"""Query budget: a list page runs as many SQL statements with 3N rows as with N (no N+1 as lists grow).

Each scenario below builds one page's rows through the app's services, every row with its own people, regions and
themes (so a lazy load per row cannot hide behind the identity map). The budget is strict: no statement more for
3N rows than for N; a failure lists the statements that grew. To cover a new list page, add a scenario to PAGES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from stac_youth.admin import services as admin_services
from stac_youth.extensions import db
from stac_youth.meetings import agenda, attendance, calendar, minutes
from stac_youth.members import accounts, invitations
from stac_youth.members.models import MemberInterest, User
from stac_youth.notifications import kinds
from stac_youth.notifications.services import notify
from stac_youth.proposals import comments, cosponsors, polls
from stac_youth.proposals import services as proposals
from stac_youth.proposals.models import ProposalStatus
from stac_youth.rooms import moderation, rooms, speakers
from stac_youth.summit import services as summit
from tests.meetings.helpers import around_now, client_for, item_data, make_meeting
from tests.proposals.helpers import make_proposal, theme
from tests.query_budget import grown, page_and_statements, recorded_statements
from tests.rooms.helpers import post, topic_room
from tests.summit.helpers import decision_data, make_edition, session_data, voted_proposal
from tests.summit_rows import passed


@dataclass
class ListPage:
    """A page, the user who reads it, and how to add its row number i (returning what the page shows of it)."""

    viewer: User
    url: str
    add_row: Callable[[int], list[str]]
    few: int = 2


class People:
    """The staff every scenario needs, and fresh members and regions made through the app's services."""

    def __init__(self, make_user):
        self.make_user = make_user
        self.admin = make_user("admin", display_name="Ada Admin")
        self.advisor = make_user("advisor", display_name="Avery Advisor")
        self.planner = make_user("planner", display_name="Pat Planner")

    def member(self, name: str, **profile) -> User:
        return self.make_user("member", display_name=name, **profile)

    def staff(self, role: str, name: str) -> User:
        return self.make_user(role, display_name=name)

    def region(self, name: str):
        return admin_services.add_region(self.admin, name)


def _summit_proposal(people: People, i: int, session_ids: tuple[int, ...] = ()):
    """A proposal by its own author in its own theme and region, voted on, passed and (with sessions) adopted."""
    author = people.member(f"Summit author {i}")
    proposal, _poll = voted_proposal(author, people.advisor, [], title=f"Summit proposal {i}",
                                     theme_id=theme(f"Summit theme {i}").id, region_id=people.region(f"Zone {i}").id)
    passed(proposal)
    if session_ids:
        summit.decide(people.planner, proposal, decision_data(response=f"Response {i}", session_ids=session_ids))
    return proposal


def _adopted_into_new_session(people: People, edition, i: int, title: str) -> None:
    """A session of this title in the edition, carrying Summit proposal i."""
    session = summit.add_session(people.planner, edition, session_data(title=title))
    _summit_proposal(people, i, (session.id,))


def members_directory(people: People) -> ListPage:
    def add(i):
        people.member(f"Directory member {i}", region_id=people.region(f"Directory region {i}").id,
                      interests=[MemberInterest(tag=f"interest {i}")])
        return [f"Directory member {i}", f"Directory region {i}", f"interest {i}"]

    return ListPage(people.member("Viewer"), "/members", add)


def admin_users(people: People) -> ListPage:
    def add(i):
        user = people.member(f"Listed user {i}", region_id=people.region(f"User region {i}").id)
        return [f"Listed user {i}", user.email]

    return ListPage(people.admin, "/admin/users", add)


def admin_audit_log(people: People) -> ListPage:
    def add(i):
        actor, subject = people.staff("admin", f"Acting admin {i}"), people.member(f"Audited member {i}")
        accounts.change_role(actor, subject, "planner")
        return [f"Acting admin {i}", f"Audited member {i}"]

    return ListPage(people.admin, "/admin/audit", add)


def admin_invitations(people: People) -> ListPage:
    def add(i):
        inviter = people.staff("advisor", f"Inviter {i}")
        invitations.invite_member(inviter, f"invitee{i}@example.test", "member",
                                  people.region(f"Invite region {i}").id, link_for=lambda token: f"/r/{token}")
        return [f"invitee{i}@example.test"]

    return ListPage(people.admin, "/admin/invitations", add)


def admin_regions(people: People) -> ListPage:
    def add(i):
        admin_services.add_county(people.admin, people.region(f"Listed region {i}"), f"County {i}")
        return [f"Listed region {i}", f"County {i}"]

    return ListPage(people.admin, "/admin/regions", add)


def admin_themes(people: People) -> ListPage:
    def add(i):
        admin_services.add_theme(people.admin, f"Listed theme {i}")
        return [f"Listed theme {i}"]

    return ListPage(people.admin, "/admin/themes", add)


def meetings_list(people: People) -> ListPage:
    home = people.region("Home region")
    viewer = people.member("Viewer", region_id=home.id)

    def add(i):
        region_ids = (home.id, people.region(f"Meeting region {i}").id)
        meeting = make_meeting(people.advisor, "published", title=f"Listed meeting {i}", region_ids=region_ids)
        attendance.set_rsvp(viewer, meeting, "yes")
        return [f"Listed meeting {i}", f"Meeting region {i}"]

    return ListPage(viewer, "/meetings", add)


def meeting_with_agenda(people: People) -> ListPage:
    meeting = make_meeting(people.advisor, "live", title="Board meeting", **around_now(-5))

    def add(i):
        agenda.add_item(people.advisor, meeting, item_data(f"Agenda item {i}", minutes=1))
        member = people.member(f"Attendee {i}")
        attendance.set_rsvp(member, meeting, "yes")
        attendance.check_in(member, meeting)
        return [f"Agenda item {i}", f"Attendee {i}"]

    return ListPage(people.advisor, f"/meetings/{meeting.id}", add)


def live_meeting(people: People) -> ListPage:
    meeting = make_meeting(people.advisor, "live", title="Board meeting", **around_now(-5))
    room = rooms.room_for_meeting(meeting)

    def add(i):
        agenda.add_item(people.advisor, meeting, item_data(f"Agenda item {i}", minutes=1))
        post(people.member(f"Speaker {i}"), room, f"Live message {i}")
        return [f"Agenda item {i}", f"Live message {i}", f"Speaker {i}"]

    return ListPage(people.advisor, f"/meetings/{meeting.id}/live", add)


def minutes_history(people: People) -> ListPage:
    meeting = make_meeting(people.advisor, "ended", title="Board meeting", **around_now(-5))

    def add(i):
        minutes.save_minutes(people.staff("advisor", f"Minute taker {i}"), meeting, f"Minutes version {i}")
        return [f"Minute taker {i}", f"Minutes version {i}"]

    return ListPage(people.advisor, f"/meetings/{meeting.id}/minutes/history", add)


def calendar_feed(people: People) -> ListPage:
    viewer = people.member("Viewer")
    token = calendar.regenerate_feed_token(viewer)

    def add(i):
        meeting = make_meeting(people.advisor, "published", title=f"Feed meeting {i}")
        agenda.add_item(people.advisor, meeting, item_data(f"Feed item {i}"))
        return [f"SUMMARY:Feed meeting {i}", f"Feed item {i}"]

    return ListPage(viewer, f"/calendar/feed/{token}.ics", add)


def rooms_list(people: People) -> ListPage:
    def add(i):
        make_meeting(people.advisor, "published", title=f"Meeting room {i}")
        topic_room(people.advisor, f"Topic room {i}")
        regional = rooms.create_topic_room(people.advisor, f"Regional room {i}", "",
                                           people.region(f"Room region {i}").id)
        post(people.member(f"Poster {i}"), regional, "Unread")
        return [f"Meeting room {i}", f"Topic room {i}", f"Regional room {i}", f"Room region {i}"]

    return ListPage(people.advisor, "/rooms", add)


def room_with_messages(people: People) -> ListPage:
    room = topic_room(people.advisor, "Statewide lounge")

    def add(i):
        member = people.member(f"Chatter {i}")
        post(member, room, f"Chat message {i}")
        speakers.raise_hand(member, room)
        return [f"Chat message {i}", f"Chatter {i}"]

    return ListPage(people.advisor, f"/rooms/{room.id}", add)


def room_reports(people: People) -> ListPage:
    room = topic_room(people.advisor, "Statewide lounge")

    def add(i):
        message = post(people.member(f"Reported author {i}"), room, f"Reported message {i}")
        moderation.report_message(people.member(f"Reporter {i}"), message, f"Reason {i}")
        return [f"Reported author {i}", f"Reporter {i}", f"Reason {i}"]

    return ListPage(people.advisor, "/rooms/reports", add)


def proposals_list(people: People) -> ListPage:
    def add(i):
        make_proposal(people.member(f"Author {i}"), "submitted", title=f"Listed proposal {i}",
                      theme_id=theme(f"Proposal theme {i}").id, region_id=people.region(f"Proposal region {i}").id)
        return [f"Listed proposal {i}", f"Proposal theme {i}", f"Author {i}"]

    return ListPage(people.member("Viewer"), "/proposals", add)


def proposal_with_comments(people: People) -> ListPage:
    author = people.member("Proposal author")
    proposal = make_proposal(author, "submitted", title="Peer support circles")

    def add(i):
        sponsor = people.member(f"Co-sponsor {i}")
        cosponsors.invite_cosponsor(author, proposal, sponsor)
        cosponsors.accept_cosponsorship(sponsor, proposal)
        comment = comments.add_comment(people.member(f"Commenter {i}"), proposal, f"Comment {i}")
        comments.add_comment(people.member(f"Replier {i}"), proposal, f"Reply {i}", parent=comment)
        proposals.record_outcome(proposal, people.staff("planner", f"Timeline planner {i}"),
                                 ProposalStatus.SUBMITTED, note=f"Timeline note {i}")
        db.session.commit()
        return [f"Co-sponsor {i}", f"Commenter {i}", f"Comment {i}", f"Replier {i}", f"Reply {i}",
                f"Timeline planner {i}", f"Timeline note {i}"]

    return ListPage(author, f"/proposals/{proposal.id}", add)


def polls_list(people: People) -> ListPage:
    home = people.region("Home region")
    viewer = people.member("Viewer", region_id=home.id)

    def add(i):
        meeting = make_meeting(people.advisor, "published", items=(f"Poll item {i}",), title=f"Poll meeting {i}",
                               region_ids=(home.id, people.region(f"Poll region {i}").id))
        item_poll = polls.create_poll(people.advisor, None, f"Item question {i}", "yes_no_abstain",
                                      agenda_item=meeting.items[0])
        polls.open_poll(people.advisor, item_poll)
        proposal = make_proposal(people.member(f"Poll author {i}"), "in_discussion", advisor=people.advisor,
                                 title=f"Poll proposal {i}")
        polls.open_poll(people.advisor, polls.create_poll(people.advisor, proposal, f"Proposal question {i}",
                                                          "yes_no_abstain"))
        return [f"Item question {i}", f"Poll item {i}", f"Proposal question {i}", f"Poll proposal {i}"]

    return ListPage(viewer, "/polls", add)


def poll_results(people: People) -> ListPage:
    voters = [people.member(f"Voter {i}", region_id=people.region(f"Voter region {i}").id)
              for i in range(3 * ListPage.few)]  # all there before the poll opens: they are its electorate
    poll = polls.create_poll(people.advisor, None, "Which theme first?", "yes_no_abstain", results_live=True)
    polls.open_poll(people.advisor, poll)

    def add(i):
        polls.cast_ballot(voters[i], poll, "yes")
        return [f"Voter {i}"]

    return ListPage(people.advisor, f"/polls/{poll.id}", add)


def notifications_list(people: People) -> ListPage:
    viewer = people.member("Viewer")

    def add(i):
        notify([viewer], kinds.MENTION, f"/proposals/{i}", name=f"Mentioner {i}", place=f"Place {i}")
        return [f"Mentioner {i}", f"Place {i}"]

    return ListPage(viewer, "/notifications", add)


def summit_board(people: People) -> ListPage:
    edition = make_edition(people.planner, sessions=())

    def add(i):
        _adopted_into_new_session(people, edition, i, f"Board session {i}")
        return [f"Summit proposal {i}", f"Summit theme {i}", f"Zone {i}", f"Board session {i}", f"Response {i}"]

    return ListPage(people.member("Viewer"), "/summit", add)


def summit_planner_dashboard(people: People) -> ListPage:
    edition = make_edition(people.planner, sessions=())

    def add(i):
        _adopted_into_new_session(people, edition, i, f"Plan session {i}")
        return [f"Summit proposal {i}", f"Summit theme {i}", f"Zone {i}"]

    return ListPage(people.planner, "/summit/plan", add)


def summit_edition(people: People) -> ListPage:
    edition = make_edition(people.planner, sessions=())

    def add(i):
        _adopted_into_new_session(people, edition, i, f"Program session {i}")
        return [f"Program session {i}"]

    return ListPage(people.member("Viewer"), f"/summit/editions/{edition.id}", add)


def summit_session(people: People) -> ListPage:
    edition = make_edition(people.planner)
    session = edition.sessions[0]

    def add(i):
        _summit_proposal(people, i, (session.id,))
        return [f"Summit proposal {i}", f"Response {i}"]

    return ListPage(people.member("Viewer"), f"/summit/sessions/{session.id}", add)


def summit_report(people: People) -> ListPage:
    edition = make_edition(people.planner, sessions=())

    def add(i):
        _adopted_into_new_session(people, edition, i, f"Report session {i}")
        return [f"Report session {i}", f"Summit proposal {i}"]

    return ListPage(people.planner, f"/summit/editions/{edition.id}/report", add)


def summit_schedule(people: People) -> ListPage:
    edition = make_edition(people.planner, sessions=())

    def add(i):
        _adopted_into_new_session(people, edition, i, f"Calendar session {i}")
        return [f"SUMMARY:Calendar session {i}"]

    return ListPage(people.member("Viewer"), f"/summit/editions/{edition.id}/schedule.ics", add)


def summit_export(people: People) -> ListPage:
    edition = make_edition(people.planner)

    def add(i):
        _summit_proposal(people, i, (edition.sessions[0].id,))
        return [f"Summit proposal {i}", f"Summit theme {i}", f"Zone {i}", f"Response {i}"]

    return ListPage(people.member("Viewer"), "/summit/export.csv", add)


def summit_decision_form(people: People) -> ListPage:
    proposal = _summit_proposal(people, 0)

    def add(i):
        make_edition(people.planner, sessions=(f"Edition session {i}",), year=2040 + i,
                     title=f"Summit {2040 + i}")
        return [f"Summit {2040 + i} · Edition session {i}"]

    return ListPage(people.planner, f"/summit/proposals/{proposal.id}/decide", add)


def own_data_export(people: People) -> ListPage:
    viewer = people.member("Viewer")
    room = topic_room(people.advisor, "Statewide lounge")

    def add(i):
        make_proposal(viewer, "submitted", title=f"My proposal {i}", theme_id=theme(f"Export theme {i}").id)
        other = make_proposal(people.member(f"Other author {i}"), "submitted", title=f"Their proposal {i}")
        comments.add_comment(viewer, other, f"My comment {i}")
        post(viewer, room, f"My message {i}")
        attendance.set_rsvp(viewer, make_meeting(people.advisor, "published", title=f"My meeting {i}"), "yes")
        return [f"My proposal {i}", f"Their proposal {i}", f"My comment {i}", f"My message {i}", f"My meeting {i}"]

    return ListPage(viewer, "/account/export.json", add)


def home_dashboard(people: People) -> ListPage:
    def add(i):
        meeting = make_meeting(people.advisor, "published", title=f"Home meeting {i}")
        post(people.member(f"Home poster {i}"), rooms.room_for_meeting(meeting), "Unread")
        make_proposal(people.member(f"Home author {i}"), "submitted", title=f"Waiting proposal {i}")
        return [f"Home meeting {i}", f"Waiting proposal {i}"]

    return ListPage(people.advisor, "/", add, few=1)  # its cards show five rows at most: one row, then three


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
