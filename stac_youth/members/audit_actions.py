"""Readable labels of the audit actions the members area writes."""

from flask_babel import lazy_gettext as _l

from ..common.audit import ACTION_LABELS, DETAIL_VALUE_LABELS
from ..common.templating import ROLE_NAMES

ACTION_LABELS.update(
    {
        "account.created_by_command": _l("Account created from the command line"),
        "account.deleted": _l("Account deleted by its owner"),
        "county.created": _l("County added"),
        "invitation.accepted": _l("Invitation accepted"),
        "invitation.created": _l("Invitation sent"),
        "invitation.revoked": _l("Invitation withdrawn"),
        "login.failed": _l("Failed sign-in"),
        "password.changed": _l("Password changed"),
        "password.reset": _l("Password reset"),
        "password.reset_requested": _l("Password reset requested"),
        "profile.hidden_fields_viewed": _l("Hidden profile fields viewed"),
        "region.created": _l("Region added"),
        "region.renamed": _l("Region renamed"),
        "sessions.revoked": _l("Signed out everywhere"),
        "user.deactivated": _l("Account deactivated"),
        "user.reactivated": _l("Account reactivated"),
        "user.role_changed": _l("Role changed"),
        "theme.created": _l("Theme added"),
        "theme.updated": _l("Theme changed"),
    }
)
DETAIL_VALUE_LABELS.update({"role": lambda role: ROLE_NAMES.get(role, role)})
