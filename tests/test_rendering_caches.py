"""What pages keep between requests: rendered Markdown, formatted times, the template translations of a request."""

from __future__ import annotations

from datetime import datetime

from flask import render_template_string

from stac_youth.common import markdown, templating
from stac_youth.common.i18n import as_reader


def test_a_chat_text_is_rendered_once_and_stays_sanitized(app, monkeypatch):
    calls = []
    original = markdown._chat_md.render
    monkeypatch.setattr(markdown._chat_md, "render", lambda text: calls.append(text) or original(text))
    markdown._chat_html.cache_clear()
    text = "**hi** <script>alert(1)</script> [x](javascript:alert(1))"
    first, second = markdown.render_chat(text), markdown.render_chat(text)
    assert first == second and "<strong>hi</strong>" in first
    assert "<script" not in first and "href" not in first  # the script is text, the javascript: link no link
    assert calls == [text]


def test_long_texts_are_rendered_each_time(app, monkeypatch):
    calls = []
    original = markdown._md.render
    monkeypatch.setattr(markdown._md, "render", lambda text: calls.append(text) or original(text))
    markdown._markdown_html.cache_clear()
    short, long = "A *short* proposal.", "word " * (markdown.CACHED_TEXT_LIMIT // 5 + 1)
    for _ in range(2):
        markdown.render_markdown(short)
        markdown.render_markdown(long)
    assert calls == [short, long, long]


def test_formatted_times_follow_the_readers_language_and_zone(app, monkeypatch):
    calls = []
    original = templating.format_datetime
    monkeypatch.setattr(templating, "format_datetime", lambda *args: calls.append(args) or original(*args))
    templating._FORMATTED.clear()
    when = datetime(2026, 12, 1, 18, 30)  # stored UTC: 10:30 in California, 13:30 in New York
    with app.test_request_context("/"):
        english = [templating.local_datetime(when, "short") for _ in range(3)]
        with as_reader("es", "America/New_York"):
            spanish = templating.local_datetime(when, "short")
        with as_reader("en", "America/New_York"):
            eastern = templating.local_datetime(when, "short")
    assert english == ["12/1/26, 10:30\u202fAM"] * 3
    assert spanish == "1/12/26, 13:30"
    assert eastern == "12/1/26, 1:30\u202fPM"
    assert len(calls) == 3  # once per (time, language, zone)


def test_shares_are_formatted_once_per_language(app, monkeypatch):
    calls = []
    original = templating.format_decimal
    monkeypatch.setattr(templating, "format_decimal", lambda *args, **kw: calls.append(args) or original(*args, **kw))
    templating._FORMATTED.clear()
    with app.test_request_context("/"):
        english = [templating.one_decimal(41.66) for _ in range(3)] + [templating.one_decimal(1234.5)]
        with as_reader("es", "America/Los_Angeles"):
            spanish = [templating.one_decimal(41.66) for _ in range(2)]
    assert english == ["41.7", "41.7", "41.7", "1,234.5"] and spanish == ["41,7", "41,7"]
    assert len(calls) == 3  # once per (number, language)


def test_template_translations_follow_a_change_of_language_within_a_request(app):
    template = "{{ _('Report') }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        before = render_template_string(template)
        with as_reader("es", "America/Los_Angeles"):
            during = render_template_string(template)
        after = render_template_string(template)
    assert (before, during, after) == ("Report", "Reportar", "Report")
