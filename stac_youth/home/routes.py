"""Home dashboard, language switch, health and readiness checks."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..common.policy import safe_next_url
from ..members import accounts
from . import bp, readiness, services


@bp.route("/")
def index():
    board = services.build_dashboard(current_user._get_current_object())
    return render_template("home/index.html", board=board)


@bp.route("/language", methods=["POST"])
def set_language():
    language = request.form.get("lang", "")
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
        if current_user.is_authenticated:
            accounts.set_language(current_user._get_current_object(), language)
    return redirect(safe_next_url(request.form.get("next")) if request.form.get("next") else url_for("home.index"))


@bp.route("/healthz")
def healthz():
    if services.database_ok():
        return jsonify(status="ok", db="ok")
    return jsonify(status="error", db="unavailable"), 503


@bp.route("/readyz")
def readyz():
    results = readiness.run_checks()
    failed = readiness.failed_checks(results)
    if failed:
        return jsonify(status="error", checks=results, failed=failed), 503
    return jsonify(status="ok", checks=results)
