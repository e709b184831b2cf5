"""Secret ballots: no page, export, payload or row links a voter to a choice, for any role (admin included).

The scene: a secret poll that shows its results live (the most a secret poll ever shows while open) and, as the
control that the same channels do show choices where that is allowed, an open-ballot poll; five members of one
region vote in both (secret: 3 yes, 1 no, 1 abstain; open: all yes), a sixth does not. Every role watches both polls
over Socket.IO while the ballots come in.
"""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import inspect, select

from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db
from stac_youth.polls import ballots, lifecycle
from stac_youth.polls.models import Ballot, Participation
from tests.meetings.helpers import client_for, region
from tests.proposals.helpers import make_proposal

from .poll_checks import (
    CHOICE_COLUMN,
    LIVE_KEYS,
    POLLS_NS,
    fresh_live_turnout,
    received,
    visible_text,
    wait_for_pushes,
    watch,
)

YNA = "yes_no_abstain"
ROLES = ("voter", "non_voter", "advisor", "planner", "admin")
VOTER_NAMES = ("Sam Secret", "Sofia Secret", "Sid Secret", "Sara Secret", "Saul Secret")
SECRET_VOTES = ("yes", "yes", "no", "abstain", "yes")
CHOICE_WORDS = ("Yes", "No", "Abstain")


@pytest.fixture(autouse=True)
def live_pushes(monkeypatch):
    yield from fresh_live_turnout(monkeypatch)


@pytest.fixture
def scene(app, make_user, socket_client, caplog):
    bay = region("Bay Area")
    advisor = make_user("advisor", display_name="Ada Advisor")
    voters = [make_user("member", display_name=name, region_id=bay.id) for name in VOTER_NAMES]
    users = {"voter": voters[0], "non_voter": make_user("member", display_name="Nadia Nonvoter", region_id=bay.id),
             "advisor": advisor, "planner": make_user("planner", display_name="Pat Planner"),
             "admin": make_user("admin", display_name="Alex Admin")}
    proposal = make_proposal(voters[0], "in_discussion", advisor=advisor, title="Later school start")
    secret = lifecycle.create_poll(advisor, proposal, "Start school at 9?", YNA, secret=True)
    open_ballot = lifecycle.create_poll(advisor, None, "Hold the summit in Fresno?", YNA, secret=False,
                                    results_live=True)
    lifecycle.open_poll(advisor, secret)
    lifecycle.open_poll(advisor, open_ballot)
    clients = {role: client_for(app, user) for role, user in users.items()}
    sockets = {}
    for role in ROLES:
        sockets[role] = socket_client(namespace=POLLS_NS, http_client=clients[role])
        for poll in (secret, open_ballot):
            assert watch(sockets[role], poll.id)["ok"] is True, role
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    for voter, choice in zip(voters, SECRET_VOTES, strict=True):
        ballots.cast_ballot(voter, secret, choice)
        ballots.cast_ballot(voter, open_ballot, "yes")
    vote_logs = [record.getMessage() for record in caplog.records]
    wait_for_pushes()
    pushes = {role: received(sockets[role], POLLS_NS) for role in ROLES}
    return {"users": users, "voters": voters, "clients": clients, "sockets": sockets, "secret": secret,
            "open": open_ballot, "pushes": pushes, "vote_logs": vote_logs, "proposal": proposal}


def _close_both(scene) -> None:
    lifecycle.close_poll(scene["users"]["advisor"], scene["secret"])
    lifecycle.close_poll(scene["users"]["advisor"], scene["open"])
    wait_for_pushes()


def _names_with_choice(text: str) -> list[str]:
    """Voter names followed by a choice ("Sam Secret: Yes")."""
    return [name for name in VOTER_NAMES if re.search(rf"{re.escape(name)}\s*:\s*({'|'.join(CHOICE_WORDS)})", text)]


# --- pages ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["open", "closed"])
def test_nobody_sees_who_voted_or_a_choice(scene, phase):
    if phase == "closed":
        _close_both(scene)
    for role in ROLES:
        html = scene["clients"][role].get(f"/polls/{scene['secret'].id}").get_data(as_text=True)
        text = visible_text(html)
        # not even advisors: who voted, next to a small or unanimous result, tells how they voted
        assert "Who voted" not in text and not any(name in text for name in VOTER_NAMES[1:]), role
        assert _names_with_choice(text) == [], role
        assert CHOICE_COLUMN.search(html) is None and "By region" not in text, role  # no breakdown of a secret poll
        assert "You voted: " not in text, role  # not even the voter is shown their secret choice again
        if role == "voter":
            assert "You voted in this poll." in text
        # once closed the page shows the counts: secrecy is not bought by hiding the results (a secret poll never
        # shows them while open, or the counts moving as a known person votes would tell their choice)
        shows_counts = re.search(r"\bYes\b[\s:]{0,4}3\b", text) and re.search(r"\bAbstain\b[\s:]{0,4}1\b", text)
        assert bool(shows_counts) is (phase == "closed"), role
    # the control: on the open ballot, advisors do see who voted what
    advisor_page = scene["clients"]["advisor"].get(f"/polls/{scene['open'].id}").get_data(as_text=True)
    assert _names_with_choice(visible_text(advisor_page)) == list(VOTER_NAMES)


