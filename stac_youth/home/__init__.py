"""The home dashboard, the language switch, and the health and readiness checks."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from . import routes  # noqa: E402,F401
