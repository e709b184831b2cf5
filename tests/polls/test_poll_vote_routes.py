"""Voting through the poll page: each method's form, refusals, vote changes, receipts and the receipt page."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from stac_youth.extensions import db
from stac_youth.polls import counts, receipts
from stac_youth.polls.models import Ballot, Participation
from tests.meetings.helpers import client_for, make_meeting, region
from tests.polls.poll_helpers import (
    RECEIPT,
    YNA,
    _code,
    _error_of,
    count,
    counters,
    new_poll,
    page,
    receipt_on,
    text,
    vote,
)

NOT_VALID = "That ballot is not valid for this poll. Reload the page and try again."


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
    assert receipts.verify_receipt(poll, code)


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
    assert counts.turnout(poll) == (2, 5) and counters(poll) == {str(a): 1, str(b): 0, str(c): 1}


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
    assert f'<div class="alert alert-danger" role="alert" data-vote-error>{message}</div>' in shown
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
    response = voter.post(f"/polls/{poll.id}/vote", data={"choice": "no", "receipt": receipts.new_receipt()})
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
    assert receipts.verify_receipt(poll, second) and not receipts.verify_receipt(poll, first)


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
    response = late.post(f"/polls/{poll.id}/vote", data={"choice": "yes", "receipt": receipts.new_receipt()})
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


def test_a_vote_redirects_to_its_receipt_which_is_shown_once(app, advisor, members):
    poll = new_poll(advisor, secret=True)
    voter = client_for(app, members[0])
    receipt = receipt_on(page(voter, f"/polls/{poll.id}"))
    response = voter.post(f"/polls/{poll.id}/vote", data={"choice": "yes", "receipt": receipt})
    assert response.status_code == 303 and response.headers["Location"] == f"/polls/{poll.id}/voted"
    shown = page(voter, f"/polls/{poll.id}/voted")
    assert receipts.normalise_receipt(receipt) in shown and "Your vote is counted" in shown
    again = voter.get(f"/polls/{poll.id}/voted")  # a reload: the code is not kept anywhere to show again
    assert again.status_code == 302 and again.headers["Location"] == f"/polls/{poll.id}"
    other = client_for(app, members[1])
    assert other.get(f"/polls/{poll.id}/voted").status_code == 302  # nothing to show someone who did not vote
