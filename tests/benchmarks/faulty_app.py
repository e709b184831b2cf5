"""The app with the fault the crash test must catch: a ballot is acknowledged at once and written seconds later.

Served by gunicorn as `tests.benchmarks.faulty_app:app` in tests/benchmarks/test_crash.py only. The vote route's
`ballots.cast_ballot` is replaced by one that queues the ballot and returns its receipt (so the route answers 303 to
/voted), and a thread writes the queue with the real cast_ballot every two seconds: a SIGKILL loses what is
queued.
"""

from __future__ import annotations

import queue
import threading
import time

from stac_youth import create_app
from stac_youth.common.errors import ServiceError
from stac_youth.extensions import db
from stac_youth.members.models import User
from stac_youth.polls import ballots, receipts
from stac_youth.polls.models import Poll

WRITE_EVERY_SECONDS = 2.0

app = create_app()
_write_now = ballots.cast_ballot
_queued: queue.SimpleQueue = queue.SimpleQueue()


def _acknowledge_first(member, poll, choices, receipt=None):
    """Queue the ballot and hand back its receipt before anything is written."""
    code = receipt or receipts.new_receipt()
    _queued.put((member.id, poll.id, choices, code))
    return code


def _write_behind() -> None:
    """Every WRITE_EVERY_SECONDS, write what was queued (a ballot refused now is simply dropped)."""
    while True:
        time.sleep(WRITE_EVERY_SECONDS)
        with app.app_context():
            while not _queued.empty():
                member_id, poll_id, choices, code = _queued.get()
                try:
                    _write_now(db.session.get(User, member_id), db.session.get(Poll, poll_id), choices, receipt=code)
                except ServiceError:
                    pass
            db.session.remove()


ballots.cast_ballot = _acknowledge_first
threading.Thread(target=_write_behind, name="write-behind", daemon=True).start()
