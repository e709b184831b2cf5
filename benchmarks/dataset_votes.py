"""Rows of the seeded data set, part two: proposals with timelines, polls with voters, ballots and counters, the Summit.

Polls follow the app's model (stac_youth/proposals/polls.py): eligibility is fixed when a poll opens (the members on
the board then, of the meeting's regions for a regional agenda item), one participation and one ballot per voter,
counters per choice plus the turnout counter `_cast`, and a closed poll stores the app's own tally of its ballots
(result_json, outcome, turnout and support) and moves its proposal to passed or not passed.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import datetime, timedelta
from fractions import Fraction

from . import dataset_text as text
from .dataset_people import DAY, Person, Rows


@dataclasses.dataclass
class PollPlan:
    """A poll before its ballots: where it hangs, its state and times, and who may vote."""

    row: dict
    voters: list[Person]
    turnout: float  # the expected share of voters who vote
    proposal: dict | None = None
    ballots: int = 0


def _event(rows: Rows, proposal: dict, actor: int, to_status: str, at: datetime, note: str = "") -> None:
    previous = proposal["status"] if proposal.get("_has_events") else None
    rows.add("proposal_events", {"proposal_id": proposal["id"], "actor_id": actor, "from_status": previous,
                                 "to_status": to_status, "note": note, "created_at": at})
    proposal["status"], proposal["_has_events"] = to_status, True


def add_proposals(rows: Rows, count: int, polled: int, open_polls: int, draft_polls: int) -> list[PollPlan]:
    """`count` proposals; the first `polled` (in random order) get a poll on them: open (in vote), draft (in
    discussion) or closed (their outcome is set once the ballots are in). The others are drafts, submitted or in
    discussion. Proposals in discussion or later have their room. Returns the plans of their polls."""
    rng = rows.rng
    advisors = rows.staff("advisor")
    kinds = (["poll_open"] * open_polls + ["poll_draft"] * draft_polls
             + ["poll_closed"] * (polled - open_polls - draft_polls)
             + rng.choices(["draft", "submitted", "in_discussion"], weights=[1, 2, 3], k=count - polled))
    rng.shuffle(kinds)
    plans = []
    for kind in kinds:
        advisor = rng.choice(advisors).id
        if kind == "poll_closed":
            opened = rows.ago(25, 300)
        elif kind == "poll_open":
            opened = rows.ago(0.5, 10)
        elif kind == "poll_draft":
            opened = rows.ago(1, 5)  # when the draft poll was made
        else:
            opened = rows.ago(1, 120)  # no poll: when it would have gone to the vote
        discussion = opened - rng.uniform(1, 4) * DAY
        submitted = discussion - rng.uniform(1, 5) * DAY
        created = submitted - rng.uniform(0.5, 5) * DAY
        authors = rows.members(created) or rows.members()
        author = rng.choice(authors)
        subject = rng.choice(text.PROPOSAL_SUBJECTS)
        proposal = rows.add("proposals", {
            "title": f"{subject} {rng.choice(text.PROPOSAL_PLACES)}", "summary": rng.choice(text.PROPOSAL_SUMMARIES),
            "description": text.DESCRIPTION, "theme_id": rng.choice(rows.themes), "region_id": author.region_id,
            "author_id": author.id, "status": "draft", "room_id": None, "created_at": created, "updated_at": created})
        _event(rows, proposal, author.id, "draft", created)
        for other in rng.sample(authors, min(len(authors), rng.randint(0, 2))):
            if other.id != author.id:
                rows.add("proposal_cosponsors", {
                    "proposal_id": proposal["id"], "user_id": other.id, "invited_at": created + timedelta(hours=2),
                    "accepted_at": created + DAY if rng.random() < 0.8 else None})
        if kind == "draft":
            continue  # only its author and co-sponsors see it
        _event(rows, proposal, author.id, "submitted", submitted)
        if kind == "submitted":
            continue
        room = rows.add("rooms", {"kind": "proposal", "title": proposal["title"], "description": "",
                                  "meeting_id": None, "region_id": None, "locked": False, "created_by_id": advisor,
                                  "created_at": discussion})
        rows.rooms.append(room | {"opens": discussion, "closes": rows.now, "regions": []})
        proposal["room_id"] = room["id"]
        _event(rows, proposal, advisor, "in_discussion", discussion)
        _add_comments(rows, proposal, authors, discussion)
        if kind.startswith("poll_"):
            plans.append(_proposal_poll(rows, proposal, advisor, kind.removeprefix("poll_"), opened))
    return plans


def _add_comments(rows: Rows, proposal: dict, authors: list[Person], since: datetime) -> None:
    rng = rows.rng
    ids = []
    for _ in range(rng.randint(0, 6)):
        at = since + rng.uniform(0, 2) * DAY
        ids.append(rows.add("proposal_comments", {
            "proposal_id": proposal["id"], "parent_id": rng.choice(ids) if ids and rng.random() < 0.3 else None,
            "author_id": rng.choice(authors).id, "body": rng.choice(text.MESSAGE_SENTENCES), "created_at": at,
            "edited_at": None, "deleted_at": None})["id"])


def _poll_row(rows: Rows, question: str, method: str, status: str, advisor: int, opened: datetime,
              proposal_id: int | None = None, item_id: int | None = None, closed: datetime | None = None) -> dict:
    rng = rows.rng
    secret = rng.random() < 0.3
    return rows.add("polls", {
        "proposal_id": proposal_id, "agenda_item_id": item_id, "question": question, "method": method,
        "secret": secret, "results_live": not secret and rng.random() < 0.5,
        "quorum_percent": rng.choice([0, 25, 25, 50]), "threshold": "two_thirds" if rng.random() < 0.2 else "simple",
        "status": status, "opens_at": None, "closes_at": None, "opened_at": opened if status != "draft" else None,
        "closed_at": closed, "eligible_count": 0, "outcome": None, "result_json": None, "support_percent": None,
        "turnout_percent": None, "created_by_id": advisor, "created_at": opened - timedelta(hours=3)})


def _proposal_poll(rows: Rows, proposal: dict, advisor: int, kind: str, opened: datetime) -> PollPlan:
    closed = min(opened + rows.rng.uniform(2, 7) * DAY, rows.now - timedelta(hours=1)) if kind == "closed" else None
    row = _poll_row(rows, f"Do you support the proposal {proposal['title']}?", "yes_no_abstain", kind, advisor,
                    opened, proposal_id=proposal["id"], closed=closed)
    if kind != "draft":
        _event(rows, proposal, advisor, "in_vote", opened)
        proposal["updated_at"] = opened
    voters = rows.members(opened) if kind != "draft" else []
    turnout = rows.rng.uniform(0.6, 0.95) if kind == "closed" else rows.rng.uniform(0.2, 0.6)
    return PollPlan(row, voters, turnout, proposal)


def add_item_polls(rows: Rows, count: int) -> list[PollPlan]:
    """Closed polls on the vote items of ended meetings (approval, ranked choice, yes/no/abstain in turn), voted
    by the members of the meeting's regions (everyone for statewide meetings) while it ran."""
    rng = rows.rng
    meetings = {m["id"]: m for m in rows.meetings if m["status"] == "ended"}
    items = [i for i in rows.tables.get("agenda_items", []) if i["kind"] == "vote" and i["meeting_id"] in meetings]
    plans = []
    for number, item in enumerate(rng.sample(items, min(count, len(items)))):
        meeting = meetings[item["meeting_id"]]
        method = ("approval", "ranked_choice", "yes_no_abstain")[number % 3]
        opened = meeting["starts_at"] + timedelta(minutes=30)
        question = rng.choice(text.ITEM_POLL_QUESTIONS) if method != "yes_no_abstain" else f"Adopt: {item['title']}?"
        row = _poll_row(rows, question, method, "closed", meeting["created_by_id"], opened, item_id=item["id"],
                        closed=meeting["ends_at"])
        if method != "yes_no_abstain":
            for position, label in enumerate(rng.sample(text.ITEM_POLL_OPTIONS, rng.randint(4, 6))):
                rows.add("poll_options", {"poll_id": row["id"], "position": position, "label": label})
        voters = rows.members(opened, rows.meeting_regions[meeting["id"]])
        plans.append(PollPlan(row, voters, rng.uniform(0.5, 0.9)))
    return plans


