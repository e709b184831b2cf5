"""Asking before a destructive action: one set of words for the dialog (static/js/confirm.js) and the page without
JavaScript (templates/confirm.html).

A feature registers the words of each action it guards (register). Its form is drawn with the confirm_form macro
(templates/_macros/confirm.html), which puts the words on the form for the dialog; its route answers a POST without
confirmed=1 with the confirmation page (ask), changing nothing. The server decides, never the script.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l

from .policy import safe_next_url

CONFIRMED_FIELD = "confirmed"
#: Fields never carried from the first post into the confirmation form: the page draws its own.
NOT_CARRIED = frozenset({"csrf_token", CONFIRMED_FIELD})
GO_BACK = _l("No, go back")


@dataclass(frozen=True)
class Confirmation:
    """The words of one confirmation: the question, what will happen, and the button that does it."""

    question: str
    consequence: str
    yes: str


_WORDS: dict[str, Callable[..., Confirmation]] = {}


def register(name: str):
    """Decorator: the function building the words of the action called name (arguments: the objects it acts on)."""

    def add(builder: Callable[..., Confirmation]) -> Callable[..., Confirmation]:
        _WORDS[name] = builder
        return builder

    return add


def confirmation(name: str, **objects) -> Confirmation:
    """The words of a registered action for these objects, in the current language."""
    return _WORDS[name](**objects)


def confirmed() -> bool:
    """Whether the posted form says the person confirmed (the dialog or the confirmation page sent confirmed=1)."""
    return request.form.get(CONFIRMED_FIELD) == "1"


def ask(name: str, cancel_url: str, **objects):
    """The confirmation page for this post: its words, the same fields again with confirmed=1, and a way back."""
    fields = [(key, value) for key, value in request.form.items(multi=True) if key not in NOT_CARRIED]
    return render_template(
        "confirm.html", confirmation=confirmation(name, **objects), action=request.path, fields=fields,
        cancel_url=safe_next_url(cancel_url), go_back=GO_BACK,
    ), 200


def init_confirmations(app: Flask) -> None:
    """Give templates the words of registered actions and the label of the safe choice."""
    app.add_template_global(confirmation, "confirmation")
    app.add_template_global(GO_BACK, "confirm_go_back")
