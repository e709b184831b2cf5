"""Running the mail sender: `flask mail-worker` in production, a background loop of the dev server otherwise."""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask import Flask, current_app

from ..extensions import db
from .background import start_on_first_request
from .mail_sender import deliver_all_due, deliver_due
from .outbox import backlog
from .time import utcnow

log = logging.getLogger(__name__)


def run_sender(app: Flask, poll_seconds: float, stop: threading.Event) -> None:
    """Send due mail one batch at a time, looking again every `poll_seconds` when none is due, until `stop` is set.

    `stop` is checked between batches, so a stop waits for one batch at most. A failed round is logged and the loop
    goes on (a database that is away for a while, say).
    """
    while not stop.is_set():
        busy = False
        with app.app_context():
            try:
                delivery = deliver_due()
                busy = bool(delivery.sent or delivery.failed or delivery.gave_up)
                if busy:
                    log.info("mail: sent %s, failed %s, gave up %s", delivery.sent, delivery.failed,
                             delivery.gave_up)
            except Exception:
                log.exception("mail: sending round failed")
            finally:
                db.session.remove()
        if not busy:
            stop.wait(poll_seconds)


def init_mail_sender(app: Flask) -> None:
    """With MAIL_SEND_IN_PROCESS, this server process sends queued mail itself, from its first request on."""
    if not app.config["MAIL_SEND_IN_PROCESS"]:
        return
    start_on_first_request(app, run_sender, app, app.config["MAIL_POLL_SECONDS"], threading.Event())


@click.command("mail-worker")
@click.option("--once", is_flag=True, help="Send everything due now, then exit.")
@click.option("--poll", type=float, default=None, help="Seconds between looks for due mail (MAIL_POLL_SECONDS).")
def mail_worker(once: bool, poll: float | None):
    """Send the queued emails: loop until SIGTERM or Ctrl-C, or drain once with --once."""
    if once:
        delivery = deliver_all_due()
        click.echo(f"sent {delivery.sent}, failed {delivery.failed} (will retry), gave up {delivery.gave_up}")
        return
    stop = threading.Event()

    def stop_after_this_round(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, stop_after_this_round)
    signal.signal(signal.SIGINT, stop_after_this_round)
    seconds = poll if poll is not None else current_app.config["MAIL_POLL_SECONDS"]
    click.echo(f"mail worker: sending every {seconds:g} s")
    run_sender(current_app._get_current_object(), seconds, stop)
    click.echo("mail worker: stopped")


@click.command("mail-backlog")
def mail_backlog():
    """Show the emails not sent yet: due now, waiting for a retry, given up on."""
    now = utcnow()
    waiting = backlog(now)
    oldest = f"{(now - waiting.oldest_due_at).total_seconds():.0f} s ago" if waiting.oldest_due_at else "none"
    click.echo(f"due: {waiting.due} (oldest due {oldest})")
    click.echo(f"waiting for a retry: {waiting.retrying}")
    click.echo(f"given up: {waiting.gave_up}")
