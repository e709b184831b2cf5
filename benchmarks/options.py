"""Command-line options the open-loop benchmarks (vote, pages, live) share: the databases and profile overrides."""

from __future__ import annotations

import os
from dataclasses import asdict

from .harness import DEFAULT_POSTGRES_URL, BenchmarkError

DATABASES = ("sqlite", "postgresql")


def add_database_arguments(parser) -> None:
    """--databases and --postgres-url."""
    parser.add_argument("--databases", help="comma-separated: sqlite,postgresql (both)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help=f"PostgreSQL to CREATE/DROP scratch databases through (BENCH_POSTGRES_URL, else "
                             f"{DEFAULT_POSTGRES_URL})")


def with_overrides(settings, args, names: tuple[str, ...]):
    """A profile's settings (a dataclass with `databases`) with the given command-line options that were set."""
    base = asdict(settings)
    for name in names:
        if getattr(args, name, None) is not None:
            base[name] = getattr(args, name)
    if getattr(args, "databases", None):
        kinds = tuple(k.strip() for k in args.databases.split(",") if k.strip())
        if not kinds or set(kinds) - set(DATABASES):
            raise BenchmarkError(f"--databases takes a comma-separated subset of {','.join(DATABASES)}")
        base["databases"] = kinds
    return type(settings)(**base)
