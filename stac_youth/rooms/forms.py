"""Forms for rooms: new topic room, the no-JavaScript composer, reports and mutes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .messages import MAX_BODY
from .moderation import MAX_REASON, MUTE_CHOICES_MINUTES


class RoomForm(FlaskForm):
    title = StringField(_l("Room name"), validators=[DataRequired(message=_l("This field is required.")),
                                                     Length(max=160)])
    description = TextAreaField(_l("What is it about?"), validators=[Optional(), Length(max=2000)])
    region_id = SelectField(_l("Who can join"), coerce=int)


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(message=_l("Write a message first.")),
                                                    Length(max=MAX_BODY)])
    client_id = HiddenField()


class ReportForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong with this message?"),
                           validators=[DataRequired(message=_l("Tell the advisors what is wrong with this message.")),
                                       Length(max=MAX_REASON)])


def _duration_label(minutes: int):
    if minutes >= 60 * 24:
        return _l("1 day")
    if minutes >= 60:
        return _l("1 hour")
    return _l("%(n)d minutes", n=minutes)


class MuteForm(FlaskForm):
    minutes = SelectField(_l("For how long"), coerce=int,
                          choices=[(minutes, _duration_label(minutes)) for minutes in MUTE_CHOICES_MINUTES])
