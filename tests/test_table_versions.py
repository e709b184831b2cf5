"""Which tables a statement reads and writes, and versions that move after a write, in one process or through Redis."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from stac_youth.common.table_versions import EVERYTHING, LocalVersions, RedisVersions, SqlTables
from stac_youth.extensions import db
from stac_youth.models import *  # noqa: F403 - every table in the metadata


@pytest.fixture(scope="module")
def tables():
    return SqlTables(db.metadata)


@pytest.mark.parametrize(("statement", "written"), [
    ("INSERT INTO messages (room_id, body) VALUES (?, ?)", {"messages"}),
    ('UPDATE "proposals" SET title=? WHERE proposals.id = ?', {"proposals"}),
    ("INSERT OR IGNORE INTO room_reads (room_id, user_id) VALUES (?, ?)", {"room_reads"}),
    ("INSERT INTO poll_participations (poll_id, user_id, created_at) SELECT ?, ?, ? FROM polls WHERE id = ?"
     " ON CONFLICT (poll_id, user_id) DO UPDATE SET created_at = excluded.created_at", {"poll_participations"}),
    ("WITH poll AS (UPDATE polls SET status = status WHERE id = %(id)s RETURNING id), "
     "ins AS (INSERT INTO ballots (id, poll_id) SELECT %(b)s, id FROM poll RETURNING poll_id) "
     "UPDATE poll_counts SET count = count + 1 FROM ins WHERE poll_counts.poll_id = ins.poll_id",
     {"polls", "ballots", "poll_counts"}),
])
def test_a_write_names_the_tables_it_changes(tables, statement, written):
    assert tables.written_by(statement) == written


def test_a_delete_also_changes_the_tables_it_cascades_to(tables):
    written = tables.written_by("DELETE FROM rooms WHERE rooms.id = ?")
    assert {"rooms", "messages", "room_reads"} <= written


@pytest.mark.parametrize("statement", [
    "SELECT polls.id FROM polls WHERE polls.id = ? FOR UPDATE",
    "WITH recent AS (SELECT id FROM messages ORDER BY id DESC LIMIT 50) SELECT * FROM recent",
    "  select 1",
    "PRAGMA foreign_keys=ON",
    "SAVEPOINT sa_savepoint_1",
])
def test_queries_write_nothing(tables, statement):
    assert tables.written_by(statement) is None


@pytest.mark.parametrize("statement", [
    "CREATE TABLE scratch (id INTEGER)",
    "INSERT INTO alembic_version (version_num) VALUES ('x')",
    "DROP INDEX ix_messages_room_id",
])
def test_an_unknown_write_changes_everything(tables, statement):
    assert tables.written_by(statement) == {EVERYTHING}


def test_a_query_reads_every_table_it_names_and_no_other(tables):
    statement = ("SELECT messages.id, users.display_name FROM messages JOIN users ON users.id = messages.author_id "
                 "WHERE messages.room_id = ? AND messages.id > (SELECT last_read_id FROM room_reads)")
    assert tables.read_by(statement) == {"messages", "users", "room_reads"}
    assert "poll_options" not in tables.read_by("SELECT polls.id FROM polls")


def test_local_versions_never_repeat_a_value():
    versions = LocalVersions()
    before = versions.snapshot()
    versions.bump({"messages"})
    middle = versions.snapshot()
    versions.bump({"messages", "rooms"})
    after = versions.snapshot()
    assert before.get("messages", 0) != middle["messages"] != after["messages"]
    assert after["rooms"] not in (0, middle.get("rooms", 0))


def test_redis_versions_are_shared_and_kept_apart_per_database(redis_url):
    one, same = RedisVersions(redis_url, "sqlite:///one.db"), RedisVersions(redis_url, "sqlite:///one.db")
    other = RedisVersions(redis_url, "sqlite:///other.db")
    before, elsewhere = same.snapshot(), other.snapshot()
    one.bump({"messages"})
    assert same.snapshot()["messages"] == before.get("messages", 0) + 1
    assert other.snapshot() == elsewhere


def test_redis_out_of_reach_means_no_versions():
    unreachable = RedisVersions("redis://127.0.0.1:1/0", "sqlite:///one.db")
    assert unreachable.snapshot() is None
    unreachable.bump({"messages"})  # logged, not raised: the write itself has already committed


def test_a_committed_write_moves_the_version_after_the_commit(app):
    versions = app.extensions["page_cache.versions"]
    before = versions.snapshot().get("regions", 0)
    with db.engine.connect() as connection:
        connection.execute(text("UPDATE regions SET name = name || '' WHERE id IN (SELECT MIN(id) FROM regions)"))
        assert versions.snapshot().get("regions", 0) == before  # not committed yet: readers keep the old pages
        connection.commit()
    assert versions.snapshot()["regions"] != before
