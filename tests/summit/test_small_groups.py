"""Small numbers on the Summit's channels: a secret vote with fewer than 5 ballots gives no count, share or turnout.

Planners read every proposal's vote on the plan, the board, the CSV export and the report (page and PDF). A secret
poll with fewer than 5 ballots shows there as "Results withheld: fewer than 5 voted", with no support or turnout
figure, and its turnout is left out of the recent-turnout chart and its average (the average would otherwise let
the number be worked out). The control: a secret vote with 5 ballots shows its support and turnout everywhere.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from pypdf import PdfReader

from stac_youth.polls import ballots, lifecycle
from stac_youth.proposals.models import ProposalStatus
from stac_youth.summit import services
from tests.meetings.helpers import client_for
from tests.polls.poll_checks import visible_text
from tests.proposals.helpers import make_proposal
from tests.summit.helpers import decision_data, make_edition

WITHHELD = "Results withheld: fewer than 5 voted"


def _secret_vote(author, advisor, voters, choices, title):
    proposal = make_proposal(author, "in_discussion", advisor=advisor, title=title)
    poll = lifecycle.create_poll(advisor, proposal, f"Adopt {title}?", "yes_no_abstain", secret=True)
    lifecycle.open_poll(advisor, poll)
    for voter, choice in zip(voters, choices, strict=False):
        ballots.cast_ballot(voter, poll, choice)
    lifecycle.close_poll(advisor, poll)
    return proposal, poll


@pytest.fixture
def scene(make_user):
    """Six students; "Bike lanes" got 4 secret yes votes (withheld), "Free transit" 4 yes and 1 no (published)."""
    planner, advisor = make_user("planner"), make_user("advisor")
    students = [make_user("member") for _ in range(6)]
    withheld, small_poll = _secret_vote(students[0], advisor, students, ["yes"] * 4, "Bike lanes")
    published, _poll = _secret_vote(students[1], advisor, students, ["yes"] * 4 + ["no"], "Free transit")
    assert (withheld.status, small_poll.outcome, published.status) == (ProposalStatus.NOT_PASSED, "withheld",
                                                                       ProposalStatus.PASSED)
    edition = make_edition(planner, sessions=("Getting to school",))
    services.decide(planner, published, decision_data(session_ids=(edition.sessions[0].id,)))
    return {"planner": planner, "student": students[2], "edition": edition}


def _row_text(html: str, title: str) -> str:
    """The visible text of the table row (plan) or card (board) that names the proposal."""
    blocks = re.split(r'(?=<tr>|<article class="ui-card proposal-card)', html)
    return visible_text(next(block for block in blocks if f">{title}</a>" in block))


def test_the_plan_and_the_board_show_no_figure_of_a_withheld_vote(app, scene):
    planner = client_for(app, scene["planner"])
    for client, url in ((planner, "/summit/plan"), (client_for(app, scene["student"]), "/summit")):
        html = client.get(url).get_data(as_text=True)
        small = _row_text(html, "Bike lanes")
        assert WITHHELD in small and "support" not in small and "turnout" not in small and "%" not in small, url
        assert "80.0% support" in _row_text(html, "Free transit") and "83.3% turnout" in _row_text(html,
                                                                                                   "Free transit")
    plan = visible_text(planner.get("/summit/plan").get_data(as_text=True))
    # only the published vote is in the chart and its average (with 4 of 6 it would be 75.0%)
    assert "Turnout of the latest polls (average 83.3%)" in plan and "Adopt Bike lanes?" not in plan


def test_the_csv_export_gives_no_figure_of_a_withheld_vote(app, scene):
    response = client_for(app, scene["planner"]).get("/summit/export.csv")
    rows = {row[0]: row for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig")))}
    assert rows["Bike lanes"][3:7] == ["Not passed", WITHHELD, "", ""]
    assert rows["Free transit"][3:7] == ["Adopted", "Passed", "80.0", "83.3"]


def test_the_report_and_its_pdf_count_only_published_votes(app, scene):
    client = client_for(app, scene["planner"])
    edition_id = scene["edition"].id
    html = visible_text(client.get(f"/summit/editions/{edition_id}/report?lang=en").get_data(as_text=True))
    assert "Average turnout of the latest polls: 83.3%" in html and "Bike lanes" not in html
    pdf = client.get(f"/summit/editions/{edition_id}/report.pdf?lang=en")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Average turnout of the latest polls: 83.3%" in text and "Bike lanes" not in text
