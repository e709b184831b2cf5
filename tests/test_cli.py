"""`flask seed`: demo regions and accounts, idempotent, refused in production."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stac_youth.extensions import db
from stac_youth.members.models import County, MemberInterest, Region, User
from stac_youth.seed import REGIONS
from tests.conftest import login

STAFF = {
    "admin@example.org": "admin",
    "advisor@example.org": "advisor",
    "advisor2@example.org": "advisor",
    "planner@example.org": "planner",
}
STUDENTS = {f"student{n}@example.org": "member" for n in range(1, 13)}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh_app(make_app):
    """An app on an empty (migrated, unseeded) database."""
    return make_app()


def _seed(application):
    """Run `flask seed` as the flask command does: inside an application context."""
    with application.app_context():
        return application.test_cli_runner().invoke(args=["seed"])


def _counts(application) -> tuple[int, int, int, int]:
    with application.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Region)),
            db.session.scalar(select(func.count()).select_from(County)),
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(MemberInterest)),
        )


def test_seed_creates_regions_counties_and_accounts(fresh_app):
    assert _counts(fresh_app) == (0, 0, 0, 0)
    result = _seed(fresh_app)
    assert result.exit_code == 0, result.output

    with fresh_app.app_context():
        regions = {r.name: r for r in db.session.scalars(select(Region).order_by(Region.position))}
        assert list(regions) == list(REGIONS)
        assert len(regions) == 8
        for name, counties in REGIONS.items():
            assert sorted(c.name for c in regions[name].counties) == sorted(counties)
        assert db.session.scalar(select(func.count()).select_from(County)) == 58  # California's counties

        users = {u.email: u for u in db.session.scalars(select(User))}
        assert {email: u.role for email, u in users.items()} == {**STAFF, **STUDENTS}
        assert all(u.region_id is not None and u.active for u in users.values())
        assert users["student1@example.org"].interest_tags
        assert users["student4@example.org"].hide_school is True
        assert users["student1@example.org"].hide_school is False

    for email, role in {**STAFF, **STUDENTS}.items():
        assert email in result.output
        assert role in result.output
    assert "already there" not in result.output

    # The printed password signs the demo accounts in.
    with fresh_app.app_context():
        client = fresh_app.test_client()
        assert login(client, "admin@example.org", fresh_app.config["DEMO_PASSWORD"]).status_code == 302


def test_seed_twice_changes_nothing(fresh_app):
    assert _seed(fresh_app).exit_code == 0
    first = _counts(fresh_app)
    again = _seed(fresh_app)
    assert again.exit_code == 0, again.output
    assert _counts(fresh_app) == first
    assert again.output.count("(already there)") == len(STAFF) + len(STUDENTS)


def test_seed_refuses_production(make_app):
    production = make_app(ENV_NAME="production")
    result = _seed(production)
    assert result.exit_code != 0
    assert "production" in result.output
    assert _counts(production) == (0, 0, 0, 0)


# --- links in the demo data's emails follow the port the app runs on ---------------------------------------------


def _run(args: list[str], tmp_path, migrated_template, **env: str) -> subprocess.CompletedProcess:
    """A command of the app in a fresh process, development settings, on a copy of the migrated template."""
    database = tmp_path / "seeded.db"
    if not database.exists():
        shutil.copy(migrated_template, database)
    settings = {key: value for key, value in os.environ.items()
                if not key.startswith(("STAC_", "PUBLIC_BASE_URL", "MAIL_", "HOST", "PORT", "TRUSTED_HOSTS"))}
    settings |= {"STAC_ENV": "development", "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "cli-test-key",
                 "STAC_DEMO_PASSWORD": "demo-pass-cli", **env}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=settings, capture_output=True, text=True,
                          timeout=300, check=False)


def test_seed_emails_link_to_the_port_the_app_runs_on(tmp_path, migrated_template):
    done = _run(["-m", "flask", "--app", "app", "seed"], tmp_path, migrated_template, PORT="8123")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Sign in at http://127.0.0.1:8123/login" in done.stdout
    # seed queues the notification emails; the mail sender sends them, through the console mail backend
    sent = _run(["-m", "flask", "--app", "app", "mail-worker", "--once"], tmp_path, migrated_template, PORT="8123")
    assert sent.returncode == 0, sent.stderr[-3000:]
    printed = sent.stdout + sent.stderr
    links = set(re.findall(r"https?://[^\s/\"'<>]+", printed))
    assert "http://127.0.0.1:8123/meetings/" in printed  # the demo meetings' notification emails
    assert links == {"http://127.0.0.1:8123"}, links  # not one link to port 5000


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "http://127.0.0.1:5000"),
    ({"PORT": "8080"}, "http://127.0.0.1:8080"),
    ({"PORT": "8080", "HOST": "::"}, "http://127.0.0.1:8080"),  # every address: links to the machine itself
    ({"PORT": "8080", "HOST": "192.168.1.20"}, "http://192.168.1.20:8080"),  # a phone on the same network
    ({"PORT": "8080", "PUBLIC_BASE_URL": "https://stac.example.org"}, "https://stac.example.org"),  # set: kept
])
def test_public_address_defaults_to_where_the_development_server_listens(tmp_path, migrated_template, env, expected):
    probe = "from stac_youth.config import Config; print(Config.PUBLIC_BASE_URL)"
    done = _run(["-c", probe], tmp_path, migrated_template, **env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == expected
