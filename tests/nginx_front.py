"""deploy/nginx.conf on a test machine: the few changes it needs, a self-signed certificate, nginx in the foreground.

What changes, and nothing else (`site_for_test_machine`): every `listen` moves from 80/443 on all addresses to a free
high port on loopback (no root port, nothing reachable from outside; the IPv6 ones to ::1, or dropped on a machine
without IPv6); the upstream's two servers point at the test's gunicorn ports instead of 8101/8102; the certificate
is a self-signed one for stac-youth.example.org made by `openssl req -x509` in the test's directory instead of Let's
Encrypt's; the access log goes there too; and `proxy_set_header Host $host` becomes `$http_host`, because on a port
other than 443 the browser's Host (and the Origin Socket.IO compares it with) carries the port, which `$host` drops
(the guide's "Host" note).
A wrapper nginx.conf (`wrapper_conf`) stands in for Debian's /etc/nginx/nginx.conf: the site file is included in its
`http` block, and the pid file, error log and temporary paths live in the test's directory, so nginx needs neither
/var/lib/nginx nor /run.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from requests.adapters import HTTPAdapter

REPO_ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = REPO_ROOT / "deploy" / "nginx.conf"
SITE = "stac-youth.example.org"
START_WAIT = 10.0  # seconds for nginx to listen
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@dataclass(frozen=True)
class Ports:
    """Where nginx listens on loopback and where the two gunicorn processes do."""

    http: int
    https: int
    upstream: tuple[int, int]


def _replace(text: str, old: str, new: str, count: int) -> str:
    """Replace exactly `count` occurrences, so a change to the guide's file cannot silently skip a replacement."""
    found = text.count(old)
    if found != count:
        raise AssertionError(f"deploy/nginx.conf has {found} of {old!r}, expected {count}: update tests/nginx_front.py")
    return text.replace(old, new)


def ipv6_loopback() -> bool:
    """Whether ::1 can be bound here (containers often run without IPv6)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


def site_for_test_machine(text: str, ports: Ports, tmp: Path, ipv6: bool) -> str:
    """deploy/nginx.conf with only what a test machine must change (see the module docstring)."""
    for port, public in ((ports.http, 80), (ports.https, 443)):
        text = re.sub(rf"(?m)^(\s*listen) {public}\b", rf"\1 127.0.0.1:{port}", text)
        ipv6_listen = rf"(?m)^(\s*listen) \[::\]:{public}\b"
        text = re.sub(ipv6_listen, rf"\1 [::1]:{port}", text) if ipv6 else re.sub(ipv6_listen + r".*\n", "", text)
    for port, default in zip(ports.upstream, (8101, 8102), strict=True):
        text = _replace(text, f"server 127.0.0.1:{default} ", f"server 127.0.0.1:{port} ", 1)
    live = f"/etc/letsencrypt/live/{SITE}"
    text = _replace(text, f"{live}/fullchain.pem", str(tmp / "cert.pem"), 1)
    text = _replace(text, f"{live}/privkey.pem", str(tmp / "key.pem"), 1)
    text = _replace(text, "/var/log/nginx/stac-youth.access.log", str(tmp / "stac-youth.access.log"), 1)
    text = _replace(text, "proxy_set_header Host $host;", "proxy_set_header Host $http_host;", 2)
    if re.search(r"(?m)^\s*listen (80|443|\[::\]:)", text):
        raise AssertionError("a listen directive of deploy/nginx.conf was not moved to a test port")
    return text


def wrapper_conf(tmp: Path, site: Path) -> str:
    """The top-level nginx.conf around the site file, in place of Debian's /etc/nginx/nginx.conf."""
    temp = "\n".join(f"    {name}_temp_path {tmp / name};" for name in TEMP_PATHS)
    # As root, nginx hands its workers to `nobody`, who could not write the temporary paths in the test's private
    # directory: keep them as the user running the test.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    return (f"daemon off;\n{user}worker_processes 1;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'} notice;\n"
            f"events {{ worker_connections 512; }}\n"
            f"http {{\n{temp}\n    access_log {tmp / 'other.access.log'};\n    include {site};\n}}\n")


def self_signed_certificate(tmp: Path) -> Path:
    """A certificate and key for stac-youth.example.org in tmp; the certificate, which is also its own CA."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", f"/CN={SITE}", "-addext", f"subjectAltName=DNS:{SITE}",
                    "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    return tmp / "cert.pem"


def nginx_argv(nginx: str, tmp: Path, *extra: str) -> list[str]:
    """nginx on the wrapper config, its prefix and startup error log in tmp (before the config names its own)."""
    return [nginx, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(tmp / "nginx.conf"), *extra]


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@contextlib.contextmanager
def running_nginx(nginx: str, tmp: Path, port: int) -> Iterator[subprocess.Popen]:
    """nginx in the foreground (daemon off) until exit; then SIGTERM to its master by PID, SIGKILL if it lingers."""
    with (tmp / "nginx.out").open("wb") as out:
        process = subprocess.Popen(nginx_argv(nginx, tmp), stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + START_WAIT
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"nginx did not listen on {port}: {(tmp / 'error.log').read_text()[-2000:]}")
            time.sleep(0.05)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the master and its workers
            process.wait(timeout=10)


@contextlib.contextmanager
def site_resolves_to_loopback() -> Iterator[None]:
    """The site's name resolves to 127.0.0.1 in this process (an /etc/hosts entry without touching /etc/hosts).

    Clients then use https://stac-youth.example.org:PORT unchanged: SNI, certificate check, Host and Origin are
    what a browser sends."""
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real("127.0.0.1" if host == SITE else host, *args, **kwargs)

    socket.getaddrinfo = resolve
    try:
        yield
    finally:
        socket.getaddrinfo = real


class SourceAddressAdapter(HTTPAdapter):
    """A requests adapter whose connections leave from one loopback address (127.0.N.1), as from another client."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        """The pool's connections bind to the source address first."""
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def tls_connection(port: int, ca: Path, server_hostname: str | None = SITE, timeout: float = 20.0) -> ssl.SSLSocket:
    """A raw TLS connection to nginx on loopback, with SNI `server_hostname` (None: no SNI, no name check)."""
    context = ssl.create_default_context(cafile=str(ca))
    if server_hostname is None:
        context.check_hostname = False
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        return context.wrap_socket(sock, server_hostname=server_hostname)
    except BaseException:
        sock.close()
        raise
