"""The production entry point (gunicorn app:app): what it sets up beyond the application itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_start_up_objects_are_frozen_out_of_full_collections(tmp_path):
    env = os.environ | {"STAC_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    probe = "import gc, app; print(gc.get_freeze_count(), app.app.name)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    frozen, name = result.stdout.split()
    assert name == "stac_youth" and int(frozen) > 50_000


def test_database_pool_size_sets_the_connections_each_process_keeps(tmp_path):
    env = os.environ | {"STAC_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
                        "DATABASE_POOL_SIZE": "37"}
    probe = "import app; from stac_youth.extensions import db\nwith app.app.app_context(): print(db.engine.pool.size())"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.split()[-1] == "37"
