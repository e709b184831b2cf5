"""The app's own functions the setups call, found by name rather than by module path.

The benchmarks reach the app through HTTP and its tables wherever they can. A setup still creates polls, tallies
and counters with the app's own code (so a data set is what the app itself would have stored), and those functions
live in modules that get moved from release to release (poll code went from stac_youth/proposals/ to
stac_youth/polls/). `app_attr("create_poll")` imports every module of the stac_youth package and returns the one
top-level object of that name defined there, so the harness does not hard-code where it lives. Models come from
`stac_youth.models`, which re-exports every one.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from types import ModuleType

PACKAGE = "stac_youth"
#: names defined in more than one module: the module whose dotted name holds this word wins
PREFER = "poll"


def app_modules() -> list[ModuleType]:
    """Every importable module of the app package, imported now if not yet (one that fails to import is skipped)."""
    package = importlib.import_module(PACKAGE)
    importlib.import_module(f"{PACKAGE}.models")  # every mapper first: some modules build statements at import
    for info in pkgutil.walk_packages(package.__path__, f"{PACKAGE}."):
        if info.name not in sys.modules and not info.name.endswith(("__main__", ".cli")):
            try:
                importlib.import_module(info.name)
            except Exception:  # noqa: BLE001, S112 - a module half-way through a refactoring is not ours to need
                continue
    return [module for name, module in sorted(sys.modules.items())
            if (name == PACKAGE or name.startswith(f"{PACKAGE}.")) and module is not None]


def app_attr(name: str):
    """The app's top-level function, class or constant `name`, from the module that defines it.

    A function or class counts only in the module that defines it (not where it is imported); a constant anywhere it
    is assigned, the poll modules first. LookupError if the app has no such name."""
    found = []
    for module in app_modules():
        value = module.__dict__.get(name)
        if value is None or inspect.ismodule(value):
            continue
        defined_here = not (inspect.isfunction(value) or inspect.isclass(value)) or value.__module__ == module.__name__
        if defined_here:
            found.append((PREFER not in module.__name__, module.__name__, value))
    if not found:
        raise LookupError(f"no module of {PACKAGE} defines {name!r}")
    return sorted(found, key=lambda item: item[:2])[0][2]


def app_attrs(*names: str) -> list:
    """app_attr for several names."""
    return [app_attr(name) for name in names]


def app_module(name: str) -> ModuleType:
    """The module that defines the app's function or class `name` (to patch it there, or to reach its neighbours)."""
    return sys.modules[app_attr(name).__module__]
