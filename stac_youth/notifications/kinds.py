"""What each kind of notification says, and which email setting lets it through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..common.i18n import inner_quotes
from ..common.templating import local_datetime, member_name

AGENDA_PUBLISHED = "agenda_published"
AGENDA_CHANGED = "agenda_changed"
POLL_OPENED = "poll_opened"
POLL_CLOSED = "poll_closed"
DECISION = "decision"
COSPONSOR_INVITED = "cosponsor_invited"
MENTION = "mention"
REPORT = "report"
SIGN_IN_FAILURES = "sign_in_failures"
MEETING_CANCELLED = "meeting_cancelled"
MEETING_RESTORED = "meeting_restored"


@dataclass(frozen=True)
class Kind:
    text: object  # a lazy string with %(...)s placeholders filled from the notification's params
    email_subject: object
    is_decision: bool = False
    names_actor: bool = False  # %(name)s is the actor's name, read from their row (Former member once erased)
    security: bool = False  # about the reader's own account: emailed whatever their email setting


KINDS = {
    AGENDA_PUBLISHED: Kind(_l("The meeting “%(meeting)s” on %(when)s is published with its agenda."),
                           _l("New meeting: %(meeting)s")),
    AGENDA_CHANGED: Kind(_l("The agenda of “%(meeting)s” on %(when)s changed."),
                         _l("Agenda changed: %(meeting)s")),
    MEETING_CANCELLED: Kind(_l("The meeting “%(meeting)s” on %(when)s is cancelled. Reason: %(reason)s"),
                            _l("Meeting cancelled: %(meeting)s")),
    MEETING_RESTORED: Kind(_l("The meeting “%(meeting)s” on %(when)s is back on: it is no longer cancelled."),
                           _l("Meeting back on: %(meeting)s")),
    POLL_OPENED: Kind(_l("A poll is open for your vote: “%(question)s”."), _l("Poll open: %(question)s")),
    POLL_CLOSED: Kind(_l("A poll closed: “%(question)s”. Result: %(outcome)s."), _l("Poll closed: %(question)s")),
    DECISION: Kind(_l("The Summit planners decided on your proposal “%(title)s”: %(decision)s."),
                   _l("Decision on your proposal: %(title)s"), is_decision=True),
    COSPONSOR_INVITED: Kind(_l("%(name)s invites you to co-sponsor the proposal “%(title)s”."),
                            _l("Invitation to co-sponsor: %(title)s"), names_actor=True),
    MENTION: Kind(_l("%(name)s mentioned you in “%(place)s”."), _l("%(name)s mentioned you"), names_actor=True),
    REPORT: Kind(_l("Something in “%(place)s” was reported and waits for moderation."),
                 _l("A report waits for moderation")),
    SIGN_IN_FAILURES: Kind(_l("Someone tried several times to sign in to your account with a wrong password. If it "
                              "was not you, change your password or sign out on every other device."),
                           _l("Failed sign-ins to your account"), security=True),
}


@dataclass(frozen=True)
class DrawnParam:
    """A param drawn when the notice is read, from the ids stored with it (an area registers those it writes)."""

    draw: Callable[[dict], str | None]  # the text now, from the stored values; None keeps the stored text
    preload: Callable[[list[dict]], None] | None = None  # loads what many notices' draw needs in one query


#: param name -> how it is drawn at read time, in the reader's language
DRAWN_PARAMS: dict[str, DrawnParam] = {}


def register_drawn_param(name: str, draw: Callable[[dict], str | None],
                         preload: Callable[[list[dict]], None] | None = None) -> None:
    """Draw the param `name` at read time (e.g. a poll's question from its poll_id), not from the stored text."""
    DRAWN_PARAMS[name] = DrawnParam(draw, preload)


def preload(values: list[dict]) -> None:
    """Before drawing many notices: let each drawn param load what they name in one go."""
    for param in DRAWN_PARAMS.values():
        if param.preload is not None:
            param.preload(values)


def _drawn(values: dict) -> dict:
    """The values with the drawn params as they read now, in the current language."""
    drawn = {}
    for name, param in DRAWN_PARAMS.items():
        text = param.draw(values)
        if text is not None:
            drawn[name] = text
    return {**values, **drawn} if drawn else values


def _value(key: str, value) -> str:
    """Params ending in _label hold an English message id (translated now); those ending in _at a UTC time."""
    if key.endswith("_label"):
        return _(value)
    if key.endswith("_at"):
        return local_datetime(datetime.fromisoformat(value), "short")
    return str(value)


def _fill(template, values: dict) -> str:
    filled = {key.removesuffix("_label").removesuffix("_at"): _value(key, value)
              for key, value in _drawn(values).items()}
    text = str(template)
    for key, value in filled.items():  # a value set inside “ ” (a question quoting a title) is not quoted twice
        if f"“%({key})s”" in text:
            filled[key] = inner_quotes(value)
    try:
        return text % filled
    except (KeyError, TypeError, ValueError):
        return text.split("%(")[0].strip() or _("Something changed.")


def _with_actor(spec: Kind, values: dict, actor) -> dict:
    """The values with the actor's name as it reads now: drawn from their row, never from what was stored."""
    if not spec.names_actor:
        return values
    return {**values, "name": member_name(actor)}


def render_text(kind: str, values: dict, actor=None) -> str:
    """The notification's sentence in the current language and time zone."""
    spec = KINDS.get(kind)
    return _fill(spec.text, _with_actor(spec, values, actor)) if spec else _("Something changed.")


def render_subject(kind: str, values: dict, actor=None) -> str:
    """The email subject of a notification in the current language."""
    spec = KINDS.get(kind)
    return _fill(spec.email_subject, _with_actor(spec, values, actor)) if spec else _("Something changed.")
