"""Dependencies stay above the versions with known advisories; no dangerous constructs in our code."""

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent

FLOORS = {
    "flask": "3.1.3",
    "werkzeug": "3.1.7",
    "python-socketio": "5.16.2",
    "python-engineio": "4.13.2",
    "flask-socketio": "5.6.1",
}


@pytest.mark.parametrize(("package", "floor"), FLOORS.items())
def test_installed_version_is_above_advisory_floor(package, floor):
    assert Version(version(package)) >= Version(floor)


def test_every_runtime_requirement_is_pinned_exactly():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line.strip()), line


def test_no_pickle_eval_or_unsafe_yaml_in_app_code():
    pattern = re.compile(r"\bimport pickle\b|\bpickle\.loads?\(|\byaml\.load\(|(?<![\w.])eval\(|(?<![\w.])exec\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in list((ROOT / "stac_youth").rglob("*.py")) + [ROOT / "app.py"]
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
