"""Logs never hold secrets: passwords, cookies, CSRF tokens or reset links (docs/security.md, T15)."""

import logging
import re

from tests.conftest import PASSWORD, login


def test_sign_in_flows_log_no_secrets(app, client, make_user, caplog, outbox):
    caplog.set_level(logging.DEBUG)
    user = make_user("member", email="logs@example.org")
    login(client, user, password="a wrong password for the logs")
    login(client, user, remember=True)
    cookie = client.get_cookie("session").value
    client.post("/logout")
    client.post("/forgot-password", data={"email": "logs@example.org"})
    reset_token = re.search(r"/reset-password/([\w-]+)", outbox[0].body).group(1)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (PASSWORD, "a wrong password for the logs", cookie, reset_token):
        assert secret not in logged
