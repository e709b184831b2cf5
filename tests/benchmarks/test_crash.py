"""The crash test, reduced: the server under votes and messages killed with SIGKILL and restarted on SQLite.

The real app must lose nothing it acknowledged across two kills; the same run against tests/benchmarks/faulty_app.py,
which acknowledges a ballot before writing it, must report lost ballots, so a regression of that kind fails here.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import replace

import pytest

from benchmarks import crash

pytestmark = pytest.mark.slow

SETTINGS = crash.Settings(cycles=2, uptime_min=1.5, uptime_max=2.0, voters=8, senders=6, polls=4, members=800,
                          settle=1.0, databases=("sqlite",))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """One migrated SQLite file with voters, polls, a room and senders, and its plan; each test runs on a copy."""
    tmp = tmp_path_factory.mktemp("crash")
    setup = crash.prepare("sqlite", f"sqlite:///{tmp / 'template.db'}", SETTINGS, tmp)
    plan = setup.finish(deadline=time.monotonic() + crash.SETUP_TIMEOUT)
    return tmp / "template.db", plan, setup.secret_key


def crash_run(prepared, tmp_path, settings):
    template, plan, secret_key = prepared
    shutil.copy(template, tmp_path / "crash.db")
    return crash.run_database("sqlite", f"sqlite:///{tmp_path / 'crash.db'}", plan, settings, tmp_path, secret_key,
                              seed=2026)


def test_nothing_acknowledged_is_lost_when_the_server_is_killed(prepared, tmp_path):
    """Slow by design (tens of seconds): a real server under load, killed with SIGKILL twice and restarted."""
    result = crash_run(prepared, tmp_path, SETTINGS)

    assert result["cycles_done"] == 2
    assert result["acknowledged"]["ballots"] > 0 and result["acknowledged"]["messages"] > 0
    assert sum(c["in_flight_at_kill"]["ballots"] for c in result["cycles"]) > 0  # the kills hit work under way
    rows = result["rows"]
    assert (rows["lost_ballots"], rows["lost_messages"]) == (0, 0), rows["examples"]
    assert (rows["orphans"], rows["counter_mismatches"], rows["doubled"]) == (0, 0, 0), rows
    assert rows["model_checks_failed"] == {}
    assert result["integrity"]["ok"], result["integrity"]["problems"]
    assert all(goal["pass"] for goal in crash.goals("sqlite", SETTINGS, result))


def test_a_ballot_acknowledged_before_it_is_written_is_reported_lost(prepared, tmp_path):
    # killed 1 s after it answered, before its first write (faulty_app.WRITE_EVERY_SECONDS after it started): what it
    # acknowledged is not written (later, the voters may have cast every ballot before a write)
    faulty = replace(SETTINGS, cycles=1, uptime_min=1.0, uptime_max=1.0, target="tests.benchmarks.faulty_app:app")

    result = crash_run(prepared, tmp_path, faulty)

    assert result["acknowledged"]["ballots"] > 0
    assert result["rows"]["lost_ballots"] > 0
    assert not all(goal["pass"] for goal in crash.goals("sqlite", faulty, result))
