"""Count the SQL statements a request runs, to catch pages whose query count grows with their rows (N+1)."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.engine import Engine

from stac_youth.admin import services as admin_services
from stac_youth.extensions import db
from stac_youth.members.models import User

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
    """The page's text and the statements its request ran; a first request warms one-off work (read markers)."""
    client.get(url)
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


@dataclass
class ListPage:
    """A page, the user who reads it, and how to add its row number i (returning what the page shows of it)."""

    viewer: User
    url: str
    add_row: Callable[[int], list[str]]
    few: int = 2


class People:
    """The staff every scenario needs, and fresh members and regions made through the app's services."""

    def __init__(self, make_user):
        self.make_user = make_user
        self.admin = make_user("admin", display_name="Ada Admin")
        self.advisor = make_user("advisor", display_name="Avery Advisor")
        self.planner = make_user("planner", display_name="Pat Planner")

    def member(self, name: str, **profile) -> User:
        return self.make_user("member", display_name=name, **profile)

    def staff(self, role: str, name: str) -> User:
        return self.make_user(role, display_name=name)

    def region(self, name: str):
        return admin_services.add_region(self.admin, name)
