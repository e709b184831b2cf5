"""Readable labels of the audit actions the meetings area writes."""

from flask_babel import lazy_gettext as _l

from ..common.audit import ACTION_LABELS

ACTION_LABELS.update(
    {
        "meeting.created": _l("Meeting created"),
        "meeting.updated": _l("Meeting edited"),
        "meeting.published": _l("Meeting published"),
        "meeting.deleted": _l("Meeting deleted"),
        "meeting.cancelled": _l("Meeting cancelled"),
        "meeting.restored": _l("Cancelled meeting restored"),
        "meeting.started": _l("Meeting started"),
        "meeting.ended": _l("Meeting ended"),
        "meeting.item_moved": _l("Live meeting moved to another item"),
        "meeting.minutes_saved": _l("Minutes saved"),
        "agenda.item_added": _l("Agenda item added"),
        "agenda.item_updated": _l("Agenda item edited"),
        "agenda.item_deleted": _l("Agenda item deleted"),
        "agenda.item_restored": _l("Deleted agenda item restored"),
        "agenda.item_moved": _l("Agenda item moved"),
    }
)
