"""Meeting pages: thin adapters over the meetings services."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..common import confirm
from ..common.errors import NotFound, ServiceError
from ..common.forms import attach_error
from ..common.i18n import localized_name, select_timezone
from ..common.ids import database_int
from ..common.time import local_to_utc, utc_to_local
from ..common.urls import public_url_for
from ..members.profiles import list_regions
from . import agenda, attendance, bp, calendar, cancellation, listing, minutes, services
from .forms import AgendaItemForm, CancelMeetingForm, MeetingForm, MinutesForm, RsvpForm
from .models import Meeting
from .visibility import may_manage_meetings


def _me():
    return current_user._get_current_object()


def _meeting(meeting_id: int) -> Meeting:
    try:
        return services.get_visible_meeting(_me(), meeting_id)
    except NotFound:
        abort(404)


def _zone() -> str:
    return select_timezone()


def _meeting_data(form: MeetingForm) -> services.MeetingData:
    zone = _zone()
    return services.MeetingData(
        title=form.title.data or "",
        description=form.description.data or "",
        starts_at=local_to_utc(form.starts_at.data, zone),
        ends_at=local_to_utc(form.ends_at.data, zone),
        location=form.location.data,
        video_url=form.video_url.data,
        region_ids=tuple(form.region_ids.data or ()),
    )


def _item_data(form: AgendaItemForm) -> agenda.AgendaItemData:
    return agenda.AgendaItemData(
        title=form.title.data or "", description=form.description.data or "", minutes=form.minutes.data,
        presenter=form.presenter.data, kind=form.kind.data,
    )


def _meeting_form(meeting: Meeting | None = None) -> MeetingForm:
    form = MeetingForm(obj=meeting if request.method == "GET" else None)
    form.region_ids.choices = [(region.id, localized_name(region)) for region in list_regions()]
    if meeting is not None and request.method == "GET":
        form.starts_at.data = utc_to_local(meeting.starts_at, _zone())
        form.ends_at.data = utc_to_local(meeting.ends_at, _zone())
        form.region_ids.data = [region.id for region in meeting.regions]
    return form


def _link(meeting: Meeting) -> str:
    """The meeting page on the public address: calendar files leave the site, so never on the request's Host."""
    return public_url_for("meetings.detail", meeting_id=meeting.id)


@bp.route("/meetings")
def index():
    region_id = request.args.get("region", type=database_int)
    view = listing.meeting_list(_me(), region_id=region_id)
    return render_template("meetings/index.html", view=view, regions=list_regions(), region_id=region_id)


@bp.route("/meetings/new", methods=["GET", "POST"])
def new():
    form = _meeting_form()
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(_me(), _meeting_data(form))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The meeting is saved as a draft. Add its agenda, then publish it."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=None)


UNDO_KEY = "agenda_undo"


def _detail_url(meeting: Meeting, anchor: str = "") -> str:
    return url_for("meetings.detail", meeting_id=meeting.id) + anchor


def _undo_offer(meeting: Meeting) -> dict | None:
    """The agenda item just deleted from this meeting, offered once for undo (set by delete_item)."""
    offer = session.get(UNDO_KEY)
    if not isinstance(offer, dict) or offer.get("meeting") != meeting.id:
        return None
    return session.pop(UNDO_KEY)


@bp.route("/meetings/<int:meeting_id>")
def detail(meeting_id: int):
    meeting = _meeting(meeting_id)
    staff = may_manage_meetings(_me())
    return render_template(
        "meetings/detail.html", meeting=meeting, summary=attendance.summarize(_me(), meeting),
        rsvp_form=RsvpForm(), item_form=AgendaItemForm(prefix="new"),
        delete_refused=cancellation.deletion_refusal(meeting) if staff else None,
        may_restore=staff and cancellation.may_restore(meeting),
        cancel_reason=cancellation.cancellation_reason(meeting), undo=_undo_offer(meeting) if staff else None,
    )


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = _meeting_form(meeting)
    if form.validate_on_submit():
        try:
            services.update_meeting(_me(), meeting, _meeting_data(form))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The meeting is saved."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=meeting)


