"""T1 / T1b: no open redirect after login, no mass assignment through forms, and uniform 404s for profiles."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

from stac_youth.common.roles import Role
from stac_youth.common.time import utcnow
from stac_youth.common.tokens import hash_token
from stac_youth.extensions import db
from stac_youth.members.models import Invitation, User
from tests.conftest import PASSWORD, UserFactory

# --- open redirects after login -------------------------------------------------------------------------------

OFFSITE_NEXT = [
    "//evil.example",
    "https://evil.example/x",
    "/\\evil.example",
    "javascript:alert(1)",
    "///evil.example",
    "/\t/evil.example",
    "http:evil.example",
    "/%2F%2Fevil.example",
    " //evil.example",
    "\\\\evil.example",
]


def _is_local(location: str) -> bool:
    """A path on this site, as a browser would read it (browsers drop tabs/newlines and treat \\ as /)."""
    parts = urlsplit(location)
    resolved = urlsplit(urljoin("http://localhost/some/page", location))
    return (
        location.startswith("/") and not location.startswith("//") and "\\" not in location
        and not any(ord(ch) < 0x20 for ch in location)
        and not parts.scheme and not parts.netloc and resolved.netloc == "localhost"
    )


def test_login_never_redirects_off_site(make_app):
    # An app without a pushed app context: each request gets its own `g`, so clients do not share a login.
    application = make_app()
    with application.app_context():
        email = UserFactory()("member").email
    for target in OFFSITE_NEXT:
        client = application.test_client()
        response = client.post("/login", query_string={"next": target}, data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, target
        assert _is_local(response.headers["Location"]), (target, response.headers["Location"])
        assert client.get("/account").status_code == 200  # the login itself succeeded


def test_login_honours_a_local_next(client, make_user):
    user = make_user("member")
    response = client.post("/login", query_string={"next": "/members"},
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/members"


def test_login_page_link_keeps_the_path_to_return_to(client):
    response = client.get("/members?q=ab")
    assert _is_local(response.headers["Location"])
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert "next=" in response.headers["Location"]


def test_language_switch_never_redirects_off_site(client):
    for target in OFFSITE_NEXT:
        response = client.post("/language", data={"lang": "es", "next": target})
        assert response.status_code == 302, target
        assert _is_local(response.headers["Location"]), (target, response.headers["Location"])


# --- mass assignment --------------------------------------------------------------------------------------------

PROFILE_FORM = {
    "display_name": "Renamed Student", "pronouns": "", "region_id": "0", "county_id": "0", "school": "",
    "grade": "", "interests": "", "bio": "", "preferred_language": "en", "timezone": "America/Los_Angeles",
}


def test_profile_form_ignores_role_active_and_email(client, login_as):
    member = login_as("member")
    email, version = member.email, member.session_version
    extra = {"role": "admin", "active": "0", "email": "taken@evil.example", "is_admin": "1", "id": "1",
             "session_version": "99", "deleted_at": "2020-01-01", "password_hash": "x"}
    response = client.post("/profile/edit", data={**PROFILE_FORM, **extra})
    assert response.status_code == 302  # the form was accepted and saved
    db.session.expire_all()
    member = db.session.get(User, member.id)
    assert member.display_name == "Renamed Student"
    assert member.role == Role.MEMBER
    assert member.active is True and member.deleted_at is None
    assert member.email == email and member.session_version == version
    # still a member: the admin screens stay closed
    assert client.get("/admin/users").status_code == 403


def test_profile_form_role_admin_with_active_1_is_ignored(client, login_as):
    member = login_as("member")
    response = client.post("/profile/edit", data={**PROFILE_FORM, "role": "admin", "active": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).role == Role.MEMBER
    assert client.get("/admin/audit").status_code == 403


def test_profile_form_saves_twice_with_the_same_interests(client, login_as):
    """Regression: replacing interest rows inserted the same (user, tag) before deleting the old one → 500."""
    member = login_as("member")
    for _ in range(2):
        assert client.post("/profile/edit", data={**PROFILE_FORM, "interests": "art, climate"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).interest_tags == ["art", "climate"]


def test_profile_post_with_missing_fields_does_not_crash(client, login_as):
    """Regression: a POST without the interests field fell back to the model's relationship list → 500."""
    member = login_as("member")
    without_interests = {k: v for k, v in PROFILE_FORM.items() if k != "interests"}
    assert client.post("/profile/edit", data=without_interests).status_code == 302
    assert client.post("/profile/edit").status_code == 200  # nothing posted: the form asks for a name
    db.session.expire_all()
    assert db.session.get(User, member.id).display_name == "Renamed Student"


def test_registration_ignores_a_posted_role(app, client):
    token = "mass-assignment-invitation"
    db.session.add(Invitation(email="new@example.test", role=Role.MEMBER, token_hash=hash_token(token),
                              created_at=utcnow(), expires_at=utcnow() + timedelta(days=7)))
    db.session.commit()
    response = client.post(f"/register/{token}", data={"display_name": "New Student", "password": PASSWORD,
                                                       "role": "admin", "email": "other@example.test"})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "new@example.test"))
    assert user is not None and user.role == Role.MEMBER
    assert db.session.scalar(db.select(User).where(User.email == "other@example.test")) is None


# --- object level: uniform 404 ------------------------------------------------------------------------------------

def _without_path(response, user_id: int) -> bytes:
    """The page with its own URL (echoed in the language form) and its CSRF token (signed with the time, so two pages
    a second apart differ) taken out, so two 404s can be compared."""
    page = response.data.replace(f"/members/{user_id}".encode(), b"/members/ID")
    return re.sub(rb'name="csrf_token" value="[^"]+"', b'name="csrf_token" value="TOKEN"', page)


def test_deleted_and_missing_profiles_answer_the_same_404(client, login_as, make_user):
    from stac_youth.members.privacy import delete_account

    login_as("member")
    gone = make_user("member", display_name="Erased Student")
    gone_id = gone.id
    delete_account(gone, PASSWORD)
    missing_id = db.session.scalar(db.select(db.func.max(User.id))) + 1000

    deleted = client.get(f"/members/{gone_id}")
    missing = client.get(f"/members/{missing_id}")
    assert deleted.status_code == missing.status_code == 404
    assert _without_path(deleted, gone_id) == _without_path(missing, missing_id)
    assert b"Erased Student" not in deleted.data
    for suffix in ("/avatar",):
        assert client.get(f"/members/{gone_id}{suffix}").status_code == 404
        assert client.get(f"/members/{missing_id}{suffix}").status_code == 404


def test_deactivated_profile_is_a_404_for_members_like_a_missing_one(client, login_as, make_user):
    login_as("member")
    hidden = make_user("member", display_name="Paused Student", active=False)
    missing = client.get("/members/987654")
    response = client.get(f"/members/{hidden.id}")
    assert response.status_code == missing.status_code == 404
    assert _without_path(response, hidden.id) == _without_path(missing, 987654)
