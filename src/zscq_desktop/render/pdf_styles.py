"""Type sizes, paragraph styles and small helpers shared by the PDF writer, its cover and the checklist.

The sizes follow the DOCX writer (``render.docx_writer``) so the printed volume and the editable
Word copies look like the same official form: Song body 小四 (12 pt) with 1.5-line leading,
Hei headings 三号/四号/小四, tables 五号 (10.5 pt), wide tables 9 pt, label cells shaded grey.

Every text goes through :func:`para`, which runs :func:`fonts.markup` so a character the face
lacks (喆, 𠀀 …) is drawn from a fallback font instead of a box.  No Qt here.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib.colors import Color, black
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib import textsplit as _textsplit
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, TableStyle
from reportlab.platypus import paragraph as _paragraph_module

from zscq_desktop.render import linebreak
from zscq_desktop.render.fonts import FontSet, font_runs, markup

BODY_PT = 12  # 小四
BODY_LEADING = 21  # ≈ Word's 1.5 lines for a 12 pt CJK face
TABLE_PT = 10.5  # 五号
TABLE_LEADING = 15
WIDE_TABLE_PT = 9  # tables of eight or more columns
TITLE_PT = 22  # 二号
HEADING_PT = {1: 16, 2: 14, 3: 12}  # 三号 / 四号 / 小四
SHADE = Color(0xD9 / 255, 0xD9 / 255, 0xD9 / 255)
RULE = 0.6  # inner table rules, pt
FRAME_RULE = 0.9  # outer box of a table
CELL_PAD = 4  # horizontal cell padding, pt
CELL_VPAD = 3

_rl_lock = threading.RLock()

# reportlab's CJK line breakers keep characters of ``ALL_CANNOT_START`` off the start of a line,
# but the list is Japanese: the Chinese full-width comma, semicolon, colon, ？！》”’… are missing,
# so a line could begin with "，".  Both breakers (one-font paragraphs in ``textsplit``, mixed-font
# ones in ``paragraph``) read their module global at call time.
_CANNOT_START = "".join(dict.fromkeys(_textsplit.ALL_CANNOT_START + "，；：？！）》」』”’…％、。"))
_textsplit.ALL_CANNOT_START = _paragraph_module.ALL_CANNOT_START = _CANNOT_START
linebreak.install()  # every CJK paragraph and table cell breaks by the one routine (禁则)
_SPACES = re.compile(r" {2,}")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@contextmanager
def reportlab_settings() -> Iterator[None]:
    """Plain Flate streams (ASCII85 costs time and +25 % size, DESIGN §9) while a PDF is built.

    ``rl_config`` is process-global, so builds that change it are serialised by one lock.
    """
    with _rl_lock:
        old = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = old


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of a form or plan, set in the given fonts."""

    fonts: FontSet
    body: ParagraphStyle
    body_flush: ParagraphStyle  # list items and statements: no first-line indent
    title: ParagraphStyle
    headings: dict[int, ParagraphStyle]
    caption: ParagraphStyle
    caption_free: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_head: ParagraphStyle
    cell_small: ParagraphStyle
    cell_small_center: ParagraphStyle
    cell_small_head: ParagraphStyle
    label: ParagraphStyle  # the shaded label cells of a Fields table
    box_title: ParagraphStyle
    sign: ParagraphStyle


