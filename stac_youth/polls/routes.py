"""Poll pages: thin adapters over the poll services (create, open, close, vote, receipts, results, exports)."""

from __future__ import annotations

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..common import confirm
from ..common.errors import NotFound, ServiceError
from ..common.forms import attach_error
from ..common.i18n import select_timezone
from ..common.policy import safe_next_url
from ..common.time import local_to_utc
from ..extensions import db
from ..meetings.models import AgendaItem, MeetingStatus
from ..meetings.visibility import may_see as may_see_meeting
from . import ballots, bp, counts, lifecycle, receipts
from . import results as poll_results
from . import views as poll_views
from .confirmations import CLOSE_POLL
from .forms import PollForm, ReceiptForm
from .models import Poll, PollMethod, PollStatus


def _me():
    return current_user._get_current_object()


def _poll(poll_id: int) -> Poll:
    lifecycle.apply_schedule(poll_id=poll_id)  # first: a draft due to open is a poll members may see
    try:
        return poll_views.get_visible_poll(_me(), poll_id)
    except NotFound:
        abort(404)


def _item(item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or not may_see_meeting(_me(), item.meeting):
        abort(404)
    return item


def _live_url(poll: Poll) -> str | None:
    """The live meeting screen the poll is shown on, while that meeting is live."""
    item = poll.agenda_item
    if item is not None and item.meeting.status == MeetingStatus.LIVE:
        return url_for("meetings.live", meeting_id=item.meeting_id)
    return None


def _back(poll: Poll):
    target = request.form.get("next")
    if target:
        return redirect(safe_next_url(target))
    return redirect(url_for("polls.poll_show", poll_id=poll.id))


def create_from_form(form: PollForm, proposal=None, item=None):
    """Draft the poll a filled PollForm describes: the redirect to it, or None with the error on the form."""
    zone = select_timezone()
    try:
        poll = lifecycle.create_poll(
            _me(), proposal, form.question.data or "", form.method.data, (form.options.data or "").splitlines(),
            secret=form.secret.data, results_live=form.results_live.data, quorum_percent=form.quorum_percent.data,
            threshold=form.threshold.data, agenda_item=item,
            opens_at=local_to_utc(form.opens_at.data, zone) if form.opens_at.data else None,
            closes_at=local_to_utc(form.closes_at.data, zone) if form.closes_at.data else None,
        )
    except ServiceError as error:
        attach_error(form, error)
        return None
    flash(_l("The poll is saved as a draft. Open it when members should vote."), "success")
    _warn_if_too_few(poll)
    return redirect(_live_url(poll) or url_for("polls.poll_show", poll_id=poll.id))


TOO_FEW = _l("Fewer than 5 members can vote in this secret poll, so its results will never be published: nobody "
             "will see its counts, turnout or outcome.")


def _warn_if_too_few(poll: Poll) -> None:
    """Tell the advisor, as they create or open it, that a secret poll this small can never publish its results."""
    if lifecycle.too_few_to_publish(poll):
        flash(TOO_FEW, "warning")


@bp.route("/agenda-items/<int:item_id>/polls/new", methods=["GET", "POST"])
def poll_new_for_item(item_id: int):
    item = _item(item_id)
    form = PollForm()
    if request.method == "GET":
        form.question.data = item.title[:lifecycle.MAX_QUESTION]
    if form.validate_on_submit():
        done = create_from_form(form, item=item)
        if done:
            return done
    return render_template("polls/form.html", form=form, proposal=None, item=item)


@bp.route("/polls")
def polls_index():
    me = _me()
    to_vote = poll_views.open_polls_to_vote(me) if me.role == "member" else []
    return render_template("polls/index.html", polls=poll_views.visible_polls(me), to_vote=to_vote)


def _render_poll(poll: Poll, status: int = 200, **extra):
    me = _me()
    return render_template(
        "polls/show.html", poll=poll, part=poll_views.voter_part(me, poll),
        receipt=receipts.new_receipt(), results=poll_results.result_view(me, poll),
        breakdown=poll_results.region_breakdown(me, poll), voters=poll_views.voters(me, poll),
        live=poll_views.live_payload(poll), live_url=_live_url(poll), withheld=counts.withheld(poll),
        too_few=poll_views.may_manage(me) and lifecycle.too_few_to_publish(poll),
        receipt_form=extra.pop("receipt_form", None) or ReceiptForm(), **extra,
    ), status


@bp.route("/polls/<int:poll_id>")
def poll_show(poll_id: int):
    return _render_poll(_poll(poll_id))


@bp.route("/polls/<int:poll_id>/panel")
def poll_panel(poll_id: int):
    poll = _poll(poll_id)
    return _panel(poll, request.args.get("next", ""))


def panel_context(poll: Poll | None, next_url: str = "", item: AgendaItem | None = None) -> dict:
    """What polls/_panel.html needs for one poll (or for an agenda item without one)."""
    me = _me()
    return {"poll": poll, "part": poll_views.voter_part(me, poll) if poll is not None else None,
            "receipt": receipts.new_receipt(), "live": poll_views.live_payload(poll) if poll else None,
            "results": poll_results.result_view(me, poll) if poll else None,
            "too_few": poll is not None and poll_views.may_manage(me) and lifecycle.too_few_to_publish(poll),
            "next_url": safe_next_url(next_url) if next_url else "", "item": item}


def agenda_poll_panel(item_id: int | None) -> dict | None:
    """Template global for the live meeting screen: the panel of the current agenda item's poll."""
    item = db.session.get(AgendaItem, item_id) if item_id else None
    if item is None:
        return None
    poll = poll_views.poll_of_item(item.id, _me())
    return panel_context(poll, url_for("meetings.live", meeting_id=item.meeting_id), item=item)


def _panel(poll: Poll | None, next_url: str = "", item: AgendaItem | None = None, **extra):
    return render_template("polls/_panel.html", **panel_context(poll, next_url, item), **extra)


@bp.route("/agenda-items/<int:item_id>/poll-panel")
def item_poll_panel(item_id: int):
    item = _item(item_id)
    lifecycle.apply_schedule(agenda_item_id=item.id)
    poll = poll_views.poll_of_item(item.id, _me())
    return _panel(poll, url_for("meetings.live", meeting_id=item.meeting_id), item=item)


@bp.route("/polls/<int:poll_id>/live.json")
def poll_live_json(poll_id: int):
    response = jsonify(poll_views.live_payload(_poll(poll_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/polls/<int:poll_id>/open", methods=["POST"])
def poll_open(poll_id: int):
    poll = _poll(poll_id)
    done = _manage(lifecycle.open_poll, poll, _l("The poll is open. Members can vote now."))
    if poll.status == PollStatus.OPEN:
        _warn_if_too_few(poll)
    return done


@bp.route("/polls/<int:poll_id>/close", methods=["POST"])
def poll_close(poll_id: int):
    poll = _poll(poll_id)
    if not confirm.confirmed():
        return confirm.ask(CLOSE_POLL, request.form.get("next") or url_for("polls.poll_show", poll_id=poll.id),
                           poll=poll)
    return _manage(lifecycle.close_poll, poll, _l("The poll is closed and counted."))


def _manage(action, poll: Poll, message):
    try:
        action(_me(), poll)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(message, "success")
    return _back(poll)


class BallotFormError(ValueError):
    """The vote form does not hold a ballot of the poll's method."""


def _ballot_from_form(poll: Poll):
    """The choices in the service's form: 'yes', [option ids] or [option ids in rank order]."""
    if poll.method == PollMethod.YES_NO_ABSTAIN:
        choice = request.form.get("choice")
        if not choice:
            raise BallotFormError(_("Choose yes, no or abstain."))
        return choice
    if poll.method == PollMethod.APPROVAL:
        try:
            return [int(value) for value in request.form.getlist("option")]
        except ValueError:
            raise BallotFormError(_("That ballot is not valid for this poll. Reload the page and try again.")) from None
    option_ids = ballots.option_ids(poll)
    ranks = []
    for option_id in option_ids:
        value = request.form.get(f"rank-{option_id}", "").strip()
        if not value:
            continue
        if not value.isdigit() or not 1 <= int(value) <= len(option_ids):
            raise BallotFormError(_("That ballot is not valid for this poll. Reload the page and try again."))
        ranks.append((int(value), option_id))
    if not ranks:
        raise BallotFormError(_("Rank at least one option."))
    if len({rank for rank, _option in ranks}) != len(ranks):
        raise BallotFormError(_("Give each option you rank a different number."))
    return [option for _rank, option in sorted(ranks)]


def _wants_panel() -> bool:
    """The vote form sent by the live panel's script, which asks for the panel back (?fragment=panel), not a page."""
    return request.args.get("fragment") == "panel"


def _vote_refused(poll_id: int, status: int, message: str):
    """The poll page (or its panel) with the reason the vote was refused; 404 when the member may not see the poll."""
    try:
        poll = poll_views.get_visible_poll(_me(), poll_id)
    except NotFound:
        abort(404)
    if _wants_panel():
        return _panel(poll, request.args.get("next", ""), vote_error=message), status
    return _render_poll(poll, status, vote_error=message)


@bp.route("/polls/<int:poll_id>/vote", methods=["POST"])
def poll_vote(poll_id: int):
    # Being one of the poll's voters (checked by cast_ballot under the poll's lock) is the right to vote; visibility
    # is checked only when a vote is refused, to answer 404 for a poll the member may not see.
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        abort(404)
    receipt = _sent_receipt()
    try:
        code = ballots.cast_ballot(_me(), poll, _ballot_from_form(poll), receipt=receipt)
    except BallotFormError as error:
        return _vote_refused(poll_id, 400, str(error))
    except ballots.InvalidBallot as error:
        return _vote_refused(poll_id, 400, str(error.message))
    except ServiceError as error:
        if not (receipt and receipts.verify_receipt(poll, receipt)):
            return _vote_refused(poll_id, 409, str(error.message))
        return _show_receipt(poll_id, receipt, repeated=True)  # the same form sent twice: the first one counted
    return _show_receipt(poll_id, code, repeated=False)


def _sent_receipt() -> str | None:
    """The receipt code drawn into the vote form with the page (see cast_ballot), as printed, or None."""
    sent = request.form.get("receipt", "")
    return receipts.normalise_receipt(sent) if sent else None


def _show_receipt(poll_id: int, code: str, repeated: bool):
    """The panel with the receipt, for the live panel's script; otherwise post/redirect/get: the receipt rides in the
    signed session to the page that shows it once."""
    if _wants_panel():
        poll = _poll(poll_id)
        return _panel(poll, request.args.get("next", ""), receipt_code=code, repeated=repeated)
    session[RECEIPT_KEY] = {"poll": poll_id, "code": code, "repeated": repeated}
    return redirect(url_for("polls.poll_voted", poll_id=poll_id), 303)


RECEIPT_KEY = "poll_receipt"


@bp.route("/polls/<int:poll_id>/voted")
def poll_voted(poll_id: int):
    poll = _poll(poll_id)
    shown = session.get(RECEIPT_KEY)
    if not isinstance(shown, dict) or shown.get("poll") != poll.id:
        return redirect(url_for("polls.poll_show", poll_id=poll.id))
    session.pop(RECEIPT_KEY)
    return render_template("polls/receipt.html", poll=poll, code=shown["code"], live_url=_live_url(poll),
                           repeated=bool(shown.get("repeated")))


@bp.route("/polls/<int:poll_id>/receipt", methods=["POST"])
def poll_receipt(poll_id: int):
    poll = _poll(poll_id)
    form = ReceiptForm()
    checked = None
    if form.validate_on_submit():
        code = receipts.normalise_receipt(form.receipt.data)
        if code is None:
            form.receipt.errors = [*form.receipt.errors, _("A receipt code has 16 letters and digits.")]
        else:
            checked = receipts.verify_receipt(poll, code)
    return _render_poll(poll, 200 if checked is not None else 400, receipt_form=form, receipt_checked=checked)


@bp.route("/polls/<int:poll_id>/results.csv")
def poll_csv(poll_id: int):
    poll = _poll(poll_id)
    text = poll_results.results_csv(_me(), poll)
    if text is None:
        flash(_l("The results are hidden until the poll closes."), "warning")
        return redirect(url_for("polls.poll_show", poll_id=poll.id))
    response = make_response(text.encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="poll-{poll.id}-results.csv"'
    return response
