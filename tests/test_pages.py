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


@pytest.mark.parametrize(("language", "text"), [("en", "Busy right now"), ("es", "Hay mucha actividad ahora")])
def test_a_locked_database_answers_503_to_try_again_and_other_database_errors_500(make_app, monkeypatch, language,
                                                                                    text):
    from sqlalchemy.exc import OperationalError

    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def locked():
        raise OperationalError("UPDATE polls", {}, Exception("database is locked"))

    def broken():
        raise OperationalError("SELECT", {}, Exception("no such table: polls"))

    app.add_url_rule("/locked", "locked", locked)
    app.add_url_rule("/broken", "broken", broken)
    monkeypatch.setitem(policy.ROUTES, "locked", policy.PUBLIC)
    monkeypatch.setitem(policy.ROUTES, "broken", policy.PUBLIC)
    response = app.test_client().get("/locked", headers={"Accept-Language": language})
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert text in response.get_data(as_text=True)
    assert app.test_client().get("/broken").status_code == 500


@pytest.mark.parametrize(("language", "text"), [("en", "Something went wrong on our side"),
                                                ("es", "Algo salió mal de nuestro lado")])
def test_server_error_page_is_translated_and_leaks_nothing(failing_app, language, text):
    response = failing_app.test_client().get("/explode", headers={"Accept-Language": language})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert text in body
    assert "boom" not in body and "Traceback" not in body


def test_an_absurd_id_in_a_post_url_is_a_404_not_a_crash(client, make_user):
    login(client, make_user("admin"))
    for url in ["/notifications/" + "9" * 30 + "/open", "/notifications/2147483648/open",
                "/summit/sessions/" + "9" * 30 + "/delete", "/summit/sessions/2147483648/delete",
                "/summit/proposals/2147483648/decide", "/summit/editions/2147483648/sessions/new"]:
        assert client.post(url).status_code == 404, url


def test_an_absurd_id_in_a_url_is_a_404_not_a_crash(client, make_user):
    login(client, make_user("admin"))
    for url in ["/members/" + "9" * 30, "/meetings/" + "9" * 30, "/meetings/2147483648", "/polls/" + "9" * 30,
                "/polls/2147483648", "/polls/2147483647", "/polls/2147483647/live.json",
                "/agenda-items/2147483648/poll-panel", "/summit/editions/" + "9" * 30, "/summit/editions/2147483648",
                "/summit/editions/2147483648/edit", "/summit/editions/2147483648/sessions/new",
                "/summit/sessions/" + "9" * 30, "/summit/sessions/2147483648", "/summit/sessions/2147483648/edit",
                "/summit/proposals/" + "9" * 30 + "/decide", "/summit/proposals/2147483648/decide"]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("number", ["2147483648", "9" * 30, "-9223372036854775809"])
def test_an_absurd_id_or_page_in_a_query_or_form_is_ignored_not_a_crash(app, make_user, number):
    """Numbers no integer column holds (PostgreSQL's stop at 2**31 - 1) count as absent, like words would."""
    from stac_youth.proposals.models import ProposalStatus
    from stac_youth.rooms import rooms
    from tests.proposals.helpers import make_proposal

    admin, advisor, author = make_user("admin"), make_user("advisor"), make_user("member")
    proposal = make_proposal(author, status=ProposalStatus.IN_DISCUSSION, advisor=advisor)
    room_id = rooms.create_topic_room(advisor, "Numbers", "", None).id
    proposal_id = proposal.id
    for user, urls in [(admin, ["/members?region={n}&page={n}", "/proposals?theme={n}&region={n}&page={n}",
                                "/meetings?region={n}", "/admin/users?page={n}", "/admin/audit?page={n}",
                                "/notifications?page={n}", "/summit?page={n}",
                                "/summit/plan?theme={n}&region={n}&page={n}"]),
                       (advisor, [f"/rooms/{room_id}?before={{n}}"])]:
        client = app.test_client()
        login(client, user)
        for url in urls:
            assert client.get(url.format(n=number)).status_code == 200, url
    client = app.test_client()
    login(client, author)
    assert client.post(f"/proposals/{proposal_id}/cosponsors", data={"user_id": number}).status_code == 302
    assert client.post(f"/proposals/{proposal_id}/comments", data={"parent_id": number, "body": "Hi"}).status_code \
        == 302


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "America/New_York"])
def test_poll_schedule_times_are_shown_and_read_in_the_viewers_zone(client, make_user, zone):
    from datetime import timedelta

    from stac_youth.common.time import utcnow
    from stac_youth.polls import lifecycle
    from stac_youth.polls.models import Poll

    advisor = make_user("advisor", timezone=zone)
    opens_utc = (utcnow() + timedelta(days=3)).replace(minute=15, second=0, microsecond=0)
    poll = lifecycle.create_poll(advisor, None, "Which theme?", "yes_no_abstain", opens_at=opens_utc)
    login(client, advisor)
    page = client.get(f"/polls/{poll.id}").get_data(as_text=True)
    expected = format_datetime(opens_utc.replace(tzinfo=UTC), "short", tzinfo=ZoneInfo(zone), locale="en")
    assert f"Opens by itself at {expected}" in page
    # The form reads a typed time in the same zone.
    typed = opens_utc.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
    form = {"question": "Typed in my zone?", "method": "yes_no_abstain", "options": "", "threshold": "simple",
            "quorum_percent": "0", "opens_at": typed, "closes_at": ""}
    response = client.post(f"/agenda-items/{_agenda_item(advisor)}/polls/new", data=form)
    assert response.status_code == 302
    created = db.session.scalar(db.select(Poll).where(Poll.question == "Typed in my zone?"))
    assert created.opens_at == opens_utc


def _agenda_item(advisor) -> int:
    from tests.meetings.helpers import make_meeting

    return make_meeting(advisor, "published", items=("Vote",)).items[0].id
