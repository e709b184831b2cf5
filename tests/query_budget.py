"""Count the SQL statements a request runs, to catch pages whose query count grows with their rows (N+1)."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from stac_youth.extensions import db

_IN_LIST = re.compile(r"\(\?(?:, \?)*\)")


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends to the database inside the block, in order."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def page_and_statements(client, url: str) -> tuple[str, list[str]]:
    """The page's text and the statements its request ran; a first request warms one-off work (read markers).

    The page is rendered, never taken from the page cache: the budget is about rendering it."""
    client.get(url)
    client.application.extensions["page_cache"].clear()
    with recorded_statements(db.engine) as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html.unescape(response.get_data(as_text=True)), statements


def _shape(statement: str) -> str:
    """The statement with its IN lists folded, so that IN (?, ?) and IN (?, ?, ?) count as one statement."""
    return _IN_LIST.sub("(?...)", statement)


def grown(before: list[str], after: list[str]) -> list[str]:
    """The statements run more often in the second list than in the first, each with how many times more."""
    extra = Counter(map(_shape, after)) - Counter(map(_shape, before))
    return [f"+{times}x {statement}" for statement, times in extra.most_common()]
