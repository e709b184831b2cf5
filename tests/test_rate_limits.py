"""Rate limits: checked by the views that declare one, and on every request only when something app-wide is set."""

from __future__ import annotations

from flask import Blueprint

from stac_youth.common.rate_limits import check_limits_in_views_only, has_app_wide_limits
from stac_youth.extensions import limiter


def _page_statuses(application, count: int) -> list[int]:
    client = application.test_client()
    return [client.get("/login", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code for _ in range(count)]


def test_without_app_wide_limits_no_request_pays_for_the_check(app):
    assert not has_app_wide_limits(app, limiter)
    assert limiter._check_request_limit not in app.before_request_funcs[None]
    assert set(_page_statuses(app, 30)) == {200}


def test_a_default_limit_in_the_settings_keeps_the_check(make_app):
    application = make_app(RATELIMIT_DEFAULT="3 per minute")
    limiter.reset()
    try:
        assert has_app_wide_limits(application, limiter)
        assert _page_statuses(application, 4) == [200, 200, 200, 429]
    finally:
        limiter.limit_manager.set_default_limits([])
        limiter.reset()


def test_a_blueprint_limit_keeps_the_check(make_app):
    application = make_app()
    extra = Blueprint("rate_limited_extra", __name__)
    extra.add_url_rule("/rate-limited-extra", "page", lambda: "ok")
    limiter.limit("1 per minute")(extra)
    application.register_blueprint(extra)
    hooks = application.before_request_funcs[None]
    hooks.append(limiter._check_request_limit)  # as init_app left it, before the check below
    check_limits_in_views_only(application, limiter)
    assert limiter._check_request_limit in hooks
    assert has_app_wide_limits(application, limiter)
