"""Notifications: the bell with unread counts, the list, live pushes and emails, for every area's news."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from . import events, personal_data, routes  # noqa: E402,F401
from .services import unread_for_current_user  # noqa: E402

bp.add_app_template_global(unread_for_current_user, "unread_notifications")
