"""Modules used without the app (the benchmarks' tally and crash checks) import on their own in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("module", [
    "stac_youth.polls.tally", "stac_youth.polls.ballots", "stac_youth.polls.lifecycle", "stac_youth.proposals.routes",
    "benchmarks.tally"])
def test_the_module_imports_on_its_own(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
