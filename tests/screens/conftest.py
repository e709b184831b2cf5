"""Screen fixtures: an app of the module's own on a frozen clock, served live, its data put back before each test."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from stac_youth import create_app
from stac_youth.config import TestingConfig
from stac_youth.extensions import db, limiter
from tests.conftest import use_cheap_password_hashes
from tests.e2e.conftest import TIMEOUT_MS, VIEWPORTS, served_in_thread
from tests.e2e.helpers import DEMO_PASSWORD, sign_in

from . import data

# Modules whose own time stays real: the browser driver, pytest-xdist's channel to the main process, and the
# clock pytest times tests with.
REAL_TIME_MODULES = ["playwright", "execnet", "xdist", "_pytest.timing"]


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page (its backup API: safe with WAL and with other connections open)."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)


@dataclass
class ScreensApp:
    """The screens' app, the ids their addresses need, its database and the copy of it taken once seeded."""

    app: Flask
    ids: data.ScreenIds
    database: Path
    snapshot: Path
    base_url: str = ""

    def run(self, function: Callable, *args):
        """function(*args) in an application context of the app (as set-up through the services)."""
        with self.app.app_context():
            try:
                return function(*args)
            finally:
                db.session.remove()

    def restore(self, language: str) -> None:
        """The data as seeded, the demo users speaking `language`: a test sees the same screens whichever tests this
        worker ran before (opening pages changes what later ones show: notifications read, rooms visited...)."""
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        copy_database(self.snapshot, self.database)
        self.run(data.set_languages, language)


@pytest.fixture(scope="module")
def screens_app(test_databases, tmp_path_factory) -> Iterator[ScreensApp]:
    """The demo data and the screens' own (tests/screens/data.py), written and served on a frozen clock.

    The seeding moves the clock a millisecond at each reading (rows keep the order they were written in, within the
    minute); then the clock stands still at SHOWN_AT (tick=False): every time a page shows, and every "N minutes" it
    works out, is the same in every run. Sleeps, sockets and thread waits keep real time (freezegun leaves
    time.sleep and the threading module alone), and so do asyncio's loops (real_asyncio), which Playwright's sync
    API runs on.
    """
    from freezegun import freeze_time

    from stac_youth.seed import seed_demo_data

    if test_databases.name != "sqlite":
        pytest.skip("the screens put their data back with SQLite's backup; the database does not change a pixel")
    folder = tmp_path_factory.mktemp("screens")
    url = test_databases.acquire(folder)

    class ScreensConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        AVATAR_DIR = folder
        WTF_CSRF_ENABLED = True  # the real browser posts the real tokens
        # The cookie's expiry is worked out on the frozen server clock but the browser judges it on its own real
        # one: without years to spare, a date in the past would make it drop the session cookie at once.
        PERMANENT_SESSION_LIFETIME = timedelta(days=3650)

    freezer = freeze_time(data.SEEDED_AT, tick=False, auto_tick_seconds=data.SEED_STEP_SECONDS, real_asyncio=True,
                          ignore=REAL_TIME_MODULES)
    clock = freezer.start()
    app = None
    try:
        app = create_app(ScreensConfig)
        with pytest.MonkeyPatch.context() as patch, app.app_context():
            use_cheap_password_hashes(patch)  # the suite's low scrypt cost for the demo accounts
            seed_demo_data(DEMO_PASSWORD)
            data.add_screen_data(clock)
            clock.update_step_width(0)
            clock.move_to(data.SHOWN_AT)
            ids = data.screen_ids()
            db.session.remove()
            db.engine.dispose()
        database = Path(url.removeprefix("sqlite:///"))
        snapshot = folder / "screens-snapshot.db"
        copy_database(database, snapshot)
        yield ScreensApp(app, ids, database, snapshot)
    finally:
        freezer.stop()
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        test_databases.release(url)


@pytest.fixture(scope="module")
def screens(screens_app) -> Iterator[ScreensApp]:
    """screens_app served on 127.0.0.1 (threaded, Socket.IO included)."""
    with served_in_thread(screens_app.app, "screens-live-server") as base_url:
        screens_app.base_url = base_url
        yield screens_app


@pytest.fixture
def signed_in(browser, screens):
    """Factory: signed_in(email, width, lang, color_scheme) is a page of a fresh context, signed in as that user.

    The page's clock is fixed at the server's instant (Date.now() never moves; timers still run), its zone is
    California's and its motion reduced, so what scripts draw is the same in every run too.
    """
    contexts = []

    def _signed_in(email: str, width: int, lang: str, color_scheme: str = "light"):
        context = browser.new_context(
            base_url=screens.base_url,
            viewport={"width": width, "height": VIEWPORTS[width]},
            locale={"en": "en-US", "es": "es-US"}[lang],
            timezone_id="America/Los_Angeles",
            color_scheme=color_scheme,
            reduced_motion="reduce",
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.clock.set_fixed_time(data.SHOWN_AT)
        page = context.new_page()
        # Several sign-ins per test from one address, on a clock that stands still: the limits' windows never pass.
        # (Turning the limiter off in this app's config would turn it off for the worker's later apps too.)
        limiter.reset()
        sign_in(page, email)
        page.mouse.move(0, 0)  # off the sign-in button's place: no hover effect on whatever the screens put there
        return page

    yield _signed_in
    for context in contexts:
        context.close()
