"""Summit pages: who may see and do what, the forms (errors in English and Spanish, nothing saved), the decision
through the form, the trace from a session to its proposals and from a proposal to its session, the dashboard's
filters, sorts and pages, and the planner's home card."""

from __future__ import annotations

import html
from datetime import datetime

import pytest
from sqlalchemy import select

from stac_youth.extensions import db
from stac_youth.proposals.models import Proposal, ProposalStatus
from stac_youth.summit import services
from stac_youth.summit.models import Decision, SummitEdition, SummitSession
from tests.meetings.helpers import client_for
from tests.proposals.helpers import make_proposal

from .helpers import (
    YEAR,
    count,
    decision_data,
    decisions,
    make_edition,
    notifications_of,
    session_data,
    summit_actions,
    voted_proposal,
)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return text(response)


@pytest.fixture
def people(app, make_user):
    planner, admin, advisor = make_user("planner"), make_user("admin"), make_user("advisor")
    students = [make_user("member") for _ in range(4)]
    return {"planner": planner, "admin": admin, "advisor": advisor, "students": students}


@pytest.fixture
def passed(people):
    proposal, poll = voted_proposal(people["students"][0], people["advisor"], people["students"],
                                    ["yes", "yes", "no", "abstain"], title="Free transit passes")
    return proposal, poll


@pytest.fixture
def edition(people):
    return make_edition(people["planner"], sessions=("Transit for students", "Wellness"))


# --- access -------------------------------------------------------------------------------------------------------


def _planner_urls(edition, proposal) -> list[tuple[str, str]]:
    session_id = edition.sessions[0].id
    return [
        ("get", "/summit/plan"),
        ("get", "/summit/editions/new"), ("post", "/summit/editions/new"),
        ("get", f"/summit/editions/{edition.id}/edit"), ("post", f"/summit/editions/{edition.id}/edit"),
        ("get", f"/summit/editions/{edition.id}/sessions/new"),
        ("post", f"/summit/editions/{edition.id}/sessions/new"),
        ("get", f"/summit/sessions/{session_id}/edit"), ("post", f"/summit/sessions/{session_id}/edit"),
        ("post", f"/summit/sessions/{session_id}/delete"),
        ("get", f"/summit/proposals/{proposal.id}/decide"), ("post", f"/summit/proposals/{proposal.id}/decide"),
    ]


@pytest.mark.parametrize("role", ["member", "advisor"])
def test_members_and_advisors_cannot_plan_or_decide(app, people, passed, edition, role):
    someone = people["students"][1] if role == "member" else people["advisor"]
    client = client_for(app, someone)
    for method, url in _planner_urls(edition, passed[0]):
        data = {"kind": "adopted", "response": "Mine", "session_ids": [edition.sessions[0].id], "title": "Mine",
                "year": YEAR}
        response = getattr(client, method)(url, data=data) if method == "post" else client.get(url)
        assert response.status_code == 403, (role, method, url)
    assert decisions() == 0 and count(SummitSession) == 2 and summit_actions() == [
        "summit.edition_created", "summit.session_created", "summit.session_created"]
    # Everyone signed in sees the board, the edition and its sessions.
    for url in ("/summit", f"/summit/editions/{edition.id}", f"/summit/sessions/{edition.sessions[0].id}"):
        shown = page(client, url)
        assert "/decide" not in shown and '/edit"' not in shown and "/delete" not in shown


def test_signed_out_visitors_are_sent_to_sign_in(client, edition):
    for url in ("/summit", "/summit/plan", f"/summit/editions/{edition.id}"):
        response = client.get(url)
        assert response.status_code in (302, 401) and "/login" in response.headers.get("Location", "/login")


@pytest.mark.parametrize("role", ["planner", "admin"])
def test_planners_and_admins_see_every_planning_page(app, people, passed, edition, role):
    client = client_for(app, people[role])
    for method, url in _planner_urls(edition, passed[0]):
        if method == "get":
            page(client, url)
    assert f"/summit/proposals/{passed[0].id}/decide" in page(client, "/summit/plan")
    assert "/summit/plan" in page(client, "/")  # the nav and the home card


