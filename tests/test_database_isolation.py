"""The suite's databases (SQLite copies, or reused PostgreSQL databases) leak no rows and no ids from test to test."""

from __future__ import annotations

from sqlalchemy import func, select

from stac_youth.extensions import db
from stac_youth.seed import seed_regions
from tests.conftest import UserFactory


def _write_a_member(make_app, url: str) -> int:
    """Seed the regions and add a member on the database at url; returns the member's id."""
    application = make_app(SQLALCHEMY_DATABASE_URI=url)
    with application.app_context():
        seed_regions()
        member_id = UserFactory()("member").id
        db.session.remove()
        db.engine.dispose()
    return member_id


def _row_counts(make_app, url: str) -> dict[str, int]:
    """Rows in every model table of the database at url."""
    application = make_app(SQLALCHEMY_DATABASE_URI=url)
    with application.app_context():
        counts = {table.name: db.session.scalar(select(func.count()).select_from(table))
                  for table in db.metadata.sorted_tables}
        db.session.remove()
        db.engine.dispose()
    return counts


def test_a_database_handed_out_again_is_empty_and_counts_ids_from_the_start(test_databases, make_app, tmp_path):
    first = test_databases.acquire(tmp_path)
    first_id = _write_a_member(make_app, first)
    test_databases.release(first)

    second = test_databases.acquire(tmp_path)
    try:
        if test_databases.name == "postgresql":
            assert second == first  # the same database, emptied: the path every test after the first takes
        assert set(_row_counts(make_app, second).values()) == {0}
        assert _write_a_member(make_app, second) == first_id
    finally:
        test_databases.release(second)
