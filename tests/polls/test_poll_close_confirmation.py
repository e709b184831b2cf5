"""Closing a poll asks first; an agenda item (or meeting) whose poll opened is not deleted."""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select

from stac_youth.common.errors import ServiceError
from stac_youth.extensions import db
from stac_youth.meetings import agenda, services
from stac_youth.meetings.models import AgendaItem, Meeting
from stac_youth.polls import ballots, lifecycle
from stac_youth.polls.models import Ballot, Poll
from tests.meetings.helpers import client_for, make_meeting
from tests.polls.poll_helpers import YNA, audits, new_poll, page


def test_close_without_confirmation_shows_the_page_and_counts_nothing(app, advisor, members):
    meeting = make_meeting(advisor, "live", items=("Theme vote",))
    poll = lifecycle.create_poll(advisor, None, "Do we pick “wellness”?", YNA, agenda_item=meeting.items[0])
    lifecycle.open_poll(advisor, poll)
    ballots.cast_ballot(members[0], poll, "yes")
    staff = client_for(app, advisor)
    live = f"/meetings/{meeting.id}/live"
    before = len(audits())

    response = staff.post(f"/polls/{poll.id}/close", data={"next": live})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Close the poll “Do we pick ‘wellness’?” and count the votes?" in html
    assert "A closed poll cannot open again." in html
    form = html.split('id="confirm-text"', 1)[1].split("</form>", 1)[0]
    assert f'<input type="hidden" name="next" value="{live}">' in form
    assert '<input type="hidden" name="confirmed" value="1">' in form
    assert f'href="{live}">No, go back</a>' in form and "Yes, close and count</button>" in form
    db.session.expire_all()
    assert poll.status == "open" and poll.result_json is None and len(audits()) == before

    response = staff.post(f"/polls/{poll.id}/close", data={"next": live, "confirmed": "1"})
    assert response.status_code == 302 and response.headers["Location"] == live
    db.session.expire_all()
    assert poll.status == "closed" and audits()[-1].action == "poll.closed"


def test_the_close_button_carries_its_words_for_the_dialog(app, advisor, members):
    poll = new_poll(advisor, question="Adopt it?")
    shown = unescape(page(client_for(app, advisor), f"/polls/{poll.id}"))
    form = shown.split(f'action="/polls/{poll.id}/close"', 1)[1].split("</form>", 1)[0]
    assert 'data-confirm data-confirm-question="Close the poll “Adopt it?” and count the votes?"' in form
    assert 'data-confirm-yes="Yes, close and count"' in form
    es = unescape(page(_spanish_advisor(app, advisor), f"/polls/{poll.id}"))
    assert 'data-confirm-question="¿Cerrar la votación “Adopt it?” y contar los votos?"' in es
    assert 'data-confirm-no="No, regresar"' in es


def _spanish_advisor(app, advisor):
    client = client_for(app, advisor)
    assert client.post("/language", data={"lang": "es", "next": "/"}).status_code == 302
    return client


def _ballots() -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot))


@pytest.mark.parametrize("poll_state", ["open", "closed"])
def test_an_agenda_item_whose_poll_opened_is_not_deleted(app, advisor, members, poll_state):
    meeting = make_meeting(advisor, "published", items=("Vote", "Other"))
    item = meeting.items[0]
    poll = lifecycle.create_poll(advisor, None, "Theme?", YNA, agenda_item=item)
    lifecycle.open_poll(advisor, poll)
    ballots.cast_ballot(members[0], poll, "no")
    if poll_state == "closed":
        lifecycle.close_poll(advisor, poll)
    with pytest.raises(ServiceError, match="cannot be deleted"):
        agenda.delete_item(advisor, item)
    with pytest.raises(ServiceError, match="cannot be deleted"):
        services.delete_meeting(advisor, meeting)
    staff = client_for(app, advisor)
    response = staff.post(f"/meetings/{meeting.id}/agenda/{item.id}/delete", data={"confirmed": "1"},
                          follow_redirects=True)
    assert "This agenda item has a poll that members could vote in" in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(AgendaItem, item.id) is not None and db.session.get(Meeting, meeting.id) is not None
    assert db.session.get(Poll, poll.id).agenda_item_id == item.id and _ballots() == 1


def test_an_agenda_item_with_a_draft_poll_can_still_be_deleted(app, advisor):
    meeting = make_meeting(advisor, "published", items=("Vote", "Other"))
    item = meeting.items[0]
    lifecycle.create_poll(advisor, None, "Theme?", YNA, agenda_item=item)
    agenda.delete_item(advisor, item)
    assert [other.title for other in db.session.get(Meeting, meeting.id).items] == ["Other"]
