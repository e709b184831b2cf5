"""Forms for Summit editions, sessions and decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .models import DecisionKind
from .services import MAX_RESPONSE, MAX_TITLE


def _required():
    return DataRequired(message=_l("This field is required."))


class EditionForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[Optional()])
    title = StringField(_l("Title"), validators=[_required(), Length(max=MAX_TITLE)])
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[_required(), Length(max=MAX_TITLE)])
    track = StringField(_l("Track"), validators=[Optional(), Length(max=80)])
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_RESPONSE)],
                                description=_l("You can use Markdown."))


class DecisionForm(FlaskForm):
    kind = SelectField(_l("Decision"), choices=[
        (DecisionKind.ADOPTED.value, _l("Adopt it into Summit sessions")),
        (DecisionKind.DECLINED.value, _l("Decline it")),
        (DecisionKind.UNDER_REVIEW.value, _l("Keep it under review")),
        (DecisionKind.MERGED.value, _l("Merge it into another proposal")),
    ])
    session_ids = SelectMultipleField(_l("Summit sessions that carry it, when adopted (you can choose several)"),
                                      coerce=int, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    merged_into_id = SelectField(_l("Merged into (when merged)"), coerce=int)
    response = TextAreaField(_l("Response to the students"), validators=[_required(), Length(max=MAX_RESPONSE)],
                             description=_l("Required. Say what the Summit does with the proposal and why. "
                                            "The author and co-sponsors are notified. You can use Markdown."),
                             render_kw={"rows": 8})