def allocate_ballots(plans: list[PollPlan], total: int) -> int:
    """Ballots per poll: open polls at their expected turnout, the closed ones share the rest in proportion to
    theirs, never more than their voters. Returns the number allocated (less than total only when the voters
    of all polls together are fewer)."""
    voting = [p for p in plans if p.row["status"] != "draft"]
    for plan in voting:
        if plan.row["status"] == "open":
            plan.ballots = min(len(plan.voters), int(len(plan.voters) * plan.turnout))
    closed = [p for p in voting if p.row["status"] == "closed"]
    rest = max(0, total - sum(p.ballots for p in voting))
    expected = sum(len(p.voters) * p.turnout for p in closed)
    for plan in closed:
        plan.ballots = min(len(plan.voters), int(len(plan.voters) * plan.turnout * rest / expected)) if expected else 0
    short = total - sum(p.ballots for p in voting)
    while short > 0:  # one more ballot to each poll with room, until none has room or none is missing
        room = [p for p in closed if p.ballots < len(p.voters)]
        if not room:
            break
        for plan in room[:short]:
            plan.ballots += 1
        short -= min(short, len(room))
    return sum(p.ballots for p in voting)


def _choice(rows: Rows, method: str, options: list[int], lean: float):
    rng = rows.rng
    if method == "yes_no_abstain":
        roll = rng.random()
        return "abstain" if roll < 0.08 else ("yes" if roll < 0.08 + 0.92 * lean else "no")
    if method == "approval":
        return [o for o in options if rng.random() < 0.25 + 0.3 * lean * (o == options[0])]
    ranked = rng.sample(options, rng.randint(1, len(options)))
    return ranked


