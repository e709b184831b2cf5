"""A secret ballot cannot be tied to its voter (finding 1), attacked from outside as the finding did.

The attack: an advisor opens a secret poll on an agenda item of a one-region meeting with 2 eligible members, waits
until the target has voted (the "who voted" list or the live turnout shows it), closes the poll and reads the tally.
Now: nobody, advisors included, sees who voted; a secret poll shows no number of ballots under 5 (no push times a
ballot either); a secret poll with fewer than 5 ballots publishes no count, turnout or outcome on any channel (page,
panel, CSV, live.json, the socket, notifications, the audit log, the proposal page); the rule is on the page before
anyone votes, and the advisor is warned when creating and opening a secret poll too small to publish. The controls:
from 5 ballots the same channels do show the tally and the turnout.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import select, text

from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db
from stac_youth.polls import ballots, lifecycle
from stac_youth.polls.models import Ballot, Poll
from stac_youth.proposals.models import ProposalStatus
from tests.meetings.helpers import client_for, make_meeting, region
from tests.proposals.helpers import make_proposal

from .poll_checks import POLLS_NS, fresh_live_turnout, received, visible_text, wait_for_pushes, watch
from .poll_helpers import RECEIPT, _code, page, poll_form, vote

RULE = "Secret ballot: nobody sees how you voted; results are shown only if at least 5 members vote."
TOO_FEW_AT_CREATION = ("Fewer than 5 members can vote in this secret poll, so its results will never be published: "
                       "nobody will see its counts, turnout or outcome.")
WITHHELD = "Results withheld: fewer than 5 voted"
WITHHELD_RULE = ("A secret poll publishes its results only when at least 5 members vote. Fewer voted in this one, "
                 "so no count, turnout or outcome of it is shown, to anyone.")
#: anything that would give a count of the ballots: per-choice lines, turnout, "n of m voted" (not "fewer than 5")
COUNT_SIGNS = re.compile(r"Ballots cast|Turnout|(?<!Fewer than )\b\d+ of \d+ members (have )?voted"
                         r"|\b(Yes|No|Abstain)\b[\s:,]{0,4}\d")


@pytest.fixture(autouse=True)
def live_pushes(monkeypatch):
    yield from fresh_live_turnout(monkeypatch)


@pytest.fixture
def bay_meeting(app, advisor, make_user):
    """A live Bay Area meeting with one agenda item; Maya Chen and one more member are the Bay Area, six elsewhere."""
    bay = region("Bay Area").id
    people = {"maya": make_user("member", display_name="Maya Chen", region_id=bay),
              "other": make_user("member", display_name="Omar Ortiz", region_id=bay)}
    for _ in range(6):
        make_user("member", region_id=region("Central Valley").id)
    meeting = make_meeting(advisor, "live", items=("Local vote",), region_ids=(bay,))
    return meeting.items[0], people


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_finding_a_small_secret_poll_never_ties_a_ballot_to_its_voter(app, advisor, bay_meeting,
                                                                           socket_client):
    item, people = bay_meeting
    staff = client_for(app, advisor)
    created = staff.post(f"/agenda-items/{item.id}/polls/new", data=poll_form(question="Keep the Bay Area budget?",
                                                                              secret="y"), follow_redirects=True)
    assert TOO_FEW_AT_CREATION in visible_text(created.get_data(as_text=True))  # told at creation
    poll = db.session.scalars(select(Poll)).one()
    opened = staff.post(f"/polls/{poll.id}/open", follow_redirects=True)
    assert TOO_FEW_AT_CREATION in visible_text(opened.get_data(as_text=True))  # and again when opening
    db.session.refresh(poll)
    assert (poll.status, poll.eligible_count) == ("open", 2)

    maya = client_for(app, people["maya"])
    before = visible_text(page(maya, f"/polls/{poll.id}"))
    assert RULE in before and 'name="choice"' in page(maya, f"/polls/{poll.id}")  # the rule, before voting
    advisor_socket = socket_client(namespace=POLLS_NS, http_client=staff)
    assert watch(advisor_socket, poll.id)["poll"] == {"poll_id": poll.id, "status": "open", "cast": None,
                                                      "eligible": None, "turnout": None}
    code = _code(vote(maya, poll, {"choice": "no"}))
    wait_for_pushes()
    assert received(advisor_socket, POLLS_NS) == []  # no push times Maya's ballot

    while_open = visible_text(page(staff, f"/polls/{poll.id}"))
    assert "Who voted" not in while_open and "Maya Chen" not in while_open
    assert "Fewer than 5 members can vote in this secret poll, so its turnout and results are never shown." \
        in while_open and not COUNT_SIGNS.search(while_open)
    assert staff.get(f"/polls/{poll.id}/live.json").get_json() == {"poll_id": poll.id, "status": "open",
                                                                   "cast": None, "eligible": None, "turnout": None}

    staff.post(f"/polls/{poll.id}/close", data={"confirmed": "1"})
    wait_for_pushes()
    assert received(advisor_socket, POLLS_NS) == [("status", {"poll_id": poll.id, "status": "closed", "cast": None,
                                                              "eligible": None, "turnout": None})]
    for client in (staff, maya, client_for(app, people["other"])):
        for url in (f"/polls/{poll.id}", f"/polls/{poll.id}/panel", f"/agenda-items/{item.id}/poll-panel"):
            shown = visible_text(page(client, url))
            assert WITHHELD in shown and "Maya Chen: " not in shown and "Who voted" not in shown, url
            assert not COUNT_SIGNS.search(shown), (url, COUNT_SIGNS.search(shown))
        rows = _csv_rows(client.get(f"/polls/{poll.id}/results.csv"))
        assert ["Outcome", WITHHELD] in rows and [WITHHELD_RULE] in rows
        assert not [row for row in rows if row and row[0] in ("Ballots cast", "Eligible members", "No", "Yes")]
        assert client.get(f"/polls/{poll.id}/live.json").get_json()["cast"] is None
    assert WITHHELD_RULE in visible_text(page(staff, f"/polls/{poll.id}"))
    # Maya's receipt still proves her ballot is counted
    checked = maya.post(f"/polls/{poll.id}/receipt", data={"receipt": code})
    assert RECEIPT.match(code) and "A ballot with this receipt code is counted in this poll." in visible_text(
        checked.get_data(as_text=True))
    # the notice of the close, and the audit row, give no tally either
    notices = visible_text(page(maya, "/notifications"))
    assert f"Result: {WITHHELD}." in notices
    db.session.expire_all()
    closed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "poll.closed")).one()
    assert closed.details["outcome"] == "withheld" and "cast" not in closed.details
    assert json.loads(poll.result_json) == {"withheld": True, "eligible": 2}
    assert (poll.turnout_percent, poll.support_percent) == (None, None)


def test_a_unanimous_secret_vote_of_four_on_a_proposal_is_withheld_and_passes_nothing(app, advisor, members):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor, title="Later start times")
    poll = lifecycle.create_poll(advisor, proposal, "Start later?", "yes_no_abstain", secret=True)
    staff = client_for(app, advisor)
    opened = visible_text(staff.post(f"/polls/{poll.id}/open", follow_redirects=True).get_data(as_text=True))
    assert TOO_FEW_AT_CREATION not in opened  # 5 members may vote: publishable if they do
    for member in members[:4]:
        ballots.cast_ballot(member, poll, "yes")
    shown = visible_text(page(staff, f"/polls/{poll.id}"))
    assert "Fewer than 5 of 5 members have voted so far." in shown and not COUNT_SIGNS.search(shown)
    lifecycle.close_poll(advisor, poll)
    db.session.refresh(proposal)
    # a withheld vote decides nothing (as a vote without quorum): "passed" would tell that the four voted yes
    assert proposal.status == ProposalStatus.NOT_PASSED and poll.outcome == "withheld"
    for viewer in (members[4], advisor):
        proposal_page = visible_text(page(client_for(app, viewer), f"/proposals/{proposal.id}"))
        assert WITHHELD in proposal_page and "Passed" not in proposal_page
        poll_page = visible_text(page(client_for(app, viewer), f"/polls/{poll.id}"))
        assert "Fewer than 5 of 5 members voted." in poll_page and not COUNT_SIGNS.search(poll_page)


def test_from_five_ballots_a_secret_poll_shows_its_turnout_and_results(app, advisor, members, socket_client):
    """The control: the same channels show the number of ballots and the tally once 5 voted."""
    poll = lifecycle.create_poll(advisor, None, "Adopt the charter?", "yes_no_abstain", secret=True)
    lifecycle.open_poll(advisor, poll)
    staff = client_for(app, advisor)
    watcher = socket_client(namespace=POLLS_NS, http_client=staff)
    assert watch(watcher, poll.id)["poll"]["eligible"] == 5
    for member, choice in zip(members, ("yes", "yes", "no", "yes", "abstain"), strict=True):
        ballots.cast_ballot(member, poll, choice)
    wait_for_pushes()
    turnout = [payload for name, payload in received(watcher, POLLS_NS) if name == "turnout"]
    assert turnout and turnout[-1]["cast"] == 5 and all(payload["cast"] == 5 for payload in turnout)
    assert "5 of 5 members voted (100.0%)" in visible_text(page(staff, f"/polls/{poll.id}"))
    lifecycle.close_poll(advisor, poll)
    shown = visible_text(page(staff, f"/polls/{poll.id}"))
    assert "Passed" in shown and "Ballots cast: 5 of 5" in shown and "Who voted" not in shown
    rows = _csv_rows(staff.get(f"/polls/{poll.id}/results.csv"))
    assert ["Yes", "3", "60.0"] in rows and ["Ballots cast", "5"] in rows


def test_the_rule_is_on_the_page_before_anyone_votes(app, advisor, members):
    secret = lifecycle.create_poll(advisor, None, "Secret?", "yes_no_abstain", secret=True)
    public = lifecycle.create_poll(advisor, None, "Public?", "yes_no_abstain")
    for poll in (secret, public):
        lifecycle.open_poll(advisor, poll)
    voter = client_for(app, members[0])
    assert RULE in visible_text(page(voter, f"/polls/{secret.id}"))
    assert RULE not in visible_text(page(voter, f"/polls/{public.id}"))


def test_a_small_secret_draft_warns_its_advisor_on_the_page(app, advisor, members, make_user):
    meeting = make_meeting(advisor, "live", items=("Local vote",), region_ids=(region("Capitol Area").id,))
    make_user("member", region_id=region("Capitol Area").id)
    small = lifecycle.create_poll(advisor, None, "Small?", "yes_no_abstain", secret=True, agenda_item=meeting.items[0])
    big = lifecycle.create_poll(advisor, None, "Statewide?", "yes_no_abstain", secret=True)
    warning = "Fewer than 5 members would vote in this secret poll if it opened now"
    staff = client_for(app, advisor)
    assert warning in visible_text(page(staff, f"/polls/{small.id}"))
    assert warning in visible_text(page(staff, f"/meetings/{meeting.id}/live"))  # the item's panel there too
    assert warning not in visible_text(page(staff, f"/polls/{big.id}"))


def test_secret_ballots_lie_in_an_order_that_says_nothing_from_the_first_ballot(app, advisor, make_user):
    """Ballots have random ids; on SQLite the table has no rowid, so rows lie in id order while the poll is still
    open (on PostgreSQL the close rewrites them: test_poll_secrecy.py). Receipts still verify after the close."""
    voters = [make_user("member") for _ in range(16)]
    poll = lifecycle.create_poll(advisor, None, "Order?", "yes_no_abstain", secret=True)
    lifecycle.open_poll(advisor, poll)
    codes = [ballots.cast_ballot(voter, poll, ("yes", "no")[n % 2]) for n, voter in enumerate(voters)]
    ids = list(db.session.scalars(select(Ballot.id).where(Ballot.poll_id == poll.id)))
    assert all(re.fullmatch(r"[0-9a-f]{32}", ballot_id) for ballot_id in ids) and len(set(ids)) == 16
    if db.engine.dialect.name == "sqlite":
        stored = list(db.session.scalars(text("SELECT choices FROM ballots WHERE poll_id = :poll"),
                                         {"poll": poll.id}))
        # the storage order, against the order the members voted in: 1 in 12,870 alike by chance
        assert [json.loads(choice) for choice in stored] != [("yes", "no")[n % 2] for n in range(16)]
        with pytest.raises(Exception, match="rowid"):
            db.session.execute(text("SELECT rowid FROM ballots"))
        db.session.rollback()
    lifecycle.close_poll(advisor, poll)
    checker = client_for(app, voters[0])
    for code in (codes[0], codes[-1]):
        response = checker.post(f"/polls/{poll.id}/receipt", data={"receipt": code})
        assert "A ballot with this receipt code is counted in this poll." in visible_text(
            response.get_data(as_text=True))
