"""`python -m benchmarks <subcommand> [--quick|--full] [--json out.json]`."""

from __future__ import annotations

import argparse
import importlib
import sys

from .harness import BenchmarkError, write_json

#: subcommand -> module in this package. Each module has HELP, add_arguments(parser) and run(args, profile) -> dict.
SUBCOMMANDS = {
    "tally": "benchmarks.tally",
    "vote": "benchmarks.vote",
    "pages": "benchmarks.pages",
    "live": "benchmarks.live",
    "room": "benchmarks.room",
    "crash": "benchmarks.crash",
    "load": "benchmarks.load",
    "scale": "benchmarks.scale",
    "all": "benchmarks.summary",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="subcommand")
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        size = sub.add_mutually_exclusive_group()
        size.add_argument("--quick", dest="profile", action="store_const", const="quick",
                          help="small smoke run for CI (< 60 s)")
        size.add_argument("--full", dest="profile", action="store_const", const="full",
                          help="the default scenario repeated, medians reported (release notes)")
        sub.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
        sub.set_defaults(profile="default", module=module)
        module.add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        results = args.module.run(args, args.profile)
    except BenchmarkError as error:
        print(f"\nbenchmark could not run: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; servers were stopped", file=sys.stderr)
        return 130
    if args.json:
        write_json(args.json, results)
        print(f"results written to {args.json}")
    return 2 if results.get("could_not_run") else 0


if __name__ == "__main__":
    sys.exit(main())
