"""Members: accounts, invitations, login, profiles, privacy, export and erasure."""

from flask import Blueprint

auth_bp = Blueprint("auth", __name__)
bp = Blueprint("members", __name__)

from . import audit_actions, auth_routes, routes  # noqa: E402,F401
from .browser_storage import login_storage_key  # noqa: E402
from .profiles import grade_label  # noqa: E402

bp.add_app_template_filter(grade_label, "grade_label")
bp.add_app_template_global(login_storage_key, "login_storage_key")
