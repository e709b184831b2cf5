"""Shared builders and readers for the poll page tests (plain functions, not fixtures)."""

from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from stac_youth.common.audit import AuditEvent
from stac_youth.common.time import utc_to_local
from stac_youth.extensions import db
from stac_youth.polls import counts, lifecycle
from stac_youth.polls.models import Participation, Poll, PollCount

YNA = "yes_no_abstain"
ZONE = "America/Los_Angeles"  # everybody's zone unless they chose another
HIDDEN_RECEIPT = re.compile(r'<input type="hidden" name="receipt" value="([^"]+)">')
RECEIPT = re.compile(r"^[A-Z2-7]{4}(?:-[A-Z2-7]{4}){3}$")


def new_poll(advisor, method: str = YNA, options: list[str] | None = None, proposal=None, status: str = "open",
             question: str = "Do we adopt it?", **settings) -> Poll:
    """A poll through the services, left a draft or opened."""
    poll = lifecycle.create_poll(advisor, proposal, question, method, options, **settings)
    if status == "open":
        lifecycle.open_poll(advisor, poll)
    return poll


def poll_form(**changes) -> dict:
    """Valid poll form data (yes / no / abstain, simple majority, no quorum, not scheduled)."""
    values = {"question": "Which theme first?", "method": YNA, "options": "", "threshold": "simple",
              "quorum_percent": "0", "opens_at": "", "closes_at": ""}
    values.update(changes)
    return values


def local(value) -> str:
    """A stored UTC time as a datetime-local form value in the default zone."""
    return utc_to_local(value, ZONE).strftime("%Y-%m-%dT%H:%M")


def text(response) -> str:
    """The response body with HTML entities decoded (apostrophes come out as &#39;)."""
    return html.unescape(response.get_data(as_text=True))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return text(response)


def receipt_on(shown: str) -> str:
    """The receipt code a page's vote form carries."""
    match = HIDDEN_RECEIPT.search(shown)
    assert match, "no vote form on the page"
    return match.group(1)


def vote(client, poll: Poll, data: dict):
    """Send the poll page's vote form with these choices."""
    receipt = receipt_on(page(client, f"/polls/{poll.id}"))
    return client.post(f"/polls/{poll.id}/vote", data={**data, "receipt": receipt}, follow_redirects=True)


def count(model, poll: Poll) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.poll_id == poll.id))


def counters(poll: Poll) -> dict[str, int]:
    """The live per-choice counters (the turnout counter is checked against the participations)."""
    rows = db.session.execute(select(PollCount.choice, PollCount.count).where(PollCount.poll_id == poll.id))
    found = dict(rows.tuples().all())
    assert found.pop(counts.CAST) == count(Participation, poll)
    return found


def audits() -> list[AuditEvent]:
    """The poll audit events so far, oldest first."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("poll.%"))
                                   .order_by(AuditEvent.id)))


def _only_poll() -> Poll:
    return db.session.scalars(select(Poll)).one()


def _code(response) -> str:
    """The receipt code the receipt page shows."""
    assert response.status_code == 200, response.status_code
    shown = text(response)
    assert "Your vote is counted" in shown
    return re.search(r'data-receipt="([^"]+)"', shown).group(1)


def _error_of(html: str, field: str) -> str:
    """The error text shown under a form field."""
    match = re.search(rf'id="{field}-error" class="invalid-feedback">(.*?)</div>', html, re.S)
    assert match, f"no error under {field}"
    return match.group(1)
