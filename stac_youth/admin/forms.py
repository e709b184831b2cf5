"""Forms of the admin screens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..common.roles import Role

ROLE_LABELS = {
    Role.MEMBER: _l("Student member"),
    Role.ADVISOR: _l("Advisor"),
    Role.PLANNER: _l("Summit planner"),
    Role.ADMIN: _l("Admin"),
}


SPANISH_NAME_HELP = _l("Shown to members who use the app in Spanish. Leave it empty when the name is the same.")


class InvitationForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("This field is required.")),
                                                Email(message=_l("Enter a valid email.")), Length(max=254)])
    role = SelectField(_l("Role"))
    region_id = SelectField(_l("Region"), coerce=int)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[(role.value, label) for role, label in ROLE_LABELS.items()])


class ActiveForm(FlaskForm):
    active = HiddenField()


class RegionForm(FlaskForm):
    name = StringField(_l("Region name"), validators=[DataRequired(message=_l("This field is required.")),
                                                      Length(max=80)])
    name_es = StringField(_l("Spanish name (optional)"), validators=[Optional(), Length(max=80)],
                          description=SPANISH_NAME_HELP)


class CountyForm(FlaskForm):
    name = StringField(_l("County name"), validators=[DataRequired(message=_l("This field is required.")),
                                                      Length(max=80)])


class ThemeForm(FlaskForm):
    name = StringField(_l("Theme name"), validators=[DataRequired(message=_l("This field is required.")),
                                                     Length(max=120)])
    name_es = StringField(_l("Spanish name (optional)"), validators=[Optional(), Length(max=120)],
                          description=SPANISH_NAME_HELP)
