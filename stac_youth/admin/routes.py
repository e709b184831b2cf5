"""Admin screens: thin adapters over the members and admin services."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..common import confirm
from ..common.errors import ServiceError
from ..common.forms import attach_error
from ..common.i18n import localized_name
from ..common.ids import database_int
from ..common.roles import Role
from ..common.time import utcnow
from ..common.urls import public_url_for
from ..extensions import db
from ..members import accounts, invitations
from ..members.models import Invitation, Region, User
from ..members.profiles import list_regions
from ..proposals.models import Theme
from . import bp, services
from .confirmations import DEACTIVATE_USER, REVOKE_INVITATION
from .forms import ROLE_LABELS, ActiveForm, CountyForm, InvitationForm, RegionForm, RoleForm, ThemeForm


def _me() -> User:
    return current_user._get_current_object()


def _get_or_404(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


@bp.route("/invitations", endpoint="invitations", methods=["GET", "POST"])
def invitations_screen():
    me = _me()
    form = InvitationForm()
    form.role.choices = [(role, ROLE_LABELS[Role(role)]) for role in invitations.roles_inviter_may_grant(me)]
    form.region_id.choices = [(0, _l("No region"))] + [(r.id, localized_name(r)) for r in list_regions()]
    if form.validate_on_submit():
        try:
            created = invitations.invite_member(
                me, form.email.data, form.role.data, form.region_id.data or None,
                link_for=lambda token: public_url_for("auth.register", token=token),
            )
        except ServiceError as error:
            attach_error(form, error)
        else:
            link = public_url_for("auth.register", token=created.token)
            return render_template("admin/invitation_sent.html", link=link, invitation=created.invitation)
    return render_template(
        "admin/invitations.html", form=form, invitations=invitations.list_invitations(me), now=utcnow()
    )


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
def revoke_invitation(invitation_id: int):
    invitation = _get_or_404(Invitation, invitation_id)
    if not confirm.confirmed():
        return confirm.ask(REVOKE_INVITATION, url_for("admin.invitations"), invitation=invitation)
    try:
        invitations.revoke_invitation(_me(), invitation)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_l("The invitation is withdrawn."), "success")
    return redirect(url_for("admin.invitations"))


@bp.route("/users")
def users():
    role = request.args.get("role") if request.args.get("role") in set(Role) else None
    query = request.args.get("q", "")[:80]
    page = services.list_users(query=query, role=role, page=request.args.get("page", 1, type=database_int))
    return render_template(
        "admin/users.html", page=page, query=query, role=role, role_labels=ROLE_LABELS,
        role_form=RoleForm(), active_form=ActiveForm(),
    )


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    user = _get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            accounts.change_role(_me(), user, form.role.data)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_l("%(name)s is now: %(role)s.", name=user.display_name, role=ROLE_LABELS[Role(user.role)]),
                  "success")
    else:
        flash(_l("Choose a role from the list."), "danger")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int):
    user = _get_or_404(User, user_id)
    form = ActiveForm()
    if form.active.data == "0" and user.active and not confirm.confirmed():  # reactivating needs no asking
        return confirm.ask(DEACTIVATE_USER, url_for("admin.users"), user=user)
    if form.validate_on_submit() and form.active.data in ("0", "1"):
        try:
            accounts.set_active(_me(), user, form.active.data == "1")
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            message = _l("The account is active again.") if user.active else _l("The account is deactivated.")
            flash(message, "success")
    return redirect(url_for("admin.users"))


@bp.route("/regions", methods=["GET", "POST"])
def regions():
    form = RegionForm(prefix="new")
    if form.validate_on_submit():
        try:
            services.add_region(_me(), form.name.data, form.name_es.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The region is added."), "success")
            return redirect(url_for("admin.regions"))
    return render_template(
        "admin/regions.html", form=form, regions=list_regions(), rename_form=RegionForm(), county_form=CountyForm()
    )


@bp.route("/regions/<int:region_id>/rename", methods=["POST"])
def rename_region(region_id: int):
    region = _get_or_404(Region, region_id)
    form = RegionForm()
    if form.validate_on_submit():
        try:
            services.rename_region(_me(), region, form.name.data, form.name_es.data)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_l("The region is renamed."), "success")
    else:
        flash(_l("Enter a name of at most 80 characters."), "danger")
    return redirect(url_for("admin.regions"))


@bp.route("/regions/<int:region_id>/counties", methods=["POST"])
def add_county(region_id: int):
    region = _get_or_404(Region, region_id)
    form = CountyForm()
    if form.validate_on_submit():
        try:
            services.add_county(_me(), region, form.name.data)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_l("The county is added."), "success")
    else:
        flash(_l("Enter a name of at most 80 characters."), "danger")
    return redirect(url_for("admin.regions"))


@bp.route("/audit")
def audit_log():
    action = request.args.get("action") or None
    page = services.audit_page(action=action, page=request.args.get("page", 1, type=database_int))
    return render_template("admin/audit_log.html", page=page, action=action, actions=services.audit_actions())


@bp.route("/themes", methods=["GET", "POST"])
def themes():
    form = ThemeForm(prefix="new")
    if form.validate_on_submit():
        try:
            services.add_theme(_me(), form.name.data, form.name_es.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The theme is added."), "success")
            return redirect(url_for("admin.themes"))
    return render_template("admin/themes.html", form=form, themes=services.all_themes())


@bp.route("/themes/<int:theme_id>", methods=["POST"])
def update_theme(theme_id: int):
    theme = _get_or_404(Theme, theme_id)
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            services.update_theme(_me(), theme, form.name.data, request.form.get("active") == "1", form.name_es.data)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_l("The theme is saved."), "success")
    else:
        flash(_l("Enter a name of at most 120 characters."), "danger")
    return redirect(url_for("admin.themes"))
