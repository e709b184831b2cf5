"""Members: accounts, invitations, login, profiles, privacy, export and erasure."""

from flask import Blueprint

auth_bp = Blueprint("auth", __name__)
bp = Blueprint("members", __name__)

from . import audit_actions, auth_routes, routes  # noqa: E402,F401
from .profiles import grade_label  # noqa: E402

bp.add_app_template_filter(grade_label, "grade_label")
