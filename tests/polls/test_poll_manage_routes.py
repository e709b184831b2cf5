"""Creating, opening and closing polls through the routes: the form, field errors in both languages, audits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.support import Translations
from sqlalchemy import select

from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.polls import lifecycle
from stac_youth.polls.models import Poll
from stac_youth.proposals.models import Proposal, ProposalStatus
from tests.meetings.helpers import client_for, make_meeting
from tests.polls.poll_helpers import YNA, _error_of, _only_poll, audits, local, new_poll, page, poll_form, text, vote
from tests.proposals.helpers import make_proposal

TRANSLATIONS = "stac_youth/translations"


def _only_poll_or_none() -> Poll | None:
    return db.session.scalars(select(Poll)).one_or_none()


# --- creating polls through the form ------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "options", "labels"), [
    (YNA, "Ignored for yes / no", []),
    ("approval", "Wellness\r\nTransit\r\n  Climate  ", ["Wellness", "Transit", "Climate"]),
    ("ranked_choice", "Wellness\nTransit", ["Wellness", "Transit"]),
])
def test_advisor_creates_a_poll_on_a_proposal_through_the_form(app, advisor, members, method, options, labels):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    staff = client_for(app, advisor)
    url = f"/proposals/{proposal.id}/polls/new"
    form = page(staff, url)
    assert 'name="question"' in form and "Do you support the proposal “Peer support circles”?" in form
    assert "Opening the poll moves the proposal to the vote." in form
    secret_and_live = staff.post(url, data=poll_form(method=method, options=options, secret="y", results_live="y"))
    assert secret_and_live.status_code == 200 and _only_poll_or_none() is None
    assert "A secret poll shows its results only when it closes." in text(secret_and_live)
    response = staff.post(url, data=poll_form(method=method, options=options, secret="y",
                                              quorum_percent="40", threshold="two_thirds"))
    assert response.status_code == 302
    poll = _only_poll()
    assert response.headers["Location"] == f"/polls/{poll.id}"
    assert (poll.proposal_id, poll.agenda_item_id, poll.method, poll.status) == (proposal.id, None, method, "draft")
    assert (poll.secret, poll.results_live, poll.quorum_percent, poll.threshold) == (True, False, 40, "two_thirds")
    assert [option.label for option in poll.options] == labels
    assert (poll.opens_at, poll.closes_at, poll.created_by_id) == (None, None, advisor.id)
    assert [(event.action, event.actor_id, event.details["proposal_id"]) for event in audits()] == [
        ("poll.created", advisor.id, proposal.id)]
    shown = page(staff, response.headers["Location"])
    assert "The poll is saved as a draft. Open it when members should vote." in shown
    assert "Open the poll now" in shown and "Which theme first?" in shown
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.IN_DISCUSSION  # opening moves it, not this


def test_advisor_creates_a_scheduled_poll_on_an_agenda_item(app, advisor):
    meeting = make_meeting(advisor, "published", items=("Pick the Summit theme",))
    item = meeting.items[0]
    staff = client_for(app, advisor)
    url = f"/agenda-items/{item.id}/polls/new"
    form = page(staff, url)
    assert 'value="Pick the Summit theme"' in form and "For the agenda item" in form
    opens = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    closes = opens + timedelta(hours=2)
    response = staff.post(url, data=poll_form(question="Which theme?", method="ranked_choice", options="A\nB\nC",
                                              opens_at=local(opens), closes_at=local(closes)))
    assert response.status_code == 302
    poll = _only_poll()
    assert (poll.agenda_item_id, poll.proposal_id, poll.question) == (item.id, None, "Which theme?")
    assert (poll.opens_at, poll.closes_at) == (opens, closes)  # typed in the advisor's zone, stored in UTC
    assert [option.label for option in poll.options] == ["A", "B", "C"]
    shown = page(staff, f"/polls/{poll.id}")
    assert "Opens by itself at" in shown and "Closes by itself at" in shown and "Meeting: Board meeting" in shown


def _bad_inputs() -> list[tuple[dict, str, str]]:
    soon = utcnow() + timedelta(days=1)
    return [
        ({"question": ""}, "question", "This field is required."),
        ({"question": "   "}, "question", "This field is required."),
        ({"method": "approval", "options": "Only one"}, "options",
         "Give the poll at least two options, none of them empty."),
        ({"method": "ranked_choice", "options": "A\n\nB"}, "options",
         "Give the poll at least two options, none of them empty."),
        ({"quorum_percent": "150"}, "quorum_percent", "Write a number from 0 to 100."),
        ({"opens_at": local(soon + timedelta(hours=2)), "closes_at": local(soon)}, "closes_at",
         "The closing time must come after the opening."),
        ({"opens_at": local(utcnow() - timedelta(hours=1))}, "opens_at", "The opening time must be in the future."),
    ]


@pytest.mark.parametrize("target", ["proposal", "item"])
def test_bad_poll_input_shows_the_error_on_the_field_and_creates_nothing(app, advisor, members, target):
    if target == "proposal":
        url = f"/proposals/{make_proposal(members[0], 'submitted').id}/polls/new"
    else:
        url = f"/agenda-items/{make_meeting(advisor, 'published', items=('Vote',)).items[0].id}/polls/new"
    staff = client_for(app, advisor)
    for changes, field, message in _bad_inputs():
        response = staff.post(url, data=poll_form(**changes))
        assert response.status_code == 200, changes
        html = text(response)
        assert _error_of(html, field) == message, changes
        assert "Please fix the fields marked below." in html
        assert f'aria-describedby="{field}-error"' in html or f'{field}-help {field}-error' in html
    assert db.session.scalar(select(db.func.count(Poll.id))) == 0
    assert audits() == []


def _spanish(message: str) -> str:
    """The Spanish of a message from the compiled catalog (every message has one: tests/test_i18n.py)."""
    translated = Translations.load(TRANSLATIONS, ["es"]).gettext(message)
    assert translated != message, f"no Spanish for {message!r}"
    return translated


def test_bad_poll_input_in_spanish(app, make_user, members):
    proposal = make_proposal(members[0], "submitted")
    staff = client_for(app, make_user("advisor", preferred_language="es"))
    url = f"/proposals/{proposal.id}/polls/new"
    assert '<html lang="es"' in page(staff, url)
    for changes, field, message in _bad_inputs():
        response = staff.post(url, data=poll_form(**changes))
        assert response.status_code == 200
        shown = _error_of(text(response), field)
        assert shown == _spanish(message) and shown != message, changes
    assert db.session.scalar(select(db.func.count(Poll.id))) == 0


# --- opening and closing ------------------------------------------------------------------------------------------


def test_advisor_opens_and_closes_through_the_routes_and_it_is_audited(app, advisor, members):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    poll = new_poll(advisor, proposal=proposal, status="draft")
    staff, voter = client_for(app, advisor), client_for(app, members[1])
    assert voter.get(f"/polls/{poll.id}").status_code == 404  # a draft is for advisors only
    response = staff.post(f"/polls/{poll.id}/open")
    assert response.status_code == 302 and response.headers["Location"] == f"/polls/{poll.id}"
    assert "The poll is open. Members can vote now." in page(staff, f"/polls/{poll.id}")
    db.session.expire_all()
    assert (poll.status, poll.eligible_count, proposal.status) == ("open", 5, ProposalStatus.IN_VOTE)
    assert vote(voter, poll, {"choice": "yes"}).status_code == 200
    response = staff.post(f"/polls/{poll.id}/close", data={"confirmed": "1"})
    assert response.status_code == 302 and response.headers["Location"] == f"/polls/{poll.id}"
    assert "The poll is closed and counted." in page(staff, f"/polls/{poll.id}")
    db.session.expire_all()
    assert (poll.status, poll.outcome, proposal.status) == ("closed", "passed", ProposalStatus.PASSED)
    events = audits()
    assert [(event.action, event.actor_id) for event in events] == [
        ("poll.created", advisor.id), ("poll.opened", advisor.id), ("poll.closed", advisor.id)]
    assert events[1].details["eligible"] == 5 and events[1].details["scheduled"] is False
    assert (events[2].details["cast"], events[2].details["outcome"]) == (1, "passed")
    # Opening a closed poll is refused with a message and changes nothing.
    staff.post(f"/polls/{poll.id}/open")
    assert "Only a draft poll can be opened." in page(staff, f"/polls/{poll.id}")
    db.session.expire_all()
    assert poll.status == "closed" and len(audits()) == 3


def test_open_and_close_go_back_to_the_live_meeting_screen(app, advisor, members):
    meeting = make_meeting(advisor, "live", items=("Vote on the theme",))
    poll = lifecycle.create_poll(advisor, None, "Theme?", YNA, agenda_item=meeting.items[0])
    live = f"/meetings/{meeting.id}/live"
    staff = client_for(app, advisor)
    screen = staff.get(live).get_data(as_text=True)
    assert f'<input type="hidden" name="next" value="{live}">' in screen and "Open the poll now" in screen
    response = staff.post(f"/polls/{poll.id}/open", data={"next": live})
    assert response.status_code == 302 and response.headers["Location"] == live
    assert "Close the poll and count" in page(staff, live)
    response = staff.post(f"/polls/{poll.id}/close", data={"next": live, "confirmed": "1"})
    assert response.status_code == 302 and response.headers["Location"] == live
    db.session.expire_all()
    assert poll.status == "closed"


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "http:evil.example"])
def test_an_external_next_is_not_followed(app, advisor, members, target):
    poll = new_poll(advisor, status="draft")
    staff = client_for(app, advisor)
    for action in ("open", "close"):
        response = staff.post(f"/polls/{poll.id}/{action}", data={"next": target, "confirmed": "1"})
        location = response.headers["Location"]
        assert response.status_code == 302 and location.startswith("/") and not location.startswith("//")
        assert "evil" not in location and ":" not in location
    db.session.expire_all()
    assert poll.status == "closed"  # the actions themselves went through


@pytest.mark.parametrize("role", ["member", "planner"])
def test_members_and_planners_cannot_create_open_or_close_polls(app, advisor, make_user, members, role):
    proposal = make_proposal(members[0], "submitted")
    item = make_meeting(advisor, "published", items=("Vote",)).items[0]
    draft, opened = new_poll(advisor, status="draft"), new_poll(advisor)
    client = client_for(app, make_user(role))
    for method, url in [("GET", f"/proposals/{proposal.id}/polls/new"), ("POST", f"/proposals/{proposal.id}/polls/new"),
                        ("GET", f"/agenda-items/{item.id}/polls/new"), ("POST", f"/agenda-items/{item.id}/polls/new"),
                        ("POST", f"/polls/{draft.id}/open"), ("POST", f"/polls/{opened.id}/close")]:
        assert client.open(url, method=method, data=poll_form()).status_code == 403, (method, url)
    db.session.expire_all()
    assert (draft.status, opened.status) == ("draft", "open")
    assert db.session.scalar(select(db.func.count(Poll.id))) == 2
    shown = page(client, f"/polls/{opened.id}")
    assert "Close the poll and count" not in shown and "/close" not in shown
