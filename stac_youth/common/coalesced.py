"""Live pushes coalesced per key: whatever happens a hundred times a second is pushed at most once per interval.

A change marks its key (a poll, a room); one background loop per process pushes each marked key once per interval,
reading the state at that moment, so the last push always shows the latest change, and stops when nothing is
marked. With several server processes (REDIS_URL), a short-lived Redis key spaces the pushes of all of them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable

from ..extensions import db, socketio

log = logging.getLogger(__name__)


def _redis(app):
    """One Redis client per app when REDIS_URL is set, else None."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    client = app.extensions.get("stac_coalesced_redis")
    if client is None:
        import redis

        client = app.extensions["stac_coalesced_redis"] = redis.Redis.from_url(url)
    return client


class CoalescedPushes:
    """Pushes of one kind (`name`), at most one per key and interval; `push(key)` runs in an app context.

    `setting` names an app setting that overrides `interval`; 0 there pushes at once, in the caller's context.
    """

    def __init__(self, name: str, push: Callable[[Hashable], None], interval: float, setting: str | None = None):
        self.name, self.push, self.interval, self.setting = name, push, interval, setting
        self._lock = threading.Lock()
        self._pending: dict[Hashable, object] = {}  # key -> the app it belongs to
        self._running = False

    @property
    def pending(self) -> dict:
        """The keys marked for the next round (a copy)."""
        with self._lock:
            return dict(self._pending)

    def _seconds(self, app) -> float:
        return float(app.config.get(self.setting, self.interval)) if self.setting else self.interval

    def mark(self, app, key: Hashable) -> None:
        """Ask for a push of `key`: in the next round of the loop, started here when it is not running."""
        seconds = self._seconds(app)
        if seconds <= 0:
            self.push(key)
            return
        with self._lock:
            self._pending[key] = app
            if self._running:
                return
            self._running = True
        socketio.start_background_task(self._run, seconds)

    def _take_shared_slot(self, app, key: Hashable, seconds: float) -> bool:
        """With Redis, whether this process may push the key now (no other process pushed it this interval)."""
        client = _redis(app)
        if client is None:
            return True
        try:
            return bool(client.set(f"stac:{self.name}:{key}", b"1", nx=True, px=int(seconds * 1000)))
        except Exception:  # Redis away: push anyway rather than never
            log.warning("%s push gate unavailable", self.name, exc_info=True)
            return True

    def _run(self, seconds: float) -> None:
        while True:
            socketio.sleep(seconds)
            with self._lock:
                due = dict(self._pending)
                if not due:
                    self._running = False
                    return
            for key, app in due.items():
                with self._lock:  # from here on a new change marks the key for the next round
                    self._pending.pop(key, None)
                with app.app_context():
                    try:
                        if self._take_shared_slot(app, key, seconds):
                            self.push(key)
                        else:
                            with self._lock:
                                self._pending.setdefault(key, app)
                    except Exception:
                        log.exception("%s push failed", self.name)
                    finally:
                        db.session.remove()
