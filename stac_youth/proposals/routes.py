"""Proposal pages: thin adapters over the proposal services."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..common.errors import NotFound, ServiceError
from ..common.forms import attach_error
from ..common.i18n import localized_name
from ..common.ids import database_int
from ..extensions import db
from ..members.models import User
from ..members.profiles import list_regions
from ..polls import views as poll_views
from ..polls.forms import PollForm
from ..polls.lifecycle import MAX_QUESTION
from ..polls.questions import suggested_question
from ..polls.routes import create_from_form
from . import bp, comments, cosponsors, services, voting
from .forms import CommentForm, CosponsorForm, ProposalForm, ReportForm
from .models import Proposal, ProposalStatus


def _me():
    return current_user._get_current_object()


def _proposal(proposal_id: int, *options) -> Proposal:
    try:
        return services.get_visible_proposal(_me(), proposal_id, *options)
    except NotFound:
        abort(404)


def _comment(proposal: Proposal, comment_id: int):
    try:
        return comments.get_comment(proposal, comment_id)
    except NotFound:
        abort(404)


def _proposal_form(proposal: Proposal | None = None) -> ProposalForm:
    form = ProposalForm(obj=proposal if request.method == "GET" else None)
    form.theme_id.choices = [(0, _l("Choose a theme"))] + [(t.id, localized_name(t)) for t in services.active_themes()]
    form.region_id.choices = [(0, _l("All regions"))] + [(r.id, localized_name(r)) for r in list_regions()]
    if proposal is not None and request.method == "GET":
        form.region_id.data = proposal.region_id or 0
    return form


def _data(form: ProposalForm) -> services.ProposalData:
    return services.ProposalData(
        title=form.title.data or "", summary=form.summary.data or "", description=form.description.data or "",
        theme_id=form.theme_id.data or 0, region_id=form.region_id.data or None,
    )


def _back(proposal: Proposal, anchor: str = ""):
    return redirect(url_for("proposals.detail", proposal_id=proposal.id) + anchor)


def _run(action, proposal: Proposal, message, *args, anchor: str = ""):
    """Call a service on the proposal, flash the outcome, and go back to its page."""
    try:
        action(_me(), proposal, *args)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(message, "success")
    return _back(proposal, anchor)


@bp.route("/proposals")
def index():
    themes = services.active_themes()
    filters = {
        "status": request.args.get("status") or None,
        "theme_id": request.args.get("theme", type=database_int),
        "region_id": request.args.get("region", type=database_int),
        "query": request.args.get("q", "")[:80],
    }
    page = services.list_proposals(_me(), page=request.args.get("page", 1, type=database_int), **filters)
    return render_template("proposals/index.html", page=page, themes=themes, regions=list_regions(),
                           filters=filters, statuses=list(ProposalStatus))


@bp.route("/proposals/new", methods=["GET", "POST"])
def new():
    form = _proposal_form()
    if form.validate_on_submit():
        try:
            proposal = services.create_proposal(_me(), _data(form))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("Your draft is saved. Invite co-sponsors, then submit it when it is ready."), "success")
            return _back(proposal)
    return render_template("proposals/form.html", form=form, proposal=None)


@bp.route("/proposals/<int:proposal_id>")
def detail(proposal_id: int):
    proposal = _proposal(proposal_id, *services.PAGE_LOADS)
    me = _me()
    invite_form = None
    if proposal.author_id == me.id and proposal.status in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED):
        invite_form = CosponsorForm()
        invite_form.user_id.choices = [(m.id, m.display_name) for m in cosponsors.invitable_members(proposal)]
    return render_template(
        "proposals/detail.html", proposal=proposal, thread=comments.thread(proposal), comment_form=CommentForm(),
        invite_form=invite_form, is_sponsor=services.is_sponsor(me, proposal),
        my_invitation=cosponsors.invitation_for(me, proposal),
        can_advance=services.ADVISOR_MOVES.get(ProposalStatus(proposal.status)),
        can_vote_on=proposal.status in voting.VOTABLE,
        polls=poll_views.polls_of_proposal(proposal.id, me),
        may_edit_comment=lambda comment: comments.may_edit(me, comment),
        can_comment=comments.may_comment(me), shows_role=comments.shows_role,
    )


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
def edit(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = _proposal_form(proposal)
    if form.validate_on_submit():
        try:
            services.update_proposal(_me(), proposal, _data(form))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("Your draft is saved."), "success")
            return _back(proposal)
    return render_template("proposals/form.html", form=form, proposal=proposal)


@bp.route("/proposals/<int:proposal_id>/submit", methods=["POST"])
def submit(proposal_id: int):
    return _run(services.submit_proposal, _proposal(proposal_id),
                _l("Your proposal is submitted. The advisors will move it to discussion."))


@bp.route("/proposals/<int:proposal_id>/advance", methods=["POST"])
def advance(proposal_id: int):
    return _run(services.advance_proposal, _proposal(proposal_id), _l("The proposal moved to its next step."))


@bp.route("/proposals/<int:proposal_id>/cosponsors", methods=["POST"])
def invite(proposal_id: int):
    proposal = _proposal(proposal_id)
    member = db.session.get(User, request.form.get("user_id", type=database_int) or 0)
    return _run(cosponsors.invite_cosponsor, proposal, _l("The invitation to co-sponsor is sent."), member,
                anchor="#sponsors")


@bp.route("/proposals/<int:proposal_id>/cosponsors/accept", methods=["POST"])
def accept(proposal_id: int):
    return _run(cosponsors.accept_cosponsorship, _proposal(proposal_id), _l("You co-sponsor this proposal."),
                anchor="#sponsors")


@bp.route("/proposals/<int:proposal_id>/cosponsors/decline", methods=["POST"])
def decline(proposal_id: int):
    proposal = _proposal(proposal_id)
    try:
        cosponsors.decline_cosponsorship(_me(), proposal)
    except ServiceError as error:
        flash(error.message, "danger")
        return _back(proposal)
    flash(_l("You do not co-sponsor this proposal."), "success")
    if services.may_see(_me(), proposal):
        return _back(proposal)
    return redirect(url_for("proposals.index"))


@bp.route("/proposals/<int:proposal_id>/comments", methods=["POST"])
def comment(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = CommentForm()
    parent_id = request.form.get("parent_id", type=database_int)
    parent = _comment(proposal, parent_id) if parent_id else None
    if not form.validate_on_submit():
        for message in form.body.errors:
            flash(message, "danger")
        return _back(proposal, "#comments")
    return _run(comments.add_comment, proposal, _l("Your comment is posted."), form.body.data, parent,
                anchor="#comments")


@bp.route("/proposals/<int:proposal_id>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_comment(proposal_id: int, comment_id: int):
    proposal = _proposal(proposal_id)
    item = _comment(proposal, comment_id)
    if not comments.may_edit(_me(), item):
        flash(_l("You can edit your comment only in the first 15 minutes."), "danger")
        return _back(proposal, f"#comment-{item.id}")
    form = CommentForm(obj=item if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            comments.edit_comment(_me(), item, form.body.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("Your comment is saved."), "success")
            return _back(proposal, f"#comment-{item.id}")
    return render_template("proposals/comment_form.html", form=form, proposal=proposal, comment=item)


@bp.route("/proposals/<int:proposal_id>/comments/<int:comment_id>/delete", methods=["POST"])
def delete_comment(proposal_id: int, comment_id: int):
    proposal = _proposal(proposal_id)
    item = _comment(proposal, comment_id)
    try:
        comments.delete_comment(_me(), item)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_l("The comment is deleted."), "success")
    return _back(proposal, "#comments")


@bp.route("/proposals/<int:proposal_id>/comments/<int:comment_id>/report", methods=["GET", "POST"])
def report_comment(proposal_id: int, comment_id: int):
    proposal = _proposal(proposal_id)
    item = _comment(proposal, comment_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            comments.report_comment(_me(), item, form.reason.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("Thank you. The advisors will look at this comment."), "success")
            return _back(proposal, "#comments")
    return render_template("proposals/report.html", form=form, proposal=proposal, comment=item)


@bp.route("/proposals/<int:proposal_id>/polls/new", methods=["GET", "POST"])
def new_poll(proposal_id: int):
    try:
        proposal = services.get_visible_proposal(_me(), proposal_id)
    except NotFound:
        abort(404)
    form = PollForm()
    if request.method == "GET":
        form.question.data = suggested_question(proposal)[:MAX_QUESTION]
    if form.validate_on_submit():
        done = create_from_form(form, proposal=proposal)
        if done:
            return done
    return render_template("polls/form.html", form=form, proposal=proposal, item=None)
