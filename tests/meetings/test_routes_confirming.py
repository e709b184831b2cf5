"""Destructive meeting actions ask first: without confirmed=1 the server shows the confirmation page and changes
nothing; refusals, cancelling with a reason, restoring, and the Undo of a deleted agenda item through the pages."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db
from stac_youth.meetings import attendance
from stac_youth.meetings.models import AgendaItem
from stac_youth.notifications.models import Notification
from tests.meetings.helpers import _meeting_count, _page, _positions, _reload, client_for, make_meeting

YES = {"confirmed": "1"}


def _audits() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def _confirm_form(html: str) -> str:
    """The form of the confirmation page."""
    return html.split('id="confirm-text"', 1)[1].split("</form>", 1)[0]


def _asks(response, action: str, question: str, yes: str, back: str) -> str:
    """The response is the confirmation page for this action: its words, confirmed=1, the CSRF field, a way back."""
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert f"<h1 class=\"h3\" id=\"confirm-title\">{question}</h1>" in html
    form = _confirm_form(html)
    assert f'action="{action}"' in html
    assert '<input type="hidden" name="confirmed" value="1">' in form
    assert 'name="csrf_token"' in form
    assert f'<a class="btn btn-secondary" href="{back}">No, go back</a>' in form
    assert f'<button type="submit" class="btn btn-danger">{yes}</button>' in form
    return html


def test_end_asks_first_then_ends(app, advisor, as_advisor):
    meeting = make_meeting(advisor, status="live", items=("Only",), title="Spring board")
    audits = _audits()
    url = f"/meetings/{meeting.id}/end"
    html = _asks(as_advisor.post(url), url, "End the meeting “Spring board” now?", "Yes, end the meeting",
                 f"/meetings/{meeting.id}")
    assert "An ended meeting cannot start again." in html
    assert _reload(meeting).status == "live" and _audits() == audits  # nothing happened

    live = f"/meetings/{meeting.id}/live"  # from the live screen: the way back is the live screen, next is carried
    html = _asks(as_advisor.post(url, data={"next": live}), url, "End the meeting “Spring board” now?",
                 "Yes, end the meeting", live)
    assert f'<input type="hidden" name="next" value="{live}">' in _confirm_form(html)
    assert as_advisor.post(url, data={"next": live, **YES}).status_code == 302
    assert _reload(meeting).status == "ended"


def test_delete_meeting_asks_first_then_deletes(app, advisor, as_advisor):
    meeting = make_meeting(advisor, status="published", title="Spare meeting")
    url = f"/meetings/{meeting.id}/delete"
    _asks(as_advisor.post(url), url, "Delete the meeting “Spare meeting”?", "Yes, delete the meeting",
          f"/meetings/{meeting.id}")
    assert _meeting_count() == 1
    response = as_advisor.post(url, data=YES)
    assert response.status_code == 302 and response.headers["Location"] == "/meetings"
    assert _meeting_count() == 0


def test_a_meeting_members_answered_offers_cancel_instead_of_delete(app, advisor, as_advisor, make_user):
    member = make_user("member")
    meeting = make_meeting(advisor, status="published", title="Answered meeting")
    html = _page(as_advisor, f"/meetings/{meeting.id}")
    assert f'action="/meetings/{meeting.id}/delete"' in html
    attendance.set_rsvp(member, meeting, "yes")

    html = unescape(_page(as_advisor, f"/meetings/{meeting.id}"))
    assert f'action="/meetings/{meeting.id}/delete"' not in html
    danger = html.split('class="manage-danger', 1)[1].split("</section>", 1)[0]
    assert f'href="/meetings/{meeting.id}/cancel">Cancel the meeting</a>' in danger
    assert "so it cannot be deleted. Cancel it instead" in danger
    assert f'/meetings/{meeting.id}/start' not in danger  # Start stays with the other actions, apart
    response = as_advisor.post(f"/meetings/{meeting.id}/delete", data=YES, follow_redirects=True)
    assert "so it cannot be deleted. Cancel it instead" in unescape(response.get_data(as_text=True))
    assert _meeting_count() == 1


def test_cancel_page_then_restore(app, advisor, as_advisor, make_user):
    member = make_user("member")
    meeting = make_meeting(advisor, status="published", title="Storm day")
    attendance.set_rsvp(member, meeting, "maybe")
    url = f"/meetings/{meeting.id}/cancel"
    form = unescape(_page(as_advisor, url))
    assert "Cancel the meeting “Storm day”?" in form and "1 member answered the invitation" in form
    assert "Yes, cancel the meeting" in form and f'href="/meetings/{meeting.id}">No, go back</a>' in form

    refused = as_advisor.post(url, data={"reason": "  "})
    assert refused.status_code == 200 and "This field is required." in refused.get_data(as_text=True)
    assert _reload(meeting).status == "published"

    assert as_advisor.post(url, data={"reason": "Roads are closed <b>today</b>"}).status_code == 302
    assert _reload(meeting).status == "cancelled"
    notice = db.session.scalars(select(Notification).where(Notification.user_id == member.id,
                                                           Notification.kind == "meeting_cancelled")).one()
    assert notice.link == f"/meetings/{meeting.id}"
    for client in (as_advisor, client_for(app, member)):
        html = _page(client, f"/meetings/{meeting.id}")
        assert "This meeting is cancelled." in html and "Roads are closed &lt;b&gt;today&lt;/b&gt;" in html
        cancelled_badge = re.compile(r'class="badge status-badge tone-danger status-cancelled">.*?'
                                     r'<span>Cancelled</span>')
        assert cancelled_badge.search(html) and cancelled_badge.search(_page(client, "/meetings"))
        assert "<b>today" not in html
    assert "STATUS:CANCELLED" in _page(as_advisor, f"/meetings/{meeting.id}.ics")
    member_page = _page(client_for(app, member), f"/meetings/{meeting.id}")
    assert "Restore the meeting" not in member_page and 'name="answer"' not in member_page  # no RSVP form

    assert "Restore the meeting" in _page(as_advisor, f"/meetings/{meeting.id}")
    assert as_advisor.post(f"/meetings/{meeting.id}/restore").status_code == 302
    assert _reload(meeting).status == "published"
    assert "The meeting is back on the calendar." in _page(as_advisor, f"/meetings/{meeting.id}")
    draft = make_meeting(advisor)  # a draft is deleted, not cancelled: back to its page, with the reason
    refused = as_advisor.get(f"/meetings/{draft.id}/cancel", follow_redirects=True)
    assert "Only a published meeting that has not started can be cancelled." in refused.get_data(as_text=True)


def test_delete_item_asks_first_then_offers_undo_once(app, advisor, as_advisor):
    meeting = make_meeting(advisor, status="published", items=("One", "Two", "Three"))
    two = meeting.items[1].id
    url = f"/meetings/{meeting.id}/agenda/{two}/delete"
    _asks(as_advisor.post(url), url, "Delete the agenda item “Two”?", "Yes, delete the item",
          f"/meetings/{meeting.id}#item-{two}")
    assert db.session.get(AgendaItem, two) is not None

    assert as_advisor.post(url, data=YES).status_code == 302
    assert _positions(meeting) == [("One", 0), ("Three", 1)]
    html = unescape(_page(as_advisor, f"/meetings/{meeting.id}"))
    assert "The agenda item “Two” is deleted." in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    assert f'action="/meetings/{meeting.id}/agenda/restore"' in html
    assert 'id="agenda-undo"' not in _page(as_advisor, f"/meetings/{meeting.id}")  # shown once

    response = as_advisor.post(f"/meetings/{meeting.id}/agenda/restore", data={"token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#item-{two}")
    assert _positions(meeting) == [("One", 0), ("Two", 1), ("Three", 2)]
    again = as_advisor.post(f"/meetings/{meeting.id}/agenda/restore", data={"token": token}, follow_redirects=True)
    assert "This agenda item is already back." in again.get_data(as_text=True)
    assert len(_positions(meeting)) == 3


def test_destructive_forms_carry_their_words_for_the_dialog(app, advisor, as_advisor):
    meeting = make_meeting(advisor, status="live", items=("Only",), title="Board")
    for path in (f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/live"):
        html = unescape(_page(as_advisor, path))
        form = html.split(f'action="/meetings/{meeting.id}/end"', 1)[1].split("</form>", 1)[0]
        assert 'data-confirm data-confirm-question="End the meeting “Board” now?"' in form
        assert 'data-confirm-yes="Yes, end the meeting"' in form and 'data-confirm-no="No, go back"' in form
        assert 'btn btn-outline-danger">End the meeting</button>' in form
    agenda_html = unescape(_page(as_advisor, f"/meetings/{meeting.id}"))
    assert 'data-confirm-question="Delete the agenda item “Only”?"' in agenda_html
    assert "js/confirm.js" in agenda_html


@pytest.mark.parametrize("role", ["member", "planner"])
def test_only_advisors_cancel_restore_or_undo(app, advisor, make_user, role):
    meeting = make_meeting(advisor, status="published", items=("One",))
    client = client_for(app, make_user(role))
    for method, path in (("GET", "cancel"), ("POST", "cancel"), ("POST", "restore"), ("POST", "agenda/restore")):
        assert client.open(f"/meetings/{meeting.id}/{path}", method=method, data={"reason": "x"}).status_code == 403
    assert _reload(meeting).status == "published"


def test_the_confirmation_page_speaks_spanish(app, advisor, make_user):
    spanish = client_for(app, make_user("advisor"))
    assert spanish.post("/language", data={"lang": "es", "next": "/"}).status_code == 302
    meeting = make_meeting(advisor, status="live", title="Junta")
    html = unescape(spanish.post(f"/meetings/{meeting.id}/end").get_data(as_text=True))
    assert "¿Terminar ahora la reunión “Junta”?" in html
    assert "Sí, terminar la reunión" in html and "No, regresar" in html
    assert _reload(meeting).status == "live"
