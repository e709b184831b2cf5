"""Summit pages: the board everyone sees, the planners' dashboard, editions, sessions and decisions."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..common import confirm
from ..common.errors import NotFound, ServiceError
from ..common.forms import attach_error
from ..common.i18n import select_timezone
from ..common.ids import database_int
from ..common.time import local_to_utc, utc_to_local
from ..extensions import db
from ..members.profiles import list_regions
from ..polls.results import result_view
from ..proposals import services as proposal_services
from ..proposals.models import Proposal, ProposalStatus
from . import bp, dashboard, exports, services
from .confirmations import DELETE_SESSION
from .forms import DecisionForm, EditionForm, SessionForm
from .models import DecisionKind


def _me():
    return current_user._get_current_object()


def _edition(edition_id: int, *options):
    try:
        return services.get_edition(edition_id, *options)
    except NotFound:
        abort(404)


def _session(session_id: int, *options):
    try:
        return services.get_session(session_id, *options)
    except NotFound:
        abort(404)


@bp.route("/summit")
def board():
    page = dashboard.proposals_board(dashboard.Filters(sort=request.args.get("sort", "newest")),
                                     page=request.args.get("page", 1, type=database_int))
    return render_template("summit/board.html", board=page, edition=services.current_edition())


@bp.route("/summit/plan")
def plan():
    filters = dashboard.Filters(
        theme_id=request.args.get("theme", type=database_int), region_id=request.args.get("region", type=database_int),
        status=request.args.get("status") or None, decision=request.args.get("decision") or None,
        sort=request.args.get("sort", "support"),
    )
    board = dashboard.proposals_board(filters, page=request.args.get("page", 1, type=database_int))
    return render_template(
        "summit/plan.html", board=board, summary=dashboard.summary(), filters=filters,
        themes=proposal_services.active_themes(),
        regions=list_regions(), statuses=[s for s in ProposalStatus if s != ProposalStatus.DRAFT],
        decisions=list(DecisionKind), editions=services.list_editions(), decidable=services.DECIDABLE,
    )


def _edition_data(form: EditionForm) -> services.EditionData:
    return services.EditionData(year=form.year.data, title=form.title.data or "", starts_on=form.starts_on.data,
                                ends_on=form.ends_on.data, place=form.place.data or "")


@bp.route("/summit/editions/new", methods=["GET", "POST"])
def new_edition():
    form = EditionForm()
    if form.validate_on_submit():
        try:
            edition = services.create_edition(_me(), _edition_data(form))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The Summit edition is saved. Add its sessions."), "success")
            return redirect(url_for("summit.edition", edition_id=edition.id))
    return render_template("summit/edition_form.html", form=form, edition=None)


@bp.route("/summit/editions/<int:edition_id>")
def edition(edition_id: int):
    return render_template("summit/edition.html", edition=_edition(edition_id, services.PROGRAM))


@bp.route("/summit/editions/<int:edition_id>/edit", methods=["GET", "POST"])
def edit_edition(edition_id: int):
    edition = _edition(edition_id)
    form = EditionForm(obj=edition if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_edition(_me(), edition, _edition_data(form))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The Summit edition is saved."), "success")
            return redirect(url_for("summit.edition", edition_id=edition.id))
    return render_template("summit/edition_form.html", form=form, edition=edition)


def _session_data(form: SessionForm) -> services.SessionData:
    zone = select_timezone()
    return services.SessionData(
        title=form.title.data or "", track=form.track.data or "", room=form.room.data or "",
        description=form.description.data or "",
        starts_at=local_to_utc(form.starts_at.data, zone) if form.starts_at.data else None,
        ends_at=local_to_utc(form.ends_at.data, zone) if form.ends_at.data else None,
    )


@bp.route("/summit/editions/<int:edition_id>/sessions/new", methods=["GET", "POST"])
def new_session(edition_id: int):
    edition = _edition(edition_id)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            services.add_session(_me(), edition, _session_data(form))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The session is added."), "success")
            return redirect(url_for("summit.edition", edition_id=edition.id))
    return render_template("summit/session_form.html", form=form, edition=edition, session=None)


@bp.route("/summit/sessions/<int:session_id>")
def session(session_id: int):
    summit_session = _session(session_id, services.CARRIED)
    return render_template("summit/session.html", session=summit_session,
                           results=dashboard.vote_results([d.proposal_id for d in summit_session.decisions]))


@bp.route("/summit/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id: int):
    summit_session = _session(session_id)
    form = SessionForm(obj=summit_session if request.method == "GET" else None)
    if request.method == "GET":
        zone = select_timezone()
        form.starts_at.data = utc_to_local(summit_session.starts_at, zone)
        form.ends_at.data = utc_to_local(summit_session.ends_at, zone)
    if form.validate_on_submit():
        try:
            services.update_session(_me(), summit_session, _session_data(form))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The session is saved."), "success")
            return redirect(url_for("summit.session", session_id=summit_session.id))
    return render_template("summit/session_form.html", form=form, edition=summit_session.edition,
                           session=summit_session)


@bp.route("/summit/sessions/<int:session_id>/delete", methods=["POST"])
def delete_session(session_id: int):
    summit_session = _session(session_id)
    if not confirm.confirmed():
        return confirm.ask(DELETE_SESSION, url_for("summit.session", session_id=session_id), session=summit_session)
    edition_id = summit_session.edition_id
    try:
        services.delete_session(_me(), summit_session)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("summit.session", session_id=session_id))
    flash(_l("The session is deleted."), "success")
    return redirect(url_for("summit.edition", edition_id=edition_id))


@bp.route("/summit/proposals/<int:proposal_id>/decide", methods=["GET", "POST"])
def decide(proposal_id: int):
    try:
        proposal = proposal_services.get_visible_proposal(_me(), proposal_id)
    except NotFound:
        abort(404)
    current = services.decision_of(proposal.id)
    form = DecisionForm(obj=current if request.method == "GET" else None)
    editions = services.list_editions(services.SESSIONS)
    form.session_ids.choices = [(s.id, f"{e.title} · {s.title}") for e in editions for s in e.sessions]
    sessions = {s.id: (e, s) for e in editions for s in e.sessions}
    others = db.session.scalars(select(Proposal).where(Proposal.id != proposal.id,
                                                       Proposal.status != ProposalStatus.DRAFT)
                                .order_by(Proposal.title)).all()
    form.merged_into_id.choices = [(0, _l("Choose a proposal"))] + [(p.id, p.title) for p in others]
    if request.method == "GET" and current is not None:
        form.session_ids.data = [s.id for s in current.sessions]
        form.merged_into_id.data = current.merged_into_id or 0
    if form.validate_on_submit():
        data = services.DecisionData(kind=form.kind.data, response=form.response.data or "",
                                     session_ids=tuple(form.session_ids.data or ()),
                                     merged_into_id=form.merged_into_id.data or None)
        try:
            services.decide(_me(), proposal, data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The decision is saved and the students who wrote the proposal are notified."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    poll = dashboard.vote_results([proposal.id]).get(proposal.id)
    return render_template("summit/decide.html", form=form, proposal=proposal, decision=current, sessions=sessions,
                           results=poll, tally=result_view(_me(), poll) if poll else None)


@bp.route("/summit/export.csv")
def export_csv():
    csv_text = exports.proposals_csv(lambda proposal_id: url_for("proposals.detail", proposal_id=proposal_id,
                                                                  _external=True))
    response = make_response(csv_text.encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="summit-proposals.csv"'
    return response


@bp.route("/summit/editions/<int:edition_id>/schedule.ics")
def schedule(edition_id: int):
    edition = _edition(edition_id, services.PROGRAM)
    body = exports.schedule_ics(edition, lambda s: url_for("summit.session", session_id=s.id, _external=True))
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="summit-{edition.year}.ics"'
    return response


def _report_language() -> str:
    """The report's language: ?lang=en|es, else the reader's."""
    wanted = request.args.get("lang")
    return wanted if wanted in current_app.config["LANGUAGES"] else str(get_locale())


def _report_html(edition) -> str:
    carried = [d.proposal_id for s in edition.sessions for d in s.decisions]
    with force_locale(_report_language()):
        return render_template("summit/report.html", edition=edition, lang=_report_language(),
                               results=dashboard.vote_results(carried), merged=services.merged_into(carried),
                               summary=dashboard.summary())


@bp.route("/summit/editions/<int:edition_id>/report")
def report(edition_id: int):
    return _report_html(_edition(edition_id, services.PROGRAM))


@bp.route("/summit/editions/<int:edition_id>/report.pdf")
def report_pdf(edition_id: int):
    edition = _edition(edition_id, services.PROGRAM)
    response = make_response(exports.report_pdf(_report_html(edition)))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="summit-{edition.year}-{_report_language()}.pdf"'
    return response
