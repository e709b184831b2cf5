"""The home screen: what each role sees first."""

from datetime import timedelta

from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.meetings import attendance, services
from stac_youth.meetings.models import MeetingStatus
from tests.conftest import login


def _meeting(advisor, title, days, publish=True):
    starts = utcnow() + timedelta(days=days)
    meeting = services.create_meeting(advisor, services.MeetingData(
        title=title, description="", starts_at=starts, ends_at=starts + timedelta(hours=1),
        location="Sacramento", video_url=None,
    ))
    if publish:
        services.publish_meeting(advisor, meeting)
    return meeting


def test_member_sees_the_next_meeting_and_their_answer(client, make_user):
    advisor = make_user("advisor")
    member = make_user("member")
    _meeting(advisor, "Later meeting", 9)
    soon = _meeting(advisor, "Soon meeting", 2)
    _meeting(advisor, "Secret draft", 1, publish=False)
    attendance.set_rsvp(member, soon, "maybe")
    login(client, member)
    page = client.get("/").get_data(as_text=True)
    card = page.split('id="card-next-meeting"', 1)[1].split("</section>", 1)[0]
    assert "Soon meeting" in card and "Later meeting" not in card
    assert "Maybe" in card
    assert "Secret draft" not in page and "Meetings in draft" not in page


def test_a_member_who_checked_in_reads_that_they_are_there_not_that_they_have_not_answered(client, make_user):
    advisor = make_user("advisor")
    member = make_user("member")
    live = _meeting(advisor, "Live meeting", 0)
    live.starts_at = utcnow() - timedelta(minutes=5)
    services.start_meeting(advisor, live)
    attendance.check_in(member, live)
    login(client, member)
    card = client.get("/").get_data(as_text=True).split('id="card-next-meeting"', 1)[1].split("</section>", 1)[0]
    assert "Live meeting" in card
    assert "You are checked in." in card and "You have not answered yet." not in card
    attendance.set_rsvp(member, live, "no")  # checking in outweighs an earlier "no"
    member.preferred_language = "es"
    db.session.commit()
    card = client.get("/").get_data(as_text=True)
    card = card.split('id="card-next-meeting"', 1)[1].split("</section>", 1)[0]
    assert "Ya registraste tu llegada." in card and "Todavía no respondes" not in card


def test_advisor_sees_drafts_and_attendance_of_the_last_meeting(client, make_user):
    advisor = make_user("advisor")
    member = make_user("member")
    _meeting(advisor, "Planning draft", 5, publish=False)
    past = _meeting(advisor, "Kickoff", 0)
    past.starts_at = utcnow() - timedelta(minutes=5)
    services.start_meeting(advisor, past)
    attendance.check_in(member, past)
    services.end_meeting(advisor, past)
    assert past.status == MeetingStatus.ENDED
    login(client, advisor)
    page = client.get("/").get_data(as_text=True)
    drafts = page.split('id="card-drafts"', 1)[1].split("</section>", 1)[0]
    assert "Planning draft" in drafts
    assert "Last meeting, Kickoff: 1 person checked in." in drafts


def test_home_lists_rooms_with_unread_messages_and_the_report_queue(client, make_user):
    from stac_youth.rooms import messages, moderation, rooms

    advisor = make_user("advisor")
    member = make_user("member")
    lounge = rooms.create_topic_room(advisor, "Lounge", "", None)
    rooms.create_topic_room(advisor, "Quiet room", "", None)
    posted = messages.post_message(advisor, lounge, "Hello!", "c1").message
    messages.post_message(advisor, lounge, "Anyone here?", "c2")
    login(client, member)
    card = client.get("/").get_data(as_text=True).split('id="card-rooms"', 1)[1].split("</section>", 1)[0]
    assert "Lounge" in card and "2 unread" in card and "Quiet room" not in card
    moderation.report_message(member, posted, "Spam")
    advisor_client = client.application.test_client()
    login(advisor_client, advisor)
    card = advisor_client.get("/").get_data(as_text=True).split('id="card-rooms"', 1)[1].split("</section>", 1)[0]
    assert "1 reported message waits for you." in card


def test_home_shows_my_proposals_and_advisors_see_those_waiting(client, make_user):
    from stac_youth.proposals import services as proposals
    from stac_youth.seed import seed_themes

    seed_themes()
    member = make_user("member")
    advisor = make_user("advisor")
    theme_id = proposals.active_themes()[0].id
    proposal = proposals.create_proposal(member, proposals.ProposalData(
        title="Later start times", summary="School starts at 9.", description="", theme_id=theme_id, region_id=None,
    ))
    login(client, member)
    card = client.get("/").get_data(as_text=True).split('id="card-proposals"', 1)[1].split("</section>", 1)[0]
    assert "Your proposals" in card and "Later start times" in card and "Draft" in card
    proposals.submit_proposal(member, proposal)
    advisor_client = client.application.test_client()
    login(advisor_client, advisor)
    card = advisor_client.get("/").get_data(as_text=True).split('id="card-proposals"', 1)[1].split("</section>", 1)[0]
    assert "Proposals waiting for you" in card and "Later start times" in card
