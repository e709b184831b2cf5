"""Logs never hold secrets: passwords, cookies, CSRF tokens or reset links (docs/security.md, T15)."""

import logging
import re

from stac_youth.common.request_log import JsonFormatter, TextFormatter
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
    assert client.get(f"/reset-password/{reset_token}?next=/reset-password/{reset_token}").status_code == 200
    assert "/reset-password/[token]" in [getattr(record, "path", None) for record in caplog.records]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    formatted = "\n".join(formatter.format(record) for record in caplog.records
                          for formatter in (TextFormatter(), JsonFormatter()))  # what reaches standard error
    for secret in (PASSWORD, "a wrong password for the logs", cookie, reset_token):
        assert secret not in logged and secret not in formatted
