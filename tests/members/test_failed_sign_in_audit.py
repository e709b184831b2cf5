"""Failed sign-ins are audited without the typed email: an erased member's address never comes back in the log."""

from __future__ import annotations

from sqlalchemy import select

from stac_youth.common.audit import AuditEvent
from stac_youth.extensions import db
from stac_youth.members import privacy
from tests.conftest import PASSWORD

WRONG = "not the right password at all"


def _failed_sign_ins() -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")
                                   .order_by(AuditEvent.id)))


def _everything_audited() -> str:
    db.session.expire_all()
    return "\n".join(event.detail for event in db.session.scalars(select(AuditEvent)))


def test_a_failed_sign_in_after_erasure_stores_no_email(client, make_user):
    erased = make_user("member", email="Maya.Erased@example.org")
    privacy.delete_account(erased, PASSWORD)
    db.session.commit()
    response = client.post("/login", data={"email": "maya.erased@example.org", "password": WRONG},
                           environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert response.status_code == 200
    [event] = _failed_sign_ins()
    assert event.subject_id is None and event.actor_id is None
    assert event.details == {"account": "unknown"}
    assert "maya.erased" not in _everything_audited().lower()
    assert "192.0.2.44" not in _everything_audited()  # and no address either (security.md: no IP in the audit log)


def test_a_failed_sign_in_on_a_known_account_names_only_the_account(client, make_user):
    user = make_user("member", email="known@example.org")
    client.post("/login", data={"email": "Known@example.org", "password": WRONG})
    client.post("/login", data={"email": "typo-of-someone@example.org", "password": WRONG})
    known, unknown = _failed_sign_ins()
    assert known.subject_id == user.id and known.details == {}
    assert unknown.subject_id is None and unknown.details == {"account": "unknown"}
    audited = _everything_audited().lower()
    assert "known@example.org" not in audited and "typo-of-someone" not in audited
    assert WRONG not in audited
