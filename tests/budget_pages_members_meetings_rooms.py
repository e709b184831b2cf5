"""Query-budget scenarios for the member directory, the admin lists, the meeting pages and the room pages."""

from __future__ import annotations

from stac_youth.admin import services as admin_services
from stac_youth.meetings import agenda, attendance, calendar, minutes
from stac_youth.members import accounts, invitations
from stac_youth.members.models import MemberInterest
from stac_youth.rooms import moderation, rooms, speakers
from tests.meetings.helpers import around_now, item_data, make_meeting
from tests.query_budget import ListPage, People
from tests.rooms.helpers import post, topic_room


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
