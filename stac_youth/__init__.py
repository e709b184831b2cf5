"""STAC Youth: the collaboration app of California's Statewide Student Advisory Board."""

from __future__ import annotations

from flask import Flask

from .common.request_log import LoggedFlask
from .config import Config, config_from_env


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, hooks and commands."""
    app = LoggedFlask(__name__, template_folder="../templates", static_folder="../static",
                      instance_relative_config=True)
    register_config(app, config)
    register_logging(app)
    register_url_converters(app)
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    register_socket_events(app)
    register_proxy_fix(app)
    register_background_tasks(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_config(app: Flask, config: type[Config] | dict | None) -> None:
    """Load a Config class (from STAC_ENV by default); a dict overrides single keys on top of it."""
    overrides = config if isinstance(config, dict) else {}
    config_class = config if isinstance(config, type) else config_from_env()
    app.config.from_object(config_class)
    app.config["SECRET_KEY"] = config_class.secret_key()
    app.config.update(overrides)


def register_logging(app: Flask) -> None:
    """Logging as LOG_FORMAT asks, and an access line per request; first, so its timer starts before other hooks."""
    from .common.request_log import init_request_log

    init_request_log(app)


def register_url_converters(app: Flask) -> None:
    """Ids in URLs stay within a database integer, so an absurd id is a 404 and not a crash."""
    from werkzeug.routing import IntegerConverter

    from .common.ids import MAX_ID

    class DatabaseId(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", MAX_ID)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseId


def register_extensions(app: Flask) -> None:
    """Bind the extensions of extensions.py to this app."""
    from . import models  # noqa: F401 - every model must be mapped before the first query
    from .common.database import configure_sqlite
    from .common.i18n import install_template_gettext, select_locale, select_timezone
    from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate
    from .members.sessions import init_sessions

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    init_sessions(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app)
    limiter.init_app(app)
    mail.init_app(app)


def register_security(app: Flask) -> None:
    """Security headers, request ids and the route policy (deny by default)."""
    from .common.policy import enforce_route_policy
    from .common.security_headers import init_security_headers

    init_security_headers(app)
    app.before_request(enforce_route_policy)


def register_blueprints(app: Flask) -> None:
    """Mount every feature's blueprint."""
    from .admin import bp as admin_bp
    from .home import bp as home_bp
    from .meetings import bp as meetings_bp
    from .members import auth_bp
    from .members import bp as members_bp
    from .notifications import bp as notifications_bp
    from .polls import bp as polls_bp
    from .proposals import bp as proposals_bp
    from .rooms import bp as rooms_bp
    from .styleguide import bp as styleguide_bp
    from .summit import bp as summit_bp

    for blueprint in (home_bp, auth_bp, members_bp, admin_bp, meetings_bp, rooms_bp, proposals_bp, polls_bp,
                      summit_bp, notifications_bp, styleguide_bp):
        app.register_blueprint(blueprint)


def register_socket_events(app: Flask) -> None:
    """Bind Socket.IO after its handlers are imported, so every app instance gets them all."""
    from .common import channels, sockets  # noqa: F401 - importing registers the handlers and the access re-check
    from .extensions import socketio

    origins = app.config["SOCKETIO_CORS_ORIGINS"]
    if origins == "*" or (isinstance(origins, list | tuple) and "*" in origins):
        raise RuntimeError("SOCKETIO_CORS_ORIGINS must list origins; '*' would let any site open sockets.")
    # The shared SocketIO object keeps the Redis manager of an earlier app: without a queue, start from none.
    socketio.server_options.pop("client_manager", None)
    socketio.init_app(
        app,
        message_queue=app.config["REDIS_URL"],
        channel=sockets.message_queue_channel(app.config["REDIS_URL"]),
        cors_allowed_origins=app.config["SOCKETIO_CORS_ORIGINS"],
        max_http_buffer_size=sockets.MAX_FRAME_BYTES,  # events past MAX_EVENT_BYTES are answered "too_large"
        manage_session=False,
        async_mode="threading",
    )
    sockets.answer_unknown_events()
    app.add_template_global(sockets.MAX_EVENT_BYTES, "max_socket_event_bytes")


def register_proxy_fix(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, take the client's address and scheme from their X-Forwarded-* headers.

    Rate limits key on the client's address, so without this every visitor behind the proxy shares one counter.
    Installed last, around the Socket.IO middleware too, so sockets see the same address and scheme as pages.
    """
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # X-Forwarded-Host stays untrusted; links in emails are built on PUBLIC_BASE_URL, not on any Host header.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)


def register_background_tasks(app: Flask) -> None:
    """Timed work each server process does by itself: opening and closing scheduled polls; sending queued mail
    when MAIL_SEND_IN_PROCESS says so."""
    from .common.mail_worker import init_mail_sender
    from .polls.events import init_poll_schedule

    init_poll_schedule(app)
    init_mail_sender(app)


def register_error_handlers(app: Flask) -> None:
    """Error pages in the user's language."""
    from .common.error_pages import init_error_pages

    init_error_pages(app)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals templates use to format."""
    from .common.confirm import init_confirmations
    from .common.templating import init_templating

    init_templating(app)
    init_confirmations(app)


def register_commands(app: Flask) -> None:
    """flask seed, flask create-admin, flask mail-worker, flask mail-backlog."""
    from .cli import init_commands

    init_commands(app)
