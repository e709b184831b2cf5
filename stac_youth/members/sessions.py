"""Signed-in sessions: loading users from the login id, the 12-hour limit, and marking a fresh sign-in."""

from __future__ import annotations

import time

from flask import Flask, current_app, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user, user_loaded_from_cookie

from ..extensions import login_manager
from .accounts import load_user_from_login_id


def start_session(user, remember: bool = False) -> None:
    """Sign the user in on this device with a fresh session cookie."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user, remember=remember)
    session.permanent = True
    session["auth_at"] = int(time.time())


def end_session() -> None:
    """Sign out on this device."""
    logout_user()
    # logout_user() asks for the remember cookie to be deleted through a session flag; keep it across clear().
    remember = session.get("_remember")
    session.clear()
    if remember:
        session["_remember"] = remember


def _mark_cookie_login(_app, user) -> None:
    session.permanent = True
    session["auth_at"] = int(time.time())


def enforce_session_age():
    """before_request hook: a session older than PERMANENT_SESSION_LIFETIME must sign in again."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    started = session.get("auth_at")
    limit = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if started is None or time.time() - started > limit:
        end_session()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def init_sessions(app: Flask) -> None:
    """Wire Flask-Login to our users and session rules."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_login_id)
    user_loaded_from_cookie.connect(_mark_cookie_login, app)
    app.before_request(enforce_session_age)
