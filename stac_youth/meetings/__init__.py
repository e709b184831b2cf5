"""Meetings: agendas, RSVPs, attendance, calendars, minutes and the live meeting screen."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)

from . import audit_actions, confirmations, events, live_pages, personal_data, routes  # noqa: E402,F401
