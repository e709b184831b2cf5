"""A sample form, to show how fields, help texts and errors look."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired


class SampleForm(FlaskForm):
    """Never submitted: the style guide renders it with one field in error."""

    class Meta:
        csrf = False  # shown, never posted

    title = StringField(_l("Title"), validators=[DataRequired()],
                        description=_l("A short name people will recognise, like “More shade in the yard”."))
    email = EmailField(_l("Email"))
    region = SelectField(_l("Region"), choices=[("north", _l("Northern California")),
                                                ("south", _l("Southern California"))])
    summary = TextAreaField(_l("Summary"))
    remember = BooleanField(_l("Email me when someone replies"))


def sample_form(prefix: str) -> SampleForm:
    """The sample form, its ids prefixed (the page shows it four times), with an error on the email field."""
    form = SampleForm(prefix=f"{prefix}-form", formdata=None)
    form.email.errors = [_l("Enter a valid email.")]
    return form
