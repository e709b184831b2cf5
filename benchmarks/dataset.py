"""A data set of realistic size, seeded fast into the real migrated schema (SQLite file or PostgreSQL).

Default size (the issue's): 300 members, 40 meetings with agendas, 500 proposals, 200 polls, 100,000 ballots,
50,000 room messages; `--quick` is a small one for smoke runs. Rows are built in memory (dataset_people.py,
dataset_votes.py) with explicit ids and written with SQLAlchemy Core bulk inserts on the app's own tables, in
foreign-key order, in one transaction; PostgreSQL sequences are moved past the ids afterwards.

One ballot per voter per poll caps a poll's ballots at its voters. 100,000 ballots over 200 polls (500 a poll) is
more than a board of 300 can cast, so the set adds former members: inactive accounts of students who were on the
board when the older polls opened and left it 20-60 days ago. The number needed is worked out from the sizes.

`python -m benchmarks.dataset --database-url URL [--quick]` migrates the database (Flask-Migrate's upgrade),
seeds it and prints the row counts, the consistency checks and how long each step took.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import secrets
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from . import dataset_people as people
from . import dataset_votes as votes

ROOT = Path(__file__).resolve().parent.parent
SHARED_PASSWORD = "bench-only-password-not-used-2026"  # noqa: S105 - throw-away accounts, nobody logs in with it

#: foreign-key order; meetings.current_item_id is set after agenda_items exist
TABLE_ORDER = [
    "regions", "counties", "users", "member_interests", "themes", "meetings", "meeting_regions", "agenda_items",
    "rooms", "proposals", "proposal_events", "proposal_cosponsors", "proposal_comments", "polls", "poll_options",
    "poll_eligibility", "poll_participations", "ballots", "poll_counts", "summit_editions", "summit_sessions",
    "summit_decisions", "decision_sessions", "messages", "room_reads", "rsvps", "attendances", "minutes_revisions",
    "notifications", "audit_events",
]
CHUNK = 5000


@dataclass(frozen=True)
class Sizes:
    """How much to seed."""

    members: int
    meetings: int
    proposals: int
    polls: int
    ballots: int
    messages: int
    agenda_items: int = 8  # per meeting, on average

    @property
    def item_polls(self) -> int:
        """Polls on the vote items of ended meetings (one in ten); the rest are on proposals."""
        return self.polls // 10

    def proposal_polls(self) -> tuple[int, int, int]:
        """(open, draft, closed) polls on proposals."""
        polled = min(self.proposals, self.polls - self.item_polls)
        open_polls = max(1, polled // 10)
        draft = max(0, polled // 20)
        return open_polls, draft, max(0, polled - open_polls - draft)

    def former_members(self) -> int:
        """Former members needed so that the polls' voters can cast `ballots` at a plausible turnout (~70 %)."""
        open_polls, _draft, closed = self.proposal_polls()
        voting = open_polls + closed + self.item_polls
        if not voting:
            return 0
        return max(0, math.ceil(self.ballots / voting / 0.7 - self.members * 0.85))


SIZES = {
    "quick": Sizes(members=60, meetings=8, proposals=80, polls=24, ballots=1_000, messages=4_000),
    "default": Sizes(members=300, meetings=40, proposals=500, polls=200, ballots=100_000, messages=50_000),
}


@dataclass
class SeedReport:
    """What was seeded: rows per table, ballots reached, seconds to build and to write."""

    counts: dict[str, int]
    ballots: int
    former_members: int
    build_seconds: float
    write_seconds: float


