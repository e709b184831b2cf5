"""The words of the Summit actions that ask first (common/confirm.py): the dialog and the page say the same."""

from __future__ import annotations

from flask_babel import gettext as _

from ..common.confirm import Confirmation, register

DELETE_SESSION = "summit.session.delete"


@register(DELETE_SESSION)
def delete_session(session) -> Confirmation:
    """Deleting a Summit session that carries no adopted proposal."""
    return Confirmation(
        question=_("Delete the session “%(title)s”?", title=session.title),
        consequence=_("The session leaves the Summit program for good. This cannot be undone."),
        yes=_("Yes, delete the session"),
    )
