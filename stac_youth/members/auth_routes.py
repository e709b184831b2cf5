"""Sign in, sign out, register from an invitation, reset a password."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..common.errors import ServiceError
from ..common.forms import attach_error
from ..common.i18n import signed_out_language
from ..common.policy import safe_next_url
from ..common.urls import public_url_for
from ..extensions import limiter
from . import accounts, auth_bp, invitations
from .browser_storage import clear_browser_storage
from .failed_sign_ins import account_key
from .forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from .sessions import end_session, start_session


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_pair_limit() -> str:
    return current_app.config["LOGIN_PAIR_RATE_LIMIT"]


def _login_pair_key() -> str:
    """The client's address with the typed account (hashed, so the limit store holds no email)."""
    return f"login-pair:{get_remote_address()}:{account_key(request.form.get('email', ''))}"


def _login_failed(_response) -> bool:
    return bool(g.get("login_failed"))


@auth_bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_login_failed, scope="login-address")
@limiter.limit(_login_pair_limit, key_func=_login_pair_key, methods=["POST"], deduct_when=_login_failed,
               scope="login-pair")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            accounts.keep_sign_in_language(user, *signed_out_language())
            start_session(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")))
        g.login_failed = True
        form.password.errors.append(_l("That email and password do not match an active account."))
    return render_template("auth/login.html", form=form)


@auth_bp.route("/logout", methods=["POST"])
def logout():
    end_session()
    flash(_l("You are signed out."), "info")
    target = safe_next_url(request.form["next"]) if request.form.get("next") else url_for("auth.login")
    return clear_browser_storage(redirect(target))  # what this browser kept for the session goes with it


@auth_bp.route("/logout-everywhere", methods=["POST"])
def logout_everywhere():
    user = current_user._get_current_object()
    accounts.logout_everywhere(user)
    start_session(user)
    flash(_l("You are signed out on every other device."), "success")
    return redirect(url_for("members.account"))


@auth_bp.route("/register/<token>", methods=["GET", "POST"])
def register(token: str):
    invitation = invitations.find_open_invitation(token)
    if invitation is None:
        return render_template("auth/invitation_invalid.html"), 404
    if current_user.is_authenticated:  # never sign out here: a link must not end a session (the page offers a POST)
        return render_template("auth/invitation_signed_in.html", token=token)
    form = RegisterForm()
    if form.validate_on_submit():
        language, picked = signed_out_language()
        try:
            user = invitations.accept_invitation(token, form.display_name.data, form.password.data, language=language)
        except ServiceError as error:
            attach_error(form, error)
        else:
            accounts.keep_sign_in_language(user, language, picked)
            start_session(user)
            flash(_l("Welcome! Tell others a little about yourself."), "success")
            return redirect(url_for("members.edit_profile"))
    return render_template("auth/register.html", form=form, invitation=invitation)


@auth_bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"], scope="password-reset")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(
            form.email.data, lambda token: public_url_for("auth.reset_password", token=token)
        )
        flash(_l("If that email belongs to an account, we sent it a link to choose a new password. "
                 "The link works for 1 hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@auth_bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if accounts.find_reset_token(token) is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            end_session()
            flash(_l("Your password is changed. Sign in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