def test_missing_things_are_404(app, people):
    client = client_for(app, people["planner"])
    for url in ("/summit/editions/999", "/summit/sessions/999", "/summit/proposals/999/decide",
                "/summit/editions/999/sessions/new"):
        assert client.get(url).status_code == 404


# --- editions and sessions through the forms --------------------------------------------------------------------


def test_edition_and_session_forms(app, people):
    client = client_for(app, people["planner"])
    response = client.post("/summit/editions/new", data={"year": "", "title": "", "starts_on": "", "ends_on": ""})
    assert response.status_code == 200 and "is-invalid" in text(response) and count(SummitEdition) == 0
    response = client.post("/summit/editions/new", data={"year": YEAR, "title": "Summit", "starts_on": f"{YEAR}-04-17",
                                                          "ends_on": f"{YEAR}-04-16", "place": ""})
    assert "The last day cannot come before the first day." in text(response) and count(SummitEdition) == 0
    response = client.post("/summit/editions/new", data={"year": YEAR, "title": "Youth Summit", "place": "Fresno",
                                                          "starts_on": f"{YEAR}-04-16", "ends_on": f"{YEAR}-04-17"})
    edition = db.session.scalar(select(SummitEdition))
    assert response.status_code == 302 and response.headers["Location"] == f"/summit/editions/{edition.id}"

    new_session = f"/summit/editions/{edition.id}/sessions/new"
    response = client.post(new_session, data={"title": "Transit", "starts_at": f"{YEAR}-04-16T10:00",
                                              "ends_at": f"{YEAR}-04-16T09:00"})
    assert "The session must end after it starts." in text(response) and count(SummitSession) == 0
    response = client.post(new_session, data={"title": "Transit", "track": "Access", "room": "Hall B",
                                              "starts_at": f"{YEAR}-04-16T10:00", "ends_at": f"{YEAR}-04-16T11:30",
                                              "description": "Buses **and** trains."})
    assert response.status_code == 302
    summit_session = db.session.scalar(select(SummitSession))
    # Typed in the member's zone (Pacific, daylight time in April), stored in UTC.
    assert (summit_session.starts_at, summit_session.ends_at) == (datetime(YEAR, 4, 16, 17),
                                                                  datetime(YEAR, 4, 16, 18, 30))
    shown = page(client, f"/summit/sessions/{summit_session.id}")
    assert "<strong>and</strong>" in shown and "Hall B" in shown
    edit = page(client, f"/summit/sessions/{summit_session.id}/edit")
    assert f'value="{YEAR}-04-16T10:00"' in edit
    client.post(f"/summit/sessions/{summit_session.id}/edit", data={"title": "Transit plenary",
                                                                     "starts_at": f"{YEAR}-04-16T10:00",
                                                                     "ends_at": f"{YEAR}-04-16T11:00"})
    db.session.refresh(summit_session)
    assert (summit_session.title, summit_session.sequence) == ("Transit plenary", 1)
    assert "Transit plenary" in page(client, f"/summit/editions/{edition.id}")
    response = client.post(f"/summit/sessions/{summit_session.id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302 and count(SummitSession) == 0
    assert summit_actions() == ["summit.edition_created", "summit.session_created", "summit.session_updated",
                                "summit.session_deleted"]


# --- decisions through the form ----------------------------------------------------------------------------------


def _form(edition=None, **changes) -> dict:
    values = {"kind": "adopted", "response": "Adopted: transit agencies join the **transit session**.",
              "session_ids": [edition.sessions[0].id] if edition else [], "merged_into_id": "0"}
    values.update(changes)
    return values


@pytest.mark.parametrize(("changes", "message"), [
    ({"response": ""}, "This field is required."),
    ({"response": "   "}, "This field is required."),
    ({"session_ids": []}, "Choose the Summit session or sessions that carry the proposal."),
    ({"kind": "merged", "session_ids": []}, "Choose the proposal this one is merged into."),
])
def test_decision_form_errors_save_nothing(app, people, passed, edition, changes, message):
    proposal = passed[0]
    client = client_for(app, people["planner"])
    response = client.post(f"/summit/proposals/{proposal.id}/decide", data=_form(edition, **changes))
    shown = text(response)
    assert response.status_code == 200 and message in shown and "is-invalid" in shown
    assert decisions() == 0 and db.session.get(Proposal, proposal.id).status == ProposalStatus.PASSED
    assert notifications_of(people["students"][0]) == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"response": ""}, "Este campo es obligatorio."),
    ({"session_ids": []}, "Elige la sesión o las sesiones de la Cumbre que llevan la propuesta."),
    ({"kind": "merged", "session_ids": []}, "Elige la propuesta a la que se une esta."),
])
def test_decision_form_errors_in_spanish(app, make_user, passed, edition, changes, message):
    planner = make_user("planner", preferred_language="es")
    client = client_for(app, planner)
    response = client.post(f"/summit/proposals/{passed[0].id}/decide", data=_form(edition, **changes))
    shown = text(response)
    assert '<html lang="es"' in shown and "Decidir sobre una propuesta" in shown and message in shown
    assert decisions() == 0