def build(sizes: Sizes, seed: int = 2026, now: datetime | None = None) -> tuple[people.Rows, int, int]:
    """All rows of the data set in memory; (rows, ballots allocated, former members)."""
    from stac_youth.common.passwords import hash_password
    from stac_youth.common.time import utcnow

    rows = people.Rows(rng=random.Random(seed), now=(now or utcnow()).replace(microsecond=0))
    counties = people.add_regions_and_themes(rows)
    former = sizes.former_members()
    people.add_people(rows, sizes.members, former, counties, hash_password(SHARED_PASSWORD))
    people.add_meetings(rows, sizes.meetings, sizes.agenda_items)
    people.mark_live_meeting(rows)
    people.add_topic_rooms(rows)
    open_polls, draft, closed = sizes.proposal_polls()
    plans = votes.add_proposals(rows, sizes.proposals, open_polls + draft + closed, open_polls, draft)
    plans += votes.add_item_polls(rows, sizes.item_polls)
    ballots = votes.allocate_ballots(plans, sizes.ballots)
    for plan in plans:
        votes.add_ballots(rows, plan)
    votes.add_notifications(rows, plans)
    votes.add_summit(rows)
    people.add_messages(rows, sizes.messages)
    return rows, ballots, former


def write(conn, rows: people.Rows) -> dict[str, int]:
    """Insert every table's rows through Core on conn (the caller's transaction); returns rows per table."""
    from sqlalchemy import Integer, func, select, text, update

    from stac_youth.extensions import db
    from stac_youth.models import Meeting  # noqa: F401 - maps every model, so every table is in the metadata

    tables = db.metadata.tables
    live = {m["id"]: m["current_item_id"] for m in rows.meetings if m["current_item_id"]}
    counts = {}
    if conn.dialect.name == "sqlite":  # random keys (ballot ids, receipt hashes) thrash the default 2 MB page cache
        conn.exec_driver_sql("PRAGMA cache_size = -262144")
    for name in TABLE_ORDER:
        records = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows.tables.get(name, [])]
        if name == "meetings":
            records = [r | {"current_item_id": None} for r in records]
        elif name == "ballots":  # in id order, as a closed secret poll stores them: the primary key only appends
            records.sort(key=lambda r: r["id"])
        for start in range(0, len(records), CHUNK):
            conn.execute(tables[name].insert(), records[start:start + CHUNK])
        counts[name] = len(records)
    meetings = tables["meetings"]
    for meeting_id, item_id in live.items():
        conn.execute(update(meetings).where(meetings.c.id == meeting_id).values(current_item_id=item_id))
    if conn.dialect.name == "postgresql":  # the next row the app inserts must not take a seeded id
        for name in TABLE_ORDER:
            table = tables[name]
            if "id" in table.c and isinstance(table.c.id.type, Integer) and counts[name]:
                top = conn.execute(select(func.max(table.c.id))).scalar()
                conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"), {"t": name, "v": top})
    return counts


def seed(conn, sizes: Sizes, seed_value: int = 2026, now: datetime | None = None) -> SeedReport:
    """Build and insert the data set on conn, a Connection to an empty migrated database (caller commits)."""
    started = time.monotonic()
    rows, ballots, former = build(sizes, seed_value, now)
    built = time.monotonic()
    counts = write(conn, rows)
    return SeedReport(counts, ballots, former, built - started, time.monotonic() - built)