def add_ballots(rows: Rows, plan: PollPlan) -> None:
    """Eligibility, participations, ballots and counters of one poll; for a closed poll, its tally and outcome."""
    from .app_api import app_attrs

    CAST, counted_keys = app_attrs("CAST", "counted_keys")

    rng, poll = rows.rng, plan.row
    if poll["status"] == "draft":
        return
    options = [o["id"] for o in rows.tables.get("poll_options", []) if o["poll_id"] == poll["id"]]
    poll["eligible_count"] = len(plan.voters)
    for person in plan.voters:
        rows.add("poll_eligibility", {"poll_id": poll["id"], "user_id": person.id}, with_id=False)
    end = poll["closed_at"] or rows.now
    lean = rng.uniform(0.35, 0.9)
    counts: Counter[str] = Counter({key: 0 for key in _counter_keys(poll["method"], options)})
    stored = []
    for person in rng.sample(plan.voters, plan.ballots):
        at = poll["opened_at"] + (end - poll["opened_at"]) * rng.random()
        choices = _choice(rows, poll["method"], options, lean)
        stored.append(choices)
        rows.add("poll_participations", {"poll_id": poll["id"], "user_id": person.id, "created_at": at})
        rows.add("ballots", {
            "id": f"{rng.getrandbits(128):032x}", "poll_id": poll["id"], "choices": json.dumps(choices),
            "receipt_hash": f"{rng.getrandbits(256):064x}", "voter_id": None if poll["secret"] else person.id,
            "updated_at": None if poll["secret"] else at}, with_id=False)
        counts.update(counted_keys(poll["method"], choices) + [CAST])
    for key, value in counts.items():
        rows.add("poll_counts", {"poll_id": poll["id"], "choice": key, "count": value}, with_id=False)
    _audit(rows, "poll.opened", poll["created_by_id"], poll["opened_at"], poll_id=poll["id"],
           proposal_id=poll["proposal_id"], eligible=len(plan.voters), method=poll["method"], secret=poll["secret"])
    if poll["status"] == "closed":
        _close(rows, plan, stored, options)


def _counter_keys(method: str, options: list[int]) -> list[str]:
    from .app_api import app_attr, app_module

    CAST, CHOICES = app_attr("CAST"), app_module("tally_yes_no_abstain").CHOICES

    return [*CHOICES, CAST] if method == "yes_no_abstain" else [*(str(o) for o in options), CAST]


def _close(rows: Rows, plan: PollPlan, stored: list, options: list[int]) -> None:
    """The app's tally of the ballots, stored as polls._close stores it; the proposal passes or not."""
    from .app_api import app_attrs, app_module

    tally = app_module("tally_yes_no_abstain")
    THRESHOLDS, _jsonable, _support = app_attrs("THRESHOLDS", "_jsonable", "_support")

    poll = plan.row
    quorum, eligible = Fraction(poll["quorum_percent"], 100), poll["eligible_count"]
    if poll["method"] == "yes_no_abstain":
        result = tally.tally_yes_no_abstain(stored, eligible, quorum, THRESHOLDS[poll["threshold"]])
    elif poll["method"] == "approval":
        result = tally.tally_approval([frozenset(b) for b in stored], options, eligible, quorum)
    else:
        result = tally.tally_ranked_choice([tuple(b) for b in stored], options, eligible, quorum)
    poll["result_json"] = json.dumps(dataclasses.asdict(result), default=_jsonable, sort_keys=True)
    poll["outcome"], poll["turnout_percent"] = result.outcome.value, result.turnout
    poll["support_percent"] = _support(result)
    _audit(rows, "poll.closed", poll["created_by_id"], poll["closed_at"], poll_id=poll["id"],
           proposal_id=poll["proposal_id"], outcome=poll["outcome"], cast=result.cast, eligible=result.eligible)
    if plan.proposal is not None:
        passed = result.outcome is tally.Outcome.PASSED
        _event(rows, plan.proposal, poll["created_by_id"], "passed" if passed else "not_passed", poll["closed_at"])
        plan.proposal["updated_at"] = poll["closed_at"]
        plan.proposal["_closed_at"] = poll["closed_at"]


