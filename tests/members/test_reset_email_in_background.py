"""'Forgot password' answers before its email is sent, so how long it takes does not tell whether an account exists."""

from __future__ import annotations

import threading

from flask_mailman.backends.locmem import EmailBackend

#: released by the test: until then the mail server "hangs", as a slow SMTP server would
RELEASE = threading.Event()
SENT: list = []


class HangingEmailBackend(EmailBackend):
    """The in-memory backend, behind a mail server that answers only when the test says so."""

    def send_messages(self, messages):
        RELEASE.wait(timeout=30)
        SENT.extend(messages)
        return len(messages)


def test_the_reset_email_is_sent_after_the_answer(app, client, make_user):
    make_user("member", email="forgetful@example.org")
    app.config["EMAILS_IN_BACKGROUND"] = True
    app.extensions["mailman"].backend = HangingEmailBackend
    RELEASE.clear()
    SENT.clear()
    answered = threading.Event()

    def ask(email: str) -> None:
        response = client.post("/forgot-password", data={"email": email})
        assert response.status_code == 302
        answered.set()

    asker = threading.Thread(target=ask, args=("forgetful@example.org",))
    asker.start()
    try:
        # The answer comes while the mail server still hangs: the request does not wait for it.
        assert answered.wait(timeout=10), "the request waited for the mail server"
        assert SENT == []
    finally:
        RELEASE.set()
        asker.join(timeout=10)
    for _ in range(100):
        if SENT:
            break
        threading.Event().wait(0.05)
    assert len(SENT) == 1 and SENT[0].to == ["forgetful@example.org"]
    assert "/reset-password/" in SENT[0].body
