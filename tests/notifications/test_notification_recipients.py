"""Notifications: who hears about what (regions, eligibility, mentions, reports, decisions) and the dedupe."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stac_youth.extensions import db
from stac_youth.meetings import agenda
from stac_youth.notifications import kinds, services
from stac_youth.notifications.mentions import mentioned_in
from stac_youth.notifications.models import Notification
from stac_youth.polls import lifecycle
from stac_youth.proposals import comments, cosponsors
from stac_youth.proposals.models import ProposalStatus
from stac_youth.rooms import moderation
from stac_youth.summit import services as summit
from tests.meetings.helpers import item_data, make_meeting, region
from tests.proposals.helpers import make_proposal
from tests.rooms.helpers import post, topic_room


def notes(user, kind: str | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def recipients(kind: str) -> set[int]:
    return set(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


# --- who hears what --------------------------------------------------------------------------------------------

def test_a_regional_meeting_is_announced_only_to_that_regions_members(app, make_user):
    advisor = make_user("advisor")
    bay = make_user("member", region_id=region("Bay Area").id)
    la = make_user("member", region_id=region("Greater Los Angeles").id)
    other_staff = make_user("admin")
    make_user("member", region_id=region("Bay Area").id, active=False)
    meeting = make_meeting(advisor, "published", region_ids=(region("Bay Area").id,))
    assert recipients(kinds.AGENDA_PUBLISHED) == {bay.id}
    [note] = notes(bay)
    assert note.link == f"/meetings/{meeting.id}"
    assert notes(la) == [] and notes(other_staff) == [] and notes(advisor) == []


def test_a_statewide_meeting_reaches_every_active_member_and_a_draft_nobody(app, make_user):
    advisor = make_user("advisor")
    members = [make_user("member", region_id=region(name).id) for name in ("Bay Area", "Greater Los Angeles")]
    members.append(make_user("member"))
    make_meeting(advisor, "draft", items=("Welcome",))
    assert recipients(kinds.AGENDA_PUBLISHED) == set()
    make_meeting(advisor, "published")
    assert recipients(kinds.AGENDA_PUBLISHED) == {member.id for member in members}


def test_agenda_changes_notify_only_for_published_or_live_meetings_and_once_until_read(app, make_user):
    advisor = make_user("advisor")
    member = make_user("member")
    draft = make_meeting(advisor, "draft", items=("Welcome",))
    agenda.add_item(advisor, draft, item_data("Vote"))
    assert recipients(kinds.AGENDA_CHANGED) == set()
    meeting = make_meeting(advisor, "published", items=("Welcome", "Vote"))
    agenda.add_item(advisor, meeting, item_data("Any other business"))
    assert len(notes(member, kinds.AGENDA_CHANGED)) == 1
    agenda.update_item(advisor, meeting.items[0], item_data("Welcome and introductions"))
    assert len(notes(member, kinds.AGENDA_CHANGED)) == 1  # deduped while unread
    steps = (lambda: agenda.update_item(advisor, meeting.items[0], item_data("Welcome, again")),
             lambda: agenda.move_item(advisor, meeting.items[1], -1),
             lambda: agenda.delete_item(advisor, meeting.items[-1]),
             lambda: agenda.add_item(advisor, meeting, item_data("Closing")))
    for number, step in enumerate(steps, start=2):
        services.mark_all_read(member)
        step()
        assert len(notes(member, kinds.AGENDA_CHANGED)) == number  # read, so the next change is news again
    assert recipients(kinds.AGENDA_CHANGED) == {member.id}


def test_poll_opened_reaches_only_eligible_voters(app, make_user):
    advisor = make_user("advisor")
    bay = make_user("member", region_id=region("Bay Area").id)
    la = make_user("member", region_id=region("Greater Los Angeles").id)
    make_user("member", region_id=region("Bay Area").id, active=False)
    make_user("admin")
    meeting = make_meeting(advisor, "published", items=("Local vote",), region_ids=(region("Bay Area").id,))

    poll = lifecycle.create_poll(advisor, None, "Regional question?", "yes_no_abstain", agenda_item=meeting.items[0])
    lifecycle.open_poll(advisor, poll)
    assert recipients(kinds.POLL_OPENED) == {bay.id}
    assert notes(la, kinds.POLL_OPENED) == []
    late = make_user("member", region_id=region("Bay Area").id)  # joined after the poll opened: not a voter
    lifecycle.close_poll(advisor, poll)
    assert recipients(kinds.POLL_CLOSED) == {bay.id}
    assert late.id not in recipients(kinds.POLL_OPENED) | recipients(kinds.POLL_CLOSED)


def test_cosponsor_invitation_reaches_only_the_invited_member(app, make_user):
    author = make_user("member", display_name="Ana Author")
    invited, other = make_user("member"), make_user("member")
    proposal = make_proposal(author, title="Peer support circles")
    cosponsors.invite_cosponsor(author, proposal, invited)
    assert recipients(kinds.COSPONSOR_INVITED) == {invited.id}
    [note] = notes(invited)
    assert note.link == f"/proposals/{proposal.id}"
    assert "Ana Author" in services.text_of(note) and "Peer support circles" in services.text_of(note)
    assert notes(other) == [] and notes(author) == []


def test_mentions_in_comments_never_notify_the_author_and_match_whole_names(app, make_user):
    author = make_user("member", display_name="Ana")
    ana_maria = make_user("member", display_name="Ana María")
    bo = make_user("member", display_name="Bo Chen")
    proposal = make_proposal(author, status="submitted")
    comment = comments.add_comment(author, proposal, "Thanks @Ana and @bo chen!")
    assert recipients(kinds.MENTION) == {bo.id}  # not the author, and "@Ana" is not "Ana María"
    assert notes(bo)[0].link == f"/proposals/{proposal.id}#comment-{comment.id}"
    comments.add_comment(bo, proposal, "Hi @Ana María, see @Ana's point")
    assert recipients(kinds.MENTION) == {bo.id, ana_maria.id, author.id}


def test_mentioned_in_matches_names_not_prefixes(app, make_user):
    ana = make_user("member", display_name="Ana")
    ana_maria = make_user("member", display_name="Ana María")
    people = [ana, ana_maria]
    assert mentioned_in("hello @Ana", people) == [ana]
    assert mentioned_in("hello @Anastasia", people) == []
    assert mentioned_in("hello @ana.", people) == [ana]
    assert mentioned_in("email ana@example.org", people) == []
    assert mentioned_in("no at sign Ana", people) == []


def test_mentioning_a_longer_name_does_not_also_mention_its_first_word(app, make_user):
    """"@Ana María" names Ana María only, not also a member called "Ana" (the longer name must win)."""
    author = make_user("member", display_name="Bo Chen")
    ana = make_user("member", display_name="Ana")
    ana_maria = make_user("member", display_name="Ana María")
    assert mentioned_in("hello @Ana María", [ana, ana_maria]) == [ana_maria]
    proposal = make_proposal(author, status="submitted")
    comments.add_comment(author, proposal, "Thanks @Ana María!")
    assert recipients(kinds.MENTION) == {ana_maria.id}


def test_room_mentions_reach_only_people_who_may_see_the_room(app, make_user):
    advisor = make_user("advisor", display_name="Advisor Ada")
    author = make_user("member", display_name="Rosa Bay", region_id=region("Bay Area").id)
    neighbour = make_user("member", display_name="Lin Bay", region_id=region("Bay Area").id)
    outsider = make_user("member", display_name="Sam South", region_id=region("Greater Los Angeles").id)
    room = topic_room(advisor, "Bay lounge", region_name="Bay Area")
    post(author, room, "Hey @Lin Bay, @Sam South, @Advisor Ada and @Rosa Bay")
    assert recipients(kinds.MENTION) == {neighbour.id, advisor.id}
    assert notes(outsider) == [] and notes(author) == []
    assert notes(neighbour)[0].link == f"/rooms/{room.id}"


def test_reports_reach_advisors_and_admins_only(app, make_user):
    advisor, admin, planner = make_user("advisor"), make_user("admin"), make_user("planner")
    member, reporter = make_user("member"), make_user("member")
    make_user("advisor", active=False)
    room = topic_room(advisor)
    message = post(member, room, "Something unkind")
    moderation.report_message(reporter, message, "Not kind")
    assert recipients(kinds.REPORT) == {advisor.id, admin.id}
    proposal = make_proposal(member, status="submitted", title="Reported place")
    comment = comments.add_comment(member, proposal, "Unkind")
    comments.report_comment(reporter, comment, "Not kind")
    reported = db.session.scalars(select(Notification).where(Notification.kind == kinds.REPORT)).all()
    assert {note.user_id for note in reported} == {advisor.id, admin.id}
    assert {note.link for note in reported} == {"/rooms/reports", f"/proposals/{proposal.id}#comments"}
    assert planner.id not in recipients(kinds.REPORT)


def _passed_proposal(author, **changes):
    proposal = make_proposal(author, status="submitted", **changes)
    proposal.status = ProposalStatus.PASSED
    db.session.commit()
    return proposal


def test_a_decision_reaches_the_author_and_accepted_cosponsors_only(app, make_user):
    planner = make_user("planner")
    author = make_user("member")
    accepted, pending, other = make_user("member"), make_user("member"), make_user("member")
    proposal = make_proposal(author, title="Peer support circles")
    cosponsors.invite_cosponsor(author, proposal, accepted)
    cosponsors.invite_cosponsor(author, proposal, pending)
    cosponsors.accept_cosponsorship(accepted, proposal)
    from stac_youth.proposals import services as proposal_services

    proposal_services.submit_proposal(author, proposal)
    proposal.status = ProposalStatus.PASSED
    db.session.commit()
    summit.decide(planner, proposal, summit.DecisionData(kind="declined", response="Not this year."))
    assert recipients(kinds.DECISION) == {author.id, accepted.id}
    assert notes(other) == [] and notes(planner) == []
    assert "Declined" in services.text_of(notes(author, kinds.DECISION)[0])


def test_inactive_and_duplicate_recipients_are_skipped_and_unknown_kinds_refused(app, make_user):
    active, inactive = make_user("member"), make_user("member", active=False)
    rows = services.notify([active, active, inactive, None], kinds.REPORT, "/x", place="P")
    assert [row.user_id for row in rows] == [active.id]
    with pytest.raises(ValueError):
        services.notify([active], "no_such_kind", "/x")


# --- dedupe -----------------------------------------------------------------------------------------------------

def test_dedupe_is_per_kind_link_and_unread(app, make_user):
    member = make_user("member")
    assert len(services.notify([member], kinds.REPORT, "/a", place="A")) == 1
    assert services.notify([member], kinds.REPORT, "/a", place="A") == []
    assert len(services.notify([member], kinds.REPORT, "/b", place="B")) == 1  # another link
    assert len(services.notify([member], kinds.MENTION, "/a", actor=member, place="A")) == 1  # another kind
    services.mark_all_read(member)
    assert len(services.notify([member], kinds.REPORT, "/a", place="A")) == 1  # read: news again
    assert services.unread_count(member) == 1


def test_dedupe_is_per_recipient(app, make_user):
    first, second = make_user("member"), make_user("member")
    services.notify([first], kinds.REPORT, "/a", place="A")
    rows = services.notify([first, second], kinds.REPORT, "/a", place="A")
    assert [row.user_id for row in rows] == [second.id]
