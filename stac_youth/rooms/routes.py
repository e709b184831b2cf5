"""Room pages: readable without JavaScript; the live client takes over from there."""

from __future__ import annotations

import secrets

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
from . import bp, messages, moderation, rooms, speakers
from .access import may_moderate
from .forms import MessageForm, MuteForm, ReportForm, RoomForm
from .models import MessageReport, Room
from .presence import present_users


def _me():
    return current_user._get_current_object()


def _room(room_id: int) -> Room:
    try:
        return rooms.get_visible_room(_me(), room_id)
    except NotFound:
        abort(404)


def _message(room: Room, message_id: int):
    message = messages.get_message(room, message_id)
    if message is None or message.deleted_at is not None:
        abort(404)
    return message


def panel_context(room: Room, before_id: int | None = None) -> dict:
    """What the room panel template needs: messages, presence, queue and the viewer's standing."""
    if before_id:
        shown, has_older = messages.messages_before(room, before_id)
    else:
        shown, has_older = messages.latest_messages(room)
    if shown and not before_id:
        rooms.mark_read(_me(), room, shown[-1].id)
    queue = speakers.queue(room.id)
    return {
        "room": room,
        "room_title": rooms.room_title(room),
        "messages": shown,
        "has_older": has_older,
        "paged": bool(before_id),
        "present": present_users(room.id),
        "queue": queue,
        "hand_raised": any(entry.user_id == current_user.id for entry in queue),
        "muted": messages.active_mute(room, _me()),
        "can_moderate": may_moderate(_me()),
        "message_form": MessageForm(formdata=None, client_id=secrets.token_hex(12)),
    }


def meeting_room_panel(meeting) -> dict:
    """Template global for the live meeting screen: the panel context of that meeting's room."""
    return panel_context(rooms.room_for_meeting(meeting))


bp.add_app_template_global(meeting_room_panel, "meeting_room_panel")


@bp.route("/rooms")
def index():
    return render_template("rooms/index.html", entries=rooms.list_rooms(_me()))


@bp.route("/rooms/new", methods=["GET", "POST"])
def new():
    form = RoomForm()
    form.region_id.choices = [(0, _l("All members"))] + [(r.id, localized_name(r)) for r in list_regions()]
    if form.validate_on_submit():
        try:
            room = rooms.create_topic_room(_me(), form.title.data, form.description.data or "",
                                           form.region_id.data or None)
        except ServiceError as error:
            attach_error(form, error)
        else:
            return redirect(url_for("rooms.show", room_id=room.id))
    return render_template("rooms/new.html", form=form)


@bp.route("/rooms/<int:room_id>")
def show(room_id: int):
    room = _room(room_id)
    panel = panel_context(room, request.args.get("before", type=database_int))
    return render_template("rooms/show.html", panel=panel, room=room)


@bp.route("/rooms/<int:room_id>/messages", methods=["POST"])
def post_message(room_id: int):
    room = _room(room_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            messages.post_message(_me(), room, form.body.data, form.client_id.data)
        except ServiceError as error:
            flash(error.message, "danger")
    else:
        for problem in form.body.errors:
            flash(problem, "danger")
    return redirect(url_for("rooms.show", room_id=room.id) + "#composer")


@bp.route("/rooms/<int:room_id>/messages/<int:message_id>/delete", methods=["POST"])
def delete_message(room_id: int, message_id: int):
    room = _room(room_id)
    moderation.delete_message(_me(), _message(room, message_id))
    flash(_l("The message is deleted for everyone."), "success")
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.route("/rooms/<int:room_id>/messages/<int:message_id>/report", methods=["GET", "POST"])
def report_message(room_id: int, message_id: int):
    room = _room(room_id)
    message = _message(room, message_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            moderation.report_message(_me(), message, form.reason.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_l("Thank you. The advisors will look at this message."), "success")
            return redirect(url_for("rooms.show", room_id=room.id))
    return render_template("rooms/report.html", form=form, room=room, message=message)


@bp.route("/rooms/<int:room_id>/members/<int:user_id>/mute", methods=["GET", "POST"])
def mute(room_id: int, user_id: int):
    room = _room(room_id)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = MuteForm()
    if form.validate_on_submit():
        try:
            moderation.mute_member(_me(), room, user, form.minutes.data)
        except ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_l("%(name)s is muted in this room.", name=user.display_name), "success")
            return redirect(url_for("rooms.show", room_id=room.id))
    return render_template("rooms/mute.html", form=form, room=room, user=user)


@bp.route("/rooms/<int:room_id>/members/<int:user_id>/unmute", methods=["POST"])
def unmute(room_id: int, user_id: int):
    room = _room(room_id)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    moderation.unmute_member(_me(), room, user)
    flash(_l("%(name)s can post again.", name=user.display_name), "success")
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.route("/rooms/<int:room_id>/lock", methods=["POST"])
def lock(room_id: int):
    room = _room(room_id)
    locked = request.form.get("locked") == "1"
    moderation.set_locked(_me(), room, locked)
    flash(_l("The room is locked.") if locked else _l("The room is open again."), "success")
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.route("/rooms/<int:room_id>/hand", methods=["POST"])
def hand(room_id: int):
    room = _room(room_id)
    if request.form.get("raised") == "1":
        speakers.raise_hand(_me(), room)
    else:
        speakers.lower_hand(_me(), room)
    if request.form.get("back") == "meeting" and room.meeting_id:
        return redirect(url_for("meetings.live", meeting_id=room.meeting_id))
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.route("/rooms/<int:room_id>/call-next", methods=["POST"])
def call_next(room_id: int):
    room = _room(room_id)
    try:
        speaker = speakers.call_next(_me(), room)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_l("%(name)s has the floor.", name=speaker.display_name), "success")
    return redirect(url_for("rooms.show", room_id=room.id))


@bp.route("/rooms/reports")
def reports():
    return render_template("rooms/reports.html", reports=moderation.open_reports())


@bp.route("/rooms/reports/<int:report_id>", methods=["POST"])
def resolve_report(report_id: int):
    report = db.session.get(MessageReport, report_id)
    if report is None:
        abort(404)
    try:
        moderation.resolve_report(_me(), report, delete=request.form.get("action") == "delete")
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_l("The report is handled."), "success")
    return redirect(url_for("rooms.reports"))
