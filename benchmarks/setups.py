"""Setups: a benchmark's *_setup.py module run in its own process with the app's production environment, and a
cache that lets later benchmarks of the same `all --quick` run reuse a setup made with the same arguments."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .harness import ROOT, BenchmarkError, server_env

#: a directory in which setups are kept for reuse by later benchmarks of the same run (set by `all --quick`)
SETUP_CACHE_ENV = "BENCH_SETUP_CACHE"


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite database, what is still in its write-ahead log included (SQLite's backup)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@dataclass
class Setup:
    """A benchmark's setup module (benchmarks/*_setup.py) run in its own process for the app on one database.

    It writes its plan to `out` as JSON; the plan's session cookies are signed with secret_key, which the app's
    servers get too. With a cache entry (SQLite only), a setup already made with the same module and arguments is
    reused instead: its database copied, its plan and secret key read back, no process run."""

    name: str
    argv: list[str]
    out: Path
    database_url: str
    secret_key: str
    cache: Path | None = None
    process: subprocess.Popen | None = None

    @property
    def sqlite_file(self) -> Path:
        """The database file (with a cache entry, the database is an SQLite one)."""
        return Path(self.database_url.removeprefix("sqlite:///"))

    def start(self) -> Setup:
        """Start the process (stdout and stderr to files next to `out`), or take the cached setup; no waiting."""
        if self.cache is not None and (self.cache / "plan.json").exists():
            copy_sqlite(self.cache / "app.db", self.sqlite_file)
            self.secret_key = (self.cache / "secret_key").read_text()
            for suffix in (".json", ".stdout"):
                shutil.copy(self.cache / f"plan{suffix}", self.out.with_suffix(suffix))
            return self
        env = server_env(STAC_ENV="production", SECRET_KEY=self.secret_key, DATABASE_URL=self.database_url)
        with self.out.with_suffix(".stdout").open("wb") as stdout, self.out.with_suffix(".stderr").open("wb") as stderr:
            self.process = subprocess.Popen(self.argv, cwd=ROOT, env=env, stdout=stdout,  # noqa: S603
                                            stderr=stderr, stdin=subprocess.DEVNULL)
        return self

    def finish(self, deadline: float) -> dict:
        """Wait for it until deadline (time.monotonic()); its plan, or BenchmarkError with the end of its output."""
        if self.process is not None and self.process.returncode is None:
            try:
                self.process.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired as error:
                self.kill()
                raise BenchmarkError(f"{self.name} setup did not finish in time") from error
            if self.process.returncode != 0:
                raise BenchmarkError(f"{self.name} setup failed ({self.process.returncode}):\n"
                                     f"{self.stdout()[-2000:]}\n"
                                     f"{self.out.with_suffix('.stderr').read_text(errors='replace')[-4000:]}")
            self._keep()
        return json.loads(self.out.read_text())

    def _keep(self) -> None:
        """Put the finished setup in its cache entry (finish comes before any server is asked anything)."""
        if self.cache is None or (self.cache / "plan.json").exists():
            return
        self.cache.mkdir(parents=True, exist_ok=True)
        copy_sqlite(self.sqlite_file, self.cache / "app.db")
        (self.cache / "secret_key").write_text(self.secret_key)
        shutil.copy(self.out.with_suffix(".stdout"), self.cache / "plan.stdout")
        shutil.copy(self.out, self.cache / "plan.json")  # last: an entry counts once its plan is there

    def stdout(self) -> str:
        """What it printed (its report: row counts, timings)."""
        return self.out.with_suffix(".stdout").read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL by PID if it still runs (a benchmark that stops early leaves no setup behind)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def start_setup(module: str, name: str, args: list[str], tmp: Path, database_url: str) -> Setup:
    """Start `python -m benchmarks.<module> --out <tmp>/<name>.json ARGS` with the app's production environment and a
    new secret key, or reuse the same setup from the cache directory of SETUP_CACHE_ENV (SQLite only)."""
    argv = [sys.executable, "-m", f"benchmarks.{module}", "--out", str(tmp / f"{name}.json"), *args]
    cache, entry = os.environ.get(SETUP_CACHE_ENV), None
    if cache and database_url.startswith("sqlite:///"):
        entry = Path(cache) / hashlib.sha256(json.dumps([module, *args]).encode()).hexdigest()[:16]
    return Setup(name, argv, tmp / f"{name}.json", database_url, secrets.token_hex(32), entry).start()
