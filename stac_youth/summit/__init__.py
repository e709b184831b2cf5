"""Summit planning: editions and sessions, the planners' decisions, and the trace from each vote to the Summit."""

from flask import Blueprint

bp = Blueprint("summit", __name__)

from . import audit_actions, confirmations, events, routes, services  # noqa: E402,F401
from .models import decision_label  # noqa: E402

bp.add_app_template_filter(decision_label, "decision_label")
bp.add_app_template_global(services.decision_of, "summit_decision")
