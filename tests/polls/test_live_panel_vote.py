"""Voting from the live panel (the panel answered with its receipt, not a page), the question shown once, the
poll form's defaults and help, and closed polls' outcomes with their counts wherever they show (withheld: none)."""

from __future__ import annotations

import re

import pytest
from flask_babel import refresh

from stac_youth.polls import ballots, lifecycle, receipts
from stac_youth.polls.models import Participation
from tests.meetings.helpers import client_for, make_meeting
from tests.polls.poll_helpers import RECEIPT, count, new_poll, page, receipt_on, text
from tests.proposals.helpers import make_proposal


@pytest.fixture
def fresh_locale_per_request(app):
    """Choose the language anew on every request, as production does (the tests share one app context)."""
    app.before_request_funcs.setdefault(None, []).insert(0, refresh)


def _panel_of(shown: str) -> str:
    """The poll panel's markup in a page."""
    match = re.search(r"<section class=\"poll-panel.*?</section>", shown, re.S)
    assert match, "no poll panel"
    return match.group(0)


def _live_poll(advisor, **settings):
    meeting = make_meeting(advisor, "live", items=("Theme vote",))
    poll = new_poll(advisor, agenda_item=meeting.items[0], question="Which theme goes first?", **settings)
    return meeting, poll


def test_a_vote_asking_for_the_panel_gets_the_panel_with_its_receipt(app, advisor, members):
    meeting, poll = _live_poll(advisor)
    live = f"/meetings/{meeting.id}/live"
    voter = client_for(app, members[0])
    sent = receipt_on(page(voter, live))
    response = voter.post(f"/polls/{poll.id}/vote?fragment=panel&next={live}", data={"choice": "yes", "receipt": sent})
    assert response.status_code == 200
    shown = text(response)
    assert "<html" not in shown
    assert f'data-poll-panel data-poll-id="{poll.id}" data-poll-status="open" data-next-url="{live}"' in shown
    code = re.search(r'data-receipt="([^"]+)"', shown).group(1)
    assert RECEIPT.match(code) and code == sent and receipts.verify_receipt(poll, code)
    assert "Your vote is counted" in shown and "Your receipt code:" in shown
    assert "You voted: Yes. You can change your vote until the poll closes." in shown
    assert count(Participation, poll) == 1
    # the receipt is not left in the session for the receipt page: it was shown here, once
    assert voter.get(f"/polls/{poll.id}/voted").status_code == 302
    # without the script the form still posts to the receipt page
    other = client_for(app, members[1])
    response = other.post(f"/polls/{poll.id}/vote", data={"choice": "no", "receipt": receipt_on(page(other, live))})
    assert response.status_code == 303 and response.headers["Location"] == f"/polls/{poll.id}/voted"


@pytest.mark.usefixtures("fresh_locale_per_request")
def test_a_refused_vote_asking_for_the_panel_gets_the_panel_with_the_reason(app, advisor, members, make_user):
    meeting, poll = _live_poll(advisor)
    voter = client_for(app, members[0])
    sent = receipt_on(page(voter, f"/polls/{poll.id}"))
    response = voter.post(f"/polls/{poll.id}/vote?fragment=panel", data={"receipt": sent})
    assert response.status_code == 400
    shown = text(response)
    assert "<html" not in shown
    assert '<div class="alert alert-danger" role="alert" data-vote-error>Choose yes, no or abstain.</div>' in shown
    assert count(Participation, poll) == 0
    # in the member's language
    other = client_for(app, make_user("member", preferred_language="es", language_chosen=True))
    response = other.post(f"/polls/{poll.id}/vote?fragment=panel", data={"receipt": ""})
    assert response.status_code == 400 and "data-vote-error>Elige sí, no o abstención.</div>" in text(response)


def test_a_secret_receipt_in_the_panel_says_it_shows_once(app, advisor, members):
    _meeting, poll = _live_poll(advisor, secret=True)
    voter = client_for(app, members[0])
    response = voter.post(f"/polls/{poll.id}/vote?fragment=panel",
                          data={"choice": "no", "receipt": receipt_on(page(voter, f"/polls/{poll.id}"))})
    shown = text(response)
    assert response.status_code == 200 and "It is shown only once." in shown and 'data-receipt="' in shown
    assert 'class="vote-form"' not in shown and "You voted in this poll. A secret vote is final." in shown


