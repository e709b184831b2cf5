"""Benchmarks of STAC Youth: each goal of docs/benchmarks.md measured on the real app, most of them next to an
anchor (a textbook Flask app or a bare Flask-SocketIO server) measured in the same run on the same stack.

`python -m benchmarks <subcommand> [--quick|--full] [--json out.json]`; `python -m benchmarks all` runs every one
and prints each goal as MET or NOT MET. Every subcommand starts its own servers on 127.0.0.1 random ports, stops
them by PID and bounds every phase with a timeout. A goal not met is reported, not an error: the exit code is 0
unless the benchmark itself could not run.
"""
