"""Error pages 400, 403, 404, 413, 429, 500 and 503 in the user's language."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from ..extensions import db

HANDLED = (400, 403, 404, 405, 413, 429, 500)


def _render(error: HTTPException):
    code = error.code if error.code in HANDLED else 500
    return render_template(f"errors/{code}.html", error=error), code


def _csrf_error(_error: CSRFError):
    return render_template("errors/400.html", csrf=True), 400


def _untrusted_host(_error: SecurityError):
    """A Host header outside TRUSTED_HOSTS: plain text, since no URL (so no page) can be built for that host."""
    return _("This site does not answer to that address."), 400, {"Content-Type": "text/plain; charset=utf-8"}


def _internal_error(_error: Exception):
    db.session.rollback()
    return render_template("errors/500.html"), 500


def _database_error(error: OperationalError):
    """A database too busy to answer in time (SQLite's write lock under load): nothing was saved, try again."""
    db.session.rollback()
    if "locked" not in str(error.orig).lower():
        raise error
    response = render_template("errors/503.html"), 503, {"Retry-After": "2"}
    return response


def init_error_pages(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    for code in HANDLED:
        if code != 500:
            app.register_error_handler(code, _render)
    app.register_error_handler(500, _internal_error)
    app.register_error_handler(OperationalError, _database_error)
