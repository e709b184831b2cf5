"""Deleting a Summit session asks first (common/confirm.py): the page without JavaScript, the dialog's words."""

from __future__ import annotations

from html import unescape

from stac_youth.extensions import db
from stac_youth.summit.models import SummitSession
from tests.meetings.helpers import client_for

from .helpers import count, make_edition, summit_actions


def _spanish(client):
    assert client.post("/language", data={"lang": "es", "next": "/"}).status_code == 302
    return client


def test_delete_without_confirmation_shows_the_page_and_deletes_nothing(app, planner):
    edition = make_edition(planner, sessions=("Transit for students",))
    session_id = edition.sessions[0].id
    client = client_for(app, planner)
    before = summit_actions()

    response = client.post(f"/summit/sessions/{session_id}/delete")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Delete the session “Transit for students”?" in html
    assert "The session leaves the Summit program for good. This cannot be undone." in html
    form = html.split('id="confirm-text"', 1)[1].split("</form>", 1)[0]
    assert f'action="/summit/sessions/{session_id}/delete"' in form
    assert '<input type="hidden" name="confirmed" value="1">' in form
    assert f'href="/summit/sessions/{session_id}">No, go back</a>' in form
    assert "Yes, delete the session</button>" in form
    db.session.expire_all()
    assert count(SummitSession) == 1 and summit_actions() == before

    response = client.post(f"/summit/sessions/{session_id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302 and response.headers["Location"] == f"/summit/editions/{edition.id}"
    assert count(SummitSession) == 0 and summit_actions()[-1] == "summit.session_deleted"


def test_the_delete_button_carries_its_words_in_english_and_spanish(app, planner):
    edition = make_edition(planner, sessions=("Wellness",))
    session_id = edition.sessions[0].id
    client = client_for(app, planner)
    shown = unescape(client.get(f"/summit/sessions/{session_id}").get_data(as_text=True))
    form = shown.split(f'action="/summit/sessions/{session_id}/delete"', 1)[1].split("</form>", 1)[0]
    assert 'data-confirm data-confirm-question="Delete the session “Wellness”?"' in form
    assert 'data-confirm-yes="Yes, delete the session"' in form

    spanish = _spanish(client)
    es = unescape(spanish.get(f"/summit/sessions/{session_id}").get_data(as_text=True))
    assert 'data-confirm-question="¿Eliminar la sesión “Wellness”?"' in es
    assert 'data-confirm-yes="Sí, eliminar la sesión"' in es
    page = unescape(spanish.post(f"/summit/sessions/{session_id}/delete").get_data(as_text=True))
    assert "La sesión sale del programa de la Cumbre para siempre. Esto no se puede deshacer." in page
    assert "No, regresar</a>" in page
    assert count(SummitSession) == 1
