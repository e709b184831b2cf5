"""`flask seed` adds three demo meetings (ended with minutes, upcoming, draft), once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from stac_youth.meetings.models import AgendaItem, Meeting, MinutesRevision


@pytest.fixture
def fresh_app(make_app):
    """An app on an empty (migrated, unseeded) database."""
    return make_app()


def _seed(application):
    """Run `flask seed` as the flask command does: inside an application context."""
    with application.app_context():
        result = application.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    return result


def _counts(application) -> tuple[int, int, int]:
    with application.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Meeting, AgendaItem, MinutesRevision)
        )


def test_seed_adds_three_meetings_with_agendas(fresh_app):
    assert _counts(fresh_app) == (0, 0, 0)
    _seed(fresh_app)
    with fresh_app.app_context():
        meetings = {m.status: m for m in db.session.scalars(select(Meeting))}
        assert sorted(meetings) == ["draft", "ended", "published"]
        assert db.session.scalar(select(func.count()).select_from(Meeting)) == 3
        now = utcnow()

        ended = meetings["ended"]
        assert ended.ends_at < now
        assert ended.latest_minutes is not None and "Present" in ended.latest_minutes.body
        assert ended.latest_minutes.author.email == "advisor@example.org"

        upcoming = meetings["published"]
        assert upcoming.starts_at > now
        assert upcoming.video_url.startswith("https://")
        assert upcoming.minutes_revisions == []

        assert meetings["draft"].starts_at > now
        for meeting in meetings.values():
            assert len(meeting.items) >= 2
            assert [item.position for item in meeting.items] == list(range(len(meeting.items)))
            assert meeting.created_by.email == "advisor@example.org"
            assert meeting.planned_minutes <= meeting.length_minutes


def test_seed_twice_adds_nothing(fresh_app):
    _seed(fresh_app)
    first = _counts(fresh_app)
    assert first[0] == 3 and first[1] > 0 and first[2] == 1
    _seed(fresh_app)
    assert _counts(fresh_app) == first
