"""Readable labels of the audit actions the Summit area writes."""

from flask_babel import lazy_gettext as _l

from ..common.audit import ACTION_LABELS, DETAIL_VALUE_LABELS
from .models import decision_label

ACTION_LABELS.update(
    {
        "summit.edition_created": _l("Summit edition created"),
        "summit.edition_updated": _l("Summit edition edited"),
        "summit.session_created": _l("Summit session added"),
        "summit.session_updated": _l("Summit session edited"),
        "summit.session_deleted": _l("Summit session deleted"),
        "summit.decision": _l("Summit decision on a proposal"),
    }
)
DETAIL_VALUE_LABELS.update({"decision": decision_label})
