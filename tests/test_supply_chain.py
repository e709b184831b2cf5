"""Dependencies stay above the versions with known advisories; no dangerous constructs in our code."""

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent

# The version floors of docs/security.md ("Known advisories in our stack"); each is above every older fix listed there.
FLOORS = {
    "flask": "3.1.3",  # CVE-2026-27205: no Vary: Cookie for some session reads (older: CVE-2023-30861, 2.3.2)
    "werkzeug": "3.1.7",  # CVE-2025-66221, CVE-2026-21860, CVE-2026-27199 (older: multipart DoS, debugger)
    "python-socketio": "5.16.2",  # CVE-2026-48804: binary attachments pile up (older: CVE-2025-61765, 5.14.0)
    "python-engineio": "4.13.2",  # CVE-2026-48802: unbounded thread allocation
    "flask-socketio": "5.6.1",  # session fixes for Flask >= 3.1.3
}


def _pinned_versions(path: Path) -> dict[str, Version]:
    """Each requirement of the file (by normalised name) with the version it pins with ==."""
    pins = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith(("#", "-r")):
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = Version(specifier.version)
    return pins


@pytest.mark.parametrize(("package", "floor"), FLOORS.items())
def test_installed_version_is_above_advisory_floor(package, floor):
    """The version installed here, read from its metadata, is at least the floor."""
    assert Version(version(package)) >= Version(floor)


@pytest.mark.parametrize(("package", "floor"), FLOORS.items())
def test_pinned_version_is_above_advisory_floor(package, floor):
    """requirements.txt pins the package, at the floor or above, so every fresh install is safe too."""
    pins = _pinned_versions(ROOT / "requirements.txt")
    assert package in pins, f"{package} is not pinned in requirements.txt"
    assert pins[package] >= Version(floor)


def test_dev_requirements_pin_the_tools_the_checks_use():
    """bandit and packaging, which the security checks run on, are pinned for every install."""
    pins = _pinned_versions(ROOT / "requirements.txt") | _pinned_versions(ROOT / "requirements-dev.txt")
    assert {"bandit", "packaging"} <= pins.keys()


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
