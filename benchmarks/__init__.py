"""Benchmarks of STAC Youth against bare anchors measured in the same run (see /work/shared/PERFORMANCE.md).

`python -m benchmarks room [--quick|--full] [--json out.json]`. Every subcommand starts its own servers on
127.0.0.1 random ports, stops them by PID, bounds every phase with a timeout and prints
`metric, app value, anchor value, ratio, goal, PASS/FAIL`. A failed goal is reported, not an error: the exit
code is 0 unless the benchmark itself could not run.
"""
