"""Rooms: live discussion with presence, the speakers queue and moderation."""

from flask import Blueprint

bp = Blueprint("rooms", __name__)

from . import audit_actions, events, personal_data, routes, times  # noqa: E402,F401
