"""The one place user Markdown becomes HTML: rendered without raw HTML, then sanitized."""

from __future__ import annotations

from functools import lru_cache

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


#: Rendering is a pure function of the text and pages show the same texts to many readers, so the HTML of recent
#: texts is kept; texts longer than this are rendered each time (they are few, and would crowd the cache).
CACHED_TEXT_LIMIT = 4000


def _cached(render):
    """render(text) -> str, remembering the HTML of the last few thousand short texts."""
    remembered = lru_cache(maxsize=4096)(render)

    def cached(text: str) -> str:
        return remembered(text) if len(text) <= CACHED_TEXT_LIMIT else render(text)

    cached.cache_clear = remembered.cache_clear
    return cached


@_cached
def _markdown_html(text: str) -> str:
    return sanitize_html(_md.render(text))


def render_markdown(text: str | None) -> Markup:
    """Markdown to safe HTML for pages and socket payloads alike."""
    if not text:
        return Markup("")
    html = _markdown_html(text)
    return Markup(html)  # noqa: S704  # nosec B704  # nh3 has sanitized it


_chat_md = MarkdownIt("zero", {"breaks": True}).enable(["emphasis", "link", "backticks", "newline", "escape"])
CHAT_TAGS = {"p", "br", "strong", "em", "a", "code"}


@_cached
def _chat_html(text: str) -> str:
    return nh3.clean(
        _chat_md.render(text),
        tags=CHAT_TAGS,
        attributes={"a": {"href"}},
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )


def render_chat(text: str | None) -> Markup:
    """Markdown-lite for chat: emphasis, code and links (http, https, mailto) that open safely; nothing else."""
    if not text:
        return Markup("")
    html = _chat_html(text)
    return Markup(html)  # noqa: S704  # nosec B704  # nh3 has sanitized it


def forget_rendered_texts() -> None:
    """Empty this process's caches of rendered texts (after an erasure rewrote texts that named someone)."""
    _markdown_html.cache_clear()
    _chat_html.cache_clear()
