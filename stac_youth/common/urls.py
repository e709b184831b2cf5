"""URLs that services and signal handlers can build with or without a request."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request


def path_for(endpoint: str, **values) -> str:
    """The site-relative path of an endpoint, also outside a request (for pushed payloads)."""
    script_name = request.script_root if has_request_context() else None
    adapter = current_app.url_map.bind("localhost", script_name=script_name or None)
    return adapter.build(endpoint, values)


def public_base_url() -> str:
    """The configured public address (PUBLIC_BASE_URL) without a trailing slash: what links in emails start with."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def public_url_for(endpoint: str, **values) -> str:
    """An absolute URL on PUBLIC_BASE_URL, never on the Host a request claims, for links that leave the site."""
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or None, url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
