"""Logging: one access line per request, the request id on every record, unhandled errors logged once.

Configured by the app factory with logging.config.dictConfig. LOG_FORMAT picks readable text lines (default) or
JSON lines. Paths that carry a secret (invitation, password-reset and calendar-feed links) are logged with the
secret replaced by [token], and query strings are never logged.
"""

from __future__ import annotations

import json
import logging
import logging.config
import time
from datetime import UTC, datetime
from urllib.parse import quote

from flask import Flask, Response, current_app, g, has_app_context, request
from flask_login import current_user

LOG_FORMATS = ("text", "json")
ACCESS_LOGGER = "stac_youth.access"
#: fields an access line carries besides the request id, as record attributes and JSON keys
ACCESS_FIELDS = ("user_id", "method", "path", "status", "duration_ms")
NO_REQUEST = "-"
MASK = "[token]"
#: URL rule arguments holding a secret: a path through such a rule is logged with the secret masked
SECRET_ARGUMENTS = frozenset({"token"})
#: what a path may show as is in a log line; anything else (spaces, quotes, line breaks, non-ASCII) is %-encoded
PATH_SAFE_CHARACTERS = "/:@!$&'()*+,;=-._~[]"
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def current_request_id() -> str:
    """The id of the request being handled, or '-' outside a request (background work, socket events)."""
    if has_app_context():
        return g.get("request_id", NO_REQUEST)
    return NO_REQUEST


class RequestIdFilter(logging.Filter):
    """Give every record a request_id attribute, so formatters and tests can read it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class RequestIdStamp(logging.Handler):
    """On the app's logger: stamps the request id on its records before they reach the root logger's handlers."""

    def __init__(self):
        super().__init__()
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        """Print nothing: the handlers of the root logger (stderr, or pytest's caplog) do."""


class DevServerAccessFilter(logging.Filter):
    """Drop the werkzeug development server's own access lines: the app writes one per request, without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        # WSGIRequestHandler.log_request logs '<address> - - [<time>] "%s" %s %s' with the request line as argument
        is_access_line = (record.name == "werkzeug" and record.levelno == logging.INFO
                          and isinstance(record.msg, str) and record.msg.endswith('"%s" %s %s'))
        return not is_access_line


def _utc_time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """One readable line per record (a traceback follows on the next lines), times in UTC."""

    def __init__(self):
        super().__init__(TEXT_FORMAT, defaults={"request_id": NO_REQUEST})

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return _utc_time(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message, access fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": _utc_time(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": record.getMessage(),
        }
        for key in ACCESS_FIELDS:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(log_format: str, to_stderr: bool) -> dict:
    """The dictConfig for LOG_FORMAT; without to_stderr (tests) records keep their fields but no handler prints."""
    if log_format not in LOG_FORMATS:
        raise RuntimeError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}.")
    config: dict = {
        "version": 1,
        "disable_existing_loggers": False,  # loggers made at import time (gunicorn's, the modules') keep working
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "dev_server_access": {"()": DevServerAccessFilter},
        },
        "formatters": {
            "text": {"()": TextFormatter},
            "json": {"()": JsonFormatter},
        },
        "handlers": {"request_id_stamp": {"()": RequestIdStamp}},
        # Without stderr (tests), the level stays the root's, which pytest's caplog.set_level decides.
        "loggers": {"stac_youth": {"level": "INFO" if to_stderr else "NOTSET", "handlers": ["request_id_stamp"]}},
    }
    if to_stderr:
        # The root logger, so library records (werkzeug, SQLAlchemy, Socket.IO) share the format and the id.
        config["handlers"]["stderr"] = {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": log_format,
            "filters": ["request_id", "dev_server_access"],
        }
        config["root"] = {"level": "WARNING", "handlers": ["stderr"]}
    return config


def configure_logging(app: Flask) -> None:
    """Apply the logging configuration the app's LOG_FORMAT and LOG_TO_STDERR settings ask for."""
    logging.config.dictConfig(logging_config(app.config["LOG_FORMAT"], app.config["LOG_TO_STDERR"]))
    if app.config["LOG_TO_STDERR"]:
        logging.captureWarnings(True)  # Python warnings as log records too, so every stderr line has one format
    # Alembic's fileConfig (migrations/env.py) disables every logger it does not name, and dictConfig re-enables
    # existing loggers but not those below one it configures: the app's module loggers would stay silent.
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if name.startswith("stac_youth.") and isinstance(logger, logging.Logger):
            logger.disabled = False


def _secret_path_prefixes(app: Flask) -> tuple[str, ...]:
    """The fixed start of every URL rule with a secret argument, such as '/reset-password/'."""
    prefixes = app.extensions.get("request_log_secret_prefixes")
    if prefixes is None:
        prefixes = tuple(sorted({rule.rule.split("<", 1)[0] for rule in app.url_map.iter_rules()
                                 if rule.arguments & SECRET_ARGUMENTS}))
        app.extensions["request_log_secret_prefixes"] = prefixes
    return prefixes


def loggable_path(path: str) -> str:
    """The request path as logged: a secret after a token-bearing prefix is replaced by [token], no query string."""
    for prefix in _secret_path_prefixes(current_app):
        if path.startswith(prefix) and len(path) > len(prefix):
            path = prefix + MASK
            break
    return quote(path, safe=PATH_SAFE_CHARACTERS)


def _user_id() -> int | None:
    # Static files do not look up who asks: loading the user would cost a query for every stylesheet and script.
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    return current_user.id


def start_timer() -> None:
    """before_request hook: remember when the request started."""
    g.request_started = time.perf_counter()


def log_access(response: Response) -> Response:
    """after_request hook: send the request id back and write the request's access line."""
    request_id = current_request_id()
    response.headers["X-Request-ID"] = request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    fields = {"user_id": _user_id(), "method": request.method, "path": loggable_path(request.path),
              "status": response.status_code, "duration_ms": duration_ms}
    logging.getLogger(ACCESS_LOGGER).info(
        "%s %s %s %sms user=%s", fields["method"], fields["path"], fields["status"],
        "-" if duration_ms is None else duration_ms, fields["user_id"] or "-", extra=fields,
    )
    return response


class LoggedFlask(Flask):
    """Flask whose unhandled errors are logged once, with the traceback and without the secrets of the path."""

    def log_exception(self, exc_info) -> None:
        """Log an unhandled exception of a request (Flask's own message would hold the unmasked path)."""
        logging.getLogger("stac_youth.errors").error(
            "unhandled error on %s %s", request.method, loggable_path(request.path), exc_info=exc_info,
        )


def init_request_log(app: Flask) -> None:
    """Configure logging and register the access-line hooks; first in the factory, so the timer starts first."""
    configure_logging(app)
    app.before_request(start_timer)
    app.after_request(log_access)
