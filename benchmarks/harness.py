"""Shared pieces: servers on random ports stopped by PID, /proc CPU times, percentiles, the report table, JSON."""

from __future__ import annotations

import http.client
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
READY_POLL_SECONDS = 0.05  # how often a starting server is asked whether it answers


class BenchmarkError(RuntimeError):
    """The benchmark could not be run (a server did not start, a phase timed out, no client connected...)."""


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of one process (all its threads) from /proc/<pid>/stat; 0.0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "; fields[0] is the state (field 3)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime are fields 14 and 15


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy (not idle or waiting for I/O) since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def child_pids(parent: int) -> list[int]:
    """Direct children of a process, found by scanning /proc for their parent id."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2:].split()[1]) == parent:
            children.append(int(entry.name))
    return sorted(children)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


@dataclass
class Server:
    """A gunicorn (or any) server process on 127.0.0.1:port, ready when GET / answers with any status."""

    name: str
    argv: list[str]
    port: int
    env: dict[str, str]
    log_path: Path
    cwd: Path = ROOT
    process: subprocess.Popen | None = None
    workers: list[int] = field(default_factory=list)

    def launch(self) -> Server:
        """Start the process (its own session, output to log_path) without waiting for it to answer."""
        log = self.log_path.open("wb")
        try:
            self.process = subprocess.Popen(  # noqa: S603 - our own argv, no shell
                self.argv, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
        finally:
            log.close()
        return self

    def wait_ready(self, timeout: float = 60.0, expected_workers: int = 1) -> None:
        """Wait until GET / answers and the workers are up; stopped and BenchmarkError if not within timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchmarkError(f"{self.name} server exited with {self.process.returncode}:\n{self.log_tail()}")
            if self._answers():
                self.workers = child_pids(self.process.pid)
                if len(self.workers) >= expected_workers:
                    return
            time.sleep(READY_POLL_SECONDS)
        self.stop()
        raise BenchmarkError(f"{self.name} server not ready on port {self.port} within {timeout:.0f} s:\n"
                             f"{self.log_tail()}")

    def start(self, timeout: float = 60.0, expected_workers: int = 1) -> None:
        """Launch the server and wait until it answers."""
        self.launch()
        self.wait_ready(timeout, expected_workers)

    def _answers(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            conn.close()

    @property
    def pids(self) -> list[int]:
        return ([self.process.pid] if self.process else []) + self.workers

    def cpu_seconds(self) -> float:
        """CPU time so far of the master and its workers."""
        return sum(proc_cpu_seconds(pid) for pid in self.pids)

    def interrupt(self) -> None:
        """SIGINT to the master (gunicorn's quick shutdown) if it still runs; returns at once."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def stop(self, grace: float = 5.0) -> None:
        """SIGINT to the master (gunicorn's quick shutdown), then SIGKILL by PID whatever is left after grace s."""
        if self.process is None:
            return
        self.interrupt()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.workers = sorted(set(self.workers) | set(child_pids(self.process.pid)))  # if never waited for
        for pid in self.pids:
            if _alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass

    def kill(self, timeout: float = 10.0) -> list[int]:
        """A crash: SIGKILL to the whole process group (master and workers at once), then wait until each is gone.

        Returns the PIDs that were killed; BenchmarkError if one is still alive after timeout."""
        if self.process is None or self.process.poll() is not None:
            return []
        pids = self.pids
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # start_new_session: the group id is the master's PID
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + timeout
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = [pid for pid in pids if _alive(pid)]
        if survivors:
            raise BenchmarkError(f"{self.name}: processes {survivors} outlived SIGKILL for {timeout:.0f} s")
        return pids

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def stop_all(servers: Iterable[Server]) -> None:
    """Stop several servers at once: SIGINT to every master first, so that their shutdowns overlap."""
    servers = list(servers)
    for server in servers:
        server.interrupt()
    for server in servers:
        server.stop()


def wait_all(servers: Iterable[Server], timeout: float = 60.0) -> None:
    """Wait until every launched server answers (before measuring any, so that none is still booting meanwhile)."""
    for server in servers:
        server.wait_ready(timeout)


@contextmanager
def serving(servers: Iterable[Server]) -> Iterator[list[Server]]:
    """Launch the servers side by side (each still to be waited for with wait_ready); stop them all on the way out."""
    servers = list(servers)
    try:
        for server in servers:
            server.launch()
        yield servers
    finally:
        stop_all(servers)


def gunicorn_argv(target: str, port: int, threads: int) -> list[str]:
    """The production command line (docs/deploy.md): gthread, one worker (Socket.IO needs exactly one), N threads;
    no control socket, which every gunicorn of the user would otherwise share."""
    return [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "1", "--threads", str(threads),
            "--bind", f"127.0.0.1:{port}", "--no-control-socket", target]


def server_env(**extra: str) -> dict[str, str]:
    """The current environment without settings that would change what is measured, plus extra."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "STAC_ENV", "SECRET_KEY"}}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@contextmanager
def scratch_postgres(admin_url: str, name: str) -> Iterator[str]:
    """A new PostgreSQL database `name` (dropped first if left over, dropped again at exit); yields its URL."""
    import psycopg

    admin_url = admin_url.replace("postgresql+psycopg://", "postgresql://", 1)
    url = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"

    def execute(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    try:
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        raise BenchmarkError(f"PostgreSQL at {admin_url} refused the scratch database {name}: {error}") from error
    try:
        yield url
    finally:
        try:
            execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error as error:
            print(f"warning: could not drop the scratch database {name}: {error}", file=sys.stderr)


DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def database_url(kind: str, tmp: Path, name: str, postgres_url: str, stack) -> str:
    """A new empty database of one kind: an SQLite file in tmp, or a scratch PostgreSQL database dropped when the
    ExitStack `stack` closes."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'{name}.db'}"
    return stack.enter_context(scratch_postgres(postgres_url, f"bench_{name}_{os.getpid()}"))


def postgres_cpu_seconds() -> float:
    """CPU time so far of every running PostgreSQL process on this machine (server and backends), from /proc."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += proc_cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


def server_errors(log_path: Path, limit: int = 5) -> list[str]:
    """The first few errors of a server log, each from its ERROR/Traceback line to the next log record."""
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return []
    errors, index = [], 0
    while index < len(lines) and len(errors) < limit:
        if "Traceback" not in lines[index] and "ERROR" not in lines[index]:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and end - index < 200 and not lines[end].startswith("["):
            end += 1
        errors.append("\n".join(lines[index:end]))
        index = end
    return errors


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def median(values: list[float]) -> float | None:
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, ["-" * w for w in widths], *rows]:
        print("  ".join(f"{str(cell):<{width}}" for cell, width in zip(row, widths, strict=True)).rstrip())


def git_state() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,  # noqa: S603, S607
                                  timeout=10, check=False).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def environment() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("Flask", "Flask-SocketIO", "python-socketio", "python-engineio", "simple-websocket", "gunicorn",
                    "aiohttp"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
            "packages": versions, "git": git_state(), "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def write_json(path: str, results: dict) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2, sort_keys=False, default=str) + "\n")


class CpuWindow:
    """CPU over a `with` block, in % of one core: the server's, this client's, PostgreSQL's (postgres=True) and every
    other process's on the machine (another job running beside the benchmark shows up there)."""

    def __init__(self, server: Server, postgres: bool = False) -> None:
        self.server, self.postgres = server, postgres
        self.figures: dict = {}

    def _sample(self) -> tuple[float, ...]:
        return (time.monotonic(), self.server.cpu_seconds(), time.process_time(), machine_busy_seconds(),
                postgres_cpu_seconds() if self.postgres else 0.0)

    def __enter__(self) -> CpuWindow:
        self.start = self._sample()
        return self

    def __exit__(self, *_exc) -> None:
        seconds, server, client, busy, database = (b - a for a, b in zip(self.start, self._sample(), strict=True))
        span = max(seconds, 1e-6) / 100
        self.figures = {"server_cpu_percent": server / span, "client_cpu_percent": client / span,
                        "database_cpu_percent": database / span if self.postgres else None,
                        "other_cpu_percent": max(0.0, busy - server - client - database) / span}
