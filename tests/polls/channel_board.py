"""The scene of the poll channel tests: people, their clients and sockets, and two polls voted 3 / 1 / 0."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from stac_youth.common.time import utcnow
from stac_youth.meetings import agenda
from stac_youth.meetings import services as meeting_services
from stac_youth.polls import ballots, counts, lifecycle
from tests.meetings.helpers import client_for, item_data
from tests.proposals.helpers import make_proposal

from .poll_checks import MEETINGS_NS, POLLS_NS, received, wait_for_pushes, watch

YNA = "yes_no_abstain"
ROLES = ("voter", "non_voter", "advisor", "planner", "admin")
MANAGERS = ("advisor", "admin")
VOTES = ("yes", "yes", "yes", "no")  # members 1-4; member 5 does not vote
COUNTS = {"yes": 3, "no": 1, "abstain": 0}
VOTER_NAMES = ("Vera Voter", "Victor Voter", "Valeria Voter", "Vince Voter")


@dataclass
class Board:
    """The people, their HTTP clients and sockets, a proposal poll and an agenda-item poll, both voted in."""

    users: dict
    clients: dict
    sockets: dict  # (role, namespace) -> socket
    proposal: object
    meeting: object
    item: object
    proposal_poll: object
    item_poll: object
    outbox: list
    pushes: dict = field(default_factory=dict)  # role -> [(namespace, event, payload)] since the last collect
    closed: bool = False

    @property
    def poll_ids(self) -> tuple[int, int]:
        return self.proposal_poll.id, self.item_poll.id

    def collect_pushes(self) -> None:
        wait_for_pushes()
        for role in ROLES:
            got = self.pushes.setdefault(role, [])
            for namespace in (POLLS_NS, MEETINGS_NS):
                got += [(namespace, name, payload) for name, payload in received(self.sockets[role, namespace],
                                                                                 namespace)]

    def take_pushes(self, role: str) -> list[tuple[str, str, dict]]:
        got, self.pushes[role] = self.pushes.get(role, []), []
        return got

    def close(self) -> None:
        self.collect_pushes()
        for role in ROLES:
            self.take_pushes(role)  # the pushes of the open phase were checked (or not wanted) already
        advisor = self.users["advisor"]
        lifecycle.close_poll(advisor, self.proposal_poll)
        lifecycle.close_poll(advisor, self.item_poll)
        self.closed = True
        self.collect_pushes()


def build_board(app, make_user, socket_client, outbox, results_live: bool) -> Board:
    advisor = make_user("advisor", display_name="Ada Advisor")
    members = [make_user("member", display_name=name) for name in VOTER_NAMES]
    non_voter = make_user("member", display_name="Nadia Nonvoter")
    users = {"voter": members[0], "non_voter": non_voter, "advisor": advisor,
             "planner": make_user("planner", display_name="Pat Planner"),
             "admin": make_user("admin", display_name="Alex Admin")}
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor, title="Free transit passes")
    start = utcnow() + timedelta(minutes=5)
    meeting = meeting_services.create_meeting(advisor, meeting_services.MeetingData(
        title="Board meeting", description="", starts_at=start, ends_at=start + timedelta(hours=1),
        location="Room 4", video_url=None))
    item = agenda.add_item(advisor, meeting, item_data("Transit vote", kind="vote"))
    meeting_services.publish_meeting(advisor, meeting)
    meeting_services.start_meeting(advisor, meeting)
    assert meeting.current_item_id == item.id
    proposal_poll = lifecycle.create_poll(advisor, proposal, "Adopt free transit passes?", YNA,
                                      results_live=results_live)
    item_poll = lifecycle.create_poll(advisor, None, "Endorse the transit plan?", YNA, results_live=results_live,
                                  agenda_item=item)
    clients = {role: client_for(app, user) for role, user in users.items()}
    sockets = {}
    for role in ROLES:
        for namespace in (POLLS_NS, MEETINGS_NS):
            sock = socket_client(namespace=namespace, http_client=clients[role])
            assert sock.is_connected(namespace), (role, namespace)
            sockets[role, namespace] = sock
        ack = sockets[role, MEETINGS_NS].emit("join", {"meeting_id": meeting.id}, namespace=MEETINGS_NS,
                                              callback=True)
        assert ack["ok"] is True, (role, ack)
        sockets[role, MEETINGS_NS].get_received(MEETINGS_NS)
    board = Board(users, clients, sockets, proposal, meeting, item, proposal_poll, item_poll, outbox)
    for role in MANAGERS:  # advisors may follow a draft, so they get its "opened" status push
        for poll_id in board.poll_ids:
            assert watch(sockets[role, POLLS_NS], poll_id)["ok"] is True
    lifecycle.open_poll(advisor, proposal_poll)
    lifecycle.open_poll(advisor, item_poll)
    for role in ROLES:
        if role not in MANAGERS:
            for poll_id in board.poll_ids:
                assert watch(sockets[role, POLLS_NS], poll_id)["ok"] is True, role
    for member, choice in zip(members, VOTES, strict=True):
        ballots.cast_ballot(member, proposal_poll, choice)
        ballots.cast_ballot(member, item_poll, choice)
    assert counts.turnout(proposal_poll) == counts.turnout(item_poll) == (4, 5)
    board.collect_pushes()
    return board
