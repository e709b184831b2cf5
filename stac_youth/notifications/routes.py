"""Notification pages: the list, mark read (and follow), mark all read, the email setting."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..common.errors import NotFound, ServiceError
from ..common.ids import database_int
from ..common.policy import safe_next_url
from . import bp, services


def _me():
    return current_user._get_current_object()


@bp.route("/notifications")
def index():
    me = _me()
    page = services.list_notifications(me, page=request.args.get("page", 1, type=database_int))
    return render_template("notifications/index.html", page=page, text_of=services.text_of,
                           email_setting=me.email_notifications or services.EMAIL_ALL,
                           email_choices=services.EMAIL_CHOICES)


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
def open_one(notification_id: int):
    try:
        notification = services.get_own(_me(), notification_id)
    except NotFound:
        abort(404)
    services.mark_read(_me(), notification)
    return redirect(safe_next_url(notification.link) if notification.link else url_for("notifications.index"))


@bp.route("/notifications/read-all", methods=["POST"])
def read_all():
    services.mark_all_read(_me())
    flash(_l("All notifications are marked read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/email", methods=["POST"])
def email_setting():
    try:
        services.set_email_preference(_me(), request.form.get("email", ""))
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_l("Your email setting is saved."), "success")
    return redirect(url_for("notifications.index") + "#email")