def _run(action, meeting: Meeting, success_message, *args, target: str = "meetings.detail"):
    """Call a service that changes the meeting, flash the outcome, and go back to the page."""
    try:
        action(_me(), meeting, *args)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        if success_message:
            flash(success_message, "success")
    return redirect(url_for(target, meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/publish", methods=["POST"])
def publish(meeting_id: int):
    return _run(services.publish_meeting, _meeting(meeting_id), _l("The meeting is published."))


@bp.route("/meetings/<int:meeting_id>/delete", methods=["POST"])
def delete(meeting_id: int):
    meeting = _meeting(meeting_id)
    refusal = cancellation.deletion_refusal(meeting)
    if refusal is not None:  # said before asking: there is nothing to confirm
        flash(refusal, "danger")
        return redirect(_detail_url(meeting))
    if not confirm.confirmed():
        return confirm.ask("meeting.delete", _detail_url(meeting), meeting=meeting)
    try:
        services.delete_meeting(_me(), meeting)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("meetings.detail", meeting_id=meeting_id))
    flash(_l("The meeting is deleted."), "success")
    return redirect(url_for("meetings.index"))


@bp.route("/meetings/<int:meeting_id>/start", methods=["POST"])
def start(meeting_id: int):
    return _run(services.start_meeting, _meeting(meeting_id), None, target="meetings.live")


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
def cancel(meeting_id: int):
    meeting = _meeting(meeting_id)
    refusal = cancellation.cancel_refusal(meeting)
    if refusal is not None:
        flash(refusal, "danger")
        return redirect(_detail_url(meeting))
    form = CancelMeetingForm()
    if form.validate_on_submit():
        try:
            cancellation.cancel_meeting(_me(), meeting, form.reason.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The meeting is cancelled. Members who answered the invitation are told."), "success")
            return redirect(_detail_url(meeting))
    return render_template("meetings/cancel.html", form=form, meeting=meeting,
                           answered=len(attendance.members_who_answered(meeting)))


@bp.route("/meetings/<int:meeting_id>/restore", methods=["POST"])
def restore(meeting_id: int):
    return _run(cancellation.restore_meeting, _meeting(meeting_id),
                _l("The meeting is back on the calendar. Members who answered the invitation are told."))


@bp.route("/meetings/<int:meeting_id>/end", methods=["POST"])
def end(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not confirm.confirmed():
        return confirm.ask("meeting.end", request.form.get("next") or _detail_url(meeting), meeting=meeting)
    return _run(services.end_meeting, meeting, _l("The meeting has ended."))


@bp.route("/meetings/<int:meeting_id>/advance", methods=["POST"])
def advance(meeting_id: int):
    step = 1 if request.form.get("step") == "next" else -1
    return _run(services.move_current_item, _meeting(meeting_id), None, step, target="meetings.live")


@bp.route("/meetings/<int:meeting_id>/live")
def live(meeting_id: int):
    meeting = _meeting(meeting_id)
    return render_template("meetings/live.html", meeting=meeting, state=services.live_state(meeting))


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
def add_item(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = AgendaItemForm(prefix="new")
    if form.validate_on_submit():
        return _run(agenda.add_item, meeting, _l("The agenda item is added."), _item_data(form))
    for field in form:
        for message in field.errors:
            flash(f"{field.label.text}: {message}", "danger")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id) + "#agenda")


def _item(meeting: Meeting, item_id: int):
    try:
        return agenda.get_item(meeting, item_id)
    except NotFound:
        abort(404)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    form = AgendaItemForm(obj=item if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            agenda.update_item(_me(), item, _item_data(form))
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The agenda item is saved."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id) + "#agenda")
    return render_template("meetings/item_form.html", form=form, meeting=meeting, item=item)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/delete", methods=["POST"])
def delete_item(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    if not confirm.confirmed():
        return confirm.ask("agenda.delete", _detail_url(meeting, f"#item-{item.id}"), item=item)
    title = item.title
    try:
        token = agenda.delete_item(_me(), item)
    except ServiceError as error:
        flash(error.message, "danger")
    else:  # the detail page shows it once, with its Undo button
        session[UNDO_KEY] = {"meeting": meeting.id, "title": title, "token": token}
    return redirect(_detail_url(meeting, "#agenda"))


@bp.route("/meetings/<int:meeting_id>/agenda/restore", methods=["POST"])
def restore_item(meeting_id: int):
    meeting = _meeting(meeting_id)
    try:
        item = agenda.restore_item(_me(), meeting, request.form.get("token", ""))
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(_detail_url(meeting, "#agenda"))
    flash(_l("The agenda item is back in its place."), "success")
    return redirect(_detail_url(meeting, f"#item-{item.id}"))


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
def move_item(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = _item(meeting, item_id)
    step = -1 if request.form.get("direction") == "up" else 1
    try:
        agenda.move_item(_me(), item, step)
    except ServiceError as error:
        flash(error.message, "danger")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id) + f"#item-{item.id}")


@bp.route("/meetings/<int:meeting_id>/rsvp", methods=["POST"])
def rsvp(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = RsvpForm()
    if not form.validate_on_submit():
        flash(_l("Answer yes, no or maybe."), "danger")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return _run(attendance.set_rsvp, meeting, _l("Your answer is saved."), form.answer.data)


@bp.route("/meetings/<int:meeting_id>/check-in", methods=["POST"])
def check_in(meeting_id: int):
    return _run(attendance.check_in, _meeting(meeting_id), _l("You are checked in. Welcome!"))


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
def write_minutes(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = MinutesForm()
    if request.method == "GET" and meeting.latest_minutes:
        form.body.data = meeting.latest_minutes.body
    if form.validate_on_submit():
        try:
            minutes.save_minutes(_me(), meeting, form.body.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("The minutes are saved."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id) + "#minutes")
    return render_template("meetings/minutes_form.html", form=form, meeting=meeting)


@bp.route("/meetings/<int:meeting_id>/minutes/history")
def minutes_history(meeting_id: int):
    meeting = _meeting(meeting_id)
    return render_template("meetings/minutes_history.html", meeting=meeting, revisions=minutes.history(meeting))


@bp.route("/meetings/<int:meeting_id>.ics")
def ics(meeting_id: int):
    meeting = _meeting(meeting_id)
    return Response(
        calendar.meeting_ics(meeting, _link(meeting)),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'},
    )


@bp.route("/calendar")
def calendar_page():
    return render_template("meetings/calendar.html", has_feed=calendar.has_feed(_me()), feed_url=None)


@bp.route("/calendar/feed", methods=["POST"])
def regenerate_feed():
    token = calendar.regenerate_feed_token(_me())
    feed_url = url_for("meetings.feed", token=token, _external=True)
    return render_template("meetings/calendar.html", has_feed=True, feed_url=feed_url)


@bp.route("/calendar/feed/<token>.ics")
def feed(token: str):
    user = calendar.feed_owner(token)
    if user is None:
        abort(404)
    body = calendar.feed_ics(user, _link, "STAC Youth")
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
