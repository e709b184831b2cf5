"""Email in the recipient's language: console in development, in-memory in tests, SMTP when configured."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMessage


def send_email(to: str, subject_template: str, body_template: str, language: str | tuple[str, ...] = "en",
               **context) -> None:
    """Render the templates in `language` (several languages: one after another) and send the message."""
    languages = (language,) if isinstance(language, str) else language
    subjects, bodies = [], []
    for lang in languages:
        with force_locale(lang):
            subjects.append(render_template(subject_template, **context).strip())
            bodies.append(render_template(body_template, **context).strip())
    subject = " / ".join(dict.fromkeys(subjects))
    body = "\n\n---\n\n".join(bodies) + "\n"
    message = EmailMessage(subject=subject, body=body, to=[to], from_email=current_app.config["MAIL_DEFAULT_SENDER"])
    message.send()
