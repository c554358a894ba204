"""Reading the figures back out of a rendered report: the HTML's marked cells, the
Markdown's table rows. The tests compare them with figures worked out by hand."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Marked(HTMLParser):
    """Text of every element carrying a ``data-*`` attribute: (attribute, value) → text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, list[tuple[str, str]]]] = []
        self.found: dict[tuple[str, str], list[str]] = {}
        self.texts: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th", "div", "p", "li", "br") and self.texts:
            self.texts[-1].append(" ")  # cells and blocks read as separate words
        marks = [(k, v or "") for k, v in attrs if k.startswith("data-")]
        self.stack.append((tag, marks))
        self.texts.append([])

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, marks = self.stack.pop()
            text = "".join(self.texts.pop())
            if self.texts:
                self.texts[-1].append(text)
            for mark in marks:
                self.found.setdefault(mark, []).append(" ".join(text.split()))
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.texts:
            self.texts[-1].append(data)


def marked(html: str) -> dict[tuple[str, str], list[str]]:
    """``{("data-figure", "composite"): ["43.8"], ("data-tier", "A"): ["A 2 40.0 % …"]}``."""
    parser = _Marked()
    parser.feed(html)
    parser.close()
    return parser.found


def md_rows(markdown: str) -> list[list[str]]:
    """Every Markdown table row as its cells (escapes undone)."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("|") and not set(line) <= set("|-: "):
            cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
            rows.append([re.sub(r"\\(.)", r"\1", c).strip() for c in cells])
    return rows


def md_row(markdown: str, first: str) -> list[str]:
    """The table row whose first cell is ``first``."""
    for row in md_rows(markdown):
        if row[0].strip("* ") == first:
            return row
    raise AssertionError(f"no row {first!r} in the Markdown")
