"""Proposal services without HTTP: validation, visibility, workflow, co-sponsors, comments, listing and themes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from stac_youth.admin import services as admin_services
from stac_youth.common.audit import AuditEvent
from stac_youth.common.errors import NotFound, ServiceError
from stac_youth.extensions import db
from stac_youth.proposals import comments, cosponsors, services
from stac_youth.proposals.models import CommentReport, Proposal, ProposalStatus
from stac_youth.rooms.models import Room
from tests.meetings.helpers import region
from tests.proposals.helpers import actions, data, make_proposal, theme

NOW = datetime(2031, 5, 6, 17, 0)


@pytest.fixture
def advisor(make_user):
    return make_user("advisor")


@pytest.fixture
def author(make_user):
    return make_user("member", display_name="Ana Author")


@pytest.fixture
def other(make_user):
    return make_user("member", display_name="Omar Other")


def _visible_titles(user) -> set[str]:
    return set(db.session.scalars(services.visible_proposals(user).with_only_columns(Proposal.title)))


# --- create: validation and who -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"summary": ""}, "summary"),
        ({"summary": "x" * 281}, "summary"),
        ({"description": "x" * (services.MAX_DESCRIPTION + 1)}, "description"),
        ({"theme_id": 0}, "theme_id"),
        ({"theme_id": 9999}, "theme_id"),
        ({"region_id": 9999}, "region_id"),
    ],
)
def test_create_validates(author, changes, field):
    with pytest.raises(ServiceError) as error:
        services.create_proposal(author, data(**changes))
    assert error.value.field == field
    assert db.session.scalar(select(db.func.count(Proposal.id))) == 0


def test_create_at_the_limits_keeps_a_draft_with_its_first_event(author):
    proposal = services.create_proposal(author, data(title="  " + "t" * 120 + "  ", summary="s" * 280,
                                                     region_id=region("Bay Area").id))
    assert proposal.title == "t" * 120 and proposal.summary == "s" * 280
    assert proposal.status == ProposalStatus.DRAFT and proposal.author_id == author.id
    assert proposal.region.name == "Bay Area"
    assert [(e.from_status, e.to_status, e.actor_id) for e in proposal.events] == [(None, "draft", author.id)]


def test_a_retired_theme_is_refused_for_new_proposals(author):
    retired = theme("Old theme", active=False)
    with pytest.raises(ServiceError) as error:
        services.create_proposal(author, data(theme_id=retired.id))
    assert error.value.field == "theme_id"
    assert retired not in services.active_themes()


@pytest.mark.parametrize("role", ["advisor", "planner", "admin"])
def test_only_members_create(make_user, role):
    with pytest.raises(ServiceError):
        services.create_proposal(make_user(role), data())


# --- visibility --------------------------------------------------------------------------------------------------


def test_a_draft_is_seen_by_its_author_and_invited_cosponsors_only(make_user, author, other, advisor):
    invited = make_user("member")
    draft = make_proposal(author, title="Secret draft")
    cosponsors.invite_cosponsor(author, draft, invited)
    for user in (author, invited):
        assert services.get_visible_proposal(user, draft.id) is draft
        assert "Secret draft" in _visible_titles(user)
    for user in (other, advisor, make_user("admin"), make_user("planner")):
        with pytest.raises(NotFound):
            services.get_visible_proposal(user, draft.id)
        assert "Secret draft" not in _visible_titles(user)
    with pytest.raises(NotFound):
        services.get_visible_proposal(author, draft.id + 100)


def test_submitted_proposals_are_seen_by_everyone(make_user, author, other):
    proposal = make_proposal(author, status="submitted", title="Open idea")
    for user in (other, make_user("advisor"), make_user("planner")):
        assert services.get_visible_proposal(user, proposal.id) is proposal
        assert "Open idea" in _visible_titles(user)


def test_visible_proposals_agrees_with_may_see(make_user, author, other, advisor):
    invited = make_user("member")
    draft = make_proposal(author, title="Draft")
    cosponsors.invite_cosponsor(author, draft, invited)
    make_proposal(other, title="Other draft")
    make_proposal(other, status="submitted", title="Submitted")
    make_proposal(other, status="in_discussion", advisor=advisor, title="Discussed")
    everything = list(db.session.scalars(select(Proposal)))
    for user in (author, other, invited, advisor):
        expected = {p.title for p in everything if services.may_see(user, p)}
        assert _visible_titles(user) == expected


# --- update and submit ------------------------------------------------------------------------------------------


def test_author_and_accepted_cosponsor_edit_a_draft(make_user, author):
    sponsor = make_user("member")
    draft = make_proposal(author)
    cosponsors.invite_cosponsor(author, draft, sponsor)
    with pytest.raises(ServiceError):  # invited, not yet accepted
        services.update_proposal(sponsor, draft, data(title="Sneaky"))
    cosponsors.accept_cosponsorship(sponsor, draft)
    services.update_proposal(sponsor, draft, data(title="Better title"))
    assert draft.title == "Better title"
    services.update_proposal(author, draft, data(title="Best title", summary="Shorter."))
    assert (draft.title, draft.summary) == ("Best title", "Shorter.")


def test_others_cannot_edit_and_validation_applies(author, other, advisor):
    draft = make_proposal(author)
    for user in (other, advisor):
        with pytest.raises(ServiceError):
            services.update_proposal(user, draft, data(title="Hijacked"))
    with pytest.raises(ServiceError) as error:
        services.update_proposal(author, draft, data(title="x" * 121))
    assert error.value.field == "title"
    db.session.expire_all()
    assert draft.title == "Peer support circles"


def test_only_drafts_are_edited(author):
    proposal = make_proposal(author, status="submitted")
    with pytest.raises(ServiceError):
        services.update_proposal(author, proposal, data(title="Too late"))


def test_only_the_author_submits_and_only_once(make_user, author):
    sponsor = make_user("member")
    draft = make_proposal(author)
    cosponsors.invite_cosponsor(author, draft, sponsor)
    cosponsors.accept_cosponsorship(sponsor, draft)
    with pytest.raises(ServiceError):
        services.submit_proposal(sponsor, draft)
    services.submit_proposal(author, draft)
    assert draft.status == ProposalStatus.SUBMITTED
    assert [(e.from_status, e.to_status, e.actor_id) for e in draft.events][-1] == ("draft", "submitted", author.id)
    with pytest.raises(ServiceError):
        services.submit_proposal(author, draft)


# --- advance ------------------------------------------------------------------------------------------------------


def test_advance_to_discussion_opens_a_proposal_room_with_an_event_and_an_audit(author, advisor):
    proposal = make_proposal(author, status="submitted", title="Peer circles")
    with freeze_time(NOW):
        services.advance_proposal(advisor, proposal)
    assert proposal.status == ProposalStatus.IN_DISCUSSION
    room = db.session.get(Room, proposal.room_id)
    assert room.kind == "proposal" and room.title == "Peer circles"
    last = proposal.events[-1]
    assert (last.from_status, last.to_status, last.actor_id, last.created_at) == \
        ("submitted", "in_discussion", advisor.id, NOW)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "proposal.moved"))
    assert audit.actor_id == advisor.id
    assert json.loads(audit.detail) == {"proposal_id": proposal.id, "old": "submitted", "new": "in_discussion"}


@pytest.mark.parametrize("status", ["draft", "in_discussion"])
def test_advancing_from_other_states_is_refused(author, advisor, status):
    proposal = make_proposal(author, status=status, advisor=advisor)
    rooms_before = db.session.scalar(select(db.func.count(Room.id)))
    with pytest.raises(ServiceError):
        services.advance_proposal(advisor, proposal)
    assert proposal.status == status
    assert db.session.scalar(select(db.func.count(Room.id))) == rooms_before
    assert actions().count("proposal.moved") == (1 if status == "in_discussion" else 0)


# --- co-sponsors --------------------------------------------------------------------------------------------------


def test_invite_rules(make_user, author, other, advisor):
    draft = make_proposal(author)
    with pytest.raises(ServiceError):
        cosponsors.invite_cosponsor(author, draft, author)  # not oneself
    for user in (advisor, make_user("member", active=False), None):
        with pytest.raises(ServiceError):
            cosponsors.invite_cosponsor(author, draft, user)  # only active student members
    with pytest.raises(ServiceError):
        cosponsors.invite_cosponsor(other, draft, make_user("member"))  # only the author invites
    cosponsors.invite_cosponsor(author, draft, other)
    with pytest.raises(ServiceError) as error:
        cosponsors.invite_cosponsor(author, draft, other)  # no duplicates
    assert error.value.field == "user_id"
    assert [s.user_id for s in draft.sponsors] == [other.id]


def test_at_most_ten_cosponsors(make_user, author):
    draft = make_proposal(author)
    for _ in range(cosponsors.MAX_COSPONSORS):
        cosponsors.invite_cosponsor(author, draft, make_user("member"))
    with pytest.raises(ServiceError):
        cosponsors.invite_cosponsor(author, draft, make_user("member"))
    assert len(draft.sponsors) == 10


def test_invitations_only_before_discussion(make_user, author, advisor):
    submitted = make_proposal(author, status="submitted")
    cosponsors.invite_cosponsor(author, submitted, make_user("member"))
    services.advance_proposal(advisor, submitted)
    with pytest.raises(ServiceError):
        cosponsors.invite_cosponsor(author, submitted, make_user("member"))


def test_accept_and_decline(make_user, author, other):
    decliner = make_user("member")
    draft = make_proposal(author)
    cosponsors.invite_cosponsor(author, draft, other)
    cosponsors.invite_cosponsor(author, draft, decliner)
    assert not services.is_sponsor(other, draft)
    cosponsors.accept_cosponsorship(other, draft)
    assert services.is_sponsor(other, draft)
    cosponsors.decline_cosponsorship(decliner, draft)
    db.session.expire_all()
    assert [s.user_id for s in draft.sponsors] == [other.id]
    with pytest.raises(NotFound):
        services.get_visible_proposal(decliner, draft.id)  # a declined draft is hidden again
    with pytest.raises(ServiceError):
        cosponsors.accept_cosponsorship(make_user("member"), draft)  # never invited
    assert decliner in cosponsors.invitable_members(draft)  # may be asked again
    assert other not in cosponsors.invitable_members(draft) and author not in cosponsors.invitable_members(draft)


# --- comments -----------------------------------------------------------------------------------------------------


@pytest.fixture
def open_proposal(author):
    return make_proposal(author, status="submitted")


def test_comments_and_one_level_of_replies(author, other, open_proposal):
    top = comments.add_comment(other, open_proposal, "  I *like* it  ")
    reply = comments.add_comment(author, open_proposal, "Thanks", parent=top)
    assert top.body == "I *like* it" and reply.parent_id == top.id
    with pytest.raises(ServiceError):
        comments.add_comment(other, open_proposal, "Deeper", parent=reply)
    thread = comments.thread(open_proposal)
    assert [(c.body, [r.body for r in c.replies]) for c in thread] == [("I *like* it", ["Thanks"])]


def test_comment_rules(make_user, author, other, advisor, open_proposal):
    with pytest.raises(ServiceError):
        comments.add_comment(other, open_proposal, "   ")
    with pytest.raises(ServiceError):
        comments.add_comment(other, open_proposal, "x" * (comments.MAX_COMMENT + 1))
    with pytest.raises(ServiceError):
        comments.add_comment(make_user("planner"), open_proposal, "Planners do not comment")
    with pytest.raises(ServiceError):
        comments.add_comment(author, make_proposal(author), "Not on a draft")
    elsewhere = comments.add_comment(other, make_proposal(other, status="submitted"), "Elsewhere")
    with pytest.raises(ServiceError):
        comments.add_comment(other, open_proposal, "Cross-thread reply", parent=elsewhere)


def test_edit_own_comment_within_15_minutes_only(author, other, open_proposal):
    with freeze_time(NOW) as frozen:
        comment = comments.add_comment(other, open_proposal, "First")
        with pytest.raises(ServiceError):
            comments.edit_comment(author, comment, "Not yours")
        frozen.tick(timedelta(minutes=15))
        comments.edit_comment(other, comment, "Second")
        assert (comment.body, comment.edited_at) == ("Second", NOW + timedelta(minutes=15))
        frozen.tick(timedelta(minutes=1))
        assert not comments.may_edit(other, comment)
        with pytest.raises(ServiceError):
            comments.edit_comment(other, comment, "Too late")
    db.session.expire_all()
    assert comment.body == "Second"


def test_delete_own_and_advisor_deletes_any_audited(author, other, advisor, open_proposal):
    mine = comments.add_comment(other, open_proposal, "Mine")
    theirs = comments.add_comment(author, open_proposal, "Theirs")
    with pytest.raises(ServiceError):
        comments.delete_comment(author, mine)  # a member cannot delete another's comment
    assert mine.deleted_at is None
    comments.delete_comment(other, mine)
    assert mine.deleted_at is not None
    assert actions() == []  # one's own: not audited
    with pytest.raises(NotFound):
        comments.get_comment(open_proposal, mine.id)
    comments.delete_comment(advisor, theirs)
    assert theirs.deleted_at is not None
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "proposal.comment_deleted"))
    assert (audit.actor_id, audit.subject_id) == (advisor.id, author.id)
    assert json.loads(audit.detail) == {"comment_id": theirs.id, "proposal_id": open_proposal.id}


def test_report_requires_a_reason(author, other, open_proposal):
    comment = comments.add_comment(author, open_proposal, "Hmm")
    for reason in ("", "   ", "x" * (comments.MAX_REASON + 1)):
        with pytest.raises(ServiceError) as error:
            comments.report_comment(other, comment, reason)
        assert error.value.field == "reason"
    report = comments.report_comment(other, comment, "  Unkind  ")
    assert (report.reason, report.reporter_id, report.comment_id) == ("Unkind", other.id, comment.id)
    assert db.session.scalar(select(db.func.count(CommentReport.id))) == 1


# --- listing ------------------------------------------------------------------------------------------------------


def _listed(user, **filters) -> list[str]:
    return [p.title for p in services.list_proposals(user, **filters).items]


def test_list_filters_by_status_theme_region_and_search(author, other, advisor):
    health, climate = theme("Mental health and wellness"), theme("Climate")
    bay = region("Bay Area").id
    make_proposal(author, status="submitted", title="Peer circles", theme_id=health.id, region_id=bay)
    make_proposal(author, status="in_discussion", advisor=advisor, title="Solar roofs", theme_id=climate.id,
                  summary="Panels on every gym.")
    make_proposal(other, title="Hidden draft", theme_id=climate.id, region_id=bay)
    mine = make_proposal(author, title="My draft", theme_id=health.id, summary="Still thinking.")
    assert set(_listed(author)) == {"Peer circles", "Solar roofs", "My draft"}
    assert set(_listed(other)) == {"Peer circles", "Solar roofs", "Hidden draft"}
    assert _listed(author, status="submitted") == ["Peer circles"]
    assert _listed(author, status="in_discussion") == ["Solar roofs"]
    assert set(_listed(author, status="bogus")) == {"Peer circles", "Solar roofs", "My draft"}  # ignored
    assert set(_listed(author, theme_id=health.id)) == {"Peer circles", "My draft"}
    assert _listed(author, region_id=bay) == ["Peer circles"]
    assert _listed(author, query="gym") == ["Solar roofs"]  # the summary is searched
    assert _listed(author, query="PEER") == ["Peer circles"]
    assert _listed(advisor, query="draft") == []
    assert _listed(author, theme_id=climate.id, status="draft") == []
    assert mine.title in _listed(author, status="draft")


# --- themes (admin services) ---------------------------------------------------------------------------------


def test_theme_add_rename_and_retire(make_user, author):
    admin = make_user("admin")
    added = admin_services.add_theme(admin, "  Climate action ")
    assert added.name == "Climate action" and added.active
    assert added in services.active_themes()
    with pytest.raises(ServiceError) as error:
        admin_services.add_theme(admin, "climate ACTION")
    assert error.value.field == "name"
    other = admin_services.add_theme(admin, "Transport")
    assert [t.name for t in admin_services.all_themes()][-2:] == ["Climate action", "Transport"]
    with pytest.raises(ServiceError):
        admin_services.update_theme(admin, other, "Climate Action", True)  # renaming onto another's name
    admin_services.update_theme(admin, added, "Climate and environment", True)
    assert added.name == "Climate and environment"
    kept = make_proposal(author, theme_id=added.id)
    admin_services.update_theme(admin, added, "Climate and environment", False)
    assert added not in services.active_themes() and added in admin_services.all_themes()
    with pytest.raises(ServiceError):
        services.create_proposal(author, data(theme_id=added.id))
    assert kept.theme is added  # existing proposals keep their theme
    assert actions() == ["theme.created", "theme.created", "theme.updated", "theme.updated"]
