"""Browser fixtures: a seeded live server, one Debian Chromium per session, pages per viewport, axe checks."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from stac_youth import create_app
from stac_youth.config import TestingConfig
from stac_youth.extensions import db, limiter
from tests.conftest import use_cheap_password_hashes

from .helpers import DEMO_PASSWORD

VIEWPORTS = {390: 844, 1280: 900}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def live_app(test_databases, tmp_path_factory) -> Iterator[Flask]:
    """The app on a migrated database of the suite, seeded, CSRF on; tests may also set up data through its services."""
    from stac_youth.seed import seed_demo_data

    folder = tmp_path_factory.mktemp("e2e")
    url = test_databases.acquire(folder)

    class E2EConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        AVATAR_DIR = folder
        WTF_CSRF_ENABLED = True  # the real browser posts the real tokens

    app = create_app(E2EConfig)
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        use_cheap_password_hashes(patch)  # the suite's low scrypt cost for the demo accounts (checked at sign-in)
        seed_demo_data(DEMO_PASSWORD)
        db.session.remove()
    limiter.reset()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        test_databases.release(url)


@contextlib.contextmanager
def served_in_thread(app: Flask, name: str) -> Iterator[str]:
    """The app served on 127.0.0.1 by a threaded werkzeug server (Socket.IO included); yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base_url  # links in emails and invitations point at this server
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """live_app served on 127.0.0.1; yields its base URL."""
    with served_in_thread(live_app, "e2e-live-server") as base_url:
        yield base_url


@pytest.fixture
def in_app(live_app):
    """Run a function in an application context of the live server's app, as set-up through the services.

    in_app(fn, *args) returns fn(*args); the session is removed afterwards, so objects come back detached: return
    ids and plain values rather than model instances.
    """

    def _run(function, *args, **kwargs):
        with live_app.app_context():
            try:
                return function(*args, **kwargs)
            finally:
                db.session.remove()

    return _run


@pytest.fixture
def page(browser, live_server) -> Iterator[Callable]:
    """Factory: page(width, color_scheme) opens a fresh context (own cookies) at 390 or 1280 px on the live server."""
    contexts = []

    def _page(width: int = 1280, color_scheme: str = "light"):
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": VIEWPORTS.get(width, 900)},
            locale="en-US",
            color_scheme=color_scheme,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _page
    for context in contexts:
        context.close()
