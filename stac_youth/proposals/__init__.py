"""Proposals: drafts, co-sponsors, comments and the way to the vote (the polls package runs the vote itself)."""

from flask import Blueprint

bp = Blueprint("proposals", __name__)

from . import audit_actions, events, personal_data, routes, voting  # noqa: E402,F401
from .models import status_label  # noqa: E402

bp.add_app_template_filter(status_label, "proposal_status")
