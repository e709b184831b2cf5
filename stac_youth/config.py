"""Configuration read from environment variables."""

from __future__ import annotations

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _instance_secret_key(instance_dir: Path) -> str:
    """Return the development secret key kept in instance/, writing a random one on first run."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    key_file = instance_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _engine_options() -> dict:
    """SQLAlchemy's pool sized by DATABASE_POOL_SIZE (0 or unset: SQLAlchemy's default of 5 plus 10 overflow)."""
    size = int(os.environ.get("DATABASE_POOL_SIZE") or 0)
    return {"pool_size": size, "max_overflow": 10} if size > 0 else {}


def _bool_env(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _is_unspecified_address(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:  # a host name
        return False


def default_public_base_url() -> str:
    """Where `python app.py` listens (HOST and PORT, as app.py reads them), for links when PUBLIC_BASE_URL is unset."""
    host = os.environ.get("HOST", "").strip()
    if not host or _is_unspecified_address(host):  # listening on every address: the machine itself is one of them
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{int(os.environ.get('PORT') or 5000)}"


def trusted_hosts_from_env(public_base_url: str) -> list[str]:
    """TRUSTED_HOSTS (comma-separated) from the environment, else PUBLIC_BASE_URL's host and the loopback names."""
    listed = [host.strip() for host in os.environ.get("TRUSTED_HOSTS", "").split(",") if host.strip()]
    return listed or list(dict.fromkeys([urlsplit(public_base_url).hostname or "localhost", "localhost", "127.0.0.1"]))


