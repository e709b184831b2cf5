"""Members: accounts, invitations, login, profiles, privacy, export and erasure."""

from flask import Blueprint

auth_bp = Blueprint("auth", __name__)
bp = Blueprint("members", __name__)

from . import auth_routes, routes  # noqa: E402,F401
