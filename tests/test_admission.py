"""Admission: a process runs one page request at a time (more beside slow ones), the rest wait; Socket.IO passes by;
too long a wait is 503."""

from __future__ import annotations

import threading
import time

from werkzeug.test import EnvironBuilder

from stac_youth.common.admission import AdmissionLimit, default_concurrency


class SlowApp:
    """A WSGI app that holds each request until released and records how many were inside at once."""

    def __init__(self):
        self.inside = 0
        self.most_inside = 0
        self.calls = []
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
            self.calls.append(environ["PATH_INFO"])
        try:
            self.release.wait(5)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"done"]
        finally:
            with self._lock:
                self.inside -= 1


def _request(app, path: str = "/proposals") -> tuple[str, dict, bytes]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(app(EnvironBuilder(path=path).get_environ(), start_response))
    return answer["status"], answer["headers"], body


def _in_threads(app, paths: list[str]) -> tuple[list[threading.Thread], list]:
    results = []
    threads = [threading.Thread(target=lambda p=path: results.append(_request(app, p))) for path in paths]
    for thread in threads:
        thread.start()
    return threads, results


def _wait_until(condition, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_only_the_limit_runs_at_once_and_everyone_is_answered():
    inner = SlowApp()
    app = AdmissionLimit(inner, limit=2, timeout=10, patience=30)
    threads, results = _in_threads(app, ["/proposals"] * 6)
    _wait_until(lambda: inner.inside == 2)
    time.sleep(0.2)  # the other four are waiting, not inside
    assert inner.inside == 2 and len(inner.calls) == 2
    inner.release.set()
    for thread in threads:
        thread.join(5)
    assert inner.most_inside == 2
    assert [status for status, _headers, _body in results] == ["200 OK"] * 6


def test_socket_io_requests_pass_while_every_slot_is_taken():
    inner = SlowApp()
    app = AdmissionLimit(inner, limit=1, timeout=10, patience=30)
    threads, _results = _in_threads(app, ["/proposals", "/socket.io/", "/socket.io/"])
    _wait_until(lambda: inner.inside == 3)
    assert sorted(inner.calls) == ["/proposals", "/socket.io/", "/socket.io/"]
    inner.release.set()
    for thread in threads:
        thread.join(5)


def test_a_request_that_waited_too_long_is_refused_with_retry_after_and_never_runs():
    inner = SlowApp()
    app = AdmissionLimit(inner, limit=1, timeout=0.2, patience=30)
    threads, _results = _in_threads(app, ["/first"])
    _wait_until(lambda: inner.inside == 1)
    status, headers, body = _request(app, "/second")
    assert status == "503 Service Unavailable" and headers["Retry-After"] == "2" and b"busy" in body
    assert inner.calls == ["/first"]
    inner.release.set()
    for thread in threads:
        thread.join(5)
    assert _request(app, "/third")[0] == "200 OK"  # the slot came back


def test_beside_slow_requests_the_next_arrival_lets_the_first_waiting_one_in_up_to_the_most():
    inner = SlowApp()
    app = AdmissionLimit(inner, limit=1, timeout=10, patience=0.3, most=3)
    threads, results = _in_threads(app, ["/export.pdf"])
    _wait_until(lambda: inner.inside == 1)
    waiting = []
    for path in ("/waiting-1", "/waiting-2"):
        waiting.append(_in_threads(app, [path]))
        time.sleep(0.05)
    time.sleep(0.4)  # the export has outgrown the patience, but nobody arrived or left since
    assert inner.calls == ["/export.pdf"]
    late, late_results = _in_threads(app, ["/arriving-1"])
    _wait_until(lambda: inner.inside == 2)
    assert inner.calls == ["/export.pdf", "/waiting-1"]  # the first in line, not the newcomer
    time.sleep(0.4)
    more, more_results = _in_threads(app, ["/arriving-2"])
    _wait_until(lambda: inner.inside == 3)
    assert inner.calls == ["/export.pdf", "/waiting-1", "/waiting-2"]
    time.sleep(0.4)
    last, last_results = _in_threads(app, ["/arriving-3"])
    time.sleep(0.2)
    assert inner.inside == 3 and inner.most_inside == 3  # every one inside is slow now, but three is the most
    inner.release.set()
    for thread in threads + late + more + last + [t for started, _answers in waiting for t in started]:
        thread.join(5)
    answers = results + late_results + more_results + last_results + [a for _s, answers in waiting for a in answers]
    assert [status for status, _h, _b in answers] == ["200 OK"] * 6


def test_the_next_request_starts_as_soon_as_a_quick_one_ends():
    order = []

    def quick_app(environ, start_response):
        order.append(("in", environ["PATH_INFO"]))
        time.sleep(0.02)
        order.append(("out", environ["PATH_INFO"]))
        start_response("200 OK", [])
        return [b""]

    app = AdmissionLimit(quick_app, limit=1, timeout=10, patience=5)
    threads, results = _in_threads(app, [f"/{n}" for n in range(5)])
    for thread in threads:
        thread.join(5)
    assert len(results) == 5
    assert [kind for kind, _path in order] == ["in", "out"] * 5  # one at a time, none left waiting


def test_waiting_requests_go_in_the_order_they_came():
    inner = SlowApp()
    app = AdmissionLimit(inner, limit=1, timeout=10, patience=30)
    started = []
    for path in ("/running", "/1", "/2", "/3", "/4"):
        started.append(_in_threads(app, [path])[0])
        time.sleep(0.05)
    assert inner.calls == ["/running"]
    inner.release.set()
    for threads in started:
        for thread in threads:
            thread.join(5)
    assert inner.calls == ["/running", "/1", "/2", "/3", "/4"]


def test_the_app_is_wrapped_when_a_limit_is_set(make_app, migrated_template):
    limited = make_app(HTTP_CONCURRENCY=3, HTTP_ADMISSION_TIMEOUT=7, HTTP_SLOW_REQUEST_MS=80)
    wrapper = limited.wsgi_app
    while not isinstance(wrapper, AdmissionLimit):  # under the proxy fix when there is one
        wrapper = wrapper.app
    assert (wrapper.limit, wrapper.timeout, wrapper.patience, wrapper.most) == (3, 7, 0.08, 12)
    assert limited.test_client().get("/healthz").status_code == 200
    assert not isinstance(make_app(HTTP_CONCURRENCY=0).wsgi_app, AdmissionLimit)


def test_unset_the_limit_follows_the_database():
    assert default_concurrency("sqlite:////srv/stac/stac_youth.db") == 1
    assert default_concurrency("postgresql+psycopg://stac@db/stac") == 2
