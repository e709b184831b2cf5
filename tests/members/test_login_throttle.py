"""Failed sign-ins slow down the failing address and the (address, account) pair, never the account alone, and the
account's owner is told about repeated failures once per window, in her language."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import select

from stac_youth.extensions import db, limiter
from stac_youth.members import accounts
from stac_youth.notifications.kinds import SIGN_IN_FAILURES
from stac_youth.notifications.models import Notification
from stac_youth.seed import seed_regions
from tests.conftest import PASSWORD, UserFactory

WRONG = "not the right password at all"


def _post_login(client, email: str, password: str = WRONG, address: str = "10.0.0.1"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def _notices(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == SIGN_IN_FAILURES)))


def test_failures_from_many_addresses_do_not_lock_the_owner_out(client, make_user):
    make_user("member", email="student@example.org")
    for attempt in range(10):
        assert _post_login(client, "student@example.org", address=f"198.51.100.{attempt + 1}").status_code == 200
    # More guesses from yet other addresses are still only answered "wrong password" ...
    assert _post_login(client, "student@example.org", address="198.51.100.50").status_code == 200
    # ... and the student, from an address that has not failed, signs in with her password.
    assert _post_login(client, "student@example.org", PASSWORD, address="192.0.2.20").status_code == 302
    assert client.get("/account").status_code == 200


def test_the_failing_address_is_slowed_down_and_the_others_are_not(client, make_user):
    make_user("member", email="student@example.org")
    for _ in range(10):
        assert _post_login(client, "student@example.org", address="203.0.113.5").status_code == 200
    blocked = _post_login(client, "student@example.org", PASSWORD, address="203.0.113.5")
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.data
    assert _post_login(client, "student@example.org", PASSWORD, address="203.0.113.6").status_code == 302


def test_the_address_and_account_pair_is_limited_when_the_address_limit_is_looser(make_app):
    """A school behind one address may get a looser address limit; each account still gets 10 guesses per address."""
    application = make_app(LOGIN_RATE_LIMIT="100 per 15 minutes")
    limiter.reset()
    with application.app_context():
        seed_regions()
        UserFactory()("member", email="student@example.org")
        UserFactory()("member", email="classmate@example.org")
    client = application.test_client()
    for _ in range(10):
        assert _post_login(client, "student@example.org", address="203.0.113.9").status_code == 200
    assert _post_login(client, "Student@example.org", PASSWORD, address="203.0.113.9").status_code == 429
    # The same address may still sign in to another account, and the student from elsewhere.
    assert _post_login(client, "classmate@example.org", PASSWORD, address="203.0.113.9").status_code == 302
    assert _post_login(application.test_client(), "student@example.org", PASSWORD,
                       address="203.0.113.10").status_code == 302


def test_the_owner_is_told_once_per_window_in_her_language(client, make_user, outbox):
    owner = make_user("member", email="owner@example.org")
    accounts.set_language(owner, "es")
    with freeze_time("2099-04-01 10:00:00") as frozen:  # ahead of the real clock, as in test_login.py
        for attempt in range(5):
            _post_login(client, "owner@example.org", address=f"10.8.0.{attempt}")
        assert _notices(owner) == [] and outbox == []  # a few mistakes are no news
        for attempt in range(5, 20):
            _post_login(client, "owner@example.org", address=f"10.8.0.{attempt}")
        assert len(_notices(owner)) == 1
        assert len(outbox) == 1
        assert outbox[0].to == ["owner@example.org"]
        assert outbox[0].subject.endswith("Intentos fallidos de iniciar sesión en tu cuenta")
        assert "Alguien intentó varias veces iniciar sesión en tu cuenta" in outbox[0].body
        assert WRONG not in outbox[0].body
        frozen.tick(timedelta(minutes=16))
        for attempt in range(6):
            _post_login(client, "owner@example.org", address=f"10.9.0.{attempt}")
        assert len(_notices(owner)) == 2
        assert len(outbox) == 2


def test_the_notice_is_in_the_app_too_and_comes_whatever_the_email_setting(client, make_user, outbox):
    owner = make_user("member", email="quiet@example.org")
    owner.email_notifications = "none"
    db.session.commit()
    for attempt in range(6):
        _post_login(client, "quiet@example.org", address=f"10.10.0.{attempt}")
    assert len(outbox) == 1
    assert _post_login(client, "quiet@example.org", PASSWORD, address="192.0.2.30").status_code == 302
    page = client.get("/notifications").get_data(as_text=True)
    assert "Someone tried several times to sign in to your account with a wrong password." in page


def test_only_an_active_account_is_told(client, make_user, outbox):
    admin = make_user("admin")
    gone = make_user("member", email="gone@example.org")
    here = make_user("member", email="here@example.org")
    accounts.set_active(admin, gone, False)
    for attempt in range(8):
        _post_login(client, "gone@example.org", address=f"10.11.0.{attempt}")
        _post_login(client, "here@example.org", address=f"10.12.0.{attempt}")
    assert _notices(gone) == []
    assert len(_notices(here)) == 1
    assert [mail.to for mail in outbox] == [["here@example.org"]]
