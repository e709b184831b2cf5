"""Readable labels of the audit actions the polls area writes."""

from flask_babel import lazy_gettext as _l

from ..common.audit import ACTION_LABELS, DETAIL_VALUE_LABELS
from .results import method_label, outcome_label

ACTION_LABELS.update(
    {
        "poll.created": _l("Poll created"),
        "poll.opened": _l("Poll opened"),
        "poll.closed": _l("Poll closed"),
    }
)
DETAIL_VALUE_LABELS.update({"outcome": outcome_label, "method": method_label})
