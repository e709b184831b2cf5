"""The words of the poll actions that ask first (common/confirm.py): the dialog and the page say the same."""

from __future__ import annotations

from flask_babel import gettext as _

from ..common.confirm import Confirmation, register
from ..common.i18n import inner_quotes
from .questions import question_text

CLOSE_POLL = "poll.close"


@register(CLOSE_POLL)
def close_poll(poll) -> Confirmation:
    """Closing an open poll: voting stops and the votes are counted, for good."""
    return Confirmation(
        question=_("Close the poll “%(question)s” and count the votes?", question=inner_quotes(question_text(poll))),
        consequence=_("Voting stops for everyone now and the votes are counted. A closed poll cannot open again."),
        yes=_("Yes, close and count"),
    )
