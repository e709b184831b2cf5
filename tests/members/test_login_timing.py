"""Every failed sign-in costs one full password-hash check, whatever the account's state, so timing tells nothing."""

from __future__ import annotations

import pytest

from stac_youth.common import passwords
from stac_youth.extensions import db
from stac_youth.members import accounts, privacy
from tests.conftest import PASSWORD

WRONG = "not the right password at all"


@pytest.fixture
def hash_checks(monkeypatch):
    """Record the hash every password check is made against."""
    checked: list[str] = []
    real = passwords.check_password_hash

    def counting(password_hash, password):
        checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "check_password_hash", counting)
    return checked


def _fail(client, email: str, address: str):
    response = client.post("/login", data={"email": email, "password": WRONG}, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200
    assert b"That email and password do not match an active account." in response.data
    return response


def test_a_deactivated_account_costs_a_full_hash_check(client, make_user, hash_checks):
    admin = make_user("admin")
    student = make_user("member", email="paused@example.org")
    accounts.set_active(admin, student, False)
    hash_checks.clear()
    _fail(client, "paused@example.org", "10.20.0.1")
    # One check, against the dummy hash: never against the deactivated account's own hash.
    assert hash_checks == [passwords._DUMMY_HASH]
    # Even her right password does not sign in, and costs the same one check.
    hash_checks.clear()
    response = client.post("/login", data={"email": "paused@example.org", "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.20.0.2"})
    assert response.status_code == 200
    assert hash_checks == [passwords._DUMMY_HASH]


def test_every_account_state_costs_exactly_one_hash_check(client, make_user, hash_checks):
    admin = make_user("admin")
    active = make_user("member", email="active@example.org")
    erased = make_user("member", email="erased@example.org")
    privacy.delete_account(erased, PASSWORD)
    accounts.set_active(admin, make_user("member", email="paused@example.org"), False)
    db.session.commit()
    states = ("nobody@example.org", "erased@example.org", "paused@example.org", "active@example.org")
    for address, email in enumerate(states):
        hash_checks.clear()
        _fail(client, email, f"10.21.0.{address}")
        assert len(hash_checks) == 1, email
    assert hash_checks == [active.password_hash]  # the active account is checked against its own hash
