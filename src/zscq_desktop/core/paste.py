"""Blocks of cells pasted from Excel, WPS or Word, and copied back out (no Qt).

- `parse_text`: tab/newline text (what every spreadsheet puts on the clipboard as text/plain),
  with Excel's quoting of cells that hold a tab, a newline or a quote.
- `parse_html`: the first `<table>` of text/html (Excel, WPS and Word put one there); `colspan`
  cells are spread over their columns, `<br>` and paragraphs become line breaks in the cell.
- `parse_number`: an amount or count as people write it: “1,200.50”, “￥1 200”, “5万” (5 in a
  万元 column, 50000 elsewhere), “12000元” (1.2 in a 万元 column), full-width digits.
- `to_text` / `to_html`: a block for the clipboard, readable by the same programs.
"""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

from zscq_desktop.core.validators import normalize_ascii

Grid = list[list[str]]
_NUMBER = re.compile(r"^([+-]?[0-9]*\.?[0-9]+)(万元|万|元)?$")
_WAN = Decimal(10000)


def parse_text(text: str) -> Grid:
    """Rows of cells from tab/newline text; one trailing line break (Excel adds it) is dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if not text:
        return []
    if '"' not in text:
        return [line.split("\t") for line in text.split("\n")]
    return [row or [""] for row in csv.reader(io.StringIO(text), delimiter="\t", quotechar='"')]


class _TableParser(HTMLParser):
    """Collects the cells of the first table (nested tables are read as text of their cell)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: Grid = []
        self.depth = 0
        self.done = False
        self.cell: list[str] | None = None
        self.span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "table":
            self.depth += 1
        elif self.depth != 1:
            if tag in ("br", "p", "div") and self.cell is not None:
                self.cell.append("\n")
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            if not self.rows:
                self.rows.append([])
            self.cell = []
            try:
                self.span = max(1, min(50, int(dict(attrs).get("colspan") or 1)))
            except ValueError:
                self.span = 1
        elif tag in ("br", "p", "div") and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.done:
            return
        if tag == "table":
            self.depth -= 1
            self.done = self.depth == 0
        elif self.depth == 1 and tag in ("td", "th") and self.cell is not None:
            self._close_cell()

    def _close_cell(self) -> None:
        assert self.cell is not None
        lines = [" ".join(line.split()) for line in "".join(self.cell).replace("\xa0", " ").split("\n")]
        self.rows[-1].extend(["\n".join(x for x in lines if x)] + [""] * (self.span - 1))
        self.cell, self.span = None, 1

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.done:
            self.cell.append(data)


def parse_html(markup: str) -> Grid | None:
    """The cells of the first `<table>` in `markup`, or None when there is no table."""
    if "<table" not in markup.lower():
        return None
    parser = _TableParser()
    parser.feed(markup)
    parser.close()
    if parser.cell is not None and parser.rows:
        parser._close_cell()
    rows = [r for r in parser.rows if r]
    return rows or None


def parse_number(text: str, *, wan: bool = False, integer: bool = False) -> int | float | None:
    """A number as typed or pasted, or None when it is not one.

    `wan`: the column is in 万元, so “5万” is 5 and “12000元” is 1.2; elsewhere “5万” is 50000.
    `integer`: only whole numbers count (a count of patents, people).
    """
    s = normalize_ascii(text)
    s = re.sub(r"[\s,，￥¥]", "", s)
    m = _NUMBER.match(s)
    if not m:
        return None
    try:
        value = Decimal(m.group(1))
    except InvalidOperation:
        return None
    unit = m.group(2) or ""
    divided = unit == "元" and wan
    if unit.startswith("万") and not wan:
        value *= _WAN
    elif divided:
        value /= _WAN
    whole = value == value.to_integral_value()
    if integer:
        return int(value) if whole else None
    return int(value) if whole and "." not in m.group(1) and not divided else float(value)


def to_text(grid: Grid) -> str:
    """Tab/newline text of a block (cells holding a tab, newline or quote are quoted, as Excel does)."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", quotechar='"', lineterminator="\n").writerows(grid)
    return out.getvalue()


def to_html(grid: Grid) -> str:
    """A minimal HTML table of a block (what Word and WPS paste as a table)."""
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c).replace(chr(10), '<br>')}</td>" for c in row) + "</tr>"
                   for row in grid)
    return f"<html><body><table>{body}</table></body></html>"
