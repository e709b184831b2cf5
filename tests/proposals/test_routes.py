"""Proposal pages through the forms: write, co-sponsor, submit, discuss, comment, report, filter, themes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.proposals import comments as proposal_comments
from stac_youth.proposals.models import Comment, CommentReport, Proposal, Theme
from tests.meetings.helpers import client_for, region
from tests.proposals.helpers import make_proposal, theme


@pytest.fixture
def topic(app):
    return theme("Mental health and wellness")


def _form(topic, **changes) -> dict:
    values = {"title": "Peer support circles", "summary": "Students lead weekly circles.",
              "description": "Why it **matters**.", "theme_id": str(topic.id), "region_id": "0"}
    values.update(changes)
    return values


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _only_proposal() -> Proposal:
    return db.session.scalars(select(Proposal)).one()


def test_the_whole_journey_draft_cosponsor_submit_discussion(app, topic, make_user):
    author = make_user("member", display_name="Ana Author")
    sponsor = make_user("member", display_name="Sam Sponsor")
    outsider = make_user("member", display_name="Olu Outsider")
    advisor = make_user("advisor", display_name="Ada Advisor")
    writer = client_for(app, author)

    assert "Write a proposal" in _page(writer, "/proposals")
    assert 'name="title"' in _page(writer, "/proposals/new")
    response = writer.post("/proposals/new", data=_form(topic, region_id=str(region("Bay Area").id)))
    assert response.status_code == 302
    proposal = _only_proposal()
    assert response.headers["Location"] == f"/proposals/{proposal.id}"
    html = _page(writer, f"/proposals/{proposal.id}")
    assert "Peer support circles" in html and "Draft" in html and "Bay Area" in html
    assert "<strong>matters</strong>" in html
    assert "Edit draft" in html and "Submit to the advisors" in html

    # Nobody else sees the draft, not even in the list.
    other = client_for(app, outsider)
    assert other.get(f"/proposals/{proposal.id}").status_code == 404
    assert other.get(f"/proposals/{proposal.id}/edit").status_code == 404
    assert "Peer support circles" not in _page(other, "/proposals")

    # The author invites a co-sponsor, who accepts through the form and can then edit.
    assert "Sam Sponsor" in _page(writer, f"/proposals/{proposal.id}")  # offered in the invite list
    assert writer.post(f"/proposals/{proposal.id}/cosponsors", data={"user_id": sponsor.id}).status_code == 302
    cosponsor = client_for(app, sponsor)
    html = _page(cosponsor, f"/proposals/{proposal.id}")
    assert "Co-sponsor this proposal" in html and "Edit draft" not in html
    assert cosponsor.post(f"/proposals/{proposal.id}/edit", data=_form(topic, title="Hijack")).status_code == 200
    assert cosponsor.post(f"/proposals/{proposal.id}/cosponsors/accept").status_code == 302
    assert "Edit draft" in _page(cosponsor, f"/proposals/{proposal.id}")
    response = cosponsor.post(f"/proposals/{proposal.id}/edit", data=_form(topic, title="Peer circles everywhere"))
    assert response.status_code == 302
    db.session.expire_all()
    assert _only_proposal().title == "Peer circles everywhere"
    # Only the author submits.
    cosponsor.post(f"/proposals/{proposal.id}/submit")
    db.session.expire_all()
    assert _only_proposal().status == "draft"
    assert writer.post(f"/proposals/{proposal.id}/submit").status_code == 302
    db.session.expire_all()
    assert _only_proposal().status == "submitted"
    assert "Peer circles everywhere" in _page(other, "/proposals")
    assert writer.get(f"/proposals/{proposal.id}/edit").status_code == 200
    assert writer.post(f"/proposals/{proposal.id}/edit", data=_form(topic, title="Changed")).status_code == 200
    db.session.expire_all()
    assert _only_proposal().title == "Peer circles everywhere"  # a submitted proposal is not edited

    # The advisor moves it to discussion; the page links the discussion room.
    staff = client_for(app, advisor)
    assert "Move to discussion" in _page(staff, f"/proposals/{proposal.id}")
    assert staff.post(f"/proposals/{proposal.id}/advance").status_code == 302
    db.session.expire_all()
    moved = _only_proposal()
    assert moved.status == "in_discussion" and moved.room_id
    html = _page(other, f"/proposals/{proposal.id}")
    assert f'href="/rooms/{moved.room_id}"' in html and "Open the discussion room" in html
    assert "Move to discussion" not in _page(staff, f"/proposals/{proposal.id}")
    assert other.get(f"/rooms/{moved.room_id}").status_code == 200

    # The timeline shows each step with who took it.
    timeline = html.split('id="timeline-title"', 1)[1].split("</ol>", 1)[0]
    steps = re.findall(r'<li class="timeline-item">.*?</li>', timeline, re.S)
    assert len(steps) == 3
    for step, status, who in zip(steps, ("Draft", "Submitted", "In discussion"),
                                 ("Ana Author", "Ana Author", "Ada Advisor"), strict=True):
        assert status in step and who in step, step


def test_comments_replies_markdown_edit_window_and_delete(app, topic, make_user):
    author = make_user("member", display_name="Ana Author")
    commenter = make_user("member", display_name="Cory Commenter")
    proposal = make_proposal(author, status="submitted")
    client = client_for(app, commenter)
    url = f"/proposals/{proposal.id}"
    with freeze_time(utcnow()) as frozen:  # now, so that the sessions signed in above stay valid
        assert client.post(f"{url}/comments", data={"body": "I **like** it <script>alert(1)</script>"}).status_code \
            == 302
        comment = db.session.scalars(select(Comment)).one()
        writer = client_for(app, author)
        assert writer.post(f"{url}/comments", data={"body": "Thanks!", "parent_id": comment.id}).status_code == 302
        reply = db.session.scalars(select(Comment).where(Comment.parent_id == comment.id)).one()
        html = _page(client, url)
        assert "<strong>like</strong>" in html
        assert "<script>alert(1)" not in html
        assert "Thanks!" in html and 'class="list-unstyled comment-replies"' in html
        edit_link = f"{url}/comments/{comment.id}/edit"
        assert f'href="{edit_link}"' in html  # own comment, just written
        assert f'href="{url}/comments/{reply.id}/edit"' not in html  # someone else's
        # No reply to a reply.
        client.post(f"{url}/comments", data={"body": "Deeper", "parent_id": reply.id})
        assert db.session.scalar(select(db.func.count(Comment.id))) == 2
        # Edit within 15 minutes through the form.
        frozen.tick(timedelta(minutes=10))
        assert "I **like** it" in _page(client, edit_link)
        assert client.post(edit_link, data={"body": "I *really* like it"}).status_code == 302
        html = _page(client, url)
        assert "<em>really</em>" in html and "edited" in html
        # After 15 minutes: no edit link, and the edit is refused.
        frozen.tick(timedelta(minutes=6))
        html = _page(client, url)
        assert f'href="{edit_link}"' not in html
        assert client.post(edit_link, data={"body": "Too late"}).status_code == 302
        db.session.expire_all()
        assert db.session.get(Comment, comment.id).body == "I *really* like it"
        # A member cannot delete another's comment; the author deletes their own.
        writer.post(f"{url}/comments/{comment.id}/delete")
        db.session.expire_all()
        assert db.session.get(Comment, comment.id).deleted_at is None
        assert client.post(f"{url}/comments/{comment.id}/delete").status_code == 302
        html = _page(client, url)
        assert "This comment was deleted." in html and "really" not in html
        assert client.get(edit_link).status_code == 404


def test_advisor_deletes_any_comment_and_it_is_audited(app, topic, make_user):
    author = make_user("member")
    proposal = make_proposal(author, status="submitted")
    comment = proposal_comments.add_comment(author, proposal, "Something rude")
    staff = client_for(app, make_user("advisor"))
    html = _page(staff, f"/proposals/{proposal.id}")
    assert f"/comments/{comment.id}/delete" in html and "Post comment" in html  # advisors comment too
    assert staff.post(f"/proposals/{proposal.id}/comments/{comment.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).deleted_at is not None
    assert "Comment deleted by an advisor" in _page(client_for(app, make_user("admin")), "/admin/audit")


def test_report_form_needs_a_reason(app, topic, make_user):
    author = make_user("member")
    proposal = make_proposal(author, status="submitted")
    comment = proposal_comments.add_comment(author, proposal, "Hmm")
    reporter = client_for(app, make_user("member"))
    url = f"/proposals/{proposal.id}/comments/{comment.id}/report"
    assert f'href="{url}"' in _page(reporter, f"/proposals/{proposal.id}")
    assert 'name="reason"' in _page(reporter, url)
    assert reporter.post(url, data={"reason": ""}).status_code == 200
    assert db.session.scalar(select(db.func.count(CommentReport.id))) == 0
    assert reporter.post(url, data={"reason": "Not kind"}).status_code == 302
    assert [r.reason for r in db.session.scalars(select(CommentReport))] == ["Not kind"]


@pytest.mark.parametrize("role", ["advisor", "planner", "admin"])
def test_staff_cannot_create_proposals(app, topic, make_user, role):
    client = client_for(app, make_user(role))
    assert client.get("/proposals/new").status_code == 403
    assert client.post("/proposals/new", data=_form(topic)).status_code == 403
    assert "Write a proposal" not in _page(client, "/proposals")
    assert db.session.scalar(select(db.func.count(Proposal.id))) == 0


def test_bad_input_shows_the_error_and_creates_nothing(app, topic, make_user):
    client = client_for(app, make_user("member"))
    retired = theme("Retired theme", active=False)
    for changes in ({"title": "x" * 121}, {"summary": ""}, {"theme_id": "0"}, {"theme_id": str(retired.id)}):
        response = client.post("/proposals/new", data=_form(topic, **changes))
        assert response.status_code == 200, changes
    assert db.session.scalar(select(db.func.count(Proposal.id))) == 0
    assert "Retired theme" not in _page(client, "/proposals/new")


def test_list_filters_and_search(app, topic, make_user):
    advisor, author = make_user("advisor"), make_user("member")
    climate = theme("Climate")
    make_proposal(author, status="submitted", title="Peer circles", summary="Weekly talks.",
                  region_id=region("Bay Area").id)
    make_proposal(author, status="in_discussion", advisor=advisor, title="Solar roofs", summary="Panels on gyms.",
                  theme_id=climate.id)
    client = client_for(app, make_user("member"))

    def titles(query: str) -> set[str]:
        html = _page(client, f"/proposals{query}")
        return {title for title in ("Peer circles", "Solar roofs") if title in html}

    assert titles("") == {"Peer circles", "Solar roofs"}
    assert titles("?status=in_discussion") == {"Solar roofs"}
    assert titles(f"?theme={climate.id}") == {"Solar roofs"}
    assert titles(f"?region={region('Bay Area').id}") == {"Peer circles"}
    assert titles("?q=gyms") == {"Solar roofs"}
    assert titles("?q=nothing-like-this") == set()
    assert "No proposals match." in _page(client, "/proposals?q=nothing-like-this")
    assert titles("?status=bogus&theme=abc") == {"Peer circles", "Solar roofs"}


def test_admin_themes_page_adds_and_retires_a_theme(app, make_user):
    client = client_for(app, make_user("admin"))
    assert "Add a theme" in _page(client, "/admin/themes")
    assert client.post("/admin/themes", data={"new-name": "Climate action"}).status_code == 302
    assert client.post("/admin/themes", data={"new-name": "climate action"}).status_code == 200  # duplicate
    added = db.session.scalars(select(Theme)).one()
    assert "Climate action" in _page(client, "/admin/themes")
    response = client.post(f"/admin/themes/{added.id}", data={"name": "Climate and environment", "active": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (added.name, added.active) == ("Climate and environment", False)
    assert "Climate and environment" not in _page(client_for(app, make_user("member")), "/proposals/new")
    assert client.post("/admin/themes/9999", data={"name": "X", "active": "1"}).status_code == 404
    advisor = client_for(app, make_user("advisor"))
    assert advisor.get("/admin/themes").status_code == 403


def test_spanish_member_sees_spanish_labels(app, topic, make_user):
    make_proposal(make_user("member"), status="submitted")
    client = client_for(app, make_user("member", preferred_language="es"))
    html = _page(client, "/proposals")
    assert '<html lang="es"' in html
    assert "Propuestas" in html



def test_only_the_author_opens_the_edit_form_of_a_comment(app, make_user):
    from stac_youth.proposals import comments as proposal_comments
    from tests.conftest import login
    from tests.proposals.helpers import make_proposal

    author = make_user("member")
    other = make_user("member")
    proposal = make_proposal(author, status="submitted")
    comment = proposal_comments.add_comment(author, proposal, "Mine only")
    client = app.test_client()
    login(client, other)
    response = client.get(f"/proposals/{proposal.id}/comments/{comment.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/proposals/{proposal.id}")
