"""The words of the meeting actions that ask first (common/confirm.py): the dialog and the page say the same."""

from __future__ import annotations

from flask_babel import gettext as _

from ..common.confirm import Confirmation, register


@register("meeting.delete")
def delete_meeting(meeting) -> Confirmation:
    """Deleting a meeting nobody has answered yet."""
    return Confirmation(
        question=_("Delete the meeting “%(title)s”?", title=meeting.title),
        consequence=_("The meeting and its agenda are removed for good. This cannot be undone."),
        yes=_("Yes, delete the meeting"),
    )


@register("meeting.end")
def end_meeting(meeting) -> Confirmation:
    """Ending a live meeting."""
    return Confirmation(
        question=_("End the meeting “%(title)s” now?", title=meeting.title),
        consequence=_("The meeting stops for everyone: the live screen stops and check-in closes. An ended meeting "
                      "cannot start again. You can then write the minutes."),
        yes=_("Yes, end the meeting"),
    )


@register("agenda.delete")
def delete_item(item) -> Confirmation:
    """Deleting an agenda item (it can be undone right after)."""
    return Confirmation(
        question=_("Delete the agenda item “%(title)s”?", title=item.title),
        consequence=_("The item leaves the agenda and the items after it move up. Right after, you can undo it."),
        yes=_("Yes, delete the item"),
    )
