"""Forms for meetings, agenda items, RSVPs and minutes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .models import AgendaKind

KIND_LABELS = {
    AgendaKind.PRESENTATION: _l("Presentation"),
    AgendaKind.DISCUSSION: _l("Discussion"),
    AgendaKind.VOTE: _l("Vote"),
    AgendaKind.BREAK: _l("Break"),
}


def _required():
    return DataRequired(message=_l("This field is required."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[_required(), Length(max=160)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=10_000)],
        description=_l("You can use Markdown: **bold**, *italic*, lists, links."),
    )
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired(message=_l("Enter a date and time."))])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M",
                                 validators=[InputRequired(message=_l("Enter a date and time."))])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=200)],
                           description=_l("A place, a video link, or both."))
    video_url = StringField(_l("Video link"), validators=[Optional(), Length(max=500)],
                            description=_l("Starts with https://"))
    region_ids = MultiCheckboxField(_l("Regions it is for"), coerce=int,
                                    description=_l("Leave all unticked for a statewide meeting."))


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[_required(), Length(max=160)])
    kind = SelectField(_l("Kind"), choices=[(kind.value, label) for kind, label in KIND_LABELS.items()],
                       default=AgendaKind.DISCUSSION.value)
    minutes = IntegerField(_l("Length in minutes"), default=10, validators=[
        InputRequired(message=_l("Enter the length in minutes.")),
        NumberRange(min=1, max=600, message=_l("Minutes must be between 1 and %(n)d.", n=600)),
    ])
    presenter = StringField(_l("Presenter"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5_000)],
                                description=_l("You can use Markdown: **bold**, *italic*, lists, links."))


class RsvpForm(FlaskForm):
    answer = SelectField(_l("Will you come?"), choices=[("yes", _l("Yes")), ("no", _l("No")), ("maybe", _l("Maybe"))])


class MinutesForm(FlaskForm):
    body = TextAreaField(_l("Minutes"), validators=[_required(), Length(max=50_000)],
                         description=_l("You can use Markdown. Every saved version is kept."))


class CancelMeetingForm(FlaskForm):
    reason = TextAreaField(_l("Why is the meeting cancelled?"), validators=[_required(), Length(max=300)],
                           description=_l("Members who answered the invitation will read this."))
