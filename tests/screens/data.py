"""The screens' data: the demo data plus, through the app's services, a live meeting with an open vote and a
discussed proposal; each step at its own frozen instant, so every stored time is the same from run to run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from stac_youth.extensions import db
from stac_youth.members.accounts import find_user_by_email

#: the demo data is written from here on, the clock moving SEED_STEP_SECONDS at each reading of it: rows written one
#: after the other get times in that order (no ties to order by chance), all within the minute a page shows
SEEDED_AT = datetime(2026, 10, 14, 14, 0, tzinfo=UTC)
SEED_STEP_SECONDS = 0.001
#: the instant every screen is drawn at (09:00 in California), on the server and in the browser
SHOWN_AT = datetime(2026, 10, 14, 16, 0, tzinfo=UTC)

LIVE_MEETING = "Regional check-in: proposals in progress"
DISCUSSED_PROPOSAL = "Peer support circles in every high school"  # student1's, seeded as submitted
CLOSED_POLL_PROPOSAL = "Free transit passes for students"  # seeded: voted, closed and adopted
MEETING = "Proposal workshop: from idea to proposal"  # seeded: published, a week ahead
ROOM = "Statewide lounge"

ADMIN = "admin@example.org"
ADVISOR = "advisor@example.org"
PLANNER = "planner@example.org"
STUDENT = "student1@example.org"
USERS = (STUDENT, ADVISOR, PLANNER, ADMIN)


@dataclass(frozen=True)
class ScreenIds:
    """The ids the screens' addresses need."""

    meeting: int
    live_meeting: int
    room: int
    proposal: int
    open_poll: int
    closed_poll: int
    student: int


def _at(clock, hour: int, minute: int) -> None:
    clock.move_to(SHOWN_AT.replace(hour=hour, minute=minute))


def add_screen_data(clock) -> None:
    """After seed_demo_data: the advisor discusses student1's proposal, runs a live meeting on it and opens its vote.

    `clock` is the frozen clock (freezegun's factory): each step happens at its own minute before SHOWN_AT.
    The meeting goes live at 15:45 and reaches its vote at 15:53; three students have voted by 15:58.
    """
    from stac_youth.meetings import agenda
    from stac_youth.meetings import services as meetings
    from stac_youth.polls import ballots, lifecycle, questions
    from stac_youth.proposals import comments
    from stac_youth.proposals import services as proposals
    from stac_youth.proposals.models import Proposal

    advisor, student = find_user_by_email(ADVISOR), find_user_by_email(STUDENT)
    proposal = db.session.scalar(select(Proposal).where(Proposal.title == DISCUSSED_PROPOSAL))

    _at(clock, 15, 20)
    proposals.advance_proposal(advisor, proposal)
    _at(clock, 15, 24)
    question = comments.add_comment(advisor, proposal, "Strong idea. Who would train the students who lead circles?")
    _at(clock, 15, 31)
    comments.add_comment(student, proposal, "The school counsellors, with a short course each fall.", parent=question)

    _at(clock, 15, 35)
    starts = SHOWN_AT.replace(hour=15, minute=45, tzinfo=None)
    meeting = meetings.create_meeting(advisor, meetings.MeetingData(
        title=LIVE_MEETING, description="Where each region's proposals stand, and a vote on peer support circles.",
        starts_at=starts, ends_at=starts.replace(hour=16, minute=45), location="Online", video_url=None))
    for title, kind, minutes in (("Check-in round", "discussion", 10), ("Vote: peer support circles", "vote", 15),
                                 ("Next steps", "discussion", 20)):
        agenda.add_item(advisor, meeting, agenda.AgendaItemData(title, "", minutes, None, kind))
    meetings.publish_meeting(advisor, meeting)
    _at(clock, 15, 45)
    meetings.start_meeting(advisor, meeting)
    _at(clock, 15, 53)
    meetings.move_current_item(advisor, meeting, 1)

    _at(clock, 15, 54)
    poll = lifecycle.create_poll(advisor, proposal, questions.english(questions.SUPPORT_PROPOSAL, proposal),
                                 "yes_no_abstain", quorum_percent=25, agenda_item=meeting.items[1])
    lifecycle.open_poll(advisor, poll)
    for minute, (email, choice) in enumerate((("student2@example.org", "yes"), ("student3@example.org", "abstain"),
                                              ("student6@example.org", "yes")), start=56):
        _at(clock, 15, minute)
        ballots.cast_ballot(find_user_by_email(email), poll, choice)


def screen_ids() -> ScreenIds:
    """The ids of what the screens show, looked up by title."""
    from stac_youth.meetings.models import Meeting
    from stac_youth.polls.models import Poll
    from stac_youth.proposals.models import Proposal
    from stac_youth.rooms.models import Room

    def meeting(title):
        return db.session.scalar(select(Meeting.id).where(Meeting.title == title))

    def poll_of(title):
        return db.session.scalar(select(Poll.id).join(Proposal, Poll.proposal_id == Proposal.id)
                                 .where(Proposal.title == title))

    return ScreenIds(
        meeting=meeting(MEETING), live_meeting=meeting(LIVE_MEETING),
        room=db.session.scalar(select(Room.id).where(Room.title == ROOM)),
        proposal=db.session.scalar(select(Proposal.id).where(Proposal.title == DISCUSSED_PROPOSAL)),
        open_poll=poll_of(DISCUSSED_PROPOSAL), closed_poll=poll_of(CLOSED_POLL_PROPOSAL),
        student=find_user_by_email(STUDENT).id,
    )


def set_languages(language: str) -> None:
    """The demo users' chosen language, as their language switch would save it."""
    from stac_youth.members.accounts import set_language

    for email in USERS:
        set_language(find_user_by_email(email), language)
