"""The benchmark data set: the requested sizes, seeded consistently with the app's model of polls and rooms."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from benchmarks import dataset
from stac_youth.extensions import db

TINY = dataset.Sizes(members=24, meetings=5, proposals=30, polls=12, ballots=200, messages=300, agenda_items=5)


@pytest.fixture
def app(make_app):
    """The migrated schema with no rows at all (the dataset seeds the regions itself)."""
    return make_app()


def seed_tiny(app, sizes=TINY):
    with app.app_context(), db.engine.begin() as conn:
        return dataset.seed(conn, sizes, seed_value=7)


def count(app, sql: str) -> int:
    with app.app_context(), db.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_seeds_the_requested_sizes(app):
    report = seed_tiny(app)

    members = "SELECT count(*) FROM users WHERE role = 'member' AND active"
    assert count(app, members) == TINY.members
    assert count(app, "SELECT count(*) FROM meetings") == TINY.meetings
    assert count(app, "SELECT count(*) FROM proposals") == TINY.proposals
    assert count(app, "SELECT count(*) FROM polls") == TINY.polls
    assert count(app, "SELECT count(*) FROM ballots") == report.ballots == TINY.ballots
    assert count(app, "SELECT count(*) FROM messages") == TINY.messages
    assert count(app, "SELECT count(*) FROM agenda_items") >= TINY.meetings * 3
    assert count(app, "SELECT count(*) FROM users WHERE role = 'member' AND region_id IS NULL") == 0


def test_seeded_data_is_consistent_with_the_app(app):
    seed_tiny(app)

    with app.app_context(), db.engine.connect() as conn:
        assert dataset.consistency(conn) == dict.fromkeys(dataset.CHECKS, 0)
    # every status a proposal can reach is there, and each open poll's proposal is in the vote
    assert count(app, "SELECT count(*) FROM polls WHERE status = 'open'") >= 1
    assert count(app, "SELECT count(*) FROM polls WHERE status = 'closed' AND turnout_percent IS NOT NULL") >= 1
    assert count(app, "SELECT count(DISTINCT status) FROM proposals") >= 5
    assert count(app, "SELECT count(*) FROM meetings WHERE status = 'live' AND current_item_id IS NOT NULL") == 1


def test_former_members_make_room_for_more_ballots_than_the_board_can_cast(app):
    sizes = dataset.Sizes(members=10, meetings=3, proposals=20, polls=10, ballots=300, messages=50, agenda_items=4)
    assert sizes.former_members() > 0

    report = seed_tiny(app, sizes)

    assert report.ballots == 300
    assert count(app, "SELECT count(*) FROM users WHERE role = 'member' AND NOT active") == sizes.former_members()
    with app.app_context(), db.engine.connect() as conn:
        assert not any(dataset.consistency(conn).values())
