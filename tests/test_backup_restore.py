"""A backup taken as docs/deploy.md says, restored into a new database, holds every ballot, participation and message.

The database is migrated with `flask db upgrade` and filled through the app's own services while the app holds it
open (on SQLite the newest pages are still in the -wal file); scripts/backup.sh and scripts/restore.sh do the rest.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from stac_youth.common.roles import Role
from stac_youth.extensions import db
from stac_youth.polls.models import Ballot, Participation, Poll, PollCount
from stac_youth.rooms import messages
from stac_youth.rooms.models import Message, Room
from tests.conftest import PASSWORD
from tests.live_servers import (
    REPO_ROOT,
    flask_db_upgrade,
    gunicorn_servers,
    healthz,
    production_app,
    production_env,
    release,
    sibling_database,
)

pytestmark = pytest.mark.integration

MEMBERS = 5
MESSAGES_EACH = 3
#: every table the test compares, each ordered by its key
TABLES = {"ballots": (Ballot, Ballot.id), "participations": (Participation, Participation.id),
          "messages": (Message, Message.id), "counters": (PollCount, PollCount.poll_id, PollCount.choice),
          "polls": (Poll, Poll.id)}


@pytest.fixture(params=["postgresql", "sqlite"])
def databases(request, tmp_path):
    """(the database to fill, an empty place to restore into) of one kind; PostgreSQL ones are dropped at the end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'live.db'}", f"sqlite:///{tmp_path / 'restored.db'}"
        return
    postgres_url = request.getfixturevalue("postgres_url")
    with sibling_database(postgres_url, "backup") as source, sibling_database(postgres_url, "restored") as target:
        yield source, target


def _fill() -> None:
    """Members chat in a room and vote in an open, a secret approval and a closed ranked-choice poll."""
    from stac_youth.members.bootstrap import create_account
    from stac_youth.polls import ballots, lifecycle
    from stac_youth.rooms import moderation
    from stac_youth.rooms.rooms import create_topic_room
    from stac_youth.seed import seed_regions

    seed_regions()
    advisor = create_account("advisor@example.test", "Ada Advisor", PASSWORD, Role.ADVISOR)
    members = [create_account(f"m{n}@example.test", f"Member {n}", PASSWORD, Role.MEMBER) for n in range(MEMBERS)]
    room = create_topic_room(advisor, "Backups", "", None)
    posted = [messages.post_message(member, room, f"¿Sí? *{n}.{k}* 🎉", f"c-{n}-{k}").message
              for n, member in enumerate(members) for k in range(MESSAGES_EACH)]
    moderation.delete_message(advisor, posted[0])  # a deleted message is kept, marked, and must come back so
    show = lifecycle.create_poll(advisor, None, "Adopt it?", "yes_no_abstain")
    secret = lifecycle.create_poll(advisor, None, "Which days?", "approval", ["Mon", "Tue", "Wed"], secret=True)
    ranked = lifecycle.create_poll(advisor, None, "Which venue?", "ranked_choice", ["Hall", "Park", "Library"])
    for poll in (show, secret, ranked):
        lifecycle.open_poll(advisor, poll)
    for n, member in enumerate(members):
        ballots.cast_ballot(member, show, ("yes", "no", "abstain")[n % 3])
        ballots.cast_ballot(member, secret, [option.id for option in secret.options][: n % 3 + 1])
        ballots.cast_ballot(member, ranked, [option.id for option in ranked.options][::(-1) ** n])
    lifecycle.close_poll(advisor, ranked)


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of the compared tables, all columns, read through a new connection."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {name: [tuple(row) for row in connection.execute(select(model.__table__).order_by(*keys))]
                    for name, (model, *keys) in TABLES.items()}
    finally:
        engine.dispose()


def _script(name: str, database_url: str, *args: str) -> subprocess.CompletedProcess:
    """Run scripts/<name> as an operator would, with DATABASE_URL set."""
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHON": sys.executable}
    return subprocess.run([str(REPO_ROOT / "scripts" / name), *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def _assert_every_row_came_back(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> None:
    """The source held what _fill wrote, and the restored database holds the same rows, column for column."""
    assert len(before["messages"]) == MEMBERS * MESSAGES_EACH
    assert len(before["ballots"]) == len(before["participations"]) == 3 * MEMBERS
    deleted_at = Message.__table__.c.keys().index("deleted_at")
    assert sum(1 for row in before["messages"] if row[deleted_at]) == 1
    for name in TABLES:
        assert after[name] == before[name], name


def test_a_restored_backup_holds_every_ballot_participation_and_message(databases, tmp_path):
    """Back up a live database with scripts/backup.sh, restore it with scripts/restore.sh, and find it all."""
    source, target = databases
    secret_key = secrets.token_hex(32)
    flask_db_upgrade(production_env(source, secret_key, tmp_path))
    app = production_app(source, secret_key, tmp_path)
    with app.app_context():
        _fill()
        db.session.remove()
        if source.startswith("sqlite"):  # the app still holds the file: the newest pages sit in the -wal file
            assert Path(source.removeprefix("sqlite:///") + "-wal").stat().st_size > 0
        before = _rows(source)
        backup = tmp_path / "stac.backup"
        made = _script("backup.sh", source, str(backup))
        assert made.returncode == 0, made.stderr
    release(app)
    restored = _script("restore.sh", target, str(backup))
    assert restored.returncode == 0, restored.stderr
    _assert_every_row_came_back(before, _rows(target))
    _assert_the_app_runs_on(target, secret_key, tmp_path, before)


def _assert_the_app_runs_on(database_url: str, secret_key: str, tmp_path: Path, before: dict) -> None:
    """The production server answers its health check on the restored database, and new messages take new ids."""
    with gunicorn_servers(["restored"], production_env(database_url, secret_key, tmp_path), tmp_path) as (server,):
        assert healthz(server) == {"status": "ok", "db": "ok"}
    app = production_app(database_url, secret_key, tmp_path)
    with app.app_context():
        author = db.session.get(Message, before["messages"][-1][0]).author
        room = db.session.scalar(select(Room))
        added = messages.post_message(author, room, "after the restore", "after-restore").message
        assert added.id > max(row[0] for row in before["messages"])
    release(app)


def test_restore_refuses_to_overwrite_an_existing_sqlite_database(tmp_path):
    """An operator who restores onto the live file by mistake gets an error, and the file is left as it was."""
    live, backup = tmp_path / "live.db", tmp_path / "old.backup"
    live.write_bytes(b"the live database")
    backup.write_bytes(b"")
    refused = _script("restore.sh", f"sqlite:///{live}", str(backup))
    assert refused.returncode != 0 and "exists" in refused.stderr
    assert live.read_bytes() == b"the live database"
