"""Forms for signing in, registering, profiles and account settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..common.passwords import MAX_LENGTH

LANGUAGE_CHOICES = [("en", "English"), ("es", "Español")]
TIMEZONE_CHOICES = [
    ("America/Los_Angeles", _l("Pacific time (California)")),
    ("America/Denver", _l("Mountain time")),
    ("America/Chicago", _l("Central time")),
    ("America/New_York", _l("Eastern time")),
    ("Pacific/Honolulu", _l("Hawaii time")),
    ("UTC", "UTC"),
]


def _required():
    return DataRequired(message=_l("This field is required."))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[_required(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[_required(), Length(max=MAX_LENGTH)])
    remember = BooleanField(_l("Keep me signed in on this device for 14 days"))


class RegisterForm(FlaskForm):
    display_name = StringField(_l("Name others will see"), validators=[_required(), Length(max=80)])
    password = PasswordField(
        _l("Password"),
        validators=[_required()],
        description=_l("12 to 128 characters. A short sentence is easy to remember."),
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[_required(), Email(message=_l("Enter a valid email.")), Length(max=254)]
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[_required()], description=_l("12 to 128 characters.")
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[_required()])
    new_password = PasswordField(
        _l("New password"), validators=[_required()], description=_l("12 to 128 characters.")
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[_required()])
    confirm = BooleanField(
        _l("I understand that my account will be erased and cannot be restored."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Name others will see"), validators=[_required(), Length(max=80)])
    pronouns = StringField(_l("Pronouns"), validators=[Optional(), Length(max=40)],
                           description=_l("For example she/her, he/him, they/them, ella, él, elle."))
    region_id = SelectField(_l("Region"), coerce=int, validators=[Optional()])
    county_id = SelectField(_l("County"), coerce=int, validators=[Optional()])
    school = StringField(_l("School"), validators=[Optional(), Length(max=120)])
    hide_school = BooleanField(_l("Hide my school from other members"))
    grade = SelectField(_l("Grade"), validators=[Optional()])
    interests = StringField(_l("Interests"), validators=[Optional(), Length(max=600)],
                            description=_l("Separate them with commas, for example: mental health, art, soccer."))
    bio = TextAreaField(
        _l("About me"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Up to 2,000 characters. You can use Markdown: **bold**, *italic*, lists, links."),
    )
    hide_bio = BooleanField(_l("Hide my bio from other members"))
    preferred_language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    timezone = SelectField(_l("Time zone"), choices=TIMEZONE_CHOICES)


class AvatarForm(FlaskForm):
    avatar = FileField(_l("Profile picture"), validators=[FileRequired(message=_l("Choose a picture to upload."))],
                       description=_l("PNG, JPEG or WebP, up to 2 MB."))
