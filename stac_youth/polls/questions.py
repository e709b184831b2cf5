"""Poll questions the app writes itself: stored as a kind (with the English text), drawn in the reader's language."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..common.i18n import inner_quotes, unquoted

SUPPORT_PROPOSAL = "support_proposal"



def N_(message: str) -> str:  # noqa: N802 - Babel's keyword for a message id marked here, translated where drawn
    """Mark an English message id for extraction, untranslated."""
    return message


#: kind -> its English message id, with %(title)s for the proposal's title (read when drawn, so a rename follows)
TEMPLATES = {SUPPORT_PROPOSAL: N_("Do you support the proposal “%(title)s”?")}


def _title(proposal) -> str:
    """The proposal's title ready to sit inside “ ” once: its own wrapping quotes off, inner ones made single."""
    return inner_quotes(unquoted(proposal.title))


def draw(kind: str, proposal) -> str:
    """The question of this kind about the proposal, in the current language."""
    return _(TEMPLATES[kind], title=_title(proposal))


def english(kind: str, proposal) -> str:
    """The question of this kind in English: what the poll's question column keeps."""
    return TEMPLATES[kind] % {"title": _title(proposal)}


def suggested_question(proposal) -> str:
    """What the new-poll form offers for a proposal, in the advisor's language."""
    return draw(SUPPORT_PROPOSAL, proposal)


def recognise(proposal, question: str, limit: int) -> tuple[str, str | None]:
    """(question to store, kind): the English text and its kind when the question is the app's suggestion in any
    language (as offered, cut at limit), else the question as written and None."""
    text = (question or "").strip()
    if proposal is None or not text:
        return text, None
    for kind in TEMPLATES:
        for language in current_app.config["LANGUAGES"]:
            with force_locale(language):
                offered = draw(kind, proposal)
            if text in (offered, offered[:limit].strip()):
                return english(kind, proposal)[:limit], kind
    return text, None


def question_text(poll) -> str:
    """A poll's question as the reader reads it: drawn from its kind and its proposal's title, or as written."""
    if poll is None:
        return ""
    if poll.question_kind in TEMPLATES and poll.proposal is not None:
        return draw(poll.question_kind, poll.proposal)
    return poll.question
