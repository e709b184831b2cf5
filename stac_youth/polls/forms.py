"""Forms for polls: drafting one, and checking a receipt code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .lifecycle import DEFAULT_QUORUM_PERCENT, MAX_QUESTION
from .models import PollMethod, PollThreshold


def _required():
    return DataRequired(message=_l("This field is required."))


class PollForm(FlaskForm):
    question = StringField(_l("Question"), validators=[_required(), Length(max=MAX_QUESTION)])
    method = SelectField(_l("How members vote"), choices=[
        (PollMethod.YES_NO_ABSTAIN.value, _l("Yes / no / abstain")),
        (PollMethod.APPROVAL.value, _l("Approval (vote for any number of options)")),
        (PollMethod.RANKED_CHOICE.value, _l("Ranked choice (instant runoff)")),
    ], description=_l("Yes / no / abstain: members answer the question. Approval: members tick every option they "
                      "support, and the option with the most ticks wins. Ranked choice: members number the options "
                      "in order; the option with the fewest first choices drops out, round by round, until one has "
                      "more than half."))
    options = TextAreaField(_l("Options"), validators=[Optional()],
                            description=_l("For approval and ranked choice: one option per line, at least two."))
    threshold = SelectField(_l("Majority needed (yes / no / abstain)"), choices=[
        (PollThreshold.SIMPLE.value, _l("Simple majority of yes + no")),
        (PollThreshold.TWO_THIRDS.value, _l("Two thirds of yes + no")),
    ], description=_l("Simple majority: it passes with more yes than no votes. Two thirds: it needs at least two yes "
                      "votes for every no vote. Abstentions never count for or against."))
    quorum_percent = IntegerField(_l("Quorum: the share of eligible members who must vote, in percent"),
                                  default=DEFAULT_QUORUM_PERCENT,
                                  description=_l("If fewer members vote, the poll decides nothing (“No quorum”). At "
                                                 "50, when 12 members can vote, at least 6 must vote. 0 means no "
                                                 "minimum."),
                                  validators=[InputRequired(message=_l("Write a number from 0 to 100.")),
                                              NumberRange(min=0, max=100, message=_l("Write a number from 0 to 100."))])
    secret = BooleanField(_l("Secret ballot"),
                          description=_l("Nobody, advisors included, can see who voted or how. Its results are "
                                         "published only if at least 5 members vote. A secret vote is final."))
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
