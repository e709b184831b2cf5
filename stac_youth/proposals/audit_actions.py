"""Readable labels of the audit actions the proposals area writes."""

from flask_babel import lazy_gettext as _l

from ..common.audit import ACTION_LABELS

ACTION_LABELS.update(
    {
        "proposal.moved": _l("Proposal moved to its next step"),
        "proposal.comment_deleted": _l("Comment deleted by an advisor"),
        "proposal.comment_added": _l("Comment written by an adult"),
        "proposal.comment_edited": _l("Comment edited by an adult"),
    }
)
