"""The access line of each request, the request id on every record, errors logged once, LOG_FORMAT text and json."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from stac_youth.common import policy
from stac_youth.common.request_log import (
    ACCESS_LOGGER,
    DevServerAccessFilter,
    JsonFormatter,
    TextFormatter,
    logging_config,
)

ROOT = Path(__file__).resolve().parent.parent
ACCESS_KEYS = {"request_id", "user_id", "method", "path", "status", "duration_ms"}


def access_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == ACCESS_LOGGER]


def only_access_record(caplog) -> logging.LogRecord:
    records = access_records(caplog)
    assert len(records) == 1, [record.getMessage() for record in records]
    return records[0]


def test_the_access_line_carries_the_request_id_user_method_path_status_and_duration(client, login_as, caplog):
    user = login_as("member")
    caplog.set_level(logging.INFO)
    caplog.clear()
    response = client.get("/")
    record = only_access_record(caplog)
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["X-Request-ID"])
    assert record.request_id == response.headers["X-Request-ID"]
    assert (record.user_id, record.method, record.path, record.status) == (user.id, "GET", "/", 200)
    assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
    assert record.getMessage() == f"GET / 200 {record.duration_ms}ms user={user.id}"
    assert user.email not in record.getMessage() and user.display_name not in record.getMessage()


def test_signed_out_requests_log_no_user_and_each_request_gets_its_own_id(client, caplog):
    caplog.set_level(logging.INFO)
    first = client.get("/healthz")
    second = client.post("/login", data={"email": "nobody@example.org", "password": "not this one"})
    records = access_records(caplog)
    assert [(r.method, r.path, r.status, r.user_id) for r in records] == [
        ("GET", "/healthz", 200, None), ("POST", "/login", second.status_code, None)]
    assert [r.request_id for r in records] == [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert records[0].getMessage().endswith("user=-")


@pytest.mark.parametrize("path", ["/register/{secret}", "/reset-password/{secret}", "/calendar/feed/{secret}.ics",
                                  "/healthz?token={secret}&next=/reset-password/{secret}"])
def test_secrets_in_paths_and_query_strings_are_never_logged(client, caplog, path):
    caplog.set_level(logging.DEBUG)
    secret = secrets.token_urlsafe(24)
    response = client.get(path.format(secret=secret))
    record = only_access_record(caplog)
    expected = path.split("{", 1)[0] + "[token]" if "?" not in path else "/healthz"
    assert record.path == expected
    assert record.request_id == response.headers["X-Request-ID"]
    for formatter in (TextFormatter(), JsonFormatter()):
        assert all(secret not in formatter.format(logged) for logged in caplog.records)


def test_any_url_rule_with_a_token_argument_is_masked_and_odd_characters_are_escaped(make_app, monkeypatch, caplog):
    app = make_app()
    app.add_url_rule("/handover/<token>/accept", "handover", lambda token: "accepted")
    monkeypatch.setitem(policy.ROUTES, "handover", policy.PUBLIC)
    caplog.set_level(logging.INFO)
    client = app.test_client()
    assert client.get("/handover/s3cr3t-value/accept").status_code == 200
    client.get("/missing%0Aforged line")
    assert [record.path for record in access_records(caplog)] == ["/handover/[token]", "/missing%0Aforged%20line"]
    assert all("s3cr3t-value" not in record.getMessage() for record in caplog.records)


@pytest.fixture
def noting_app(make_app, monkeypatch):
    """An app with a page that writes a log record of its own while it answers."""
    app = make_app()

    def note():
        logging.getLogger("stac_youth.notes").warning("a note written inside the view")
        return "noted"

    app.add_url_rule("/note", "note", note)
    monkeypatch.setitem(policy.ROUTES, "note", policy.PUBLIC)
    return app


def test_a_record_written_inside_a_view_carries_the_request_id_and_outside_requests_a_dash(noting_app, caplog):
    caplog.set_level(logging.INFO)
    response = noting_app.test_client().get("/note")
    note = next(record for record in caplog.records if record.name == "stac_youth.notes")
    assert note.request_id == response.headers["X-Request-ID"] == only_access_record(caplog).request_id

    def background_work():
        with noting_app.app_context():
            logging.getLogger("stac_youth.notes").warning("background work")

    worker = threading.Thread(target=background_work)
    worker.start()
    worker.join()
    background = [record for record in caplog.records if record.getMessage() == "background work"]
    assert [record.request_id for record in background] == ["-"]
    assert TextFormatter().format(background[0]).split()[2] == "[-]"


def test_socket_events_run_in_a_request_context_without_an_id_and_their_records_get_a_dash(app, caplog):
    caplog.set_level(logging.INFO)
    with app.test_request_context("/socket.io/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):  # as Flask-SocketIO does
        logging.getLogger("stac_youth.notes").warning("in a socket event")
    assert [record.request_id for record in caplog.records if record.name == "stac_youth.notes"] == ["-"]
    assert access_records(caplog) == []


def test_the_development_servers_own_request_lines_are_dropped_and_its_start_up_lines_kept(app, caplog):
    from werkzeug.serving import make_server

    caplog.set_level(logging.INFO)
    server = make_server("127.0.0.1", 0, app)
    server.log_startup()
    answering = threading.Thread(target=server.handle_request)
    answering.start()
    assert requests.get(f"http://127.0.0.1:{server.port}/healthz", timeout=30).status_code == 200
    answering.join()
    server.server_close()
    werkzeug_records = [record for record in caplog.records if record.name == "werkzeug"]
    request_lines = [record for record in werkzeug_records if '"GET /healthz HTTP/1.1" 200' in record.getMessage()]
    start_up = [record for record in werkzeug_records if "Running on" in record.getMessage()]
    assert len(request_lines) == 1 and len(start_up) == 1
    dropping = DevServerAccessFilter()
    assert not dropping.filter(request_lines[0]) and dropping.filter(start_up[0])
    assert [record.path for record in access_records(caplog)] == ["/healthz"]


@pytest.fixture
def failing_app(make_app, monkeypatch):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def explode(token):
        raise RuntimeError("boom")

    app.add_url_rule("/explode/<token>", "explode", explode)
    monkeypatch.setitem(policy.ROUTES, "explode", policy.PUBLIC)
    return app


def test_an_unhandled_error_is_logged_once_with_its_traceback_and_the_masked_path(failing_app, caplog):
    caplog.set_level(logging.INFO)
    response = failing_app.test_client().get("/explode/a-secret-token")
    assert response.status_code == 500
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    error = errors[0]
    assert error.getMessage() == "unhandled error on GET /explode/[token]"
    assert error.exc_info and error.exc_info[0] is RuntimeError
    assert error.request_id == response.headers["X-Request-ID"]
    text = TextFormatter().format(error)
    assert "Traceback (most recent call last)" in text and "RuntimeError: boom" in text
    logged = json.loads(JsonFormatter().format(error))
    assert "RuntimeError: boom" in logged["traceback"] and logged["request_id"] == error.request_id
    access = only_access_record(caplog)
    assert (access.status, access.path, access.request_id) == (500, "/explode/[token]", error.request_id)
    assert all("a-secret-token" not in record.getMessage() for record in caplog.records)


def test_the_json_formatter_writes_one_object_per_line_with_the_access_fields(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/healthz")
    line = JsonFormatter().format(only_access_record(caplog))
    assert "\n" not in line
    logged = json.loads(line)
    assert ACCESS_KEYS | {"time", "level", "logger", "message"} <= logged.keys()
    assert logged["request_id"] == response.headers["X-Request-ID"]
    assert (logged["method"], logged["path"], logged["status"], logged["user_id"]) == ("GET", "/healthz", 200, None)


def test_an_unknown_log_format_stops_the_start():
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        logging_config("xml", to_stderr=True)


# --- the configured process: what reaches standard error -------------------------------------------------------

SCRIPT = """
import sys
from stac_youth import create_app

