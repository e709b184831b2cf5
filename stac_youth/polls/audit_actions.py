"""Readable labels of the audit actions the polls area writes."""

from flask_babel import lazy_gettext as _l

from ..common.audit import ACTION_LABELS

ACTION_LABELS.update(
    {
        "poll.created": _l("Poll created"),
        "poll.opened": _l("Poll opened"),
        "poll.closed": _l("Poll closed"),
    }
)
