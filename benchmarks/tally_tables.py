"""An open poll with N ballots in the real tables: turnout and live counts read as the app reads them, and its tally.

A temporary SQLite file gets the migrated schema and one open yes/no/abstain poll with live results: N member
accounts, all eligible, each with its participation and ballot, and the poll's counters, written with Core bulk
inserts (as dataset.py does). Then, in an app context, the app's own functions are timed on it: `turnout`
(members who voted, from the `_cast` counter) and `results` (the live yes/no/abstain counts), each the median
of many calls, next to the same figures counted from the ballots table (what the counters save), and
`tally_poll`, the close's full tally reading every ballot back from the table.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from .harness import median

CALLS = 200


def _app(path: Path):
    from stac_youth import create_app
    from stac_youth.config import TestingConfig

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"

    return create_app(BenchConfig)


def seed_open_poll(conn, ballots: int, seed: int = 2009) -> int:
    """One open yes/no/abstain poll with live results and `ballots` voters who all voted; returns its id."""
    from stac_youth.common.passwords import hash_password
    from stac_youth.common.time import utcnow
    from stac_youth.extensions import db

    from .app_api import app_attr

    CAST = app_attr("CAST")

    from .dataset import SHARED_PASSWORD

    rng, now, tables = random.Random(seed), utcnow(), db.metadata.tables
    shared = hash_password(SHARED_PASSWORD)
    conn.execute(tables["users"].insert(), [
        {"id": i, "email": f"voter-{i:06d}@example.org", "password_hash": shared, "role": "member", "active": True,
         "session_version": 1, "created_at": now, "display_name": f"Voter {i}", "preferred_language": "en",
         "timezone": "America/Los_Angeles", "hide_school": False, "hide_bio": False, "email_notifications": "all"}
        for i in range(1, ballots + 1)])
    conn.execute(tables["polls"].insert(), [{
        "id": 1, "question": "Adopt the Summit theme?", "method": "yes_no_abstain", "secret": False,
        "results_live": True, "quorum_percent": 25, "threshold": "simple", "status": "open", "opened_at": now,
        "eligible_count": ballots, "created_at": now}])
    choices = rng.choices(["yes", "no", "abstain"], weights=[5, 3, 1], k=ballots)
    conn.execute(tables["poll_eligibility"].insert(), [{"poll_id": 1, "user_id": i} for i in range(1, ballots + 1)])
    conn.execute(tables["poll_participations"].insert(),
                 [{"poll_id": 1, "user_id": i, "created_at": now} for i in range(1, ballots + 1)])
    rows = [{"id": f"{rng.getrandbits(128):032x}", "poll_id": 1, "choices": json.dumps(choice),
             "receipt_hash": f"{rng.getrandbits(256):064x}", "voter_id": i, "updated_at": now}
            for i, choice in enumerate(choices, start=1)]
    conn.execute(tables["ballots"].insert(), sorted(rows, key=lambda r: r["id"]))
    counts = Counter(choices) | Counter({CAST: ballots})
    conn.execute(tables["poll_counts"].insert(),
                 [{"poll_id": 1, "choice": key, "count": counts.get(key, 0)} for key in ("yes", "no", "abstain", CAST)])
    return 1


def _timed(call, repeats: int) -> tuple[float, object]:
    """Median milliseconds of `repeats` calls, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return median(times), result


def measure(ballots: int, tally_repeats: int = 3) -> dict:
    """Seed the poll and time the reads; milliseconds, with the values read to show they are right."""
    from sqlalchemy import func, select

    from stac_youth.extensions import db
    from stac_youth.models import Ballot, Participation, Poll

    from .app_api import app_attr, app_module
    from .dataset import migrate

    with tempfile.TemporaryDirectory(prefix="stac-bench-tally-") as tmp:
        app = _app(Path(tmp) / "tally.db")
        counts, tally_poll = app_module("turnout"), app_attr("tally_poll")  # the live counters' module
        started = time.monotonic()
        migrate(app)
        with app.app_context():
            with db.engine.begin() as conn:
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA cache_size = -262144")
                poll_id = seed_open_poll(conn, ballots)
            seeded = time.monotonic() - started
            poll = db.session.get(Poll, poll_id)
            turnout_ms, (cast, eligible) = _timed(lambda: counts.turnout(poll), CALLS)
            counts_ms, shown = _timed(lambda: counts.results(None, poll), CALLS)
            counted_turnout_ms, counted = _timed(lambda: db.session.scalar(
                select(func.count()).select_from(Participation).where(Participation.poll_id == poll_id)), 20)
            counted_choices_ms, _rows = _timed(lambda: db.session.execute(
                select(Ballot.choices, func.count()).where(Ballot.poll_id == poll_id).group_by(Ballot.choices)).all(),
                20)
            tally_ms, result = _timed(lambda: tally_poll(poll), tally_repeats)
            db.session.remove()
            db.engine.dispose()
    return {
        "ballots": ballots, "seed_seconds": seeded, "turnout_ms": turnout_ms, "turnout": [cast, eligible],
        "counts_ms": counts_ms, "counts": shown["counts"] if shown else None,
        "turnout_counted_from_participations_ms": counted_turnout_ms, "participations_counted": counted,
        "counts_grouped_from_ballots_ms": counted_choices_ms, "tally_from_table_ms": tally_ms,
        "tally_cast": result.cast, "tally_outcome": result.outcome.value,
    }