def test_the_receipt_page_shows_a_code_and_no_choice(scene):
    client = scene["clients"]["non_voter"]
    response = client.post(f"/polls/{scene['secret'].id}/vote", data={"choice": "no"}, follow_redirects=True)
    assert response.status_code == 200 and response.request.path == f"/polls/{scene['secret'].id}/voted"
    text = visible_text(response.get_data(as_text=True))
    assert "Your vote is counted" in text and re.search(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", text)
    assert not any(re.search(rf"\b{word}\b", text) for word in CHOICE_WORDS), text


# --- the own-data export ----------------------------------------------------------------------------------------


def test_own_data_export_holds_no_choice_of_a_secret_ballot(app, scene):
    stored = db.session.scalars(select(Ballot).where(Ballot.poll_id == scene["secret"].id)).all()
    for voter in scene["voters"]:
        client = scene["clients"]["voter"] if voter.id == scene["users"]["voter"].id else client_for(app, voter)
        response = client.get("/account/export.json")
        assert response.status_code == 200
        raw = response.get_data(as_text=True)
        voted = {entry["poll"]: entry for entry in json.loads(raw)["polls_voted_in"]}
        assert set(voted) == {"Start school at 9?", "Hold the summit in Fresno?"}
        assert voted["Start school at 9?"] == {"poll": "Start school at 9?", "at": voted["Start school at 9?"]["at"],
                                               "open_ballot_choices": None}
        assert voted["Hold the summit in Fresno?"]["open_ballot_choices"] == "Yes"  # the control: open ballots do
        assert not any(ballot.id in raw or ballot.receipt_hash in raw for ballot in stored), voter.display_name


# --- payloads ---------------------------------------------------------------------------------------------------


def _payload_problems(payload, people) -> list[str]:
    problems = []
    if not isinstance(payload, dict):
        return [f"not a dict: {payload!r}"]
    if set(payload) - LIVE_KEYS - {"counts"}:
        problems.append(f"keys {sorted(set(payload) - LIVE_KEYS - {'counts'})}")
    if "counts" in payload and set(payload["counts"]) - {"yes", "no", "abstain"}:
        problems.append(f"count keys {sorted(payload['counts'])}")
    dumped = json.dumps(payload)
    problems += [f"names {person.display_name}" for person in people if person.display_name in dumped]
    problems += [f"email of {person.display_name}" for person in people if person.email in dumped]
    return problems


def test_socket_and_json_payloads_carry_no_user_ids(scene):
    people = [*scene["voters"], scene["users"]["non_voter"]]
    secret_id = scene["secret"].id
    for role in ROLES:
        pushes = scene["pushes"][role]
        turnout = [payload for name, payload in pushes if name == "turnout" and payload["poll_id"] == secret_id]
        assert turnout and turnout[-1]["cast"] == 5 and "counts" not in turnout[-1]  # a secret poll hides them
        for _name, payload in pushes:
            assert _payload_problems(payload, people) == [], (role, payload)
        ack = watch(scene["sockets"][role], secret_id)
        assert ack["ok"] is True and _payload_problems(ack["poll"], people) == [], (role, ack)
        live = scene["clients"][role].get(f"/polls/{secret_id}/live.json").get_json()
        assert _payload_problems(live, people) == [], (role, live)
    _close_both(scene)
    for role in ROLES:
        closing = received(scene["sockets"][role], POLLS_NS)
        assert ("status", {"poll_id": secret_id, "status": "closed", "cast": 5, "eligible": 6,
                           "turnout": 83.3}) in closing, (role, closing)
        for _name, payload in closing:
            assert _payload_problems(payload, people) == [], (role, payload)


@pytest.mark.parametrize("phase", ["open", "closed"])
def test_the_csv_names_nobody(scene, phase):
    if phase == "closed":
        _close_both(scene)
    people = [*scene["voters"], scene["users"]["non_voter"]]
    for role in ROLES:
        response = scene["clients"][role].get(f"/polls/{scene['secret'].id}/results.csv")
        if phase == "open":  # a secret poll keeps its results until the close: no export yet
            assert response.status_code == 302 and b"Yes" not in response.data, role
            continue
        assert response.status_code == 200 and response.mimetype == "text/csv", role
        text = response.get_data(as_text=True)
        assert re.search(r"^Yes,3,", text, re.M) and re.search(r"^Abstain,1,", text, re.M), text  # it has the counts
        assert not [person.display_name for person in people if person.display_name in text], role
        assert not [person.email for person in people if person.email in text], role


# --- storage, logs and audit ------------------------------------------------------------------------------------


def test_secret_ballots_are_stored_apart_from_who_voted(scene):
    secret_id = scene["secret"].id
    rows = db.session.execute(select(Ballot.id, Ballot.voter_id, Ballot.updated_at, Ballot.choices)
                              .where(Ballot.poll_id == secret_id)).all()
    assert len(rows) == 5
    assert all(voter_id is None and updated_at is None for _id, voter_id, updated_at, _choices in rows)
    assert sorted(json.loads(choices) for *_rest, choices in rows) == sorted(SECRET_VOTES)
    assert all(re.fullmatch(r"[0-9a-f]{32}", ballot_id) for ballot_id, *_rest in rows)
    who = set(db.session.scalars(select(Participation.user_id).where(Participation.poll_id == secret_id)))
    assert who == {voter.id for voter in scene["voters"]}
    # the open-ballot control does link them
    open_rows = db.session.execute(select(Ballot.voter_id, Ballot.updated_at)
                                   .where(Ballot.poll_id == scene["open"].id)).all()
    assert {voter_id for voter_id, _at in open_rows} == who and all(at is not None for _v, at in open_rows)

    inspector = inspect(db.engine)
    ballot_columns = {column["name"] for column in inspector.get_columns("ballots")}
    participation_columns = {column["name"] for column in inspector.get_columns("poll_participations")}
    assert ballot_columns == {"id", "poll_id", "choices", "receipt_hash", "voter_id", "updated_at"}
    assert participation_columns == {"id", "poll_id", "user_id", "created_at"}
    assert not {name for name in ballot_columns if "particip" in name or "serial" in name or "created" in name}
    assert not {name for name in participation_columns if "ballot" in name or "receipt" in name}
    ballot_links = {(tuple(fk["constrained_columns"]), fk["referred_table"])
                    for fk in inspector.get_foreign_keys("ballots")}
    assert ballot_links == {(("poll_id",), "polls"), (("voter_id",), "users")}
    assert "ballots" not in {fk["referred_table"] for fk in inspector.get_foreign_keys("poll_participations")}


def test_no_log_line_or_audit_row_holds_a_choice(scene):
    voter_ids = {voter.id for voter in scene["voters"]}
    for message in scene["vote_logs"]:
        assert not re.search(r'"(yes|no|abstain)"|choices', message), message
    _close_both(scene)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("poll.%"))).all()
    assert {event.action for event in events} == {"poll.created", "poll.opened", "poll.closed"}
    for event in events:
        assert event.actor_id not in voter_ids and event.subject_id not in voter_ids, event.action
        assert not set(event.details) & {"choices", "choice", "voter_id", "user_id", "voters"}, event.details