secret = sys.argv[1]
client = create_app().test_client()
for path in ("/healthz", f"/reset-password/{secret}?next=/x", f"/calendar/feed/{secret}.ics", f"/register/{secret}"):
    response = client.get(path)
    print(response.headers["X-Request-ID"])
"""


def run_configured_process(database_url: str, tmp_path: Path, log_format: str | None) -> tuple[list[str], list[str]]:
    """Four requests in a development-configured process; the request ids it answered and its stderr lines."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"REDIS_URL", "TRUSTED_HOSTS", "MAIL_SERVER", "LOG_FORMAT", "FLASK_DEBUG"}}
    env.update(STAC_ENV="development", DATABASE_URL=database_url, SECRET_KEY="request-log-test-key",
               AVATAR_DIR=str(tmp_path / "avatars"), PYTHONWARNINGS="default")
    if log_format:
        env["LOG_FORMAT"] = log_format
    secret = secrets.token_urlsafe(24)
    done = subprocess.run([sys.executable, "-c", SCRIPT, secret], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert secret not in done.stderr
    return done.stdout.split(), [line for line in done.stderr.splitlines() if line.strip()]


@pytest.fixture
def database_url(test_databases, tmp_path):
    url = test_databases.acquire(tmp_path)
    yield url
    test_databases.release(url)


def test_json_mode_writes_json_lines_to_stderr(database_url, tmp_path):
    request_ids, lines = run_configured_process(database_url, tmp_path, "json")
    logged = [json.loads(line) for line in lines]  # every line of standard error is one JSON object
    access = [entry for entry in logged if entry["logger"] == ACCESS_LOGGER]
    assert [entry["request_id"] for entry in access] == request_ids
    assert [entry["path"] for entry in access] == ["/healthz", "/reset-password/[token]", "/calendar/feed/[token]",
                                                   "/register/[token]"]
    assert all(ACCESS_KEYS <= entry.keys() and entry["user_id"] is None for entry in access)
    assert access[0]["status"] == 200


def test_text_mode_writes_one_readable_line_per_request(database_url, tmp_path):
    request_ids, lines = run_configured_process(database_url, tmp_path, None)
    access = [line for line in lines if f" {ACCESS_LOGGER}: " in line]
    assert len(access) == 4
    for request_id, line in zip(request_ids, access, strict=True):
        assert re.fullmatch(
            rf"\S+ INFO \[{request_id}\] stac_youth\.access: GET /\S+ \d{{3}} [\d.]+ms user=-", line), line
    assert "GET /healthz 200 " in access[0]