def make_styles(fonts: FontSet) -> Styles:
    """Build the styles for ``fonts`` (cheap; one set per rendered document)."""
    body = ParagraphStyle("Body", fontName=fonts.body, fontSize=BODY_PT, leading=BODY_LEADING,
                          firstLineIndent=2 * BODY_PT, alignment=TA_JUSTIFY, wordWrap="CJK", textColor=black,
                          allowWidows=0, allowOrphans=0)  # no lone first or last line at a page break
    flush = ParagraphStyle("BodyFlush", parent=body, firstLineIndent=0)
    title = ParagraphStyle("Title", parent=body, fontName=fonts.heading, fontSize=TITLE_PT, leading=TITLE_PT * 1.4,
                           firstLineIndent=0, alignment=TA_CENTER, spaceBefore=0, spaceAfter=18)
    headings = {}
    for level, size in HEADING_PT.items():
        headings[level] = ParagraphStyle(
            f"Heading{level}", parent=body, fontName=fonts.heading, fontSize=size, leading=round(size * 1.5),
            firstLineIndent=0, alignment=TA_LEFT, spaceBefore=10 if level == 1 else 6, spaceAfter=6 if level == 1 else 3,
            keepWithNext=1)
    caption = ParagraphStyle("Caption", parent=body, fontName=fonts.heading, firstLineIndent=0, alignment=TA_CENTER,
                             leading=18, spaceBefore=6, spaceAfter=4, keepWithNext=1)
    caption_free = ParagraphStyle("CaptionFree", parent=caption, keepWithNext=0)  # inside a CaptionedTable
    cell = ParagraphStyle("Cell", parent=body, fontSize=TABLE_PT, leading=TABLE_LEADING, firstLineIndent=0,
                          alignment=TA_LEFT)
    cell_center = ParagraphStyle("CellCenter", parent=cell, alignment=TA_CENTER)
    cell_head = ParagraphStyle("CellHead", parent=cell_center, fontName=fonts.heading)
    small = ParagraphStyle("CellSmall", parent=cell, fontSize=WIDE_TABLE_PT, leading=13)
    small_center = ParagraphStyle("CellSmallCenter", parent=small, alignment=TA_CENTER)
    small_head = ParagraphStyle("CellSmallHead", parent=small_center, fontName=fonts.heading)
    label = ParagraphStyle("Label", parent=cell_center)
    box_title = ParagraphStyle("BoxTitle", parent=flush, fontName=fonts.heading, spaceBefore=2, spaceAfter=4)
    sign = ParagraphStyle("Sign", parent=flush, alignment=TA_RIGHT, rightIndent=2 * BODY_PT, leading=BODY_LEADING,
                          spaceBefore=4)
    return Styles(fonts, body, flush, title, headings, caption, caption_free, cell, cell_center, cell_head, small,
                  small_center, small_head, label, box_title, sign)


def clean(text: object) -> str:
    """Text safe for a PDF: control characters (but newlines and tabs) dropped, lone surrogates from
    broken input replaced."""
    s = _CONTROL.sub("", "" if text is None else str(text))
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        s = s.encode("utf-8", "replace").decode("utf-8")
    return s


def table_style(commands: list[tuple], fonts: FontSet) -> TableStyle:
    """A TableStyle whose plain-string cells use the body font: reportlab's default is Helvetica,
    which would sit unembedded in every page's resources even for an empty cell."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.body), *commands])


def para(text: str, style: ParagraphStyle, fonts: FontSet) -> Paragraph:
    """A Paragraph of plain ``text`` (escaped, newlines kept) with per-character font fallback."""
    text = clean(text)
    # runs of spaces (e.g. "年    月    日") would collapse to one: keep them as no-break spaces
    text = _SPACES.sub(lambda m: "\u00a0" * len(m.group()), text.replace("\t", "    "))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return Paragraph("<br/>".join(markup(line, style.fontName, fonts) for line in lines), style)


# -- drawing text straight on a canvas (cover, checklist) -------------------------------------------

NO_LINE_START = linebreak.NO_START  # kinsoku: never start a line with these


def char_widths(text: str, font: str, size: float, fonts: FontSet) -> list[float]:
    """The advance width of each character of ``text``, each in the font that will draw it."""
    out: list[float] = []
    for name, run in font_runs(text, font, fonts):
        out += [stringWidth(ch, name, size) for ch in run]
    return out


def text_width(text: str, font: str, size: float, fonts: FontSet) -> float:
    return sum(stringWidth(run, name, size) for name, run in font_runs(text, font, fonts))


def wrap_chars(text: str, font: str, size: float, width: float, fonts: FontSet) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` by the Chinese line-breaking rules of
    :mod:`render.linebreak` (no closing mark at a line start, no opening one at a line end, numbers
    and dates whole, no single-character last line).  Newlines are kept."""
    return linebreak.wrap(text, lambda part: char_widths(part, font, size, fonts), width)


def draw_text(canv: Canvas, x: float, y: float, text: str, font: str, size: float, fonts: FontSet,
              align: str = "left") -> float:
    """Draw one line at baseline ``y`` (``align`` left/centre/right about ``x``) with per-character
    fallback; return its width."""
    w = text_width(text, font, size, fonts)
    if align == "center":
        x -= w / 2
    elif align == "right":
        x -= w
    t = canv.beginText(x, y)
    for name, run in font_runs(text, font, fonts):
        t.setFont(name, size)
        t.textOut(run)
    canv.drawText(t)
    return w


def draw_spread(canv: Canvas, x: float, y: float, text: str, font: str, size: float, width: float,
                fonts: FontSet) -> None:
    """Draw ``text`` with its characters spread evenly over ``width`` (Word's 分散对齐)."""
    ws = char_widths(text, font, size, fonts)
    if len(text) < 2 or sum(ws) >= width:
        draw_text(canv, x, y, text, font, size, fonts)
        return
    gap = (width - sum(ws)) / (len(text) - 1)
    for ch, w in zip(text, ws):
        draw_text(canv, x, y, ch, font, size, fonts)
        x += w + gap
