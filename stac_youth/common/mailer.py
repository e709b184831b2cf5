"""Email in the recipient's language, written to the outbox in the caller's transaction (see common/outbox.py)."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from .outbox import OutboxEmail, queue_email


def send_email(to: str, subject_template: str, body_template: str, language: str | tuple[str, ...] = "en",
               **context) -> OutboxEmail:
    """Render the templates in `language` (several languages: one after another) and queue the message.

    Nothing is sent here: the row joins the caller's transaction and the mail sender sends it after the commit.
    So a request never waits for the mail server, and a rolled-back change sends nothing.
    """
    languages = (language,) if isinstance(language, str) else language
    subjects, bodies = [], []
    for lang in languages:
        with force_locale(lang):
            subjects.append(render_template(subject_template, **context).strip())
            bodies.append(render_template(body_template, **context).strip())
    subject = " / ".join(dict.fromkeys(subjects))
    body = "\n\n---\n\n".join(bodies) + "\n"
    return queue_email(to, subject, body)
