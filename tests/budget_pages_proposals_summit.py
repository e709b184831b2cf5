"""Query-budget scenarios for proposals, polls, notifications, the summit pages, the data export and home."""

from __future__ import annotations

from stac_youth.extensions import db
from stac_youth.meetings import attendance
from stac_youth.notifications import kinds
from stac_youth.notifications.services import notify
from stac_youth.polls import ballots, lifecycle
from stac_youth.proposals import comments, cosponsors
from stac_youth.proposals import services as proposals
from stac_youth.proposals.models import ProposalStatus
from stac_youth.rooms import rooms
from stac_youth.summit import services as summit
from tests.meetings.helpers import make_meeting
from tests.proposals.helpers import make_proposal, theme
from tests.query_budget import ListPage, People
from tests.rooms.helpers import post, topic_room
from tests.summit.helpers import decision_data, make_edition, session_data, voted_proposal
from tests.summit_rows import passed


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
        item_poll = lifecycle.create_poll(people.advisor, None, f"Item question {i}", "yes_no_abstain",
                                      agenda_item=meeting.items[0])
        lifecycle.open_poll(people.advisor, item_poll)
        proposal = make_proposal(people.member(f"Poll author {i}"), "in_discussion", advisor=people.advisor,
                                 title=f"Poll proposal {i}")
        lifecycle.open_poll(people.advisor, lifecycle.create_poll(people.advisor, proposal, f"Proposal question {i}",
                                                          "yes_no_abstain"))
        return [f"Item question {i}", f"Poll item {i}", f"Proposal question {i}", f"Poll proposal {i}"]

    return ListPage(viewer, "/polls", add)


def poll_results(people: People) -> ListPage:
    voters = [people.member(f"Voter {i}", region_id=people.region(f"Voter region {i}").id)
              for i in range(3 * ListPage.few)]  # all there before the poll opens: they are its electorate
    poll = lifecycle.create_poll(people.advisor, None, "Which theme first?", "yes_no_abstain", results_live=True)
    lifecycle.open_poll(people.advisor, poll)

    def add(i):
        ballots.cast_ballot(voters[i], poll, "yes")
        return [f"Voter {i}"]

    return ListPage(people.advisor, f"/polls/{poll.id}", add)


def notifications_list(people: People) -> ListPage:
    viewer = people.member("Viewer")

    def add(i):
        notify([viewer], kinds.MENTION, f"/proposals/{i}", actor=people.member(f"Mentioner {i}"), place=f"Place {i}")
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
