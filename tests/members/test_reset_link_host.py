"""Links in emails come from PUBLIC_BASE_URL, never from the Host a request claims; production refuses unknown hosts."""

from __future__ import annotations

import re

import pytest

from stac_youth import create_app
from stac_youth.config import ProductionConfig, trusted_hosts_from_env
from stac_youth.extensions import db, limiter
from tests.conftest import PASSWORD

PUBLIC = "https://stac-youth.example.org"
EVIL = {"Host": "evil.example"}
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def public_app(app):
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    return app


def _links(message) -> list[str]:
    return LINK.findall(message.body)


def test_reset_link_ignores_a_forged_host_header(public_app, client, make_user, outbox):
    make_user("member", email="forgetful@example.org")
    response = client.post("/forgot-password", data={"email": "forgetful@example.org"}, headers=EVIL)
    assert response.status_code == 302
    assert len(outbox) == 1
    links = _links(outbox[0])
    assert len(links) == 1 and links[0].startswith(f"{PUBLIC}/reset-password/"), links
    assert "evil.example" not in outbox[0].body
    # The emailed link is a working one.
    assert client.get(links[0].removeprefix(PUBLIC)).status_code == 200


def test_invitation_link_ignores_a_forged_host_header(public_app, client, make_user, outbox):
    admin = make_user("admin")
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}, headers=EVIL).status_code == 302
    response = client.post("/admin/invitations", data={"email": "new@example.org", "role": "member", "region_id": 0},
                           headers=EVIL)
    assert response.status_code == 200
    links = _links(outbox[0])
    assert links and all(link.startswith(f"{PUBLIC}/register/") for link in links), links
    assert "evil.example" not in outbox[0].body
    # The link the page shows the inviter (to pass on by hand) is the same.
    assert links[0] in response.get_data(as_text=True)
    assert "evil.example" not in response.get_data(as_text=True)


def test_notification_email_links_ignore_a_forged_host_header(public_app, client, make_user, outbox):
    """The notice of repeated failed sign-ins is emailed during a request with the attacker's Host."""
    make_user("member", email="owner@example.org")
    for attempt in range(6):
        client.post("/login", data={"email": "owner@example.org", "password": "wrong wrong wrong"},
                    headers=EVIL, environ_base={"REMOTE_ADDR": f"10.77.0.{attempt}"})
    assert len(outbox) == 1
    assert _links(outbox[0]) == [f"{PUBLIC}/account"]


@pytest.fixture
def production_app(test_databases, tmp_path, monkeypatch):
    """A production app whose trusted hosts come from the settings, as they do from the environment."""
    monkeypatch.setenv("SECRET_KEY", "a-production-like-secret-key-for-the-test-0123456789")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    url = test_databases.acquire(tmp_path)

    class _Production(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = url
        AVATAR_DIR = tmp_path / "avatars"
        RATELIMIT_STORAGE_URI = "memory://"
        REDIS_URL = None
        PUBLIC_BASE_URL = PUBLIC
        TRUSTED_HOSTS = trusted_hosts_from_env(PUBLIC)

    application = create_app(_Production)
    limiter.reset()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    test_databases.release(url)


def test_production_refuses_a_request_for_an_unknown_host(production_app):
    client = production_app.test_client()
    assert client.get("/login", base_url="https://stac-youth.example.org").status_code == 200
    assert client.get("/login", base_url="https://evil.example").status_code == 400
    refused = client.post("/forgot-password", base_url="https://evil.example", data={"email": "x@example.org"})
    assert refused.status_code == 400
    # Health checks on the machine itself still answer (curl http://127.0.0.1:8101/healthz).
    assert client.get("/healthz", base_url="http://127.0.0.1:8101").status_code == 200


def test_trusted_hosts_default_to_the_public_address_and_can_be_listed(monkeypatch):
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    assert trusted_hosts_from_env("https://board.example.org/stac") == ["board.example.org", "localhost", "127.0.0.1"]
    monkeypatch.setenv("TRUSTED_HOSTS", "board.example.org, .example.net")
    assert trusted_hosts_from_env("https://board.example.org") == ["board.example.org", ".example.net"]
    assert ProductionConfig.TRUSTED_HOSTS  # production always checks the Host header

