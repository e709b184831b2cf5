"""Dependencies: the compiled pins match their .in files, all hashed, above the advisory floors; no dangerous code."""

import re
from dataclasses import dataclass, field
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


@dataclass
class Pin:
    """One pin of a file compiled by pip-compile: its version, its hashes and the sources its `# via` names."""

    version: Version
    hashes: list[str] = field(default_factory=list)
    via: set[str] = field(default_factory=set)


def _logical_lines(path: Path) -> list[str]:
    """The file's lines with backslash continuations joined."""
    return path.read_text().replace("\\\n", " ").splitlines()


def _compiled(path: Path) -> dict[str, Pin]:
    """Each pin of a compiled requirements file, by normalised name."""
    pins: dict[str, Pin] = {}
    current = None
    for line in _logical_lines(path):
        text = line.strip()
        if line.startswith("    #") and current is not None:
            # pip-compile writes `# via source`, or `# via` followed by one `#   source` line each
            if text != "# via":
                current.via.add(text.removeprefix("# via ").removeprefix("#").strip())
        elif text and not text.startswith(("#", "-")):
            spec, *options = text.split()
            requirement = Requirement(spec)
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"{path.name}: {spec} is not pinned with =="
            current = pins[canonicalize_name(requirement.name)] = Pin(Version(specifier.version))
            current.hashes = [option.removeprefix("--hash=") for option in options]
    return pins


def _direct(path: Path) -> dict[str, dict[str, Requirement]]:
    """The requirements an input file names, by file (itself and each file it includes with -r), by name."""
    found = {path.name: {}}
    for line in _logical_lines(path):
        text = line.split(" #")[0].strip()
        if text.startswith("-r"):
            found |= _direct(path.parent / text.removeprefix("-r").strip())
        elif text and not text.startswith(("#", "-")):
            requirement = Requirement(text)
            found[path.name][canonicalize_name(requirement.name)] = requirement
    return found


COMPILED = {"requirements.txt": "requirements.in", "requirements-dev.txt": "requirements-dev.in"}


@pytest.mark.parametrize(("package", "floor"), FLOORS.items())
def test_installed_version_is_above_advisory_floor(package, floor):
    """The version installed here, read from its metadata, is at least the floor."""
    assert Version(version(package)) >= Version(floor)


@pytest.mark.parametrize(("package", "floor"), FLOORS.items())
def test_pinned_version_is_above_advisory_floor(package, floor):
    """requirements.txt pins the package, at the floor or above, so every fresh install is safe too."""
    pins = _compiled(ROOT / "requirements.txt")
    assert package in pins, f"{package} is not pinned in requirements.txt"
    assert pins[package].version >= Version(floor)


@pytest.mark.parametrize(("package", "floor"), FLOORS.items())
def test_input_range_keeps_the_advisory_floor(package, floor):
    """requirements.in names the package with a >= floor, so `make lock` can never resolve below it."""
    requirement = _direct(ROOT / "requirements.in")["requirements.in"].get(package)
    assert requirement is not None, f"{package} is not in requirements.in"
    assert any(spec.operator == ">=" and Version(spec.version) >= Version(floor) for spec in requirement.specifier)


def test_dev_requirements_pin_the_tools_the_checks_use():
    """bandit and packaging, which the security checks run on, are pinned for every install."""
    assert {"bandit", "packaging"} <= _compiled(ROOT / "requirements-dev.txt").keys()


@pytest.mark.parametrize("compiled", COMPILED)
def test_compiled_file_holds_only_hashed_pins_and_comments(compiled):
    """Every line is an exact pin, one of its hashes or a comment: no options, paths or index URLs."""
    pin = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*==[A-Za-z0-9_.+!]+ \\")
    sha256 = re.compile(r" {4}--hash=sha256:[0-9a-f]{64}( \\)?")
    for line in (ROOT / compiled).read_text().splitlines():
        assert not line or line.lstrip().startswith("#") or pin.fullmatch(line) or sha256.fullmatch(line), line


@pytest.mark.parametrize("compiled", COMPILED)
def test_every_pin_carries_a_hash(compiled):
    """Hash-checking mode, which pip turns on for the whole file, needs at least one hash on every pin."""
    pins = _compiled(ROOT / compiled)
    assert pins
    assert [name for name, pin in pins.items() if not pin.hashes] == []


@pytest.mark.parametrize(("compiled", "source"), COMPILED.items())
def test_compiled_file_pins_every_input_requirement_within_its_range(compiled, source):
    """A range raised or a package added in the .in without `make lock` leaves the .txt out of date."""
    pins = _compiled(ROOT / compiled)
    for requirements in _direct(ROOT / source).values():
        for name, requirement in requirements.items():
            assert name in pins, f"{name} is in {source} but not pinned in {compiled}: run make lock"
            assert requirement.specifier.contains(pins[name].version, prereleases=True), (
                f"{compiled} pins {name} {pins[name].version}, outside {requirement.specifier}: run make lock")


@pytest.mark.parametrize(("compiled", "source"), COMPILED.items())
def test_via_annotations_name_exactly_the_input_requirements(compiled, source):
    """The pins marked `via -r X.in` are exactly the packages X.in names: a package removed shows up too."""
    pins = _compiled(ROOT / compiled)
    for included, requirements in _direct(ROOT / source).items():
        marked = {name for name, pin in pins.items() if f"-r {included}" in pin.via}
        assert marked == requirements.keys(), f"{compiled} is out of date with {included}: run make lock"


def test_dev_file_pins_the_runtime_set_at_the_same_versions():
    """requirements-dev.txt, installed alone, gives the tests the very versions production runs."""
    runtime, dev = _compiled(ROOT / "requirements.txt"), _compiled(ROOT / "requirements-dev.txt")
    assert {name: dev[name].version if name in dev else None for name in runtime} == {
        name: pin.version for name, pin in runtime.items()}


def test_no_pickle_eval_or_unsafe_yaml_in_app_code():
    pattern = re.compile(r"\bimport pickle\b|\bpickle\.loads?\(|\byaml\.load\(|(?<![\w.])eval\(|(?<![\w.])exec\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in list((ROOT / "stac_youth").rglob("*.py")) + [ROOT / "app.py"]
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
