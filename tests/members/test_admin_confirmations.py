"""An admin is asked before deactivating an account or withdrawing an invitation; reactivating does not ask."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db
from stac_youth.members import invitations
from stac_youth.members.models import Invitation, User
from tests.meetings.helpers import client_for


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _confirm_form(html: str) -> str:
    return html.split('id="confirm-text"', 1)[1].split("</form>", 1)[0]


def _spanish(client):
    assert client.post("/language", data={"lang": "es", "next": "/"}).status_code == 302
    return client


def _invitation(admin, email: str = "sam@example.org") -> Invitation:
    invitations.invite_member(admin, email, "member", None, link_for=lambda token: f"/register/{token}")
    return db.session.scalar(select(Invitation).where(Invitation.email == email))


def test_deactivating_asks_first_and_reactivating_does_not(app, make_user):
    admin, user = make_user("admin"), make_user("member", display_name="Rosa Díaz")
    client = client_for(app, admin)
    before = _actions()

    response = client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    html = _text(response)
    assert response.status_code == 200
    assert "Deactivate the account of Rosa Díaz?" in html
    assert "They are signed out on every device now and cannot sign in until an admin reactivates" in html
    form = _confirm_form(html)
    assert f'action="/admin/users/{user.id}/active"' in form
    assert '<input type="hidden" name="active" value="0">' in form
    assert '<input type="hidden" name="confirmed" value="1">' in form
    assert 'href="/admin/users">No, go back</a>' in form and "Yes, deactivate</button>" in form
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True and _actions() == before

    response = client.post(f"/admin/users/{user.id}/active", data={"active": "0", "confirmed": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False and _actions()[-1] == "user.deactivated"

    response = client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True and _actions()[-1] == "user.reactivated"


def test_the_deactivate_button_carries_its_words_and_reactivate_none(app, make_user):
    admin = make_user("admin")
    active, paused = make_user("member", display_name="Rosa Díaz"), make_user("member", display_name="Leo Park")
    client = client_for(app, admin)
    assert client.post(f"/admin/users/{paused.id}/active", data={"active": "0", "confirmed": "1"}).status_code == 302
    shown = _text(client.get("/admin/users"))
    deactivate = shown.split(f'action="/admin/users/{active.id}/active"', 1)[1].split("</form>", 1)[0]
    assert 'data-confirm data-confirm-question="Deactivate the account of Rosa Díaz?"' in deactivate
    assert 'data-confirm-yes="Yes, deactivate"' in deactivate
    reactivate = shown.split(f'action="/admin/users/{paused.id}/active"', 1)[1].split("</form>", 1)[0]
    assert "data-confirm" not in reactivate and 'name="active" value="1"' in reactivate

    es = _text(_spanish(client).get("/admin/users"))
    assert 'data-confirm-question="¿Desactivar la cuenta de Rosa Díaz?"' in es
    assert 'data-confirm-yes="Sí, desactivar"' in es and 'data-confirm-no="No, regresar"' in es
    page = _text(client.post(f"/admin/users/{active.id}/active", data={"active": "0"}))
    assert "Su sesión se cierra ahora en todos sus dispositivos" in page


def test_withdrawing_an_invitation_asks_first(app, make_user):
    admin = make_user("admin")
    invitation = _invitation(admin)
    client = client_for(app, admin)
    before = _actions()

    response = client.post(f"/admin/invitations/{invitation.id}/revoke")
    html = _text(response)
    assert response.status_code == 200
    assert "Withdraw the invitation sent to sam@example.org?" in html
    assert "The link in the invitation stops working. You can send a new invitation later." in html
    form = _confirm_form(html)
    assert f'action="/admin/invitations/{invitation.id}/revoke"' in form
    assert '<input type="hidden" name="confirmed" value="1">' in form
    assert 'href="/admin/invitations">No, go back</a>' in form and "Yes, withdraw the invitation</button>" in form
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).revoked_at is None and _actions() == before

    response = client.post(f"/admin/invitations/{invitation.id}/revoke", data={"confirmed": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/invitations"
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).revoked_at is not None
    assert _actions()[-1] == "invitation.revoked"


def test_the_withdraw_button_carries_its_words_in_english_and_spanish(app, make_user):
    admin = make_user("admin")
    invitation = _invitation(admin, "lu@example.org")
    client = client_for(app, admin)
    shown = _text(client.get("/admin/invitations"))
    form = shown.split(f'action="/admin/invitations/{invitation.id}/revoke"', 1)[1].split("</form>", 1)[0]
    assert 'data-confirm data-confirm-question="Withdraw the invitation sent to lu@example.org?"' in form
    assert 'data-confirm-yes="Yes, withdraw the invitation"' in form

    es = _text(_spanish(client).get("/admin/invitations"))
    assert 'data-confirm-question="¿Retirar la invitación enviada a lu@example.org?"' in es
    assert 'data-confirm-yes="Sí, retirar la invitación"' in es
    page = _text(client.post(f"/admin/invitations/{invitation.id}/revoke"))
    assert "El enlace de la invitación deja de funcionar. Puedes enviar una nueva invitación después." in page
