"""Profiles, the directory and account settings."""

from __future__ import annotations

import json

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..common.errors import ServiceError
from ..common.forms import attach_error
from ..common.i18n import localized_name
from ..common.ids import database_int
from ..extensions import db
from . import accounts, bp, privacy, profiles
from .avatars import avatar_path
from .browser_storage import clear_browser_storage
from .forms import AvatarForm, ChangePasswordForm, DeleteAccountForm, ProfileForm
from .logins import open_logins
from .models import User
from .sessions import end_session, start_session


def _me() -> User:
    return current_user._get_current_object()


def _load_member(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted or (not user.active and not current_user.has_role("advisor", "admin")):
        abort(404)
    return user


@bp.route("/members")
def directory():
    regions = profiles.list_regions()
    region_id = request.args.get("region", type=database_int)
    query = request.args.get("q", "")[:80]
    page = profiles.directory(_me(), region_id=region_id, query=query,
                              page=request.args.get("page", 1, type=database_int))
    return render_template("members/directory.html", page=page, regions=regions, region_id=region_id, query=query)


@bp.route("/members/<int:user_id>")
def profile(user_id: int):
    view = profiles.view_profile(_me(), _load_member(user_id))
    return render_template("members/profile.html", view=view)


@bp.route("/members/<int:user_id>/avatar")
def avatar(user_id: int):
    user = _load_member(user_id)
    if not user.avatar_filename or not avatar_path(user.avatar_filename).exists():
        abort(404)
    response = send_file(avatar_path(user.avatar_filename), mimetype="image/webp", max_age=300)
    response.headers["Content-Disposition"] = "inline"
    return response


def _fill_choices(form: ProfileForm, regions) -> None:
    form.region_id.choices = [(0, _l("Choose your region"))] + [(r.id, localized_name(r)) for r in regions]
    form.county_id.choices = [(0, _l("Choose your county (optional)"))] + [
        (c.id, f"{c.name} ({localized_name(r)})") for r in regions for c in r.counties
    ]
    form.grade.choices = [("", _l("Choose your grade"))] + [(g, profiles.grade_label(g)) for g in profiles.GRADES]


@bp.route("/profile/edit", methods=["GET", "POST"])
def edit_profile():
    me = _me()
    regions = profiles.list_regions()
    # Bind the user only to fill the GET form: on POST a field missing from the request would otherwise fall
    # back to the model attribute (interests is a relationship, not text) instead of being empty.
    form = ProfileForm(obj=me if request.method == "GET" else None)
    if request.method == "GET":
        form.interests.data = ", ".join(me.interest_tags)
        form.region_id.data = me.region_id or 0
        form.county_id.data = me.county_id or 0
    _fill_choices(form, regions)
    if form.validate_on_submit():
        try:
            profiles.update_profile(me, form.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("Your profile is saved."), "success")
            return redirect(url_for("members.profile", user_id=me.id))
    return render_template("members/edit_profile.html", form=form, avatar_form=AvatarForm())


@bp.route("/profile/avatar", methods=["POST"])
def upload_avatar():
    form = AvatarForm()
    if form.validate_on_submit():
        try:
            # Read one byte past the limit, so an oversized file is recognised without reading all of it.
            profiles.set_avatar(_me(), form.avatar.data.read(current_app.config["AVATAR_MAX_BYTES"] + 1))
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_l("Your picture is saved."), "success")
    else:
        for message in form.avatar.errors:
            flash(message, "danger")
    return redirect(url_for("members.edit_profile"))


@bp.route("/profile/avatar/remove", methods=["POST"])
def remove_avatar():
    profiles.remove_avatar(_me())
    flash(_l("Your picture is removed."), "success")
    return redirect(url_for("members.edit_profile"))


@bp.route("/account")
def account():
    return render_template("members/account.html", logins=open_logins(_me()))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(_me(), form.current_password.data, form.new_password.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            start_session(_me())
            flash(_l("Your password is changed. Other devices are signed out."), "success")
            return redirect(url_for("members.account"))
    return render_template("members/change_password.html", form=form)


@bp.route("/account/export.json")
def export_data():
    body = json.dumps(privacy.export_user_data(_me()), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="stac-youth-my-data.json"'},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            privacy.delete_account(_me(), form.password.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            end_session()
            flash(_l("Your account is erased. Thank you for being part of the board."), "info")
            return clear_browser_storage(redirect(url_for("auth.login")))
    return render_template("members/delete_account.html", form=form)
