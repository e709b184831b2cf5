"""URL paths that services and signal handlers can build with or without a request."""

from __future__ import annotations

from flask import current_app, has_request_context, request


def path_for(endpoint: str, **values) -> str:
    """The site-relative path of an endpoint, also outside a request (for pushed payloads)."""
    script_name = request.script_root if has_request_context() else None
    adapter = current_app.url_map.bind("localhost", script_name=script_name or None)
    return adapter.build(endpoint, values)
