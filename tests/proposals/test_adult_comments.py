"""Advisors and admins comment on proposals in the open: their role shows, each comment is audited; planners do not."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.errors import ServiceError
from stac_youth.extensions import db, limiter
from stac_youth.notifications.models import Notification
from stac_youth.proposals import comments as proposal_comments
from stac_youth.proposals.models import Comment
from tests.conftest import PASSWORD, FreshContextClient, UserFactory
from tests.meetings.helpers import client_for
from tests.proposals.helpers import make_proposal

TOKEN_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BADGE = re.compile(r'<span class="badge text-bg-secondary role-badge">([^<]+)</span>')


def _token(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return TOKEN_INPUT.search(response.get_data(as_text=True)).group(1)


def _sign_in(client, email: str) -> None:
    token = _token(client, "/login")
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def _audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def csrf_app(make_app):
    application = make_app(WTF_CSRF_ENABLED=True)
    application.test_client_class = FreshContextClient
    limiter.reset()
    with application.app_context():
        yield application
        db.session.remove()


def test_an_advisor_posts_a_comment_through_the_form_with_csrf_and_it_is_audited(csrf_app):
    make_user = UserFactory()
    student = make_user("member", display_name="Sofía Student")
    advisor = make_user("advisor", display_name="Ada Advisor")
    proposal = make_proposal(student, status="submitted", title="Quiet study rooms")
    url = f"/proposals/{proposal.id}"
    client = csrf_app.test_client()
    _sign_in(client, advisor.email)
    page = client.get(url).get_data(as_text=True)
    assert f'action="{url}/comments"' in page and "Post comment" in page

    # Without the page's token the comment is refused and nothing is written.
    assert client.post(f"{url}/comments", data={"body": "No token"}).status_code == 400
    assert db.session.scalars(select(Comment)).all() == []

    body = "Have you asked the librarian? @Sofía Student"
    response = client.post(f"{url}/comments", data={"body": body, "csrf_token": _token(client, url)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{url}#comments")
    comment = db.session.scalars(select(Comment)).one()
    assert (comment.author_id, comment.body, comment.parent_id) == (advisor.id, body, None)

    (audit,) = _audits("proposal.comment_added")
    assert audit.actor_id == advisor.id
    assert audit.details == {"proposal_id": proposal.id, "comment_id": comment.id}
    assert "librarian" not in audit.detail  # the comment's text stays out of the audit log

    # The @mention reaches the student as a member's would.
    mention = db.session.scalars(select(Notification).where(Notification.user_id == student.id)).one()
    assert mention.link == f"{url}#comment-{comment.id}"

    # The advisor replies to a student's comment too.
    student_comment = proposal_comments.add_comment(student, proposal, "Thanks, I will ask.")
    response = client.post(f"{url}/comments", data={"body": "Great, tell us at the meeting.",
                                                    "parent_id": student_comment.id,
                                                    "csrf_token": _token(client, url)})
    assert response.status_code == 302
    reply = db.session.scalars(select(Comment).where(Comment.parent_id == student_comment.id)).one()
    assert reply.author_id == advisor.id
    assert [a.details["comment_id"] for a in _audits("proposal.comment_added")] == [comment.id, reply.id]


def test_a_students_comment_writes_no_audit_row(app, make_user):
    student = make_user("member")
    proposal = make_proposal(student, status="submitted")
    proposal_comments.add_comment(student, proposal, "My own idea")
    assert _audits("proposal.comment_added") == []


def test_an_admin_comments_and_an_adults_edit_and_own_delete_are_audited(app, make_user):
    student = make_user("member")
    admin = make_user("admin")
    proposal = make_proposal(student, status="submitted")
    comment = proposal_comments.add_comment(admin, proposal, "Welcome, everyone")
    assert [a.actor_id for a in _audits("proposal.comment_added")] == [admin.id]
    proposal_comments.edit_comment(admin, comment, "Welcome, everyone!")
    (edited,) = _audits("proposal.comment_edited")
    assert edited.details == {"proposal_id": proposal.id, "comment_id": comment.id} and "Welcome" not in edited.detail
    proposal_comments.delete_comment(admin, comment)
    (deleted,) = _audits("proposal.comment_deleted")
    assert (deleted.actor_id, deleted.details["comment_id"]) == (admin.id, comment.id)


def test_a_planner_still_cannot_comment(app, make_user):
    student = make_user("member")
    planner = make_user("planner")
    proposal = make_proposal(student, status="submitted")
    with pytest.raises(ServiceError):
        proposal_comments.add_comment(planner, proposal, "Planners do not comment")
    client = client_for(app, planner)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Post comment" not in page and 'name="parent_id"' not in page
    assert client.post(f"/proposals/{proposal.id}/comments", data={"body": "Sneaky"}).status_code == 403
    assert db.session.scalars(select(Comment)).all() == []
    assert _audits("proposal.comment_added") == []


def test_an_adults_comment_shows_their_role_and_a_students_does_not(app, make_user):
    student = make_user("member", display_name="Sofía Student")
    advisor = make_user("advisor", display_name="Ada Advisor")
    admin = make_user("admin", display_name="Abe Admin")
    proposal = make_proposal(student, status="submitted")
    first = proposal_comments.add_comment(student, proposal, "Student thought")
    proposal_comments.add_comment(advisor, proposal, "Advisor guidance")
    proposal_comments.add_comment(admin, proposal, "Admin reply", parent=first)
    reader = make_user("member")

    html = client_for(app, reader).get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert BADGE.findall(html) == ["Admin", "Advisor"]  # the admin's reply sits before the next top-level comment
    assert re.search(r"<strong>Ada Advisor</strong> " + BADGE.pattern, html)
    assert re.search(r'<strong>Sofía Student</strong> <span class="comment-time">', html)  # no badge next to a student
    # A student reader still replies under the advisor's comment.
    assert html.count('name="parent_id"') == 2

    spanish = client_for(app, make_user("member", preferred_language="es"))
    html = spanish.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert '<html lang="es"' in html
    assert BADGE.findall(html) == ["Administración", "Persona asesora"]


def test_the_advisor_sees_the_comment_form_and_reply_boxes(app, make_user):
    student = make_user("member")
    advisor = make_user("advisor")
    proposal = make_proposal(student, status="submitted")
    proposal_comments.add_comment(student, proposal, "Student thought")
    html = client_for(app, advisor).get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Post comment" in html and 'name="parent_id"' in html and "Post reply" in html
    # A draft is still closed to comments, for adults too.
    draft = make_proposal(student, title="Draft idea")
    with pytest.raises(ServiceError):
        proposal_comments.add_comment(advisor, draft, "Too early")

