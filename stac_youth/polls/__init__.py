"""Polls: votes on proposals and on agenda items, with their ballots, receipts, results and live updates."""

from flask import Blueprint

bp = Blueprint("polls", __name__)

from . import audit_actions, events, personal_data, routes  # noqa: E402,F401
from .questions import question_text  # noqa: E402
from .results import (  # noqa: E402
    counts_summary,
    describe_ballot,
    method_label,
    outcome_label,
    outcome_summary,
    status_label,
)

bp.add_app_template_filter(question_text, "poll_question")
bp.add_app_template_filter(status_label, "poll_status")
bp.add_app_template_filter(method_label, "poll_method")
bp.add_app_template_filter(outcome_label, "poll_outcome")
bp.add_app_template_filter(outcome_summary, "poll_summary")
bp.add_app_template_filter(counts_summary, "poll_counts")
bp.add_app_template_global(describe_ballot, "describe_ballot")
bp.add_app_template_global(routes.agenda_poll_panel, "agenda_poll_panel")