CHECKS = {
    "polls whose participations differ from their ballots": """
        SELECT count(*) FROM polls p WHERE
          (SELECT count(*) FROM poll_participations x WHERE x.poll_id = p.id)
          <> (SELECT count(*) FROM ballots b WHERE b.poll_id = p.id)""",
    "polls whose turnout counter differs from their participations": """
        SELECT count(*) FROM polls p JOIN poll_counts c ON c.poll_id = p.id AND c.choice = '_cast'
        WHERE c.count <> (SELECT count(*) FROM poll_participations x WHERE x.poll_id = p.id)""",
    "yes/no/abstain polls whose choice counters do not add up to their ballots": """
        SELECT count(*) FROM polls p WHERE p.method = 'yes_no_abstain' AND p.status <> 'draft' AND
          (SELECT coalesce(sum(c.count), 0) FROM poll_counts c WHERE c.poll_id = p.id AND c.choice <> '_cast')
          <> (SELECT count(*) FROM ballots b WHERE b.poll_id = p.id)""",
    "polls whose eligible_count differs from their eligibility rows": """
        SELECT count(*) FROM polls p WHERE p.eligible_count
          <> (SELECT count(*) FROM poll_eligibility e WHERE e.poll_id = p.id)""",
    "participations of members not eligible": """
        SELECT count(*) FROM poll_participations x LEFT JOIN poll_eligibility e
          ON e.poll_id = x.poll_id AND e.user_id = x.user_id WHERE e.user_id IS NULL""",
    "closed polls without a stored result": """
        SELECT count(*) FROM polls WHERE status = 'closed' AND (result_json IS NULL OR outcome IS NULL)""",
    "proposals in vote without an open poll": """
        SELECT count(*) FROM proposals pr WHERE pr.status = 'in_vote'
          AND NOT EXISTS (SELECT 1 FROM polls p WHERE p.proposal_id = pr.id AND p.status = 'open')""",
    "proposals whose last timeline step is not their status": """
        SELECT count(*) FROM proposals pr WHERE pr.status <> (SELECT e.to_status FROM proposal_events e
          WHERE e.proposal_id = pr.id ORDER BY e.id DESC LIMIT 1)""",
    "secret ballots that name their voter": """
        SELECT count(*) FROM ballots b JOIN polls p ON p.id = b.poll_id WHERE p.secret AND b.voter_id IS NOT NULL""",
}


def consistency(conn) -> dict[str, int]:
    """Each check's number of offending rows (all 0 when the data set is consistent with the app's model)."""
    from sqlalchemy import text

    return {name: conn.execute(text(sql)).scalar() for name, sql in CHECKS.items()}


def migrate(app) -> None:
    """The real schema: Flask-Migrate's upgrade of the migrations folder (what `flask db upgrade` does)."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))


def seed_app_database(app, sizes: Sizes, seed_value: int = 2026) -> tuple[SeedReport, float]:
    """Migrate the app's database and seed it in one transaction; (report, migration seconds)."""
    from stac_youth.extensions import db

    started = time.monotonic()
    migrate(app)
    migrated = time.monotonic() - started
    with app.app_context(), db.engine.begin() as conn:
        report = seed(conn, sizes, seed_value)
    return report, migrated


def print_report(report: SeedReport, migrate_seconds: float, checks: dict[str, int] | None = None) -> None:
    """Row counts of the main tables and the timings, on a few lines."""
    c = report.counts
    print(f"seeded {c['users']} accounts ({report.former_members} former members), {c['meetings']} meetings with "
          f"{c['agenda_items']} agenda items, {c['proposals']} proposals ({c['proposal_events']} timeline steps), "
          f"{c['polls']} polls, {c['ballots']:,} ballots, {c['poll_eligibility']:,} eligibility rows, "
          f"{c['messages']:,} messages in {c['rooms']} rooms, {sum(c.values()):,} rows in all", flush=True)
    print(f"seeding took {migrate_seconds + report.build_seconds + report.write_seconds:.1f} s: migrations "
          f"{migrate_seconds:.1f} s, rows built {report.build_seconds:.1f} s, written {report.write_seconds:.1f} s",
          flush=True)
    if checks is not None:
        bad = {name: n for name, n in checks.items() if n}
        print("consistency: " + ("every check passed" if not bad else f"FAILED {bad}"), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="an empty database (sqlite:///path or postgresql+psycopg://)")
    parser.add_argument("--quick", action="store_true", help="the small data set")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url  # read when the config module is imported
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))

    from stac_youth import create_app
    from stac_youth.extensions import db

    sizes = SIZES["quick" if args.quick else "default"]
    print(f"sizes: {asdict(sizes)}", flush=True)
    app = create_app()
    report, migrated = seed_app_database(app, sizes, args.seed)
    with app.app_context(), db.engine.connect() as conn:
        checks = consistency(conn)
    print_report(report, migrated, checks)
    return 1 if any(checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
