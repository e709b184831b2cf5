"""Several mail senders at once: each email goes out once; PostgreSQL senders skip rows another one is claiming;
`flask mail-worker` sends on its own and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta

from aiosmtpd.controller import Controller
from flask_mailman.backends.locmem import EmailBackend
from sqlalchemy import select, text

from benchmarks.harness import free_port
from stac_youth.common.mail_sender import claim_due, deliver_due
from stac_youth.common.outbox import OutboxEmail, queue_email
from stac_youth.common.time import utcnow
from stac_youth.extensions import db
from tests import databases
from tests.live_servers import REPO_ROOT, production_env, sibling_database
from tests.test_mail_outbox import FlakyHandler

WAIT = 30  # seconds: the bound of every wait in these tests, never a goal
SENDERS: dict[str, list[str]] = {}
BOTH_SENDING = threading.Barrier(2, timeout=WAIT)


class MeetingBackend(EmailBackend):
    """The in-memory backend; each worker's first message waits for the other's, so both hold claims at once."""

    def send_messages(self, messages):
        mine = SENDERS.setdefault(threading.current_thread().name, [])
        if not mine:
            BOTH_SENDING.wait()
        mine.extend(message.to[0] for message in messages)
        return super().send_messages(messages)


def _worker(app) -> None:
    with app.app_context():
        while deliver_due(limit=3).sent:
            pass


def test_two_workers_at_once_claim_distinct_emails_and_send_each_once(app):
    """On the suite's database: SQLite, or PostgreSQL (SKIP LOCKED) under TEST_DATABASE=postgresql."""
    recipients = [f"member{n}@example.org" for n in range(12)]
    for recipient in recipients:
        queue_email(recipient, "Notice", "Body")
    db.session.commit()
    app.extensions["mailman"].backend = MeetingBackend
    app.extensions["mailman"].outbox = []
    SENDERS.clear()
    BOTH_SENDING.reset()

    workers = [threading.Thread(target=_worker, args=(app,), name=f"sender-{n}") for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=WAIT)

    assert len(SENDERS) == 2 and all(SENDERS.values()), SENDERS  # both sent, with claims held at the same time
    delivered = Counter(message.to[0] for message in app.extensions["mailman"].outbox)
    assert delivered == Counter(recipients)  # every email exactly once
    assert not set(SENDERS["sender-0"]) & set(SENDERS["sender-1"])
    db.session.expire_all()
    assert all(row.sent_at for row in db.session.scalars(select(OutboxEmail)))


def test_postgresql_claims_skip_the_rows_another_sender_has_locked(make_app, postgres_url, tmp_path):
    with sibling_database(postgres_url, "outbox") as url:
        databases.migrate(url, tmp_path)
        pg_app = make_app(SQLALCHEMY_DATABASE_URI=url)
        with pg_app.app_context():
            rows = [queue_email(f"member{n}@example.org", "Notice", "Body") for n in range(3)]
            db.session.flush()
            ids = [row.id for row in rows]
            db.session.commit()
            now = utcnow()
            with db.engine.connect() as other_sender:  # mid-claim: it holds the lock of the first row
                other_sender.execute(select(OutboxEmail.id).where(OutboxEmail.id == ids[0]).with_for_update())
                # Were the lock waited for, these claims would fail after 5 s instead of passing over the row.
                db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
                assert claim_due(now, timedelta(minutes=5), limit=1) == ids[1:2]  # the limit holds too
                db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
                assert claim_due(now, timedelta(minutes=5)) == ids[2:]
                other_sender.rollback()
            assert claim_due(now, timedelta(minutes=5)) == ids[:1]
            db.session.remove()
            db.engine.dispose()


def test_the_mail_worker_process_sends_and_stops_cleanly_on_sigterm(make_app, tmp_path):
    handler = FlakyHandler(failures=0)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    writer = make_app()
    url = writer.config["SQLALCHEMY_DATABASE_URI"]
    with writer.app_context():
        queue_email("ana@example.org", "Meeting moved", "It is on Friday now.")
        db.session.commit()
    env = production_env(url, "mail-worker-test-secret", tmp_path, MAIL_SERVER="127.0.0.1",
                         MAIL_PORT=str(controller.port), MAIL_POLL_SECONDS="0.2")
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app.py", "mail-worker"], cwd=REPO_ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(WAIT * 10):
            if handler.received or worker.poll() is not None:
                break
            threading.Event().wait(0.1)
        assert [envelope.rcpt_tos for envelope in handler.received] == [["ana@example.org"]]
        os.kill(worker.pid, signal.SIGTERM)
        output, _ = worker.communicate(timeout=WAIT)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
        controller.stop()
    assert worker.returncode == 0, output
    assert "mail worker: stopped" in output
    with writer.app_context():
        assert db.session.scalars(select(OutboxEmail.sent_at)).one() is not None
