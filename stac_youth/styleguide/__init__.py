"""The style guide: every building block of the design system, with sample data, for advisors and admins."""

from flask import Blueprint

bp = Blueprint("styleguide", __name__)

from . import routes  # noqa: E402,F401
