"""The one place user Markdown becomes HTML: rendered without raw HTML, then sanitized."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4", "h5", "h6", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    """Strip everything outside the allowlist; links get rel=noopener noreferrer nofollow."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str | None) -> Markup:
    """Markdown to safe HTML for pages and socket payloads alike."""
    if not text:
        return Markup("")
    html = sanitize_html(_md.render(text))
    return Markup(html)  # noqa: S704  # nosec B704  # nh3 has just sanitized it


_chat_md = MarkdownIt("zero", {"breaks": True}).enable(["emphasis", "link", "backticks", "newline", "escape"])
CHAT_TAGS = {"p", "br", "strong", "em", "a", "code"}


def render_chat(text: str | None) -> Markup:
    """Markdown-lite for chat: emphasis, code and links (http, https, mailto) that open safely; nothing else."""
    if not text:
        return Markup("")
    html = nh3.clean(
        _chat_md.render(text),
        tags=CHAT_TAGS,
        attributes={"a": {"href"}},
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )
    return Markup(html)  # noqa: S704  # nosec B704  # nh3 has just sanitized it