def test_a_proposal_not_passed_is_refused_through_the_form(app, people, edition):
    proposal = make_proposal(people["students"][1], "submitted", title="Only submitted")
    client = client_for(app, people["planner"])
    response = client.post(f"/summit/proposals/{proposal.id}/decide", data=_form(edition))
    assert "Only a proposal the students passed can get a Summit decision." in text(response)
    assert decisions() == 0 and db.session.get(Proposal, proposal.id).status == ProposalStatus.SUBMITTED


def test_deciding_through_the_form_and_the_trace_both_ways(app, people, passed, edition):
    proposal, poll = passed
    author = people["students"][0]
    planner_client = client_for(app, people["planner"])
    form = page(planner_client, f"/summit/proposals/{proposal.id}/decide")
    assert "66.7% support" in form and "100.0% turnout" in form and "Transit for students" in form
    response = planner_client.post(f"/summit/proposals/{proposal.id}/decide", data=_form(edition))
    assert response.status_code == 302 and response.headers["Location"] == f"/proposals/{proposal.id}"
    decision = db.session.scalar(select(Decision))
    assert decision.kind == "adopted" and [s.id for s in decision.sessions] == [edition.sessions[0].id]
    assert len(notifications_of(author)) == 1

    # Forward: the proposal page shows the decision, the response and links to its session; the timeline too.
    reader = client_for(app, people["students"][2])
    shown = page(reader, f"/proposals/{proposal.id}")
    assert "What the Summit did" in shown and "<strong>Adopted</strong>" in shown
    assert f'href="/summit/sessions/{edition.sessions[0].id}"' in shown
    timeline = shown[shown.index('id="timeline-title"'):]
    assert "transit agencies join the <strong>transit session</strong>" in timeline
    assert "Adopted" in timeline
    # Back: the session page lists the proposal with its vote outcome, support and turnout.
    session_page = page(reader, f"/summit/sessions/{edition.sessions[0].id}")
    assert f'href="/proposals/{proposal.id}"' in session_page and "Free transit passes" in session_page
    assert f'href="/polls/{poll.id}"' in session_page
    assert "Passed" in session_page and "66.7% support" in session_page and "100.0% turnout" in session_page
    assert "No proposal is adopted into this session yet." in page(reader,
                                                                    f"/summit/sessions/{edition.sessions[1].id}")
    assert "Carries 1 student proposal" in page(reader, f"/summit/editions/{edition.id}")
    # The board, for a member.
    board = page(reader, "/summit")
    assert "Free transit passes" in board and "transit session" in board

    # Changing the decision: the form shows the current one; the same decision row changes, a new timeline event.
    events = len(db.session.get(Proposal, proposal.id).events)
    again = page(planner_client, f"/summit/proposals/{proposal.id}/decide")
    assert "transit agencies join" in again
    planner_client.post(f"/summit/proposals/{proposal.id}/decide",
                        data=_form(kind="under_review", response="We need the budget first."))
    db.session.expire_all()
    assert decisions() == 1 and db.session.scalar(select(Decision)).kind == "under_review"
    assert len(db.session.get(Proposal, proposal.id).events) == events + 1
    shown = page(reader, f"/proposals/{proposal.id}")
    assert "We need the budget first." in shown and f'href="/summit/sessions/{edition.sessions[0].id}"' not in shown


