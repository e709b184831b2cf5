"""Sign-in keeps the sign-in page's language until the member picks one; a picked language wins from then on."""

from __future__ import annotations

import pytest
from flask_babel import refresh

from stac_youth.extensions import db
from stac_youth.members import invitations as invitation_service
from stac_youth.members.models import User
from tests.conftest import PASSWORD

SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture(autouse=True)
def fresh_locale_per_request(app):
    """Choose the language anew on every request, as production does (the tests share one app context)."""
    app.before_request_funcs.setdefault(None, []).insert(0, refresh)


def _sign_in(client, user, headers):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, headers=headers)
    assert response.status_code == 302, response.data
    return response


def _html_lang(client, headers) -> str:
    page = client.get("/", headers=headers).get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def _stored(user) -> tuple[str, bool]:
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    return fresh.preferred_language, fresh.language_chosen


def test_new_accounts_have_not_chosen_unless_a_language_was_given(make_user):
    assert _stored(make_user("member")) == ("en", False)
    assert _stored(make_user("member", preferred_language="es")) == ("es", True)


def test_a_spanish_browser_keeps_spanish_after_sign_in_when_no_language_was_chosen(client, make_user):
    user = make_user("member")
    assert '<html lang="es"' in client.get("/login", headers=SPANISH).get_data(as_text=True)
    _sign_in(client, user, SPANISH)
    page = client.get("/", headers=SPANISH).get_data(as_text=True)
    assert '<html lang="es"' in page and "Cerrar sesión" in page
    assert _stored(user) == ("es", False)  # kept, but not a choice: the next browser may differ

    client.post("/logout")
    _sign_in(client, user, ENGLISH)
    assert _html_lang(client, ENGLISH) == "en"
    assert _stored(user) == ("en", False)


def test_a_chosen_language_wins_over_the_browser(client, make_user):
    user = make_user("member")
    _sign_in(client, user, ENGLISH)
    assert client.post("/language", data={"lang": "es", "next": "/"}, headers=ENGLISH).status_code == 302
    assert _stored(user) == ("es", True)

    client.post("/logout")
    assert '<html lang="en"' in client.get("/login", headers=ENGLISH).get_data(as_text=True)
    _sign_in(client, user, ENGLISH)
    assert _html_lang(client, ENGLISH) == "es"
    assert _stored(user) == ("es", True)


def test_the_switch_on_the_sign_in_page_is_a_choice(client, make_user):
    user = make_user("member", preferred_language="es")
    assert client.post("/language", data={"lang": "en", "next": "/login"}, headers=SPANISH).status_code == 302
    assert '<html lang="en"' in client.get("/login", headers=SPANISH).get_data(as_text=True)
    _sign_in(client, user, SPANISH)
    assert _html_lang(client, SPANISH) == "en"
    assert _stored(user) == ("en", True)


def test_the_profile_language_field_is_a_choice(client, make_user):
    user = make_user("member", display_name="Ana")
    _sign_in(client, user, SPANISH)
    assert _stored(user) == ("es", False)
    form = {"display_name": "Ana", "region_id": 0, "county_id": 0, "grade": "", "timezone": "America/Los_Angeles"}

    # Saving the profile with the language it shows is not a choice...
    assert client.post("/profile/edit", data={**form, "preferred_language": "es"}).status_code == 302
    assert _stored(user) == ("es", False)
    # ...changing it is.
    assert client.post("/profile/edit", data={**form, "preferred_language": "en"}).status_code == 302
    assert _stored(user) == ("en", True)
    client.post("/logout")
    _sign_in(client, user, SPANISH)
    assert _html_lang(client, SPANISH) == "en"


def test_an_invited_member_keeps_the_registration_page_language(client, make_user):
    admin = make_user("admin")
    invitation = invitation_service.invite_member(admin, "nuevo@example.org", "member", None, link_for=lambda t: t)
    response = client.post(f"/register/{invitation.token}", data={"display_name": "Nuevo", "password": PASSWORD},
                           headers=SPANISH)
    assert response.status_code == 302, response.data
    assert _html_lang(client, SPANISH) == "es"
    user = db.session.query(User).filter_by(email="nuevo@example.org").one()
    assert _stored(user) == ("es", False)
