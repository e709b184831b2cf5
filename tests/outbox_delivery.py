"""The `outbox` fixture's list: Flask-Mailman's in-memory outbox, read after the real mail sender ran."""

from __future__ import annotations

from collections.abc import Sequence

from stac_youth.common.mail_sender import deliver_all_due


class DeliveredMail(Sequence):
    """The messages sent so far; every read first sends the committed, due outbox rows through the mail sender.

    The sender runs in an application context (so a database session) of its own: an email whose transaction the
    code under test did not commit is not sent, as in production.
    """

    def __init__(self, app, sent: list):
        self.app = app
        self.sent = sent

    def _delivered(self) -> list:
        with self.app.app_context():
            deliver_all_due()
        return self.sent

    def __getitem__(self, index):
        return self._delivered()[index]

    def __len__(self) -> int:
        return len(self._delivered())

    def __iter__(self):
        return iter(list(self._delivered()))

    def __eq__(self, other) -> bool:
        return list(self._delivered()) == list(other)

    __hash__ = None

    def __repr__(self) -> str:
        return repr(self._delivered())

    def clear(self) -> None:
        """Send what is due, then forget every message sent so far."""
        self._delivered().clear()