def test_the_author_reads_the_decision_in_spanish(app, make_user, people, edition):
    author = make_user("member", preferred_language="es")
    proposal, _poll = voted_proposal(author, people["advisor"], [author] + people["students"], ["yes"])
    services.decide(people["planner"], proposal, decision_data(session_ids=[edition.sessions[0].id],
                                                               response="La adoptamos."))
    client = client_for(app, author)
    shown = page(client, f"/proposals/{proposal.id}")
    assert "Qué hizo la Cumbre" in shown and "<strong>Adoptada</strong>" in shown and "La adoptamos." in shown
    notices = page(client, "/notifications")
    assert "decidió sobre tu propuesta" in notices and "Adoptada" in notices


# --- the dashboard ------------------------------------------------------------------------------------------------


def _rows(shown: str) -> list[str]:
    body = shown[shown.index("<tbody>"):shown.index("</tbody>")]
    return [part.split('">', 1)[1].split("</a>", 1)[0] for part in body.split('<th scope="row"><a href=')[1:]]


def test_plan_filters_sorts_and_summary(app, people, edition):
    students, advisor = people["students"], people["advisor"]
    voted_proposal(students[0], advisor, students, ["yes", "yes", "yes", "no"], title="Three quarters")
    voted_proposal(students[1], advisor, students, ["yes"], title="Unanimous")
    voted_proposal(students[2], advisor, students, ["yes", "yes", "no"], title="Two thirds")
    make_proposal(students[3], "submitted", title="Waiting for a vote")
    client = client_for(app, people["planner"])
    assert _rows(page(client, "/summit/plan")) == ["Unanimous", "Three quarters", "Two thirds", "Waiting for a vote"]
    assert _rows(page(client, "/summit/plan?sort=turnout")) == ["Three quarters", "Two thirds", "Unanimous",
                                                              "Waiting for a vote"]
    assert _rows(page(client, "/summit/plan?sort=title")) == ["Three quarters", "Two thirds", "Unanimous",
                                                            "Waiting for a vote"]
    assert _rows(page(client, "/summit/plan?status=submitted")) == ["Waiting for a vote"]
    shown = page(client, "/summit/plan?decision=none")
    assert _rows(shown) == ["Unanimous", "Three quarters", "Two thirds"]
    assert "3 passed proposals wait for a decision." in shown
    assert "Passed proposals by theme" in shown and "Turnout of the latest polls (average 66.7%)" in shown
    unanimous = db.session.scalar(select(Proposal).where(Proposal.title == "Unanimous"))
    services.decide(people["planner"], unanimous, decision_data(kind="declined", response="Not this year."))
    assert _rows(page(client, "/summit/plan?decision=declined")) == ["Unanimous"]
    assert _rows(page(client, "/summit/plan?decision=none")) == ["Three quarters", "Two thirds"]
    assert "No proposals match." in page(client, "/summit/plan?decision=merged")


def test_plan_and_board_page_26_proposals(app, people):
    for number in range(26):
        make_proposal(people["students"][number % 4], "submitted", title=f"Proposal {number:02d}")
    client = client_for(app, people["planner"])
    first = page(client, "/summit/plan?sort=title")
    assert len(_rows(first)) == 25 and "Proposal 25" not in first
    assert "page=2" in first
    assert _rows(page(client, "/summit/plan?sort=title&page=2")) == ["Proposal 25"]
    member = client_for(app, people["students"][0])
    board = page(member, "/summit")
    assert board.count('class="ui-card proposal-card"') == 25 and "page=2" in board
    assert page(member, "/summit?page=2").count('class="ui-card proposal-card"') == 1


def test_planner_home_card(app, people, passed, edition):
    client = client_for(app, people["planner"])
    home = page(client, "/")
    assert 'id="card-summit"' in home and f"/summit/proposals/{passed[0].id}/decide" in home
    assert f'href="/summit/editions/{edition.id}"' in home and "2 sessions" in home
    services.decide(people["planner"], passed[0], decision_data(session_ids=[edition.sessions[0].id]))
    assert f"/summit/proposals/{passed[0].id}/decide" not in page(client, "/")
    assert 'id="card-summit"' not in page(client_for(app, people["students"][1]), "/")


