"""Live pages (common/subjects.py, namespace /subjects): a page follows only a subject its user may see, hears
`subject_changed` once a change to it is committed (never for a change rolled back), and leaves it when access goes.

Driven from outside: Flask-SocketIO test clients signed in through the login form, changes made by the services.
"""

from __future__ import annotations

from sqlalchemy import select

from stac_youth.common.channels import SocketChannel
from stac_youth.extensions import db
from stac_youth.meetings import services as meeting_services
from stac_youth.proposals import cosponsors
from stac_youth.proposals import services as proposal_services
from stac_youth.summit import services as summit_services
from tests.meetings.helpers import client_for, make_meeting, region
from tests.proposals.helpers import make_proposal
from tests.summit.helpers import decision_data, make_edition, voted_proposal

NS = "/subjects"


def _follow(sock, subject) -> dict:
    return sock.emit("follow", {"subject": subject}, namespace=NS, callback=True)


def _changes(sock) -> list:
    return [push["args"][0] for push in sock.get_received(NS) if push["name"] == "subject_changed"]


def _pushes(sock, name: str) -> list:
    return [push["args"][0] for push in sock.get_received(NS) if push["name"] == name]


def _channels(user) -> set[tuple[str, int]]:
    db.session.expire_all()
    return {(row.kind, row.object_id) for row in db.session.scalars(
        select(SocketChannel).where(SocketChannel.user_id == user.id, SocketChannel.namespace == NS))}


def _socket_of(app, socket_client, user):
    return socket_client(namespace=NS, http_client=client_for(app, user))


def test_a_subject_the_user_may_not_see_is_refused_like_a_missing_one(app, make_user, socket_client):
    author, stranger = make_user("member"), make_user("member")
    draft = make_proposal(author)  # a draft: only its author and co-sponsors see it
    sock = _socket_of(app, socket_client, stranger)

    assert _follow(sock, f"proposal:{draft.id}") == {"ok": False, "error": "not_found"}
    assert _follow(sock, "proposal:999999") == {"ok": False, "error": "not_found"}
    for bad in ("room:1", "proposal:x", "proposal:-1", "proposal:99999999999", 12, None, "proposal"):
        assert _follow(sock, bad) == {"ok": False, "error": "invalid"}, bad
    assert _channels(stranger) == set()

    proposal_services.submit_proposal(author, draft)  # now everyone may see it
    assert _follow(sock, f"proposal:{draft.id}") == {"ok": True}
    assert _channels(stranger) == {("page-proposal", draft.id)}


def test_a_meeting_of_another_region_is_refused(app, make_user, socket_client):
    advisor = make_user("advisor")
    bay = make_meeting(advisor, status="published", region_ids=(region("Bay Area").id,))
    capitol_member = make_user("member", region_id=region("Capitol Area").id)
    sock = _socket_of(app, socket_client, capitol_member)
    assert _follow(sock, f"meeting:{bay.id}") == {"ok": False, "error": "not_found"}
    assert _channels(capitol_member) == set()


def test_a_summit_decision_tells_the_proposal_page_its_sessions_and_the_board(app, make_user, socket_client):
    planner, advisor = make_user("planner"), make_user("advisor")
    students = [make_user("member") for _ in range(3)]
    passed, _poll = voted_proposal(students[0], advisor, students, ["yes", "yes", "no"])
    other = make_proposal(students[1], "submitted")
    edition = make_edition(planner, sessions=("Transit for students", "Housing"))
    transit, housing = edition.sessions
    author = _socket_of(app, socket_client, students[0])
    bystander = _socket_of(app, socket_client, students[2])
    assert _follow(author, f"proposal:{passed.id}")["ok"] is True
    assert _follow(bystander, f"proposal:{other.id}")["ok"] is True
    assert _follow(bystander, f"session:{transit.id}")["ok"] is True
    assert _follow(bystander, "board:0")["ok"] is True
    author.get_received(NS), bystander.get_received(NS)

    summit_services.decide(planner, passed, decision_data(session_ids=[transit.id]))

    assert _changes(author) == [{"subject": f"proposal:{passed.id}"}]
    assert sorted(change["subject"] for change in _changes(bystander)) == ["board:0", f"session:{transit.id}"]

    # moved to another session: the session it left hears of it too
    assert _follow(bystander, f"session:{housing.id}")["ok"] is True
    bystander.get_received(NS)
    summit_services.decide(planner, db.session.get(type(passed), passed.id),
                           decision_data(session_ids=[housing.id], response="Now in housing."))
    assert sorted(change["subject"] for change in _changes(bystander)) == sorted([
        "board:0", f"session:{housing.id}", f"session:{transit.id}"])


def test_a_poll_opening_on_a_proposal_tells_its_page(app, make_user, socket_client):
    from stac_youth.polls import lifecycle

    advisor, author = make_user("advisor"), make_user("member")
    proposal = make_proposal(author, "in_discussion", advisor=advisor)
    sock = _socket_of(app, socket_client, author)
    assert _follow(sock, f"proposal:{proposal.id}")["ok"] is True
    poll = lifecycle.create_poll(advisor, proposal, "Adopt it?", "yes_no_abstain", None)
    sock.get_received(NS)
    lifecycle.open_poll(advisor, poll)
    assert {"subject": f"proposal:{proposal.id}"} in _changes(sock)


def test_a_change_rolled_back_tells_nobody(app, make_user, socket_client):
    author = make_user("member")
    proposal = make_proposal(author, "submitted")
    sock = _socket_of(app, socket_client, author)
    assert _follow(sock, f"proposal:{proposal.id}")["ok"] is True
    sock.get_received(NS)

    proposal.status = "in_discussion"
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert _changes(sock) == []


def test_meeting_state_changes_reach_its_page(app, make_user, socket_client):
    advisor, member = make_user("advisor"), make_user("member")
    meeting = make_meeting(advisor, status="published", items=("Welcome",))
    sock = _socket_of(app, socket_client, member)
    assert _follow(sock, f"meeting:{meeting.id}")["ok"] is True
    sock.get_received(NS)

    meeting_services.start_meeting(advisor, meeting)
    assert _changes(sock) == [{"subject": f"meeting:{meeting.id}"}]
    meeting_services.end_meeting(advisor, meeting)
    assert _changes(sock) == [{"subject": f"meeting:{meeting.id}"}]


def test_losing_access_leaves_the_subject(app, make_user, socket_client):
    author, invited = make_user("member"), make_user("member")
    draft = make_proposal(author)
    cosponsors.invite_cosponsor(author, draft, invited)
    sock = _socket_of(app, socket_client, invited)
    assert _follow(sock, f"proposal:{draft.id}")["ok"] is True
    sock.get_received(NS)

    cosponsors.decline_cosponsorship(invited, draft)  # a draft they no longer sponsor is hidden from them
    assert _pushes(sock, "access_lost") == [{"channel": "page-proposal", "id": draft.id}]
    assert _channels(invited) == set()
