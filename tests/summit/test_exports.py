"""Summit exports: the proposals CSV and the schedule .ics parsed back, the report page and its PDF in two languages."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from stac_youth.summit import exports, services
from tests.meetings.helpers import client_for
from tests.summit.helpers import YEAR, decision_data, make_edition, voted_proposal


@pytest.fixture
def people(make_user):
    return {"planner": make_user("planner"), "advisor": make_user("advisor"),
            "author": make_user("member", display_name="Ana Torres", preferred_language="es"),
            "voters": [make_user("member") for _ in range(4)]}


@pytest.fixture
def adopted(people):
    """An edition with two sessions and a passed proposal (3 yes, 1 no) adopted into the second."""
    edition = make_edition(people["planner"], sessions=("Opening: students lead", "Getting to school: transit"))
    proposal, poll = voted_proposal(people["author"], people["advisor"], people["voters"],
                                    choices=("yes", "yes", "yes", "no"), title="Free transit passes")
    services.decide(people["planner"], proposal, decision_data(
        response="=HYPERLINK(\"http://x\") Adopted, with **transit agencies**.",
        session_ids=(edition.sessions[1].id,)))
    return edition, proposal, poll


def test_the_proposals_csv_parses_back_with_outcomes_and_decisions(app, people, adopted):
    edition, proposal, poll = adopted
    response = client_for(app, people["author"]).get("/summit/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    # the author reads Spanish: the export speaks the reader's language
    assert rows[0] == ["Propuesta", "Tema", "Región", "Estado", "Resultado de la votación", "Apoyo en porcentaje",
                       "Participación en porcentaje", "Decisión", "Respuesta", "Sesiones de la Cumbre",
                       "Unida a (enlace)"]
    row = next(r for r in rows[1:] if r[0] == "Free transit passes")
    assert row[3:8] == ["Adoptada", "Aprobada", "75.0", "80.0", "Adoptada"]  # 4 of 5 members voted
    assert row[8].startswith("'=HYPERLINK")  # a formula is escaped, not run by the spreadsheet
    assert row[9] == "Getting to school: transit" and row[10] == ""


def test_the_csv_response_is_plain_text_and_a_merge_names_its_proposal(app, people, adopted):
    _edition, target, _poll = adopted
    merged, _ = voted_proposal(people["author"], people["advisor"], people["voters"], choices=("yes", "yes", "yes"),
                               title="Bus passes for clubs")
    services.decide(people["planner"], merged, decision_data(
        kind="merged", merged_into_id=target.id,
        response="## Why\n\nIt asks the **same** as [the transit one](https://example.org/t).\n\n"
                 "- one pass\n- for *every* student\n\n1. first\n2. second\n\n`code` &amp; more"))
    planner = client_for(app, people["planner"])
    rows = list(csv.reader(io.StringIO(planner.get("/summit/export.csv").data.decode("utf-8-sig"))))
    assert rows[0][7:] == ["Decision", "Response", "Summit sessions", "Merged into (link)"]
    row = next(r for r in rows[1:] if r[0] == "Bus passes for clubs")
    assert row[7] == f"Merged into “Free transit passes” (#{target.id})"
    assert row[10] == f"http://localhost/proposals/{target.id}"
    assert row[8] == ("Why\n\nIt asks the same as the transit one (https://example.org/t).\n\n"
                      "• one pass\n• for every student\n\n1. first\n2. second\n\ncode & more")
    adopted_row = next(r for r in rows[1:] if r[0] == "Free transit passes")
    assert adopted_row[8] == "'=HYPERLINK(\"http://x\") Adopted, with transit agencies."  # still no formula
    # the reader's language: the merge reads in Spanish for a Spanish reader
    spanish = list(csv.reader(io.StringIO(client_for(app, people["author"]).get("/summit/export.csv")
                                          .data.decode("utf-8-sig"))))
    spanish_row = next(r for r in spanish if r[0] == "Bus passes for clubs")
    assert spanish_row[7] == f"Unida a “Free transit passes” (#{target.id})"


@pytest.mark.parametrize(("markdown", "text"), [
    ("**=1+2**", "'=1+2"),  # the marks go, and the formula guard still sees what the cell starts with
    ("- =cmd|' /C calc'!A0", "• =cmd|' /C calc'!A0"),  # a list item reads as a bullet, not a formula
    ("&#61;SUM(A1)", "'=SUM(A1)"),
    ("line one\nline two", "line one\nline two"),
    ("<b>html</b> stays text", "<b>html</b> stays text"),
    ("<https://example.org>", "https://example.org"),
])
def test_markdown_becomes_plain_text_and_formulas_stay_guarded(markdown, text):
    from stac_youth.common.spreadsheet import csv_document, markdown_text

    rows = list(csv.reader(io.StringIO(csv_document([[markdown_text(markdown)]]).lstrip("\ufeff"))))
    assert rows == [[text]]


def test_the_schedule_ics_parses_back_with_one_event_per_session(app, people, adopted):
    edition, _proposal, _poll = adopted
    response = client_for(app, people["voters"][0]).get(f"/summit/editions/{edition.id}/schedule.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert [str(event["summary"]) for event in events] == ["Opening: students lead", "Getting to school: transit"]
    assert events[0]["dtstart"].dt == datetime(YEAR, 4, 16, 16, 0, tzinfo=UTC)
    assert {str(event["uid"]) for event in events} == {exports.session_uid(s) for s in edition.sessions}
    assert "Free transit passes" in str(events[1]["description"])
    assert str(events[1]["location"]) == "Hall B, Sacramento"
    services.update_session(people["planner"], edition.sessions[1], services.SessionData(
        title="Getting to school: transit", track="Access", starts_at=datetime(YEAR, 4, 16, 18),
        ends_at=datetime(YEAR, 4, 16, 19), room="Hall C", description=""))
    again = Calendar.from_ical(client_for(app, people["voters"][0]).get(
        f"/summit/editions/{edition.id}/schedule.ics").data)
    moved = [event for event in again.walk("VEVENT") if str(event["summary"]).startswith("Getting")][0]
    assert str(moved["uid"]) == str(events[1]["uid"]) and int(moved["sequence"]) == 1  # same event, updated


@pytest.mark.parametrize(("lang", "heading", "outcome"), [
    ("en", "Program and the student proposals it carries", "Passed"),
    ("es", "Programa y las propuestas estudiantiles que lleva", "Aprobada"),
])
def test_the_report_page_and_its_pdf_hold_the_plan_and_the_votes(app, people, adopted, lang, heading, outcome):
    edition, _proposal, _poll = adopted
    client = client_for(app, people["advisor"])
    page = client.get(f"/summit/editions/{edition.id}/report?lang={lang}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and heading in html and outcome in html
    assert "Getting to school: transit" in html and "<strong>transit agencies</strong>" in html
    pdf = client.get(f"/summit/editions/{edition.id}/report.pdf?lang={lang}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    text = " ".join(text.split())
    for title in ("Opening: students lead", "Getting to school: transit", "Free transit passes", heading):
        assert title in text, (title, text[:500])


@pytest.mark.parametrize("url", [
    "http://example.org/static/css/report.css",  # another host
    f"http://{exports.REPORT_HOST}/static/../app.py",  # out of the static folder
    f"http://{exports.REPORT_HOST}/summit/export.csv",  # an app route, not a file
    "file:///etc/passwd",
    f"https://{exports.REPORT_HOST}/static/css/report.css",
])
def test_the_pdf_renderer_fetches_nothing_but_the_apps_static_files(app, url):
    with pytest.raises(ValueError):
        exports._static_file(url)
    body, content_type = exports._static_file(f"http://{exports.REPORT_HOST}/static/css/report.css")
    assert b"@page" in body and content_type == "text/css"


def test_an_image_in_a_response_is_not_fetched_for_the_pdf(app, people, adopted, monkeypatch):
    edition, proposal, _poll = adopted
    services.decide(people["planner"], proposal, decision_data(
        response="![x](http://127.0.0.1:9/private.png) adopted", session_ids=(edition.sessions[1].id,)))
    asked = []
    real = exports._static_file

    def spy(url):
        asked.append(url)
        return real(url)

    monkeypatch.setattr(exports, "_static_file", spy)
    pdf = client_for(app, people["planner"]).get(f"/summit/editions/{edition.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # every address the renderer wanted went through the app's fetcher, which serves static files only
    assert f"http://{exports.REPORT_HOST}/static/css/report.css" in asked
    assert all(url.startswith(f"http://{exports.REPORT_HOST}/static/") or url == "http://127.0.0.1:9/private.png"
               for url in asked)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_report_pdf_is_tagged_for_screen_readers(app, people, adopted, lang):
    edition, _proposal, _poll = adopted
    pdf = client_for(app, people["advisor"]).get(f"/summit/editions/{edition.id}/report.pdf?lang={lang}")
    reader = PdfReader(io.BytesIO(pdf.data))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])  # a tagged PDF
    assert catalog["/Lang"] == lang  # read aloud in the report's language
    tree = catalog["/StructTreeRoot"].get_object()
    kinds = set()

    def walk(element, depth=0):
        element = element.get_object()
        if isinstance(element, dict) and "/S" in element:
            kinds.add(str(element["/S"]))
        kids = element.get("/K", []) if isinstance(element, dict) else []
        for kid in kids if isinstance(kids, list) else [kids]:
            if depth < 40 and hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                walk(kid, depth + 1)

    walk(tree)
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/P"} <= kinds  # headings and tables a screen reader can walk
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp  # it declares PDF/UA
    title = reader.metadata.title
    assert title and edition.title in title
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])


def test_the_board_report_and_pdf_name_the_proposal_a_merged_one_went_into(app, people, adopted):
    edition, target, _poll = adopted
    merged, _ = voted_proposal(people["author"], people["advisor"], people["voters"], choices=("yes", "yes", "yes"),
                               title="Bus passes for clubs")
    services.decide(people["planner"], merged, decision_data(kind="merged", merged_into_id=target.id,
                                                             response="Same ask as the transit passes."))
    reader = client_for(app, people["voters"][0])
    board = reader.get("/summit").get_data(as_text=True)
    card = board[board.index("Bus passes for clubs"):]
    card = card[:card.index("</article>")]
    assert f'Merged into: <a href="/proposals/{target.id}">Free transit passes</a>' in card
    report = reader.get(f"/summit/editions/{edition.id}/report?lang=en").get_data(as_text=True)
    row = report[report.index('<th scope="row">Free transit passes'):]
    assert "Proposals merged into this one: Bus passes for clubs" in row[:row.index("</th>")]
    spanish = reader.get(f"/summit/editions/{edition.id}/report?lang=es").get_data(as_text=True)
    assert "Propuestas unidas a esta: Bus passes for clubs" in spanish
    pdf = reader.get(f"/summit/editions/{edition.id}/report.pdf?lang=en")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Proposals merged into this one: Bus passes for clubs" in text
