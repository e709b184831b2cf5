"""Email in the recipient's language: console in development, in-memory in tests, SMTP when configured."""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMessage

from ..extensions import socketio

log = logging.getLogger(__name__)


def send_email(to: str, subject_template: str, body_template: str, language: str | tuple[str, ...] = "en",
               later: bool = False, **context) -> None:
    """Render the templates in `language` (several languages: one after another) and send the message.

    With `later`, the message is sent in the background (unless EMAILS_IN_BACKGROUND is off), so the request does not
    wait for the mail server: an answer that comes later only when an account exists would tell that it does.
    """
    languages = (language,) if isinstance(language, str) else language
    subjects, bodies = [], []
    for lang in languages:
        with force_locale(lang):
            subjects.append(render_template(subject_template, **context).strip())
            bodies.append(render_template(body_template, **context).strip())
    subject = " / ".join(dict.fromkeys(subjects))
    body = "\n\n---\n\n".join(bodies) + "\n"
    message = EmailMessage(subject=subject, body=body, to=[to], from_email=current_app.config["MAIL_DEFAULT_SENDER"])
    if later and current_app.config.get("EMAILS_IN_BACKGROUND", True):
        socketio.start_background_task(_send_in_background, current_app._get_current_object(), message)
    else:
        message.send()


def _send_in_background(app, message: EmailMessage) -> None:
    with app.app_context():
        try:
            message.send()
        except Exception:
            log.exception("email to be sent in the background failed")
