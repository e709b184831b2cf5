"""The polls journey through the UI, in a live meeting: an advisor creates a poll for the current agenda item on the
live screen and opens it; three students, each in a browser of their own on the live screen, see the vote form
appear by itself and vote without leaving the live screen (the panel shows the receipt code); the advisor's screen
counts the turnout up live; the advisor closes the poll and every student's screen shows the outcome with its counts by
itself. In English and in Spanish.

The meeting itself is set up through the services (the meetings journey tests its forms); it starts through the UI.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from . import data
from .helpers import ADVISOR_EMAIL, open_meeting, sign_in

pytestmark = pytest.mark.e2e

RECEIPT = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$")
# Students of their own (the other journeys use students 1 to 6), three per language.
STUDENTS = {
    "en": ["student7@example.org", "student8@example.org", "student9@example.org"],
    "es": ["student10@example.org", "student11@example.org", "student12@example.org"],
}
TEXTS = {
    "en": {
        "item": "Adopt the youth survey",
        "start": "Start the meeting",
        "connected": "Live: updates appear by themselves.",
        "no_poll": "No poll for this agenda item.",
        "create": "Create a poll for this item",
        "new_poll": "New poll",
        "question": "Question",
        "method": "How members vote",
        "quorum": "Quorum: the share of eligible members who must vote, in percent",
        "yes_no": "Yes / no / abstain",
        "save": "Save the poll",
        "saved": "The poll is saved as a draft. Open it when members should vote.",
        "draft": "Draft",
        "to_live": "Live meeting screen",
        "open": "Open the poll now",
        "open_status": "Open for voting",
        "yes": "Yes",
        "no": "No",
        "abstain": "Abstain",
        "cast": "Cast my vote",
        "counted": "Your vote is counted",
        "receipt": "Your receipt code:",
        "counts": "2 yes, 1 no, 0 abstain · 3 of {eligible} voted",
        "voted": "You voted: {choice}. You can change your vote until the poll closes.",
        "change": "Change my vote",
        "turnout": "{cast} of {eligible} members voted",
        "close": "Close the poll and count",
        "closed_status": "Closed",
        "passed": "Passed",
        "decimal": ".",
        "see": "See the results",
        "results": "Results",
        "ballots": "Ballots cast: 3 of {eligible} eligible members",
        "table": ["Choice", "Votes", "Percent"],
    },
    "es": {
        "item": "Adoptar la encuesta juvenil",
        "start": "Empezar la reunión",
        "connected": "En vivo: los cambios aparecen solos.",
        "no_poll": "Este punto de la agenda no tiene votación.",
        "create": "Crear una votación para este punto",
        "new_poll": "Nueva votación",
        "question": "Pregunta",
        "method": "Cómo votan las personas integrantes",
        "quorum": "Quórum: la parte de integrantes con derecho a voto que debe votar, en porcentaje",
        "yes_no": "Sí / no / abstención",
        "save": "Guardar la votación",
        "saved": "La votación se guardó como borrador. Ábrela cuando las personas integrantes deban votar.",
        "draft": "Borrador",
        "to_live": "Pantalla de la reunión en vivo",
        "open": "Abrir la votación ahora",
        "open_status": "Abierta para votar",
        "yes": "Sí",
        "no": "No",
        "abstain": "Abstención",
        "cast": "Emitir mi voto",
        "counted": "Tu voto está contado",
        "receipt": "Tu código de comprobante:",
        "counts": "2 sí, 1 no, 0 abstenciones · votaron 3 de {eligible}",
        "voted": "Votaste: {choice}. Puedes cambiar tu voto hasta que se cierre la votación.",
        "change": "Cambiar mi voto",
        "turnout": "Votaron {cast} de {eligible} integrantes",
        "close": "Cerrar la votación y contar",
        "closed_status": "Cerrada",
        "passed": "Aprobada",
        "decimal": ",",
        "see": "Ver los resultados",
        "results": "Resultados",
        "ballots": "Boletas emitidas: 3 de {eligible} integrantes con derecho a voto",
        "table": ["Opción elegida", "Votos", "Porcentaje"],
    },
}


def follow(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def panel(page):
    return page.locator("#live-poll [data-poll-panel]")


def mark_document(*pages) -> None:
    """Remember the current document: a reload or a navigation forgets the mark."""
    for tab in pages:
        tab.evaluate("window.__sameDocument = true")


def assert_same_document(tab, who: str) -> None:
    assert tab.evaluate("window.__sameDocument === true"), f"{who}'s live screen was reloaded"


def turnout_text(texts, cast: int, eligible: int) -> re.Pattern:
    """The turnout line, e.g. "2 of 14 members voted (14.3%)" (the percentage as the server or the client writes it)."""
    return re.compile(rf"^{re.escape(texts['turnout'].format(cast=cast, eligible=eligible))} \([\d.,]+ ?%\)$")


def wait_live(tab, texts) -> None:
    expect(tab.locator("#live-meeting")).to_have_attribute("data-status", "live")
    expect(tab.locator("#live-connection")).to_have_text(texts["connected"])


@pytest.mark.parametrize(("lang", "width"), [("en", 1280), ("es", 390)])
def test_students_vote_in_a_live_meeting_poll(page, in_app, lang, width):
    """Slow by design (tens of seconds): two browsers follow one live meeting and its poll through pushes."""
    texts = TEXTS[lang]
    title = f"Poll journey ({lang}, {width} px)"
    meeting_id = in_app(data.published_meeting, title, [(texts["item"], "vote"), ("Next steps", "discussion")])
    live_path = f"/meetings/{meeting_id}/live"

    # The advisor starts the meeting from its page; the live screen offers a poll for the current item.
    advisor = page(width)
    sign_in(advisor, ADVISOR_EMAIL, lang=lang)
    open_meeting(advisor, title)
    follow(advisor, advisor.get_by_role("button", name=texts["start"]))
    assert advisor.url.split("?")[0].endswith(live_path)
    wait_live(advisor, texts)
    expect(panel(advisor)).to_contain_text(texts["no_poll"])

    # Three students open the live screen, each in a browser of their own: no poll yet.
    students = []
    for email in STUDENTS[lang]:
        student = page(width)
        sign_in(student, email, lang=lang)
        open_meeting(student, title)
        follow(student, student.locator(f"main a[href='{live_path}']"))
        wait_live(student, texts)
        expect(panel(student)).to_contain_text(texts["no_poll"])
        expect(panel(student).get_by_role("link", name=texts["create"])).to_have_count(0)
        students.append(student)

    # The advisor creates the poll through "Create a poll for this item" and the form, then goes back live.
    follow(advisor, panel(advisor).get_by_role("link", name=texts["create"]))
    expect(advisor.get_by_role("heading", level=1)).to_have_text(texts["new_poll"])
    expect(advisor.get_by_label(texts["question"], exact=True)).to_have_value(texts["item"])
    expect(advisor.get_by_label(texts["method"], exact=True).locator("option:checked")).to_have_text(texts["yes_no"])
    # a new poll asks half of its voters to vote; three students are fewer, so this meeting asks for 10 %
    quorum = advisor.get_by_label(texts["quorum"], exact=True)
    expect(quorum).to_have_value("50")
    quorum.fill("10")
    follow(advisor, advisor.get_by_role("button", name=texts["save"]))
    expect(advisor.locator(".alert-success")).to_contain_text(texts["saved"])
    if not advisor.url.split("?")[0].endswith(live_path):  # the poll's page, with a link back to the live screen
        expect(advisor.get_by_role("heading", level=1)).to_have_text(texts["item"])
        follow(advisor, advisor.get_by_role("link", name=texts["to_live"]))
        assert advisor.url.split("?")[0].endswith(live_path)
    expect(panel(advisor).locator(".poll-status")).to_have_text(texts["draft"])
    for student in students:  # a draft is for advisors only
        expect(panel(student)).to_contain_text(texts["no_poll"])

    # The advisor opens it; every student's vote form appears without a reload.
    eligible = in_app(data.active_member_count)
    mark_document(*students)
    started = time.perf_counter()
    follow(advisor, panel(advisor).get_by_role("button", name=texts["open"]))
    appeared = []
    for student in students:
        expect(panel(student).locator("form.vote-form")).to_be_visible()
        appeared.append(time.perf_counter() - started)
    assert advisor.url.split("?")[0].endswith(live_path)
    # (Not the "poll is open" flash: a panel refresh of the page being left can overwrite the session cookie, so the
    # message is sometimes lost or shows up one page later; reported as an app bug.)
    expect(panel(advisor).locator(".poll-status")).to_have_text(texts["open_status"])
    turnout = panel(advisor).locator("[data-poll-turnout]")
    expect(turnout).to_have_text(turnout_text(texts, 0, eligible))
    expect(panel(advisor).get_by_role("button", name=texts["close"])).to_be_visible()
    for number, student in enumerate(students, 1):
        assert_same_document(student, f"student {number}")
        expect(panel(student).locator(".poll-status")).to_have_text(texts["open_status"])
        expect(panel(student).get_by_role("radio")).to_have_count(3)
        expect(panel(student).get_by_role("button", name=texts["cast"])).to_be_visible()

    # Each student votes (yes, yes, no) and gets a receipt in the panel, on the same screen; the advisor's turnout
    # rises live.
    mark_document(advisor)
    choices = ["yes", "yes", "no"]
    rose = []
    codes = set()
    for number, (student, choice) in enumerate(zip(students, choices, strict=True), 1):
        panel(student).get_by_label(texts[choice], exact=True).check()
        panel(student).get_by_role("button", name=texts["cast"]).click()
        voted_at = time.perf_counter()
        receipt = panel(student).locator("[data-receipt-box]")
        expect(receipt.get_by_role("heading", level=3)).to_have_text(texts["counted"])
        expect(receipt).to_contain_text(texts["receipt"])
        code = receipt.locator(".receipt-code").inner_text().strip()
        assert RECEIPT.match(code), code
        codes.add(code)
        expect(turnout).to_have_text(turnout_text(texts, number, eligible))
        rose.append(time.perf_counter() - voted_at)
        assert student.url.split("?")[0].endswith(live_path)
        assert_same_document(student, f"student {number}")
        expect(panel(student)).to_contain_text(texts["voted"].format(choice=texts[choice]))
        expect(panel(student).get_by_label(texts[choice], exact=True)).to_be_checked()
        expect(panel(student).get_by_role("button", name=texts["change"])).to_be_visible()
    assert len(codes) == 3
    assert_same_document(advisor, "the advisor")

    # The advisor closes the poll; every student's screen shows the outcome with its counts without a reload.
    mark_document(*students)
    started = time.perf_counter()
    panel(advisor).get_by_role("button", name=texts["close"]).click()  # then the confirmation dialog's "yes"
    follow(advisor, advisor.locator("dialog.confirm-dialog [data-confirm-answer='yes']"))
    shown = []
    counts = texts["counts"].format(eligible=eligible)
    for student in students:
        expect(panel(student).locator("[data-poll-outcome] strong")).to_have_text(texts["passed"])
        shown.append(time.perf_counter() - started)
        expect(panel(student).locator("[data-poll-counts]")).to_contain_text(counts)
    expect(panel(advisor).locator(".poll-status")).to_have_text(texts["closed_status"])
    expect(panel(advisor).locator("[data-poll-outcome] strong")).to_have_text(texts["passed"])
    expect(panel(advisor).locator("[data-poll-counts]")).to_contain_text(counts)
    for number, student in enumerate(students, 1):
        assert_same_document(student, f"student {number}")
        expect(panel(student).locator(".poll-status")).to_have_text(texts["closed_status"])
        expect(panel(student).locator("form.vote-form")).to_have_count(0)

    # The poll page shows the results table.
    student = students[0]
    follow(student, panel(student).get_by_role("link", name=texts["see"]))
    results = student.locator("#results")
    expect(results.get_by_role("heading", level=2)).to_have_text(texts["results"])
    expect(results.locator("p.lead strong")).to_have_text(texts["passed"])
    expect(results).to_contain_text(texts["ballots"].format(eligible=eligible))
    table = results.locator("table.results-table")
    expect(table.locator("thead th")).to_have_text(texts["table"])
    expect(table.locator("tbody tr")).to_have_count(3)
    decimal = texts["decimal"]  # the reader's number format: 66.7 / 66,7
    for label, count, percent in [(texts["yes"], 2, f"66{decimal}7%"), (texts["no"], 1, f"33{decimal}3%"),
                                  (texts["abstain"], 0, f"0{decimal}0%")]:
        row = table.locator("tbody tr").filter(has=student.locator("th", has_text=re.compile(rf"^{label}$")))
        expect(row.locator("td")).to_have_text([str(count), percent])
    seconds = [", ".join(f"{value:.2f}" for value in values) for values in (appeared, rose, shown)]
    print(
        f"{lang}, {width} px, {eligible} eligible: seconds until the vote form appeared {seconds[0]}; "
        f"turnout rose on the advisor's screen {seconds[1]} after each vote; outcome shown {seconds[2]}"
    )
