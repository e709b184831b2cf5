"""Forms for proposals, co-sponsors and comments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .comments import MAX_COMMENT, MAX_REASON
from .poll_models import PollMethod, PollThreshold
from .polls import MAX_QUESTION
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


class PollForm(FlaskForm):
    question = StringField(_l("Question"), validators=[_required(), Length(max=MAX_QUESTION)])
    method = SelectField(_l("How members vote"), choices=[
        (PollMethod.YES_NO_ABSTAIN.value, _l("Yes / no / abstain")),
        (PollMethod.APPROVAL.value, _l("Approval (vote for any number of options)")),
        (PollMethod.RANKED_CHOICE.value, _l("Ranked choice (instant runoff)")),
    ])
    options = TextAreaField(_l("Options"), validators=[Optional()],
                            description=_l("For approval and ranked choice: one option per line, at least two."))
    threshold = SelectField(_l("Majority needed (yes / no / abstain)"), choices=[
        (PollThreshold.SIMPLE.value, _l("Simple majority of yes + no")),
        (PollThreshold.TWO_THIRDS.value, _l("Two thirds of yes + no")),
    ])
    quorum_percent = IntegerField(_l("Quorum: the share of eligible members who must vote, in percent"), default=0,
                                  validators=[InputRequired(message=_l("Write a number from 0 to 100.")),
                                              NumberRange(min=0, max=100, message=_l("Write a number from 0 to 100."))])
    secret = BooleanField(_l("Secret ballot"),
                          description=_l("Nobody, advisors included, can see who voted what. A secret vote is final."))
    results_live = BooleanField(_l("Show results while the poll is open"),
                                description=_l("Otherwise everybody sees the results only when the poll closes. "
                                                "A secret poll always keeps them until it closes."))
    opens_at = DateTimeLocalField(_l("Opens by itself at (optional)"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes by itself at (optional)"), format="%Y-%m-%dT%H:%M",
                                   validators=[Optional()])


class ReceiptForm(FlaskForm):
    receipt = StringField(_l("Receipt code"), validators=[_required(), Length(max=40)],
                          description=_l("The code you got when you voted, like ABCD-EFGH-IJKL-MNOP."))
