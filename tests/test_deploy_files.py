"""The files under deploy/: the guide shows them as they are, and every systemd unit passes `systemd-analyze verify`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import _service_missing

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPLOY = REPO_ROOT / "deploy"
GUIDE = REPO_ROOT / "docs" / "deploy.md"
FILES = sorted(path.name for path in DEPLOY.iterdir() if path.is_file())
INSTALLED_VENV = "/srv/stac-youth/.venv/bin/"
UNITS = sorted(DEPLOY.glob("*.service"))


def block_after(text: str, name: str) -> str:
    """The fenced block right after the guide's paragraph that introduces `deploy/<name>` and ends with a colon."""
    paragraph_rest = r"(?:[^\n]|\n(?!\n))*"  # up to the blank line
    found = re.search(rf"`deploy/{re.escape(name)}`{paragraph_rest}:\n\n```[a-z]*\n(.*?)^```$", text, re.M | re.S)
    assert found, f"docs/deploy.md introduces no block with `deploy/{name}`"
    return found.group(1)


@pytest.mark.parametrize("name", FILES)
def test_the_guide_shows_the_deploy_file_byte_for_byte(name):
    """Every file under deploy/ is shown in docs/deploy.md as it is, so the two never drift apart."""
    assert block_after(GUIDE.read_text(), name) == (DEPLOY / name).read_text()


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_systemd_analyze_verify_accepts_the_unit(unit, tmp_path):
    """`systemd-analyze verify` finds no error and no ignored line in the unit (a template as instance 8101).

    verify refuses an ExecStart whose program does not exist, and this machine has no /srv/stac-youth: the copy
    verified here runs the same program from this test's own virtualenv, which has the same bin/ layout. Everything
    else is the file as shipped. A missing `stac` account (User=, Group=) may only be warned about, on a line that
    does not start with the file's path, so it does not fail the test."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        _service_missing("systemd-analyze", "install Debian's systemd package")
    venv_bin = Path(sys.executable).parent
    copy = tmp_path / unit.name
    copy.write_text(unit.read_text().replace(INSTALLED_VENV, f"{venv_bin}/"))
    target = tmp_path / unit.name.replace("@.", "@8101.") if "@." in unit.name else copy
    done = subprocess.run([analyze, "verify", "--man=no", str(target)], capture_output=True, text=True, timeout=60,
                          check=False)
    output = done.stdout + done.stderr
    # Parse problems are printed as "<file>:<line>: ..." and systemd then ignores the line: a unit that would not
    # run as written. Lines about other units on this machine are not this file's concern.
    ignored = [line for line in output.splitlines() if line.startswith(f"{copy}:")]
    assert done.returncode == 0 and not ignored, output
