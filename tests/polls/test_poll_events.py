"""Polls over Socket.IO (namespace /polls): who may watch, what the answer holds, and the pushes.

`watch` {poll_id} joins the poll's room; ballots are pushed as `turnout` (coalesced: at most one per LIVE_INTERVAL
per poll, the last one always up to date), opening and closing as `status`, and an agenda-item poll's opening and
closing also as `poll` {item_id, poll_id, status} to its meeting's room on /meetings. Counts ride along only when
the poll shows its results live.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.meetings import agenda
from stac_youth.meetings import services as meeting_services
from stac_youth.members.models import User
from stac_youth.polls import ballots, lifecycle
from stac_youth.polls import events as poll_events
from stac_youth.polls.models import Poll, PollStatus
from stac_youth.polls.views import live_payload
from stac_youth.proposals.models import Proposal, ProposalStatus
from tests.meetings.helpers import client_for, item_data
from tests.proposals.helpers import make_proposal

from .poll_checks import LIVE_KEYS, MEETINGS_NS, POLLS_NS, fresh_live_turnout, received, wait_for_pushes, watch

YNA = "yes_no_abstain"


@pytest.fixture(autouse=True)
def live_pushes(monkeypatch):
    yield from fresh_live_turnout(monkeypatch)


@pytest.fixture
def people(app, make_user):
    advisor = make_user("advisor")
    member = make_user("member")
    return {"advisor": advisor, "member": member, "advisor_client": client_for(app, advisor),
            "member_client": client_for(app, member)}


@pytest.fixture
def connect(socket_client):
    def _connect(http_client, namespace=POLLS_NS):
        sock = socket_client(namespace=namespace, http_client=http_client)
        assert sock.is_connected(namespace=namespace)
        return sock

    return _connect


def _open_poll(advisor, proposal=None, **settings) -> Poll:
    poll = lifecycle.create_poll(advisor, proposal, "Adopt it?", YNA, **settings)
    lifecycle.open_poll(advisor, poll)
    return poll


# --- connecting and watching --------------------------------------------------------------------------------------


def test_anonymous_connection_is_refused(app, socket_client):
    sock = socket_client(namespace=POLLS_NS, http_client=app.test_client())
    assert not sock.is_connected(namespace=POLLS_NS)


def test_watch_is_in_the_socket_policy_for_signed_in_users():
    from stac_youth.common import policy

    assert policy.SOCKET_EVENTS[POLLS_NS, "watch"] == policy.SIGNED_IN
    assert policy.SOCKET_EVENTS[POLLS_NS, "connect"] == policy.SIGNED_IN


@pytest.mark.parametrize("payload", [
    {}, "x", None, [], 7, {"poll_id": True}, {"poll_id": False}, {"poll_id": "1"}, {"poll_id": 1.0}, {"poll_id": 0},
    {"poll_id": -1}, {"poll_id": 2**31}, {"poll_id": 10**30}, {"poll_id": None}, {"poll_id": [1]}, {"id": 1},
], ids=repr)
def test_junk_watch_payloads_are_refused(people, connect, payload):
    _open_poll(people["advisor"])  # poll 1 exists, so a payload that became 1 would be answered
    for who in ("member_client", "advisor_client"):
        sock = connect(people[who])
        assert sock.emit("watch", payload, namespace=POLLS_NS, callback=True) == {"ok": False, "error": "invalid"}
        assert sock.is_connected(POLLS_NS)


def test_a_wrong_number_of_arguments_is_refused(people, connect):
    sock = connect(people["member_client"])
    for args in ((), ({"poll_id": 1}, {"poll_id": 1})):
        assert sock.emit("watch", *args, namespace=POLLS_NS, callback=True) == {"ok": False, "error": "invalid"}


def test_a_member_cannot_watch_a_draft_and_it_looks_missing(app, people, connect, make_user):
    draft = lifecycle.create_poll(people["advisor"], None, "Not yet?", YNA)
    for http_client in (people["member_client"], client_for(app, make_user("planner"))):
        sock = connect(http_client)
        assert watch(sock, draft.id) == {"ok": False, "error": "not_found"}
        assert watch(sock, 99_999) == {"ok": False, "error": "not_found"}  # the same answer as a missing poll
    assert watch(connect(people["advisor_client"]), draft.id)["ok"] is True  # advisors prepare drafts


def test_a_poll_on_someone_elses_draft_proposal_cannot_be_watched(app, people, connect, make_user):
    """A poll is seen only by whoever may see its proposal (a draft: its author), even when the poll is open."""
    author = make_user("member")
    proposal = make_proposal(author, "submitted")
    poll = _open_poll(people["advisor"], proposal=proposal)
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id).values(status=ProposalStatus.DRAFT))
    db.session.commit()
    assert db.session.get(Poll, poll.id).status == PollStatus.OPEN
    assert watch(connect(people["member_client"]), poll.id) == {"ok": False, "error": "not_found"}
    assert watch(connect(client_for(app, author)), poll.id)["ok"] is True


def test_watching_a_visible_poll_answers_its_live_payload(people, connect):
    poll = _open_poll(people["advisor"])
    ballots.cast_ballot(people["member"], poll, "yes")
    ack = watch(connect(people["member_client"]), poll.id)
    assert ack == {"ok": True, "poll": {"poll_id": poll.id, "status": "open", "cast": 1, "eligible": 1,
                                        "turnout": 100.0}}
    assert ack["poll"] == live_payload(poll)


def test_watching_a_live_results_poll_answers_its_counts(people, connect):
    poll = _open_poll(people["advisor"], results_live=True)
    ballots.cast_ballot(people["member"], poll, "no")
    ack = watch(connect(people["advisor_client"]), poll.id)
    assert ack["ok"] is True and ack["poll"]["counts"] == {"yes": 0, "no": 1, "abstain": 0}


# --- pushes -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("results_live", [False, True], ids=["hidden", "live"])
def test_a_burst_of_ballots_is_coalesced_and_the_last_push_is_up_to_date(people, connect, make_user, results_live):
    voters = [make_user("member") for _ in range(30)]
    poll = _open_poll(people["advisor"], results_live=results_live)
    watcher = connect(people["member_client"])
    other = connect(people["advisor_client"])
    other_poll = _open_poll(people["advisor"])
    assert watch(watcher, poll.id)["ok"] is True and watch(other, other_poll.id)["ok"] is True
    watcher.get_received(POLLS_NS)
    other.get_received(POLLS_NS)

    started = time.monotonic()
    for number, voter in enumerate(voters):
        ballots.cast_ballot(voter, poll, ("yes", "no", "abstain")[number % 3])
    # pushes can come from the first ballot until one interval after the last (the trailing push)
    elapsed = time.monotonic() - started + poll_events.LIVE_INTERVAL
    wait_for_pushes()
    time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))  # and nothing more comes later

    pushes = received(watcher, POLLS_NS)
    assert {name for name, _payload in pushes} == {"turnout"}
    turnout = [payload for _name, payload in pushes]
    assert 1 <= len(turnout) <= math.ceil(elapsed / poll_events.LIVE_INTERVAL) + 1, (len(turnout), elapsed)
    assert len(turnout) < len(voters)  # coalesced: not one push per ballot
    casts = [payload["cast"] for payload in turnout]
    assert casts == sorted(casts) and all(payload["poll_id"] == poll.id for payload in turnout)
    assert turnout[-1] == live_payload(db.session.get(Poll, poll.id))
    assert turnout[-1]["cast"] == 30 and turnout[-1]["eligible"] == 31 and turnout[-1]["status"] == "open"
    if results_live:
        assert turnout[-1]["counts"] == {"yes": 10, "no": 10, "abstain": 10}
        assert all(set(payload) == LIVE_KEYS | {"counts"} for payload in turnout)
    else:
        assert all(set(payload) == LIVE_KEYS for payload in turnout)
    assert received(other, POLLS_NS) == []  # a watcher of another poll hears nothing of this one


def test_ballots_on_a_poll_nobody_watches_push_nothing(people, connect, make_user, monkeypatch):
    """Without a watcher (and without Redis, where one could sit in another process) a ballot marks nothing: no
    push loop, no read of the counters; a watcher who comes later is answered with the counts as they are then."""
    voters = [make_user("member") for _ in range(3)]
    poll = _open_poll(people["advisor"])
    pushed = []
    monkeypatch.setattr(poll_events, "_push", lambda poll_id, event: pushed.append((poll_id, event)))
    for voter in voters[:2]:
        ballots.cast_ballot(voter, poll, "yes")
    wait_for_pushes()
    assert pushed == [] and poll_events.live_turnout.pending == {}

    watcher = connect(people["member_client"])
    assert watch(watcher, poll.id)["poll"]["cast"] == 2
    ballots.cast_ballot(voters[2], poll, "no")
    wait_for_pushes()
    assert pushed == [(poll.id, "turnout")]


def test_pushes_are_spaced_by_the_live_interval(people, connect, make_user):
    """Ballots spread over ~1.2 s: several pushes, never two within LIVE_INTERVAL (timed as they arrive)."""
    voters = [make_user("member") for _ in range(12)]
    poll = _open_poll(people["advisor"])
    watcher = connect(people["member_client"])
    assert watch(watcher, poll.id)["ok"] is True
    watcher.get_received(POLLS_NS)
    arrivals = []
    original = poll_events._push

    def timed_push(poll_id, event):
        arrivals.append(time.monotonic())
        original(poll_id, event)

    poll_events._push = timed_push
    try:
        for voter in voters:
            ballots.cast_ballot(voter, poll, "yes")
            time.sleep(0.1)
        wait_for_pushes()
    finally:
        poll_events._push = original
    assert len(arrivals) >= 3
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= poll_events.LIVE_INTERVAL - 0.02, gaps
    assert received(watcher, POLLS_NS)[-1][1]["cast"] == 12


def test_open_and_close_push_status(people, connect):
    draft = lifecycle.create_poll(people["advisor"], None, "Adopt it?", YNA, results_live=True)
    advisor = connect(people["advisor_client"])
    assert watch(advisor, draft.id)["ok"] is True
    lifecycle.open_poll(people["advisor"], draft)
    assert received(advisor, POLLS_NS) == [("status", {"poll_id": draft.id, "status": "open", "cast": 0,
                                                       "eligible": 1, "turnout": 0.0, "counts": {
                                                           "yes": 0, "no": 0, "abstain": 0}})]
    member = connect(people["member_client"])
    assert watch(member, draft.id)["ok"] is True
    ballots.cast_ballot(people["member"], draft, "yes")
    wait_for_pushes()
    advisor.get_received(POLLS_NS)
    member.get_received(POLLS_NS)
    lifecycle.close_poll(people["advisor"], draft)
    closed = {"poll_id": draft.id, "status": "closed", "cast": 1, "eligible": 1, "turnout": 100.0}
    assert received(member, POLLS_NS) == [("status", closed)]  # final counts are on the page, not in pushes
    assert received(advisor, POLLS_NS) == [("status", closed)]


def test_status_pushes_of_a_hidden_poll_carry_no_counts(people, connect):
    poll = lifecycle.create_poll(people["advisor"], None, "Adopt it?", YNA, results_live=False)
    advisor = connect(people["advisor_client"])
    assert watch(advisor, poll.id)["ok"] is True
    lifecycle.open_poll(people["advisor"], poll)
    ballots.cast_ballot(people["member"], poll, "yes")
    wait_for_pushes()
    lifecycle.close_poll(people["advisor"], poll)
    pushes = received(advisor, POLLS_NS)
    assert [(name, payload["status"]) for name, payload in pushes] == [
        ("status", "open"), ("turnout", "open"), ("status", "closed")]
    assert all(set(payload) == LIVE_KEYS for _name, payload in pushes)


def _live_meeting(advisor, title="Board meeting"):
    start = utcnow() + timedelta(minutes=5)
    meeting = meeting_services.create_meeting(advisor, meeting_services.MeetingData(
        title=title, description="", starts_at=start, ends_at=start + timedelta(hours=1), location="Room 4",
        video_url=None))
    item = agenda.add_item(advisor, meeting, item_data("Vote on it", kind="vote"))
    meeting_services.publish_meeting(advisor, meeting)
    meeting_services.start_meeting(advisor, meeting)
    return meeting, item


def test_an_agenda_item_poll_tells_its_meeting_when_it_opens_and_closes(people, connect):
    meeting, item = _live_meeting(people["advisor"])
    elsewhere, _other_item = _live_meeting(people["advisor"], "Another meeting")
    in_meeting = connect(people["member_client"], MEETINGS_NS)
    in_other = connect(people["advisor_client"], MEETINGS_NS)
    assert in_meeting.emit("join", {"meeting_id": meeting.id}, namespace=MEETINGS_NS, callback=True)["ok"]
    assert in_other.emit("join", {"meeting_id": elsewhere.id}, namespace=MEETINGS_NS, callback=True)["ok"]
    in_meeting.get_received(MEETINGS_NS)
    in_other.get_received(MEETINGS_NS)

    poll = lifecycle.create_poll(people["advisor"], None, "Adopt it?", YNA, agenda_item=item)
    lifecycle.open_poll(people["advisor"], poll)
    ballots.cast_ballot(people["member"], poll, "yes")
    wait_for_pushes()
    lifecycle.close_poll(people["advisor"], poll)
    assert received(in_meeting, MEETINGS_NS) == [
        ("poll", {"item_id": item.id, "poll_id": poll.id, "status": "open"}),
        ("poll", {"item_id": item.id, "poll_id": poll.id, "status": "closed"}),
    ]  # ballots are not announced to the meeting: only opening and closing
    assert received(in_other, MEETINGS_NS) == []

    plain = _open_poll(people["advisor"])  # a poll of no agenda item tells no meeting
    lifecycle.close_poll(people["advisor"], plain)
    assert received(in_meeting, MEETINGS_NS) == []


def test_logging_out_disconnects_the_polls_socket(people, connect):
    poll = _open_poll(people["advisor"])
    sock = connect(people["member_client"])
    assert watch(sock, poll.id)["ok"] is True
    assert people["member_client"].post("/logout").status_code == 302
    assert not sock.is_connected(namespace=POLLS_NS)


def test_a_role_change_disconnects_the_polls_socket(people, connect, make_user):
    from stac_youth.members import accounts

    sock = connect(people["member_client"])
    accounts.change_role(make_user("admin"), db.session.get(User, people["member"].id), "planner")
    assert not sock.is_connected(namespace=POLLS_NS)
