"""Rendered pages kept per signed-in session, served again while nothing they read has changed.

A page marked @cached_page is stored the first time a session renders it, with the tables its statements read and
their versions (table_versions.py) as they were when the request began, the signed-in user's own read included. The
same session cookie asking for the same address gets the stored page as long as none of those tables was written
since and the page is younger than PAGE_CACHE_SECONDS, the bound on what changes with the clock alone (a presence
timing out, a device login reaching its end of life). A page is stored only when rendering it left the session as it
was (no flashed message shown, no new CSRF secret), and it is only ever served to a request carrying the very same
session cookie, from the same browser and address.

Values that must differ on every load (the id a message form sends to make its post idempotent) come from
`fresh_token()`; a stored page gets new ones each time it is served.
"""

from __future__ import annotations

import functools
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, has_request_context, make_response, request, session
from flask_login import current_user
from sqlalchemy import event

from .table_versions import EVERYTHING, SqlTables, versions_for, watch_writes

_TRACKED = "_page_cache_reads"
_PENDING = "_page_cache_pending"
_SERVED = "_page_cache_served"
_FRESH = "_page_cache_fresh"
_EXTENSION = "page_cache"
MAX_PAGE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class _Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    versions: tuple[tuple[str, int], ...]
    fresh: tuple[bytes, ...]
    expires: float

    def still_valid(self, snapshot: dict[str, int], now: float) -> bool:
        return now < self.expires and all(snapshot.get(table, 0) == version for table, version in self.versions)

    def response(self) -> Response:
        body = self.body
        for token in self.fresh:
            body = body.replace(token, secrets.token_hex(len(token) // 2).encode())
        return Response(body, status=200, headers=list(self.headers))


class PageCache:
    """The stored pages of one process, in the order they were stored, which is the order they expire in: expired
    pages are dropped from the front as pages are stored, and the oldest beyond max_bytes, so what is kept is at most
    the pages of the last `seconds`."""

    def __init__(self, seconds: float, max_bytes: int):
        self.seconds = seconds
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, snapshot: dict[str, int]) -> _Entry | None:
        """The stored page for key if it is still valid against these table versions."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if not entry.still_valid(snapshot, time.monotonic()):
                self._drop(key)
                return None
            return entry

    def put(self, key: tuple, entry: _Entry) -> None:
        """Store a page; drop the expired ones, and the oldest beyond the size limit."""
        with self._lock:
            if key in self._entries:
                self._drop(key)
            now = time.monotonic()
            while self._entries and next(iter(self._entries.values())).expires <= now:
                self._drop(next(iter(self._entries)))
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while self._bytes > self.max_bytes and self._entries:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        """Forget every stored page."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: tuple) -> None:
        self._bytes -= len(self._entries.pop(key).body)


def cached_page(view):
    """Mark a GET view whose page is stored per session (see the module's docstring)."""

    @functools.wraps(view)
    def render_and_keep(*args, **kwargs):
        pending = g.pop(_PENDING, None)
        response = make_response(view(*args, **kwargs))
        read = g.pop(_TRACKED, None)
        if pending is not None and read is not None and current_user.is_authenticated and _storable(response):
            key, snapshot = pending
            cache: PageCache = current_app.extensions[_EXTENSION]
            versions = tuple(sorted((table, snapshot.get(table, 0)) for table in read | {EVERYTHING}))
            fresh = tuple(token.encode() for token in g.pop(_FRESH, ()))
            headers = tuple((name, value) for name, value in response.headers.items() if name != "Content-Length")
            cache.put(key, _Entry(response.get_data(), headers, versions, fresh, time.monotonic() + cache.seconds))
        return response

    render_and_keep.page_cached = True
    return render_and_keep


def fresh_token() -> str:
    """A random hex token, new on every page load even when the page comes from the cache."""
    token = secrets.token_hex(12)
    if has_request_context() and _TRACKED in g:
        g.setdefault(_FRESH, []).append(token)
    return token


def served_from_cache() -> bool:
    """Whether this request's answer is a stored page (of a signed-in session; the user was not loaded for it)."""
    return has_request_context() and g.get(_SERVED, False)


def _key() -> tuple:
    """One session's view of one address: the cookie itself, so a page never reaches another session.

    The language and time zone follow from the user's row (a read table), the session's choice (the cookie) and the
    browser's language; the browser and its address are in the key because Flask-Login compares them with those the
    session was signed in from.
    """
    cookie = request.cookies.get(current_app.config["SESSION_COOKIE_NAME"], "")
    headers = request.headers
    return (request.host, request.scheme, request.full_path, cookie, headers.get("Accept-Language", ""),
            headers.get("User-Agent", ""), request.remote_addr)


def _storable(response: Response) -> bool:
    """A whole 200 page whose rendering left the session and the cookies as they were."""
    length = response.calculate_content_length()
    return (response.status_code == 200 and not response.is_streamed and "Set-Cookie" not in response.headers
            and not session.modified and length is not None and length <= MAX_PAGE_BYTES)


def _serve_stored_page():
    """before_request, first of all: answer a cached page from the store, or note what rendering it reads.

    A stored page is answered before the access policy and without loading the user: it was rendered for this very
    cookie, after the policy let it through, and none of the rows the policy and the page read (the user's own and
    the device login's included) has been written since. Signing out, a deactivation or a role change are writes.
    """
    if request.method != "GET" or not request.cookies:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "page_cached", False):
        return None
    snapshot = current_app.extensions[_EXTENSION + ".versions"].snapshot()
    if snapshot is None:
        return None
    key = _key()
    entry = current_app.extensions[_EXTENSION].get(key, snapshot)
    if entry is not None:
        g.setdefault(_SERVED, True)
        return entry.response()
    g.setdefault(_PENDING, (key, snapshot))
    g.setdefault(_TRACKED, set())
    return None


def init_page_cache(app: Flask, engine, metadata) -> None:
    """Watch the engine's reads and writes and register the request hook; PAGE_CACHE_SECONDS = 0 turns it off.

    Registered before every other before_request hook: the versions are taken before the signed-in user is read.
    """
    app.extensions[_EXTENSION] = PageCache(app.config["PAGE_CACHE_SECONDS"], app.config["PAGE_CACHE_MAX_BYTES"])
    if app.config["PAGE_CACHE_SECONDS"] <= 0:
        return  # nothing is stored, so no statement needs watching
    tables = SqlTables(metadata)
    versions = versions_for(app.config["REDIS_URL"], engine)
    watch_writes(engine, tables, versions)
    app.extensions[_EXTENSION + ".versions"] = versions

    @event.listens_for(engine, "before_cursor_execute")
    def _note_read(conn, cursor, statement, parameters, context, executemany):
        if has_request_context():
            read = g.get(_TRACKED)
            if read is not None:
                read.update(tables.read_by(statement))

    app.before_request(_serve_stored_page)
