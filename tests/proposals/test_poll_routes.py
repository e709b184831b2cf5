"""Poll pages through the forms: create, open / close, vote per method, receipts, live panels, the schedule, home
cards, the polls index, the proposal page and the own-data export. (Results pages and CSV: test_poll_results.py.)"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from babel.support import Translations
from freezegun import freeze_time
from sqlalchemy import select

from stac_youth.common.errors import ServiceError
from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.meetings import services as meeting_services
from stac_youth.proposals import poll_views, polls
from stac_youth.proposals.models import Proposal, ProposalStatus
from stac_youth.proposals.poll_models import Ballot, Participation, Poll
from tests.meetings.helpers import client_for, make_meeting, region
from tests.proposals.helpers import make_proposal
from tests.proposals.poll_helpers import (
    YNA,
    audits,
    count,
    counters,
    local,
    new_poll,
    page,
    poll_form,
    receipt_on,
    text,
    vote,
)

RECEIPT = re.compile(r"^[A-Z2-7]{4}(?:-[A-Z2-7]{4}){3}$")
TRANSLATIONS = "stac_youth/translations"
NOT_VALID = "That ballot is not valid for this poll. Reload the page and try again."


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", display_name="Ada Advisor")


@pytest.fixture
def members(make_user):
    return [make_user("member", display_name=f"Member {name}") for name in ("Ana", "Ben", "Cy", "Dee", "Eli")]


def _only_poll() -> Poll:
    return db.session.scalars(select(Poll)).one()


def _only_poll_or_none() -> Poll | None:
    return db.session.scalars(select(Poll)).one_or_none()


def _code(response) -> str:
    """The receipt code the receipt page shows."""
    assert response.status_code == 200, response.status_code
    shown = text(response)
    assert "Your vote is counted" in shown
    return re.search(r'data-receipt="([^"]+)"', shown).group(1)


def _error_of(html: str, field: str) -> str:
    """The error text shown under a form field."""
    match = re.search(rf'id="{field}-error" class="invalid-feedback">(.*?)</div>', html, re.S)
    assert match, f"no error under {field}"
    return match.group(1)


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
    response = staff.post(f"/polls/{poll.id}/close")
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
    poll = polls.create_poll(advisor, None, "Theme?", YNA, agenda_item=meeting.items[0])
    live = f"/meetings/{meeting.id}/live"
    staff = client_for(app, advisor)
    screen = staff.get(live).get_data(as_text=True)
    assert f'<input type="hidden" name="next" value="{live}">' in screen and "Open the poll now" in screen
    response = staff.post(f"/polls/{poll.id}/open", data={"next": live})
    assert response.status_code == 302 and response.headers["Location"] == live
    assert "Close the poll and count" in page(staff, live)
    response = staff.post(f"/polls/{poll.id}/close", data={"next": live})
    assert response.status_code == 302 and response.headers["Location"] == live
    db.session.expire_all()
    assert poll.status == "closed"


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "http:evil.example"])
def test_an_external_next_is_not_followed(app, advisor, members, target):
    poll = new_poll(advisor, status="draft")
    staff = client_for(app, advisor)
    for action in ("open", "close"):
        response = staff.post(f"/polls/{poll.id}/{action}", data={"next": target})
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


# --- voting -------------------------------------------------------------------------------------------------------


def test_member_votes_yes_no_abstain_and_gets_a_receipt(app, advisor, members):
    poll = new_poll(advisor)
    voter = client_for(app, members[0])
    shown = page(voter, f"/polls/{poll.id}")
    for value in ("yes", "no", "abstain"):
        assert f'type="radio" name="choice" id="poll-{poll.id}-{value}" value="{value}"' in shown
    receipt = receipt_on(shown)
    code = _code(voter.post(f"/polls/{poll.id}/vote", data={"choice": "abstain", "receipt": receipt},
                            follow_redirects=True))
    assert RECEIPT.match(code) and code == receipt
    ballot = db.session.scalars(select(Ballot)).one()
    assert (ballot.choice_data, ballot.voter_id) == ("abstain", members[0].id)
    assert counters(poll) == {"yes": 0, "no": 0, "abstain": 1}
    assert polls.verify_receipt(poll, code)


def test_member_votes_approval_with_checkboxes(app, advisor, members):
    poll = new_poll(advisor, "approval", ["Wellness", "Transit", "Climate"])
    a, b, c = (option.id for option in poll.options)
    voter = client_for(app, members[0])
    shown = page(voter, f"/polls/{poll.id}")
    assert all(f'type="checkbox" name="option" id="poll-{poll.id}-option-{o}" value="{o}"' in shown for o in (a, b, c))
    code = _code(vote(voter, poll, {"option": [str(c), str(a)]}))
    assert RECEIPT.match(code)
    assert db.session.scalars(select(Ballot.choices)).one() == json.dumps([a, c])  # in the poll's order
    assert counters(poll) == {str(a): 1, str(b): 0, str(c): 1}
    # Approving nothing is a blank ballot: it counts for turnout only.
    assert _code(vote(client_for(app, members[1]), poll, {}))
    assert polls.turnout(poll) == (2, 5) and counters(poll) == {str(a): 1, str(b): 0, str(c): 1}


def test_member_votes_ranked_choice_with_selects(app, advisor, members):
    poll = new_poll(advisor, "ranked_choice", ["Wellness", "Transit", "Climate"])
    a, b, c = (option.id for option in poll.options)
    voter = client_for(app, members[0])
    shown = page(voter, f"/polls/{poll.id}")
    assert all(f'name="rank-{o}"' in shown for o in (a, b, c)) and '<option value="3">3</option>' in shown
    code = _code(vote(voter, poll, {f"rank-{c}": "1", f"rank-{a}": "2", f"rank-{b}": ""}))
    assert RECEIPT.match(code)
    assert db.session.scalars(select(Ballot.choices)).one() == json.dumps([c, a])
    assert counters(poll) == {str(a): 0, str(b): 0, str(c): 1}  # live counters: first preferences


def _option(index: int):
    return lambda options: str(options[index])


@pytest.mark.parametrize(("method", "form", "message"), [
    (YNA, {}, "Choose yes, no or abstain."),
    (YNA, {"choice": "maybe"}, NOT_VALID),
    ("approval", {"option": ["abc"]}, NOT_VALID),
    ("approval", {"option": ["999999"]}, NOT_VALID),  # an option of no poll
    ("approval", {"option": [_option(0), _option(0)]}, NOT_VALID),
    ("ranked_choice", {}, "Rank at least one option."),
    ("ranked_choice", {"rank-0": "1", "rank-1": "1"}, "Give each option you rank a different number."),
    ("ranked_choice", {"rank-0": "4"}, NOT_VALID),  # three options: ranks 1 to 3
    ("ranked_choice", {"rank-0": "0"}, NOT_VALID),
    ("ranked_choice", {"rank-0": "first"}, NOT_VALID),
    ("ranked_choice", {"rank-999999": "1"}, "Rank at least one option."),  # an option of no poll is not read
], ids=["yna-none", "yna-unknown", "approval-not-a-number", "approval-unknown-option", "approval-twice",
        "ranked-none", "ranked-duplicate-rank", "ranked-rank-too-high", "ranked-rank-zero", "ranked-rank-text",
        "ranked-unknown-option"])
def test_invalid_vote_forms_answer_400_with_a_message_and_store_nothing(app, advisor, members, method, form, message):
    poll = new_poll(advisor, method, None if method == YNA else ["Wellness", "Transit", "Climate"])
    ids = [option.id for option in poll.options]
    data = {}
    for key, value in form.items():
        if key.startswith("rank-") and key != "rank-999999":
            key = f"rank-{ids[int(key[5:])]}"
        data[key] = [item(ids) if callable(item) else item for item in value] if isinstance(value, list) else value
    voter = client_for(app, members[0])
    response = vote(voter, poll, data)
    assert response.status_code == 400, text(response)[:300]
    shown = text(response)
    assert f'<div class="alert alert-danger" role="alert">{message}</div>' in shown
    assert f'action="/polls/{poll.id}/vote"' in shown  # the form is there to try again
    assert count(Participation, poll) == 0 and count(Ballot, poll) == 0
    assert set(counters(poll).values()) == {0}


def test_a_second_secret_vote_is_409_but_the_same_form_twice_shows_the_same_receipt(app, advisor, members):
    poll = new_poll(advisor, secret=True)
    voter = client_for(app, members[0])
    receipt = receipt_on(page(voter, f"/polls/{poll.id}"))
    form = {"choice": "yes", "receipt": receipt}
    first = _code(voter.post(f"/polls/{poll.id}/vote", data=form, follow_redirects=True))
    again = _code(voter.post(f"/polls/{poll.id}/vote", data=form, follow_redirects=True))  # double click
    assert first == again == receipt
    assert count(Participation, poll) == 1 and count(Ballot, poll) == 1
    assert counters(poll) == {"yes": 1, "no": 0, "abstain": 0}
    shown = page(voter, f"/polls/{poll.id}")
    assert "You voted in this poll. A secret vote is final." in shown and 'name="choice"' not in shown
    response = voter.post(f"/polls/{poll.id}/vote", data={"choice": "no", "receipt": polls.new_receipt()})
    assert response.status_code == 409
    assert "You have already voted in this poll." in text(response)
    response = voter.post(f"/polls/{poll.id}/vote", data={"choice": "no"})  # without a receipt code at all
    assert response.status_code == 409
    assert count(Participation, poll) == 1 and count(Ballot, poll) == 1
    assert counters(poll) == {"yes": 1, "no": 0, "abstain": 0}


def test_on_an_open_ballot_a_changed_vote_replaces_the_first(app, advisor, members):
    poll = new_poll(advisor, "ranked_choice", ["Wellness", "Transit", "Climate"])
    a, b, c = (option.id for option in poll.options)
    voter = client_for(app, members[0])
    first = _code(vote(voter, poll, {f"rank-{b}": "1", f"rank-{a}": "2"}))
    shown = page(voter, f"/polls/{poll.id}")
    assert "You voted: 1. Transit, 2. Wellness. You can change your vote until the poll closes." in shown
    assert "Change my vote" in shown and '<option value="1" selected>1</option>' in shown
    second = _code(vote(voter, poll, {f"rank-{c}": "1"}))
    assert second != first
    assert count(Participation, poll) == 1 and count(Ballot, poll) == 1
    assert db.session.scalars(select(Ballot.choices)).one() == json.dumps([c])
    assert counters(poll) == {str(a): 0, str(b): 0, str(c): 1}
    assert "You voted: 1. Climate." in page(voter, f"/polls/{poll.id}")
    assert polls.verify_receipt(poll, second) and not polls.verify_receipt(poll, first)


def test_yes_no_vote_change_shows_the_current_choice(app, advisor, members):
    poll = new_poll(advisor)
    voter = client_for(app, members[0])
    vote(voter, poll, {"choice": "yes"})
    shown = voter.get(f"/polls/{poll.id}").get_data(as_text=True)
    assert f'id="poll-{poll.id}-yes" value="yes" required checked>' in shown
    vote(voter, poll, {"choice": "no"})
    assert "You voted: No." in page(voter, f"/polls/{poll.id}")
    assert counters(poll) == {"yes": 0, "no": 1, "abstain": 0} and count(Ballot, poll) == 1


def test_a_member_who_joined_after_the_poll_opened_gets_409(app, advisor, members, make_user):
    poll = new_poll(advisor)
    late = client_for(app, make_user("member", display_name="Late Lou"))
    shown = page(late, f"/polls/{poll.id}")
    assert "You are not one of the voters of this poll: it opened before you joined, or it is for another region." \
        in shown
    assert 'name="choice"' not in shown
    response = late.post(f"/polls/{poll.id}/vote", data={"choice": "yes", "receipt": polls.new_receipt()})
    assert response.status_code == 409
    assert "You are not one of the voters of this poll: it opened before you joined." in text(response)
    assert count(Participation, poll) == 0 and count(Ballot, poll) == 0


@pytest.mark.parametrize("role", ["advisor", "planner", "admin"])
def test_adults_do_not_vote(app, advisor, members, make_user, role):
    poll = new_poll(advisor)
    client = client_for(app, make_user(role))
    shown = page(client, f"/polls/{poll.id}")
    assert "Only student members vote." in shown and 'name="choice"' not in shown
    assert client.post(f"/polls/{poll.id}/vote", data={"choice": "yes"}, follow_redirects=True).status_code == 403
    assert count(Participation, poll) == 0


def test_agenda_item_poll_of_a_regional_meeting_is_for_the_members_of_its_regions(app, advisor, make_user):
    bay = make_user("member", region_id=region("Bay Area").id)
    south = make_user("member", region_id=region("Greater Los Angeles").id)
    meeting = make_meeting(advisor, "published", items=("Local vote",), region_ids=(region("Bay Area").id,))
    item = meeting.items[0]
    poll = new_poll(advisor, agenda_item=item, question="Bay Area only?")
    assert poll.eligible_count == 1
    assert RECEIPT.match(_code(vote(client_for(app, bay), poll, {"choice": "yes"})))
    outsider = client_for(app, south)
    for url in (f"/polls/{poll.id}", f"/polls/{poll.id}/panel", f"/polls/{poll.id}/live.json",
                f"/agenda-items/{item.id}/poll-panel"):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/polls/{poll.id}/vote", data={"choice": "no"}, follow_redirects=True).status_code == 404
    assert "Bay Area only?" not in page(outsider, "/polls")
    assert counters(poll) == {"yes": 1, "no": 0, "abstain": 0}


# --- receipts -----------------------------------------------------------------------------------------------------


def test_receipt_check_form_on_the_poll_page(app, advisor, members):
    poll = new_poll(advisor, secret=True)
    code = _code(vote(client_for(app, members[0]), poll, {"choice": "no"}))
    checker = client_for(app, members[1])
    assert f'action="/polls/{poll.id}/receipt"' in page(checker, f"/polls/{poll.id}")
    url = f"/polls/{poll.id}/receipt"
    for typed in (code, code.lower().replace("-", " ")):
        response = checker.post(url, data={"receipt": typed})
        assert response.status_code == 200
        assert "A ballot with this receipt code is counted in this poll." in text(response)
    response = checker.post(url, data={"receipt": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 200
    shown = text(response)
    assert "No ballot with this receipt code is in this poll." in shown and "is counted in this poll" not in shown
    for malformed, message in (("not-a-code", "A receipt code has 16 letters and digits."),
                               ("ABCD-EFGH-IJKL-MN01", "A receipt code has 16 letters and digits."),
                               ("", "This field is required.")):
        response = checker.post(url, data={"receipt": malformed})
        assert response.status_code == 400, malformed
        shown = text(response)
        assert _error_of(shown, "receipt") == message
        assert "is counted in this poll" not in shown and "No ballot with this receipt code" not in shown


# --- live panels and the live meeting screen ------------------------------------------------------------------------


def test_live_json_has_turnout_always_and_counts_only_when_results_are_live(app, advisor, members):
    hidden, live = new_poll(advisor), new_poll(advisor, results_live=True)
    for poll in (hidden, live):
        polls.cast_ballot(members[0], poll, "yes")
    polls.cast_ballot(members[1], live, "no")
    for role in ("member", "advisor"):
        client = client_for(app, members[2] if role == "member" else advisor)
        response = client.get(f"/polls/{hidden.id}/live.json")
        assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
        assert response.get_json() == {"poll_id": hidden.id, "status": "open", "cast": 1, "eligible": 5,
                                       "turnout": 20.0}
        assert client.get(f"/polls/{live.id}/live.json").get_json() == {
            "poll_id": live.id, "status": "open", "cast": 2, "eligible": 5, "turnout": 40.0,
            "counts": {"yes": 1, "no": 1, "abstain": 0}}
    polls.close_poll(advisor, live)
    closed = client_for(app, members[3]).get(f"/polls/{live.id}/live.json").get_json()
    assert closed["status"] == "closed" and closed["cast"] == 2 and "counts" not in closed


def test_poll_panel_fragment(app, advisor, members):
    poll = new_poll(advisor, results_live=True)
    polls.cast_ballot(members[1], poll, "no")
    response = client_for(app, members[0]).get(f"/polls/{poll.id}/panel")
    assert response.status_code == 200
    fragment = text(response)
    assert "<html" not in fragment and "data-poll-panel" in fragment and f'data-poll-id="{poll.id}"' in fragment
    assert f'action="/polls/{poll.id}/vote"' in fragment and "1 of 5 members voted (20.0%)" in fragment
    assert 'No: <span data-count-key="no">1</span>' in fragment
    staff = client_for(app, advisor)
    live = "/meetings/1/live"
    fragment = staff.get(f"/polls/{poll.id}/panel", query_string={"next": live}).get_data(as_text=True)
    assert f'<input type="hidden" name="next" value="{live}">' in fragment
    fragment = staff.get(f"/polls/{poll.id}/panel", query_string={"next": "https://evil.example/x"}).get_data(
        as_text=True)
    assert "evil.example" not in fragment


def test_agenda_item_panel(app, advisor, members):
    meeting = make_meeting(advisor, "live", items=("Theme vote",))
    item = meeting.items[0]
    url = f"/agenda-items/{item.id}/poll-panel"
    staff, voter = client_for(app, advisor), client_for(app, members[0])
    for client, link in ((staff, True), (voter, False)):
        fragment = page(client, url)
        assert "No poll for this agenda item." in fragment
        assert (f'href="/agenda-items/{item.id}/polls/new"' in fragment) is link
        assert ("Create a poll for this item" in fragment) is link
    draft = new_poll(advisor, agenda_item=item, status="draft", question="Which theme?")
    assert "No poll for this agenda item." in page(voter, url)  # a draft is not shown to members
    assert "Open the poll now" in page(staff, url)
    polls.open_poll(advisor, draft)
    fragment = page(voter, url)
    assert "Which theme?" in fragment and f'action="/polls/{draft.id}/vote"' in fragment
    fragment = staff.get(url).get_data(as_text=True)
    assert f'<input type="hidden" name="next" value="/meetings/{meeting.id}/live">' in fragment
    assert "Close the poll and count" in fragment


def test_live_meeting_screen_shows_the_open_poll_of_the_current_item(app, advisor, members, make_user):
    meeting = make_meeting(advisor, "live", items=("Welcome", "Theme vote"))
    welcome, theme_vote = meeting.items
    poll = new_poll(advisor, agenda_item=theme_vote, question="Which theme goes first?")
    late = make_user("member")
    live = f"/meetings/{meeting.id}/live"
    voter = client_for(app, members[0])
    shown = page(voter, live)
    assert meeting.current_item_id == welcome.id
    assert "No poll for this agenda item." in shown and f'action="/polls/{poll.id}/vote"' not in shown
    meeting_services.move_current_item(advisor, meeting, 1)
    shown = page(voter, live)
    assert "Which theme goes first?" in shown and f'action="/polls/{poll.id}/vote"' in shown
    assert f'name="choice" id="poll-{poll.id}-yes"' in shown
    response = voter.post(f"/polls/{poll.id}/vote", data={"choice": "yes", "receipt": receipt_on(shown)},
                          follow_redirects=True)
    assert RECEIPT.match(_code(response))
    assert f'href="{live}"' in text(response) and "Back to the live meeting" in text(response)
    assert "You voted: Yes." in page(voter, live)
    shown = page(client_for(app, late), live)
    assert "You are not one of the voters of this poll" in shown and f'action="/polls/{poll.id}/vote"' not in shown


# --- the schedule ---------------------------------------------------------------------------------------------------


def test_a_scheduled_poll_opens_and_closes_by_itself(app, advisor, members):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    staff, voter = client_for(app, advisor), client_for(app, members[1])
    with freeze_time(utcnow()) as frozen:  # now, so that the sessions signed in above stay valid
        opens = (utcnow() + timedelta(minutes=10)).replace(second=0, microsecond=0)
        closes = opens + timedelta(minutes=20)
        form = poll_form(opens_at=local(opens), closes_at=local(closes))
        assert staff.post(f"/proposals/{proposal.id}/polls/new", data=form).status_code == 302
        poll = _only_poll()
        assert polls.apply_schedule() == 0 and poll.status == "draft"
        frozen.tick(timedelta(minutes=11))
        assert polls.apply_schedule() == 1
        db.session.expire_all()
        assert (poll.status, poll.eligible_count, proposal.status) == ("open", 5, ProposalStatus.IN_VOTE)
        assert RECEIPT.match(_code(vote(voter, poll, {"choice": "yes"})))
        frozen.tick(timedelta(minutes=10))
        assert poll_views.voter_part(members[2], poll).may_vote is True
        frozen.tick(timedelta(minutes=10))  # past the closing time: loading the page closes it
        shown = page(voter, f"/polls/{poll.id}")
        assert "Passed" in shown and "Closed" in shown
        db.session.expire_all()
        assert (poll.status, poll.outcome, proposal.status) == ("closed", "passed", ProposalStatus.PASSED)
    scheduled = [(event.action, event.actor_id, event.details["scheduled"]) for event in audits()[1:]]
    assert scheduled == [("poll.opened", None, True), ("poll.closed", None, True)]
    assert [event.to_status for event in proposal.events][-2:] == ["in_vote", "passed"]


@pytest.mark.parametrize("who", ["advisor", "member"])
def test_a_scheduled_poll_opens_when_its_page_is_loaded(app, advisor, members, who):
    viewer = client_for(app, advisor if who == "advisor" else members[0])
    with freeze_time(utcnow()) as frozen:
        poll = new_poll(advisor, status="draft", opens_at=utcnow() + timedelta(minutes=5))
        frozen.tick(timedelta(minutes=6))
        shown = page(viewer, f"/polls/{poll.id}")
        assert "Open for voting" in shown
        db.session.expire_all()
        assert poll.status == "open" and poll.eligible_count == 5


def test_a_vote_after_the_closing_time_is_refused_even_before_the_close_ran(app, advisor, members):
    voter = client_for(app, members[0])
    with freeze_time(utcnow()) as frozen:
        poll = new_poll(advisor, closes_at=utcnow() + timedelta(minutes=5))
        receipt = receipt_on(page(voter, f"/polls/{poll.id}"))
        frozen.tick(timedelta(minutes=6))
        assert poll.status == "open" and not polls.accepting_votes(poll)
        assert poll_views.voter_part(members[0], poll).may_vote is False
        with pytest.raises(ServiceError, match="not open for voting"):
            polls.cast_ballot(members[1], poll, "yes")
        db.session.expire_all()
        assert poll.status == "open" and count(Participation, poll) == 0  # nothing closed it yet
        response = voter.post(f"/polls/{poll.id}/vote", data={"choice": "yes", "receipt": receipt})
        assert response.status_code == 409 and "This poll is not open for voting." in text(response)
        assert count(Participation, poll) == 0 and count(Ballot, poll) == 0
        page(voter, f"/polls/{poll.id}")  # the next page load runs the schedule and closes it
        db.session.expire_all()
        assert poll.status == "closed" and count(Participation, poll) == 0 and count(Ballot, poll) == 0


# --- lists: home cards, the polls index, the proposal page ----------------------------------------------------------


def _polls_in_every_state(advisor, members) -> dict[str, Poll]:
    made = {
        "waiting": new_poll(advisor, question="Waiting question?"),
        "voted": new_poll(advisor, question="Already voted question?"),
        "draft": new_poll(advisor, status="draft", question="Draft question?"),
        "closed": new_poll(advisor, question="Closed question?"),
    }
    polls.cast_ballot(members[0], made["voted"], "yes")
    polls.close_poll(advisor, made["closed"])
    return made


def _card(html: str, card: str) -> str:
    return html.split(f'id="{card}"', 1)[1].split("</section>", 1)[0]


def test_home_cards_polls_waiting_for_the_member_and_recent_polls_for_advisors(app, advisor, members, make_user):
    made = _polls_in_every_state(advisor, members)
    home = page(client_for(app, members[0]), "/")
    card = _card(home, "card-polls")
    assert "Polls waiting for your vote" in card and f'href="/polls/{made["waiting"].id}"' in card
    assert "Waiting question?" in card and 'href="/polls"' in card
    assert "Already voted question?" not in card and "Closed question?" not in card
    assert "Draft question?" not in home
    assert 'id="card-polls"' not in page(client_for(app, make_user("member")), "/")  # joined after: nothing waits
    card = _card(page(client_for(app, advisor), "/"), "card-polls")
    assert "Recent polls" in card
    for question in ("Waiting question?", "Already voted question?", "Draft question?", "Closed question?"):
        assert question in card


def test_polls_index_for_members_and_advisors(app, advisor, members, make_user):
    made = _polls_in_every_state(advisor, members)
    shown = page(client_for(app, members[0]), "/polls")
    waiting = shown.split('id="to-vote-title"', 1)[1].split("</section>", 1)[0]
    assert "Waiting question?" in waiting and "Already voted question?" not in waiting
    recent = shown.split('id="all-polls-title"', 1)[1]
    assert all(q in recent for q in ("Waiting question?", "Already voted question?", "Closed question?"))
    assert "Draft question?" not in shown
    late = page(client_for(app, make_user("member")), "/polls")  # joined after they opened: nothing waits
    assert "No open poll is waiting for your vote." in late and "Closed question?" in late
    shown = page(client_for(app, advisor), "/polls")
    assert 'id="to-vote-title"' not in shown
    assert "Draft question?" in shown and f'href="/polls/{made["draft"].id}"' in shown
    assert '<span class="badge poll-status status-draft">Draft</span>' in shown


def test_proposal_page_lists_its_polls_and_offers_put_to_a_vote_to_advisors(app, advisor, members):
    proposal = make_proposal(members[0], "submitted")
    staff, author = client_for(app, advisor), client_for(app, members[0])
    url = f"/proposals/{proposal.id}"
    button = f'href="/proposals/{proposal.id}/polls/new"'
    assert button in page(staff, url) and "Put to a vote" in page(staff, url)
    assert button not in page(author, url) and "Put to a vote" not in page(author, url)
    assert 'id="polls"' not in page(staff, url)
    poll = new_poll(advisor, proposal=proposal, status="draft", question="Adopt peer circles?")
    assert "Adopt peer circles?" in page(staff, url) and 'id="polls"' not in page(author, url)
    staff.post(f"{url}/advance")
    assert "Put to a vote" in page(staff, url)  # in discussion
    staff.post(f"/polls/{poll.id}/open")
    for client in (staff, author):
        shown = page(client, url)
        assert "Put to a vote" not in shown  # in the vote
        assert f'href="/polls/{poll.id}">Adopt peer circles?</a> · Open for voting' in shown
    polls.cast_ballot(members[1], poll, "yes")
    staff.post(f"/polls/{poll.id}/close")
    shown = page(author, url)
    assert "Adopt peer circles?</a> · Closed · Passed" in shown
    assert "Put to a vote" not in page(staff, url)


# --- own-data export ------------------------------------------------------------------------------------------------


def test_own_data_export_lists_the_polls_voted_in(app, advisor, members):
    open_ballot = new_poll(advisor, question="Open ballot question?")
    secret = new_poll(advisor, secret=True, question="Secret ballot question?")
    approval = new_poll(advisor, "approval", ["A", "B"], question="Approval question?")
    new_poll(advisor, question="Not voted question?")
    a = approval.options[0].id
    polls.cast_ballot(members[0], open_ballot, "yes")
    polls.cast_ballot(members[0], secret, "no")
    polls.cast_ballot(members[0], approval, [a])
    polls.cast_ballot(members[1], open_ballot, "abstain")
    response = client_for(app, members[0]).get("/account/export.json")
    assert response.status_code == 200
    voted = json.loads(response.data)["polls_voted_in"]
    assert [(entry["poll"], entry["open_ballot_choices"]) for entry in voted] == [
        ("Open ballot question?", "yes"), ("Secret ballot question?", None), ("Approval question?", [a])]
    assert all(entry["at"].endswith("Z") for entry in voted)
    other = json.loads(client_for(app, members[2]).get("/account/export.json").data)
    assert other["polls_voted_in"] == []


def test_a_vote_redirects_to_its_receipt_which_is_shown_once(app, advisor, members):
    poll = new_poll(advisor, secret=True)
    voter = client_for(app, members[0])
    receipt = receipt_on(page(voter, f"/polls/{poll.id}"))
    response = voter.post(f"/polls/{poll.id}/vote", data={"choice": "yes", "receipt": receipt})
    assert response.status_code == 303 and response.headers["Location"] == f"/polls/{poll.id}/voted"
    shown = page(voter, f"/polls/{poll.id}/voted")
    assert polls.normalise_receipt(receipt) in shown and "Your vote is counted" in shown
    again = voter.get(f"/polls/{poll.id}/voted")  # a reload: the code is not kept anywhere to show again
    assert again.status_code == 302 and again.headers["Location"] == f"/polls/{poll.id}"
    other = client_for(app, members[1])
    assert other.get(f"/polls/{poll.id}/voted").status_code == 302  # nothing to show someone who did not vote
