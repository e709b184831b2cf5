"""Proposals and voting: proposals, comments, polls, ballots and tallies."""

from flask import Blueprint

bp = Blueprint("proposals", __name__)

from . import audit_actions, personal_data, poll_events, poll_routes, routes  # noqa: E402,F401
from .models import status_label  # noqa: E402
from .poll_results import describe_ballot, method_label, outcome_label  # noqa: E402
from .poll_results import status_label as poll_status_label  # noqa: E402

bp.add_app_template_filter(status_label, "proposal_status")
bp.add_app_template_filter(poll_status_label, "poll_status")
bp.add_app_template_filter(method_label, "poll_method")
bp.add_app_template_filter(outcome_label, "poll_outcome")
bp.add_app_template_global(describe_ballot, "describe_ballot")
bp.add_app_template_global(poll_routes.agenda_poll_panel, "agenda_poll_panel")
