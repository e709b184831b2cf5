"""CSV exports people open in a spreadsheet: UTF-8 with a BOM, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from markdown_it import MarkdownIt

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: parsed as the pages render it (commonmark, raw HTML kept as text), to read back the words without the marks
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def _inline_text(children) -> str:
    """The words of one paragraph or heading; a link reads 'its text (its address)'; line breaks are kept."""
    parts: list[str] = []
    links: list[tuple[str, int]] = []  # (address, where its text starts in parts)
    for token in children or ():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "link_open":
            links.append((token.attrGet("href") or "", len(parts)))
        elif token.type == "link_close" and links:
            href, start = links.pop()
            if href and "".join(parts[start:]).strip() != href.removeprefix("mailto:"):
                parts.append(f" ({href})")
    return "".join(parts)


def markdown_text(text: str | None) -> str:
    """Markdown as plain text for a spreadsheet cell: no marks, one line per list item, blank lines between blocks."""
    blocks: list[tuple[str, int | None]] = []  # (text, which outermost list it is in, None outside lists)
    lists: list[list] = []  # the open lists, innermost last: [next number] or [None] for bullets
    marker, outermost = "", 0
    for token in _md.parse(text or ""):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            outermost += not lists
            lists.append([int(token.attrGet("start") or 1) if token.type == "ordered_list_open" else None])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            number = lists[-1][0]
            marker = "• " if number is None else f"{number}. "
            if number is not None:
                lists[-1][0] = number + 1
        elif token.type in ("inline", "fence", "code_block"):
            body = _inline_text(token.children) if token.type == "inline" else token.content.rstrip("\n")
            indent = "  " * max(len(lists) - 1, 0)
            first = indent + marker
            lines = body.split("\n")
            body = "\n".join([first + lines[0]] + [indent + " " * len(marker) + line for line in lines[1:]])
            marker = ""
            blocks.append((body, outermost if lists else None))
    out = ""
    for index, (body, in_list) in enumerate(blocks):
        if index:
            out += "\n" if in_list is not None and blocks[index - 1][1] == in_list else "\n\n"
        out += body
    return out.strip()


def safe_cell(value) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_document(rows: Iterable[Iterable]) -> str:
    """The rows as CSV text starting with the UTF-8 byte order mark (so spreadsheets read accents right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return "\ufeff" + out.getvalue()
