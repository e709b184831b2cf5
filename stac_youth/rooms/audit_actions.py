"""Readable labels of the audit actions the rooms area writes."""

from flask_babel import lazy_gettext as _l

from ..common.audit import ACTION_LABELS

ACTION_LABELS.update(
    {
        "room.created": _l("Room created"),
        "room.message_deleted": _l("Message deleted"),
        "room.member_muted": _l("Member muted in a room"),
        "room.member_unmuted": _l("Member unmuted in a room"),
        "room.locked": _l("Room locked"),
        "room.unlocked": _l("Room unlocked"),
        "room.speaker_called": _l("Next speaker called"),
        "room.report_resolved": _l("Report handled"),
    }
)
