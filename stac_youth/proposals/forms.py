"""Forms for proposals, co-sponsors and comments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .comments import MAX_COMMENT, MAX_REASON
from .services import MAX_DESCRIPTION, MAX_SUMMARY, MAX_TITLE


def _required():
    return DataRequired(message=_l("This field is required."))


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"), validators=[_required(), Length(max=MAX_TITLE)])
    summary = StringField(_l("In one sentence"), validators=[_required(), Length(max=MAX_SUMMARY)],
                          description=_l("Plain words, up to 280 characters."))
    description = TextAreaField(_l("The whole idea"), validators=[Optional(), Length(max=MAX_DESCRIPTION)],
                                description=_l("What is the problem, what do you propose, who does it help? "
                                               "You can use Markdown."))
    theme_id = SelectField(_l("Theme"), coerce=int)
    region_id = SelectField(_l("Region (optional)"), coerce=int)


class CosponsorForm(FlaskForm):
    user_id = SelectField(_l("Student member"), coerce=int)


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[_required(), Length(max=MAX_COMMENT)],
                         description=_l("You can use Markdown. You can edit your comment for 15 minutes."))


class ReportForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong with this comment?"), validators=[_required(), Length(max=MAX_REASON)])
