"""Signed-in sessions: Flask-Login wired to device logins, started and ended on this device."""

from __future__ import annotations

from flask import Flask, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from ..extensions import login_manager
from .accounts import load_user_from_login_id
from .logins import close_login, open_login


def start_session(user, remember: bool = False) -> None:
    """Sign the user in on this device: a new device login and a fresh session cookie."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    user.login_token = open_login(user, remember)
    login_user(user, remember=remember)
    session.permanent = True


def end_session() -> None:
    """Sign out on this device: its login ends, so copies of its cookies stop working too."""
    if current_user.is_authenticated:
        close_login(current_user._get_current_object(), current_user.login_token)
    logout_user()
    # logout_user() asks for the remember cookie to be deleted through a session flag; keep it across clear().
    remember = session.get("_remember")
    session.clear()
    if remember:
        session["_remember"] = remember


def init_sessions(app: Flask) -> None:
    """Wire Flask-Login to our users and device logins, on Flask's signed cookie session."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_login_id)
