"""Summit exports: proposals with outcomes and decisions as CSV, the schedule as .ics, the report as PDF."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, vText
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..common.i18n import localized_name
from ..common.spreadsheet import csv_document, markdown_text
from ..common.time import as_utc, utcnow
from ..extensions import db
from ..polls.results import outcome_label
from ..proposals.models import Proposal, ProposalStatus, status_label
from . import dashboard
from .models import Decision, DecisionKind, SummitEdition, SummitSession, decision_label

UID_DOMAIN = "stac-youth"
#: the made-up host the PDF's HTML is read from: only the app's own static files are served to WeasyPrint
REPORT_HOST = "report.stac-youth.invalid"


def _decision_cell(decision: Decision | None) -> str:
    """The decision as a spreadsheet reads it; a merge names the proposal it went into."""
    if decision is None:
        return ""
    if decision.kind == DecisionKind.MERGED and decision.merged_into is not None:
        return _("Merged into “%(title)s” (#%(id)s)", title=decision.merged_into.title, id=decision.merged_into.id)
    return decision_label(decision.kind)


def proposals_csv(link_for=None) -> str:
    """Every proposal past the draft with its vote, support, turnout, decision, response (plain text) and Summit
    sessions; link_for(proposal id) gives the address of the proposal a merged one went into."""
    proposals = db.session.scalars(
        select(Proposal).where(Proposal.status != ProposalStatus.DRAFT)
        .options(selectinload(Proposal.theme), selectinload(Proposal.region)).order_by(Proposal.id)).all()
    ids = [proposal.id for proposal in proposals]
    polls = dashboard.vote_results(ids)
    decisions = {d.proposal_id: d for d in db.session.scalars(
        select(Decision).options(selectinload(Decision.sessions), selectinload(Decision.merged_into))
        .where(Decision.proposal_id.in_(ids)))}
    rows = [[_("Proposal"), _("Theme"), _("Region"), _("Status"), _("Vote outcome"), _("Support in percent"),
             _("Turnout in percent"), _("Decision"), _("Response"), _("Summit sessions"), _("Merged into (link)")]]
    for proposal in proposals:
        poll, decision = polls.get(proposal.id), decisions.get(proposal.id)
        rows.append([
            proposal.title, localized_name(proposal.theme), localized_name(proposal.region),
            status_label(proposal.status), outcome_label(poll.outcome) if poll else "",
            poll.support_percent if poll and poll.support_percent is not None else "",
            poll.turnout_percent if poll and poll.turnout_percent is not None else "",
            _decision_cell(decision), markdown_text(decision.response) if decision else "",
            "; ".join(session.title for session in decision.sessions) if decision else "",
            link_for(decision.merged_into_id) if link_for and decision and decision.merged_into_id else "",
        ])
    return csv_document(rows)


def session_uid(session: SummitSession) -> str:
    """The calendar UID of a session: stable whatever is edited."""
    return f"summit-session-{session.uid}@{UID_DOMAIN}"


def schedule_ics(edition: SummitEdition, link_for) -> bytes:
    """The edition's sessions as an iCalendar file; link_for(session) gives each session's page address."""
    calendar = Calendar()
    calendar.add("prodid", "-//STAC Youth//Statewide Student Advisory Board//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", vText(edition.title))
    for session in edition.sessions:
        event = Event()
        event.add("uid", session_uid(session))
        event.add("summary", session.title)
        event.add("dtstart", as_utc(session.starts_at))
        event.add("dtend", as_utc(session.ends_at))
        event.add("dtstamp", as_utc(utcnow()))
        event.add("sequence", session.sequence)
        place = ", ".join(part for part in (session.room, edition.place) if part)
        if place:
            event.add("location", place)
        carried = [decision.proposal.title for decision in session.decisions]
        lines = [session.description.strip()] if session.description.strip() else []
        if carried:
            lines += ["", _("Student proposals this session carries:"), *(f"- {title}" for title in carried)]
        lines += ["", link_for(session)]
        event.add("description", "\n".join(lines).strip())
        event.add("url", link_for(session))
        calendar.add_component(event)
    return calendar.to_ical()


def _static_file(url: str) -> tuple[bytes, str]:
    """(content, type) of one of the app's own files under /static/; ValueError for any other address."""
    parts = urlsplit(url)
    static = Path(current_app.static_folder).resolve()
    if parts.scheme == "http" and parts.hostname == REPORT_HOST and parts.path.startswith("/static/"):
        target = (static / parts.path.removeprefix("/static/")).resolve()
        if target.is_relative_to(static) and target.is_file():
            return target.read_bytes(), "text/css" if target.suffix == ".css" else "application/octet-stream"
    raise ValueError(f"not fetched for a PDF: {url}")


def report_pdf(html: str) -> bytes:
    """The report page rendered to PDF; user text in it cannot make the renderer fetch anything."""
    # imported here: WeasyPrint loads Pango, which only the PDF export needs
    from PIL import ImageFile
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    # WeasyPrint's import lets Pillow load truncated images, process-wide; avatar uploads rely on Pillow refusing
    # them, and the report draws only the app's own images, so the process keeps Pillow's safe default.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    class StaticOnly(URLFetcher):
        """The app's own static files and nothing else: no network, no local paths, whatever the HTML asks."""

        def fetch(self, url, headers=None):
            body, content_type = _static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    # PDF/UA-1: a tagged PDF (structure tree, reading order, the <html lang> and <title>) for screen readers
    return HTML(string=html, base_url=f"http://{REPORT_HOST}/", url_fetcher=StaticOnly()).write_pdf(
        pdf_variant="pdf/ua-1")