def _audit(rows: Rows, action: str, actor: int, at: datetime, **detail) -> None:
    rows.add("audit_events", {"created_at": at, "actor_id": actor, "subject_id": None, "action": action,
                              "detail": json.dumps(detail, default=str, sort_keys=True), "request_id": None})


def add_notifications(rows: Rows, plans: list[PollPlan]) -> None:
    """The poll notices active voters got: open polls, and polls closed in the last 30 days (mostly read)."""
    outcome_ids = {"passed": "Passed", "not_passed": "Not passed", "no_quorum": "No quorum"}
    for plan in plans:
        poll = plan.row
        recent_close = poll["status"] == "closed" and poll["closed_at"] > rows.now - 30 * DAY
        if poll["status"] != "open" and not recent_close:
            continue
        kind = "poll_opened" if poll["status"] == "open" else "poll_closed"
        params = {"question": poll["question"]} | (
            {"outcome_label": outcome_ids.get(poll["outcome"], "No quorum")} if recent_close else {})
        at = poll["opened_at"] if poll["status"] == "open" else poll["closed_at"]
        for person in plan.voters:
            if person.left is None:
                rows.add("notifications", {
                    "user_id": person.id, "kind": kind, "params": json.dumps(params, sort_keys=True),
                    "link": f"/polls/{poll['id']}", "created_at": at,
                    "read_at": at + DAY if rows.rng.random() < 0.7 else None})


def add_summit(rows: Rows) -> None:
    """Last year's and the coming Summit with sessions; planners decided on most passed proposals (the proposal
    moves to adopted, declined, under review or merged, with the response on its timeline)."""
    rng = rows.rng
    planners = rows.staff("planner")
    sessions_by_edition = []
    for year_offset in (-1, 0):
        first_day = (rows.now + (150 + 365 * year_offset) * DAY).date()
        edition = rows.add("summit_editions", {
            "year": first_day.year, "title": f"Community Schools Youth Summit {first_day.year}",
            "starts_on": first_day, "ends_on": first_day + DAY, "place": "Sacramento Convention Center",
            "created_at": rows.now - (200 - 365 * year_offset) * DAY})
        sessions = []
        for number, title in enumerate(text.SUMMIT_SESSION_TITLES):
            starts = datetime.combine(first_day + (number // 5) * DAY, datetime.min.time()) + timedelta(
                hours=16 + number % 5)
            sessions.append(rows.add("summit_sessions", {
                "edition_id": edition["id"], "title": title, "track": text.SUMMIT_TRACKS[number % 5],
                "starts_at": starts, "ends_at": starts + timedelta(minutes=60), "room": f"Room {'ABCDE'[number % 5]}",
                "description": "", "uid": f"00000000-0000-4000-9000-{edition['id'] * 100 + number:012d}",
                "sequence": 0})["id"])
        sessions_by_edition.append(sessions)
    passed = [p for p in rows.tables.get("proposals", []) if p["status"] == "passed"]
    decided: list[dict] = []
    for proposal in passed:
        if rng.random() >= 0.7:
            continue  # still waiting for the planners
        kind = rng.choices(["adopted", "declined", "under_review", "merged"], weights=[5, 2, 2, 1])[0]
        if kind == "merged" and not decided:
            kind = "adopted"
        at = min(proposal["_closed_at"] + rng.uniform(2, 20) * DAY, rows.now - timedelta(hours=1))
        planner = rng.choice(planners).id
        decision = rows.add("summit_decisions", {
            "proposal_id": proposal["id"], "kind": kind, "response": text.DECISION_RESPONSES[kind],
            "merged_into_id": rng.choice(decided)["proposal_id"] if kind == "merged" else None,
            "decided_by_id": planner, "decided_at": at})
        decided.append(decision)
        if kind == "adopted":
            for session_id in rng.sample(sessions_by_edition[-1], rng.randint(1, 2)):
                rows.add("decision_sessions", {"decision_id": decision["id"], "session_id": session_id},
                         with_id=False)
        _event(rows, proposal, planner, kind, at, note=text.DECISION_RESPONSES[kind])
        proposal["updated_at"] = at
