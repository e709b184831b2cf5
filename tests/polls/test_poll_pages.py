"""Poll pages around the vote: live panels, the live meeting screen, the schedule, lists and the data export."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from stac_youth.common.errors import ServiceError
from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.meetings import services as meeting_services
from stac_youth.polls import ballots, lifecycle
from stac_youth.polls import views as poll_views
from stac_youth.polls.models import Ballot, Participation, Poll
from stac_youth.proposals.models import ProposalStatus
from tests.meetings.helpers import client_for, make_meeting
from tests.polls.poll_checks import visible_text
from tests.polls.poll_helpers import (
    RECEIPT,
    _code,
    _only_poll,
    audits,
    count,
    local,
    new_poll,
    page,
    poll_form,
    receipt_on,
    text,
    vote,
)
from tests.proposals.helpers import make_proposal

# --- live panels and the live meeting screen ------------------------------------------------------------------------


def test_live_json_has_turnout_always_and_counts_only_when_results_are_live(app, advisor, members):
    hidden, live = new_poll(advisor), new_poll(advisor, results_live=True)
    for poll in (hidden, live):
        ballots.cast_ballot(members[0], poll, "yes")
    ballots.cast_ballot(members[1], live, "no")
    for role in ("member", "advisor"):
        client = client_for(app, members[2] if role == "member" else advisor)
        response = client.get(f"/polls/{hidden.id}/live.json")
        assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
        assert response.get_json() == {"poll_id": hidden.id, "status": "open", "cast": 1, "eligible": 5,
                                       "turnout": 20.0}
        assert client.get(f"/polls/{live.id}/live.json").get_json() == {
            "poll_id": live.id, "status": "open", "cast": 2, "eligible": 5, "turnout": 40.0,
            "counts": {"yes": 1, "no": 1, "abstain": 0}}
    lifecycle.close_poll(advisor, live)
    closed = client_for(app, members[3]).get(f"/polls/{live.id}/live.json").get_json()
    assert closed["status"] == "closed" and closed["cast"] == 2 and "counts" not in closed


def test_poll_panel_fragment(app, advisor, members):
    poll = new_poll(advisor, results_live=True)
    ballots.cast_ballot(members[1], poll, "no")
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
    lifecycle.open_poll(advisor, draft)
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
        assert lifecycle.apply_schedule() == 0 and poll.status == "draft"
        frozen.tick(timedelta(minutes=11))
        assert lifecycle.apply_schedule() == 1
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
        assert poll.status == "open" and not ballots.accepting_votes(poll)
        assert poll_views.voter_part(members[0], poll).may_vote is False
        with pytest.raises(ServiceError, match="not open for voting"):
            ballots.cast_ballot(members[1], poll, "yes")
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
    ballots.cast_ballot(members[0], made["voted"], "yes")
    lifecycle.close_poll(advisor, made["closed"])
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
    draft_badge = r'<span class="badge status-badge tone-neutral poll-status status-draft">.*?<span>Draft</span>'
    assert re.search(draft_badge, shown)


def _polls_section(html: str) -> str:
    """The visible text of a proposal page's list of its polls."""
    return visible_text(html.split('id="polls-title"', 1)[1].split("</section>", 1)[0])


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
        assert f'href="/polls/{poll.id}">Adopt peer circles?</a>' in shown
        assert "Adopt peer circles? Open for voting" in _polls_section(shown)
    ballots.cast_ballot(members[1], poll, "yes")
    staff.post(f"/polls/{poll.id}/close", data={"confirmed": "1"})
    shown = page(author, url)
    assert "Adopt peer circles? Closed Passed" in _polls_section(shown)
    assert "Put to a vote" not in page(staff, url)


# --- own-data export ------------------------------------------------------------------------------------------------


def test_own_data_export_lists_the_polls_voted_in(app, advisor, members):
    open_ballot = new_poll(advisor, question="Open ballot question?")
    secret = new_poll(advisor, secret=True, question="Secret ballot question?")
    approval = new_poll(advisor, "approval", ["A", "B"], question="Approval question?")
    ranked = new_poll(advisor, "ranked_choice", ["Option A", "Option B", "Option C"], question="Ranked question?")
    new_poll(advisor, question="Not voted question?")
    a = approval.options[0].id
    option_a, _option_b, option_c = (option.id for option in ranked.options)
    ballots.cast_ballot(members[0], open_ballot, "yes")
    ballots.cast_ballot(members[0], secret, "no")
    ballots.cast_ballot(members[0], approval, [a])
    ballots.cast_ballot(members[0], ranked, [option_c, option_a])
    ballots.cast_ballot(members[1], open_ballot, "abstain")
    response = client_for(app, members[0]).get("/account/export.json")
    assert response.status_code == 200
    voted = json.loads(response.data)["polls_voted_in"]
    # choices in words, as the member saw them: option labels (ranked ones in their order), never option ids
    assert [(entry["poll"], entry["open_ballot_choices"]) for entry in voted] == [
        ("Open ballot question?", "Yes"), ("Secret ballot question?", None), ("Approval question?", "A"),
        ("Ranked question?", "1. Option C, 2. Option A")]
    assert all(entry["at"].endswith("Z") for entry in voted)
    other = json.loads(client_for(app, members[2]).get("/account/export.json").data)
    assert other["polls_voted_in"] == []
