"""Poll questions the app writes: kept as a kind with the English text, drawn in each reader's language."""

from __future__ import annotations

import html

from flask_babel import force_locale
from sqlalchemy import select

from stac_youth.extensions import db
from stac_youth.notifications import kinds
from stac_youth.notifications.models import Notification
from stac_youth.polls import lifecycle, questions
from stac_youth.polls.models import Poll
from stac_youth.polls.questions import question_text
from stac_youth.polls.results import results_csv
from tests.meetings.helpers import client_for
from tests.polls.poll_helpers import YNA, new_poll, page, poll_form
from tests.proposals.helpers import make_proposal

ENGLISH = "Do you support the proposal “Peer support circles”?"
SPANISH = "¿Apoyas la propuesta “Peer support circles”?"


def _drawn(poll: Poll, language: str) -> str:
    with force_locale(language):
        return question_text(poll)


def test_the_suggestion_in_either_language_is_stored_as_its_kind_in_english(app, advisor, members):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    for offered in (ENGLISH, SPANISH, f"  {SPANISH} "):
        poll = lifecycle.create_poll(advisor, proposal, offered, YNA)
        assert (poll.question_kind, poll.question) == (questions.SUPPORT_PROPOSAL, ENGLISH)
    written = lifecycle.create_poll(advisor, proposal, "¿Apoyas la propuesta, con cambios?", YNA)
    assert (written.question_kind, written.question) == (None, "¿Apoyas la propuesta, con cambios?")
    on_item = lifecycle.create_poll(advisor, None, ENGLISH, YNA)
    assert on_item.question_kind is None  # no proposal to draw the title from: the text is the advisor's


def test_the_question_is_drawn_in_the_readers_language_from_the_current_title(app, advisor, members):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    poll = new_poll(advisor, proposal=proposal, question=ENGLISH, status="draft")
    assert (_drawn(poll, "en"), _drawn(poll, "es")) == (ENGLISH, SPANISH)
    proposal.title = "Peer circles"
    db.session.commit()
    assert _drawn(poll, "es") == "¿Apoyas la propuesta “Peer circles”?"
    written = new_poll(advisor, proposal=proposal, question="Which circle first?", status="draft")
    assert _drawn(written, "es") == "Which circle first?"  # what an advisor wrote is shown as written


def test_a_quoted_title_is_not_quoted_twice(app, advisor, members):
    quoted = make_proposal(members[0], "in_discussion", advisor=advisor, title="“Free transit”")
    poll = new_poll(advisor, proposal=quoted, question=questions.suggested_question(quoted), status="draft")
    assert poll.question == "Do you support the proposal “Free transit”?"
    assert _drawn(poll, "es") == "¿Apoyas la propuesta “Free transit”?"
    inner = make_proposal(members[1], "in_discussion", advisor=advisor, title="The “big” idea")
    poll = new_poll(advisor, proposal=inner, question=questions.suggested_question(inner), status="draft")
    assert _drawn(poll, "es") == "¿Apoyas la propuesta “The ‘big’ idea”?"


def test_a_spanish_advisor_keeps_the_suggestion_and_everyone_reads_it_in_their_language(app, advisor, members,
                                                                                           make_user):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    spanish_advisor = make_user("advisor", preferred_language="es")
    staff = client_for(app, spanish_advisor)
    url = f"/proposals/{proposal.id}/polls/new"
    assert SPANISH in page(staff, url)
    assert staff.post(url, data=poll_form(question=SPANISH)).status_code == 302
    poll = db.session.scalars(select(Poll)).one()
    assert (poll.question_kind, poll.question) == (questions.SUPPORT_PROPOSAL, ENGLISH)
    lifecycle.open_poll(advisor, poll)
    shown_es = page(staff, f"/polls/{poll.id}")
    assert SPANISH in shown_es and ENGLISH not in shown_es
    english_reader = client_for(app, members[1])
    shown_en = page(english_reader, f"/polls/{poll.id}")
    assert ENGLISH in shown_en and SPANISH not in shown_en
    assert SPANISH in page(staff, "/polls") and ENGLISH in page(english_reader, "/polls")


def test_notices_draw_the_question_when_read_without_nested_quotes(app, advisor, members, make_user, outbox):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    lucia = make_user("member", display_name="Lucía", preferred_language="es")
    new_poll(advisor, proposal=proposal, question=ENGLISH)
    [mail] = [message for message in outbox if message.to == [lucia.email]]
    assert "¿Apoyas la propuesta ‘Peer support circles’?" in mail.body + mail.subject
    assert "Do you support" not in mail.body + mail.subject and "““" not in mail.body
    notice = db.session.scalars(select(Notification).where(Notification.user_id == lucia.id)).one()
    with force_locale("es"):
        assert kinds.render_text(notice.kind, notice.values) == (
            "Hay una votación abierta para tu voto: “¿Apoyas la propuesta ‘Peer support circles’?”.")
    proposal.title = "Peer circles"
    db.session.commit()
    listed = html.unescape(client_for(app, lucia).get("/notifications").get_data(as_text=True))
    assert "¿Apoyas la propuesta ‘Peer circles’?" in listed  # drawn now, from the poll: the rename follows
    with force_locale("en"):
        assert kinds.render_text(notice.kind, notice.values) == (
            "A poll is open for your vote: “Do you support the proposal ‘Peer circles’?”.")


def test_the_results_csv_carries_the_question_in_the_readers_language(app, advisor, members):
    proposal = make_proposal(members[0], "in_discussion", advisor=advisor)
    poll = new_poll(advisor, proposal=proposal, question=ENGLISH, results_live=True)
    lifecycle.close_poll(advisor, poll)
    with force_locale("es"):
        assert SPANISH in results_csv(advisor, poll)
    with force_locale("en"):
        assert ENGLISH in results_csv(advisor, poll)