class Config:
    """Development defaults: SQLite in instance/, console email, no Redis."""

    ENV_NAME = "development"
    INSTANCE_DIR = INSTANCE_DIR
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'stac_youth.db'}"
    #: one pooled connection per thread that may hold one at once (gunicorn --threads), or threads wait for the pool
    SQLALCHEMY_ENGINE_OPTIONS: dict = _engine_options()
    REDIS_URL = os.environ.get("REDIS_URL") or None
    #: how many reverse proxies in front of the app set X-Forwarded-For and X-Forwarded-Proto (0: none, trust neither)
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES") or 0)
    #: the site's address: every link in an email is built on it, never on a request's Host header (unset: where
    #: `python app.py` listens, so `PORT=8000 make run` sends links to port 8000)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or default_public_base_url()
    #: Host names a request may carry (Flask refuses others with 400); any in development unless TRUSTED_HOSTS is set
    TRUSTED_HOSTS = trusted_hosts_from_env(PUBLIC_BASE_URL) if os.environ.get("TRUSTED_HOSTS") else None
    #: Set-Cookie only when the session changed: a background fetch answered late must not overwrite a newer cookie
    SESSION_REFRESH_EACH_REQUEST = False
    #: at most one push of who is in a room per this many seconds (0: a push at every change)
    PRESENCE_PUSH_SECONDS = float(os.environ.get("PRESENCE_PUSH_SECONDS") or 1)
    #: how often each server process opens and closes scheduled polls (0: only when a poll's page is loaded)
    POLL_SCHEDULE_SECONDS = 15
    #: how often each server process renews the lease of its live sockets' registry rows (0: never; tests)
    SOCKET_LEASE_SECONDS = 120
    #: access lines and other log records on standard error: "text" (one readable line) or "json" (JSON lines)
    LOG_FORMAT = (os.environ.get("LOG_FORMAT") or "text").strip().lower()
    #: print log records on standard error (tests read them through pytest's caplog instead)
    LOG_TO_STDERR = True
    AVATAR_DIR = Path(os.environ.get("AVATAR_DIR") or INSTANCE_DIR / "avatars")
    MAX_CONTENT_LENGTH = 3 * 1024 * 1024
    AVATAR_MAX_BYTES = 2 * 1024 * 1024

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 3600

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "America/Los_Angeles"
    LANGUAGES = ("en", "es")

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    #: failed sign-ins allowed per client address (a school may share one: raise it there, the pair limit still holds)
    LOGIN_RATE_LIMIT = "10 per 15 minutes"
    #: failed sign-ins allowed per address and account together; never per account alone, or anyone could lock it
    LOGIN_PAIR_RATE_LIMIT = "10 per 15 minutes"
    #: more failed sign-ins on one account than this, from any addresses, and its owner is told (once per window)
    LOGIN_FAILURE_NOTICE_AFTER = "5 per 15 minutes"

    MAIL_BACKEND = "console" if not os.environ.get("MAIL_SERVER") else "smtp"
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool_env("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool_env("MAIL_USE_SSL")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "STAC Youth <no-reply@stac-youth.local>")
    #: seconds to wait on the SMTP server before a try counts as failed (well below MAIL_CLAIM_SECONDS)
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT") or 30)
    #: every email goes through the outbox table; this process sends it too (`python app.py`). In production a
    #: `flask mail-worker` process sends instead, so the default there is off
    MAIL_SEND_IN_PROCESS = _bool_env("MAIL_SEND_IN_PROCESS", True)
    #: how often a sender looks for due emails
    MAIL_POLL_SECONDS = float(os.environ.get("MAIL_POLL_SECONDS") or 5)
    #: a sender's lease on the emails it took: one whose sender died goes out after this
    MAIL_CLAIM_SECONDS = int(os.environ.get("MAIL_CLAIM_SECONDS") or 300)
    #: tries before an email is given up on (retries wait 30 s, 2 min, 8 min, 32 min, then an hour each)
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS") or 10)

    SOCKETIO_CORS_ORIGINS = [o for o in os.environ.get("SOCKETIO_CORS_ORIGINS", "").split(",") if o] or None

    INVITATION_TTL = timedelta(days=7)
    PASSWORD_RESET_TTL = timedelta(hours=1)
    DEMO_PASSWORD = os.environ.get("STAC_DEMO_PASSWORD", "stac-demo-2026")

    @classmethod
    def secret_key(cls) -> str:
        """The SECRET_KEY from the environment, or the one kept in instance/ for development."""
        return os.environ.get("SECRET_KEY") or _instance_secret_key(cls.INSTANCE_DIR)


class TestingConfig(Config):
    """Used by the test suite: fixed key, CSRF off unless a test turns it on, mail kept in memory."""

    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    MAIL_BACKEND = "locmem"
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = None
    SERVER_NAME = None
    TRUSTED_HOSTS = None  # the test client sends Host: localhost; tests that check hosts set their own list
    POLL_SCHEDULE_SECONDS = 0
    LOG_TO_STDERR = False  # a stderr handler on the root logger would replace pytest's log capture
    SOCKET_LEASE_SECONDS = 0  # tests renew leases by calling renew_leases with the time they choose
    PRESENCE_PUSH_SECONDS = 0  # room tests read each presence push right after the change; one test coalesces
    MAIL_SEND_IN_PROCESS = False  # tests send the outbox with the `outbox` fixture or the sender's functions

    @classmethod
    def secret_key(cls) -> str:
        return "testing-secret-key-not-for-production"


class ProductionConfig(Config):
    """Production: secure cookies, a SECRET_KEY from the environment or no start at all."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    PREFERRED_URL_SCHEME = "https"
    MAIL_BACKEND = "smtp"
    MAIL_SEND_IN_PROCESS = _bool_env("MAIL_SEND_IN_PROCESS", False)  # `flask mail-worker` sends
    TRUSTED_HOSTS = trusted_hosts_from_env(Config.PUBLIC_BASE_URL)

    @classmethod
    def secret_key(cls) -> str:
        key = os.environ.get("SECRET_KEY")
        if not key:
            raise RuntimeError("SECRET_KEY must be set in production.")
        return key


CONFIGS = {"development": Config, "testing": TestingConfig, "production": ProductionConfig}


def config_from_env() -> type[Config]:
    """Pick the configuration class named by STAC_ENV (development by default)."""
    return CONFIGS[os.environ.get("STAC_ENV", "development")]
