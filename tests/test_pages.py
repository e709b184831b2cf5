"""Pages across features: times in the viewer's zone, and the 500 page in both languages."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from stac_youth.common import policy
from stac_youth.extensions import db
from stac_youth.members.models import Invitation
from tests.conftest import login


def _invitation(admin, expires_at: datetime) -> None:
    db.session.add(Invitation(email="zone@example.org", role="member", token_hash="0" * 64, invited_by_id=admin.id,
                              expires_at=expires_at))
    db.session.commit()


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "America/New_York"])
def test_times_are_shown_in_the_viewers_zone(client, make_user, zone):
    admin = make_user("admin", timezone=zone)
    expires_utc = datetime(2099, 3, 4, 18, 30)
    _invitation(admin, expires_utc)
    login(client, admin)
    page = client.get("/admin/invitations").get_data(as_text=True)
    expected = format_datetime(expires_utc.replace(tzinfo=UTC), "short", tzinfo=ZoneInfo(zone), locale="en")
    assert expected in page
    other_zone = "America/New_York" if zone == "America/Los_Angeles" else "America/Los_Angeles"
    assert format_datetime(expires_utc.replace(tzinfo=UTC), "short", tzinfo=ZoneInfo(other_zone), locale="en") \
        not in page


@pytest.fixture
def failing_app(make_app, monkeypatch):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def explode():
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    monkeypatch.setitem(policy.ROUTES, "explode", policy.PUBLIC)
    return app


@pytest.mark.parametrize(("language", "text"), [("en", "Something went wrong on our side"),
                                                ("es", "Algo salió mal de nuestro lado")])
def test_server_error_page_is_translated_and_leaks_nothing(failing_app, language, text):
    response = failing_app.test_client().get("/explode", headers={"Accept-Language": language})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert text in body
    assert "boom" not in body and "Traceback" not in body


def test_an_absurd_id_in_a_url_is_a_404_not_a_crash(client, make_user):
    login(client, make_user("admin"))
    for url in ["/members/" + "9" * 30, "/meetings/" + "9" * 30, "/meetings/2147483648"]:
        assert client.get(url).status_code == 404, url