def test_postgres_system_columns_do_not_link_secret_ballots_to_voters(make_app, postgres_url):
    """On PostgreSQL every row carries the id of the transaction that wrote it (xmin) and sits in the heap in the
    order it was written (ctid, which pg_dump follows too). Once the poll is closed nothing may link a secret ballot
    to who cast it: the close writes the ballots again in random order. (While the poll is open, someone with direct
    access to the database could still match the system columns; pages, exports and logs never can.)"""
    import uuid
    from pathlib import Path

    from flask_migrate import upgrade
    from sqlalchemy import text

    from stac_youth.members.bootstrap import create_account

    pg_app = make_app(SQLALCHEMY_DATABASE_URI=postgres_url)
    with pg_app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"))
        tag = uuid.uuid4().hex[:6]
        advisor = create_account(f"advisor-{tag}@example.test", "Advisor", "correct horse battery staple", "advisor")
        voters = [create_account(f"v{n}-{tag}@example.test", f"Voter {n}", "correct horse battery staple", "member")
                  for n in range(16)]
        poll = lifecycle.create_poll(advisor, None, "Secret?", YNA, secret=True)
        lifecycle.open_poll(advisor, poll)
        for number, voter in enumerate(voters):
            ballots.cast_ballot(voter, poll, ("yes", "no")[number % 2])
        lifecycle.close_poll(advisor, poll)
        linked = db.session.execute(text(
            "SELECT count(*) FROM ballots b JOIN poll_participations p ON p.xmin = b.xmin AND p.poll_id = b.poll_id "
            "WHERE b.poll_id = :poll"), {"poll": poll.id}).scalar()
        in_heap_order = list(db.session.scalars(text("SELECT choices FROM ballots WHERE poll_id = :poll ORDER BY ctid"),
                                                {"poll": poll.id}))
        db.session.remove()
    assert linked == 0, f"{linked} secret ballots share their transaction id with their voter's participation row"
    # the choices in storage order, against the order the members voted in (participation ids): 1 in 12,870 alike
    assert [json.loads(choice) for choice in in_heap_order] != [("yes", "no")[n % 2] for n in range(16)]