# --- the decide page: the proposal itself, and sessions as checkboxes ----------------------------------------------


LONG_SESSION = "Getting to school and back safely: transit passes, bike racks and walking groups for students"


def test_the_decide_page_shows_the_proposal_and_offers_sessions_as_checkboxes(app, people, edition):
    from stac_youth.members.models import Region

    region = db.session.scalar(select(Region).where(Region.name == "Central Valley"))
    proposal, _poll = voted_proposal(
        people["students"][0], people["advisor"], people["students"], ["yes", "yes", "no", "abstain"],
        title="Free transit passes", summary="Every student rides the bus for free.", region_id=region.id,
        description="Buses cost **too much**.\n\n<script>alert(1)</script>\n\n- for clubs\n- for jobs")
    services.add_session(people["planner"], edition, session_data(
        title=LONG_SESSION, starts_at=datetime(YEAR, 4, 17, 9), ends_at=datetime(YEAR, 4, 17, 10)))
    services.decide(people["planner"], proposal, decision_data(session_ids=[edition.sessions[0].id]))
    raw = client_for(app, people["planner"]).get(f"/summit/proposals/{proposal.id}/decide").get_data(as_text=True)
    # The proposal: title, summary, the description rendered and sanitized, theme, region and the vote's numbers.
    card = raw[raw.index('class="card mb-4 decide-proposal"'):raw.index("</article>")]
    assert "Free transit passes" in card and "Every student rides the bus for free." in card
    assert "<strong>too much</strong>" in card and "<li>for clubs</li>" in card
    assert "<script>alert(1)" not in raw and "&lt;script&gt;alert(1)" in card  # user HTML shown as text
    assert "Mental health and wellness" in card and "Central Valley" in card
    assert "66.7% support" in card and "Ballots cast: 4 of 4 eligible members" in card
    assert [cell.split("</th>")[0] for cell in card.split('<th scope="row">')[1:]] == ["Yes", "No", "Abstain"]
    # No multi-select: one checkbox per session in a fieldset whose legend says several may be chosen.
    assert "<select" not in raw.split('name="session_ids"', 1)[0].rsplit("<fieldset", 1)[1]
    assert 'multiple' not in raw
    fieldset = raw[raw.index('<fieldset class="mb-3 session-choices"'):raw.index("</fieldset>")]
    assert "<legend" in fieldset and "(you can choose several)" in fieldset
    boxes = fieldset.count('type="checkbox"')
    assert boxes == 3 and fieldset.count('name="session_ids"') == 3
    assert f"Youth Summit {YEAR} · {LONG_SESSION}" in fieldset  # the whole name, nothing cut
    checked = [part for part in fieldset.split("<input")[1:] if "checked" in part.split(">")[0]]
    assert len(checked) == 1 and f'value="{edition.sessions[0].id}"' in checked[0]
    for part in fieldset.split("<input")[1:]:
        box_id = part.split('id="', 1)[1].split('"', 1)[0]
        assert f'<label class="form-check-label text-break" for="{box_id}">' in fieldset


def test_the_decide_page_in_spanish_and_a_missing_session_marks_the_fieldset(app, make_user, passed, edition):
    planner = make_user("planner", preferred_language="es")
    client = client_for(app, planner)
    shown = page(client, f"/summit/proposals/{passed[0].id}/decide")
    assert "Sesiones de la Cumbre que la llevan, si se adopta (puedes elegir varias)" in shown
    assert "Tu decisión" in shown and "Free transit passes" in shown
    response = client.post(f"/summit/proposals/{passed[0].id}/decide", data=_form(edition, session_ids=[]))
    raw = response.get_data(as_text=True)
    fieldset = raw[raw.index('<fieldset class="mb-3 session-choices"'):raw.index("</fieldset>")]
    assert 'aria-describedby="session_ids-error"' in fieldset and 'id="session_ids-error"' in fieldset
    assert fieldset.count("form-check-input is-invalid") == 2
