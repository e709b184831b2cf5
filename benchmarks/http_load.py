"""Closed-loop HTTP load on one URL: `wrk` when it is installed, else a built-in aiohttp loader.

Both keep C keep-alive connections busy for D seconds (the next request as soon as the last is answered), send the
same headers (the session cookie, the User-Agent the session was made for) and count as *bad* every answer that is
not a 200 or lacks one of the page's marker strings, so a redirect to the login page or an error page never passes
for a fast page. wrk checks in a Lua `response` hook; the fallback in Python. The built-in loader is slower than
wrk (one Python process), so its hello rate is lower and ratios to it flatter the app: the report says which ran.
"""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
import subprocess
import time
from pathlib import Path

from .harness import BenchmarkError, percentile

#: wrk script: bad answers counted per thread and summed in done(); the result is one JSON line on stdout.
WRK_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  markers = args
  bad = 0
  first_bad = ""
end
function response(status, headers, body)
  local ok = status == 200
  if ok then
    for _, marker in ipairs(markers) do
      if not string.find(body, marker, 1, true) then ok = false break end
    end
  end
  if not ok then
    bad = bad + 1
    if first_bad == "" then first_bad = tostring(status) end
  end
end
function done(summary, latency, requests)
  local total, first = 0, ""
  for _, t in ipairs(threads) do
    total = total + t:get("bad")
    if first == "" then first = t:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bad": %d, "first_bad_status": "%s", "errors": %d, '
    .. '"timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, total, first, e.connect + e.read + e.write + e.status + e.timeout,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def loader_name() -> str:
    """'wrk' when the wrk binary is on PATH, else 'aiohttp' (the built-in loader)."""
    return "wrk" if shutil.which("wrk") else "aiohttp"


def children_cpu_seconds() -> float:
    """CPU time of this process's finished children (wrk), from getrusage."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(url: str, headers: dict[str, str], markers: list[str], connections: int, duration: float,
            threads: int, script: Path, timeout: float = 10.0) -> dict:
    """One wrk run; requests/s, latency percentiles (ms), bad answers and socket errors."""
    script.write_text(WRK_SCRIPT)
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", f"--timeout={timeout:g}s",
            "-s", str(script)]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    argv += [url, "--", *markers]
    cpu0 = children_cpu_seconds()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + timeout + 30,  # noqa: S603
                              check=False)
    except subprocess.TimeoutExpired as error:
        raise BenchmarkError(f"wrk did not finish within {duration + timeout + 30:.0f} s") from error
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise BenchmarkError(f"wrk failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    seconds = raw["duration_us"] / 1e6

    def ms(key: str) -> float | None:  # wrk reports 0 for an empty histogram: no answer is no latency
        return raw[key] / 1000 if raw["requests"] else None

    return {
        "requests": raw["requests"], "seconds": seconds, "rps": raw["requests"] / seconds if seconds else None,
        "p50_ms": ms("p50_us"), "p90_ms": ms("p90_us"), "p99_ms": ms("p99_us"), "max_ms": ms("max_us"),
        "mean_ms": ms("mean_us"), "bad": raw["bad"],
        "first_bad_status": raw["first_bad_status"] or None, "socket_errors": raw["errors"],
        "timeouts": raw["timeouts"], "client_cpu_seconds": children_cpu_seconds() - cpu0,
    }


async def _aiohttp_load(url: str, headers: dict[str, str], markers: list[str], connections: int,
                        duration: float, timeout: float) -> dict:
    import aiohttp

    latencies: list[float] = []
    bad, errors, first_bad = 0, 0, None
    connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        start = time.monotonic()
        stop_at = start + duration

        async def worker() -> None:
            nonlocal bad, errors, first_bad
            while time.monotonic() < stop_at:
                sent = time.monotonic()
                try:
                    async with http.get(url, headers=headers, allow_redirects=False) as response:
                        body = await response.text()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    errors += 1
                    continue
                latencies.append((time.monotonic() - sent) * 1000)
                if status != 200 or not all(marker in body for marker in markers):
                    bad += 1
                    first_bad = first_bad or str(status)

        await asyncio.gather(*(worker() for _ in range(connections)))
        seconds = time.monotonic() - start
    latencies.sort()
    return {
        "requests": len(latencies), "seconds": seconds, "rps": len(latencies) / seconds if seconds else None,
        "p50_ms": percentile(latencies, 50), "p90_ms": percentile(latencies, 90),
        "p99_ms": percentile(latencies, 99), "max_ms": latencies[-1] if latencies else None,
        "mean_ms": sum(latencies) / len(latencies) if latencies else None, "bad": bad, "first_bad_status": first_bad,
        "socket_errors": errors, "timeouts": None,
    }


def run_builtin(url: str, headers: dict[str, str], markers: list[str], connections: int, duration: float,
                timeout: float = 10.0) -> dict:
    """One run of the built-in aiohttp loader (same figures as run_wrk; the client CPU is this process's)."""
    cpu0 = time.process_time()
    try:
        result = asyncio.run(asyncio.wait_for(
            _aiohttp_load(url, headers, markers, connections, duration, timeout), duration + timeout + 30))
    except TimeoutError as error:
        raise BenchmarkError(f"the built-in loader did not finish within {duration + timeout + 30:.0f} s") from error
    return result | {"client_cpu_seconds": time.process_time() - cpu0}


def load(loader: str, url: str, headers: dict[str, str], markers: list[str], connections: int, duration: float,
         tmp: Path) -> dict:
    """One closed-loop run with the named loader."""
    if loader == "wrk":
        return run_wrk(url, headers, markers, connections, duration, threads=2, script=tmp / "check.lua")
    return run_builtin(url, headers, markers, connections, duration)
