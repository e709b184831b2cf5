"""Admin screens: users, invitations, regions and the audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import confirmations, routes  # noqa: E402,F401