def test_the_live_panel_shows_the_question_once(app, advisor, members):
    meeting, poll = _live_poll(advisor)
    panel = _panel_of(page(client_for(app, members[0]), f"/meetings/{meeting.id}/live"))
    assert panel.count("Which theme goes first?") == 1
    heading = f'<h2 class="h4" id="poll-panel-title"><a href="/polls/{poll.id}">Which theme goes first?</a></h2>'
    assert heading in panel
    assert '<legend class="h6">Your vote</legend>' in panel
    # on the poll page the h1 is the question and the panel's heading says "Vote"
    shown = page(client_for(app, members[0]), f"/polls/{poll.id}")
    assert shown.count("Which theme goes first?") == 2  # the <title> and the h1
    assert '<h2 class="h4" id="poll-panel-title">Vote</h2>' in _panel_of(shown)


def test_a_new_poll_starts_with_a_quorum_of_half_and_explains_each_setting(app, advisor, make_user):
    meeting = make_meeting(advisor, "published", items=("Vote",))
    shown = page(client_for(app, advisor), f"/agenda-items/{meeting.items[0].id}/polls/new")
    assert re.search(r'<input[^>]*id="quorum_percent"[^>]*value="50"', shown)
    for field, words in [("method", "Approval: members tick every option they support"),
                         ("threshold", "Abstentions never count for or against."),
                         ("quorum_percent", "the poll decides nothing (“No quorum”)"),
                         ("secret", "Nobody, advisors included, can see who voted or how."),
                         ("results_live", "Otherwise everybody sees the results only when the poll closes.")]:
        assert re.search(rf'<div id="{field}-help" class="form-text">[^<]*{re.escape(words)}', shown), field
        control = re.search(rf'<(input|select)[^>]*\bid="{field}"[^>]*>', shown).group(0)
        assert f'aria-describedby="{field}-help"' in control, field
    # an existing poll keeps its quorum
    proposal = make_proposal(make_user("member"), "in_discussion", advisor=advisor)
    existing = new_poll(advisor, proposal=proposal, status="draft")
    assert existing.quorum_percent == 0


def _closed_on_proposal(advisor, members, choices, **settings):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    poll = new_poll(advisor, proposal=proposal, question="Do we adopt it?", **settings)
    for member, choice in zip(members, choices, strict=False):
        ballots.cast_ballot(member, poll, choice)
    lifecycle.close_poll(advisor, poll)
    return proposal, poll


@pytest.mark.usefixtures("fresh_locale_per_request")
def test_a_closed_poll_shows_its_outcome_with_counts_everywhere(app, advisor, members, make_user):
    proposal, poll = _closed_on_proposal(advisor, members, ["yes", "yes", "yes", "no", "abstain"])
    line = "Passed · 3 yes, 1 no, 1 abstain · 5 of 5 voted (100%)"
    reader = client_for(app, members[1])
    shown = page(reader, f"/polls/{poll.id}")
    assert ("<strong>Passed</strong> · <span data-poll-counts>3 yes, 1 no, 1 abstain · 5 of 5 voted (100%)</span>"
            in _panel_of(shown))
    assert 'class="lead mb-2"><strong>Passed</strong> · <span data-poll-counts>3 yes' in shown
    assert line in page(reader, f"/proposals/{proposal.id}")
    assert line in page(reader, "/polls")
    es = client_for(app, make_user("member", preferred_language="es", language_chosen=True))
    assert "Aprobada · 3 sí, 1 no, 1 abstención · votaron 5 de 5 (100 %)" in page(es, f"/proposals/{proposal.id}")


def test_a_withheld_secret_poll_shows_no_counts(app, advisor, members):
    proposal, poll = _closed_on_proposal(advisor, members, ["yes", "yes", "no"], secret=True)
    assert poll.outcome == "withheld"
    reader = client_for(app, members[1])
    for url in (f"/polls/{poll.id}", f"/proposals/{proposal.id}", "/polls"):
        shown = page(reader, url)
        assert "Results withheld: fewer than 5 voted" in shown, url
        assert not re.search(r"\d+ (yes|no|abstain)\b", shown), url
        assert not re.search(r"\d+ of \d+ voted|\d+ of \d+ members voted \(", shown), url
        assert "data-poll-counts" not in shown, url
