"""The application form and the implementation plan as PDF (reportlab platypus).

Renders the backend-neutral blocks of :mod:`render.content` — the same blocks the DOCX writer
renders — on the GB/T 9704 page grid of :mod:`render.page`: one frame, the 156 × 225 mm text
block, 28 mm binding margin on the left.  Nothing is drawn outside the text block: the binder
later puts page numbers and the version stamp in the band below it (``page.FOOTER_Y``).

* Cover: :class:`render.pdf_cover.CoverPage`, a page of its own.
* Headings: Hei, 二号 for a document title, 三号/四号/小四 for 一、/（一）/1.
* Paragraphs: Song 小四, 1.5 lines, two-character first-line indent (none for list items).
* Fields: ruled label/value tables like an official Word form, label cells shaded.
* Tables: caption, shaded header row repeated on every page, short columns centred.
* TextBox: a ruled box with a shaded label; its text flows across pages (rows split inside).
* SignBox: a ruled box with the statement and signature/stamp/date lines kept together.

Every text goes through :func:`render.fonts.markup` (via :func:`pdf_styles.para`) so a rare
character falls back to a font that has it.  Output is reproducible: the same blocks and stamp
give the same bytes (``invariant``).  No Qt here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable

from reportlab.lib.colors import Color, black
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, KeepTogether, PageBreak, PageTemplate, Paragraph,
                                Spacer, Table)

from zscq_desktop.render import content as c
from zscq_desktop.render import page as P
from zscq_desktop.render.fonts import FontSet
from zscq_desktop.render.pdf_boxes import RuledBox
from zscq_desktop.render.pdf_cover import CoverPage
from zscq_desktop.render.pdf_styles import (CELL_PAD, CELL_VPAD, FRAME_RULE, RULE, SHADE, TABLE_LEADING, Styles,
                                            make_styles, para, reportlab_settings, table_style, text_width)

__all__ = ["render_pdf", "build_flowables"]

FIELD_ROW_H = 8 * mm  # like the Word form's row height
TEXTBOX_MIN_H = 25 * mm
CENTRE_MAX_CHARS = 12  # columns whose longest cell is this short are centred
WIDE_COLUMNS = 8  # tables with this many columns use the small size
TABLE_GAP = 8  # space after a table, pt
MAX_LABEL_SHARE = 0.6  # of a label/value pair: longer labels wrap
SIGN_AREA_W = 50 * mm  # the rule to sign on, and the width kept free for a seal
BODY_LEADING_MM = 9  # a date line under a seal
SIGNER_GREY = Color(0.35, 0.35, 0.35)
#: a list item's marker ("1." "（一）" "•" and the spaces after it), for the hanging indent
LIST_MARKER = re.compile(c.LIST_ITEM.pattern + r"\s*|^•\s*")
MAX_HANG = 4  # markers wider than this many characters get no hanging indent
SIGN_GROUP = 3  # a sign box is kept with its heading if at most this many flowables come between


#: the least of a split row that may stay at a page foot: two lines of table text and the top padding
MIN_ROW_PART = 2 * TABLE_LEADING + CELL_VPAD


class KeepRowTable(Table):
    """A Table whose page breaks leave no header alone and no empty sliver of a row.

    reportlab splits a row inside (``splitInRow``) at any height, so a repeated header could end a
    page over a 3 pt strip of the next row (the cells are Paragraphs, which reportlab does not
    measure for the minimum split).  Here a split is kept only if every part shown at the page foot
    holds a whole row or at least two lines of the row that is split; otherwise the split falls back
    to whole rows, and if not even one data row fits under the header the table moves on.
    """

    def split(self, aw: float, ah: float) -> list[Flowable]:
        self._calc(aw, ah)
        # a row split inside first, so the page is filled by this part: reportlab splits by whole rows
        # first and then puts the rest in the same frame, repeating the header in mid-page
        for in_row in ((1, 0) if self.splitInRow else (0,)):
            parts = self._splitRows(ah, doInRowSplit=in_row)
            if len(parts) == 1:
                return parts
            # with half a page of room, moving on could not do better (and could loop)
            if len(parts) >= 2 and (ah > P.TEXT_H / 2 or self._good_head(parts[0], aw, ah)):
                return parts
        return []  # not even the header and a row (or two lines of it): the table moves on

    def _good_head(self, head: Flowable, aw: float, ah: float) -> bool:
        if not isinstance(head, Table):
            return True
        head.wrap(aw, ah)
        heads = self.repeatRows if isinstance(self.repeatRows, int) else max(self.repeatRows) + 1
        rows = head._rowHeights
        if len(rows) <= heads:
            return False  # a header with nothing under it
        last = len(rows) - 1
        whole = last < len(self._rowHeights) and rows[last] >= self._rowHeights[last] - 0.5
        return whole or rows[last] >= MIN_ROW_PART


class CaptionedTable(Flowable):
    """A table with its caption: the caption never ends a page alone, and a long table starts under
    its caption on the current page instead of moving whole to the next (reportlab's keep-with-next
    moves caption and table together whenever the table is shorter than a page)."""

    def __init__(self, caption: Paragraph, table: Table) -> None:
        super().__init__()
        self.caption, self.table = caption, table

    def _caption_h(self, aw: float) -> float:
        return self.caption.wrap(aw, P.TEXT_H)[1] + self.caption.getSpaceBefore() + self.caption.getSpaceAfter()

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._ch = self._caption_h(aw)
        _w, th = self.table.wrap(aw, max(0.0, ah - self._ch))
        self.width, self.height = aw, self._ch + th
        return self.width, self.height

    def getSpaceAfter(self) -> float:
        return self.table.getSpaceAfter()

    def split(self, aw: float, ah: float) -> list[Flowable]:
        ch = self._caption_h(aw)
        if ah <= ch:
            return []
        parts = self.table.split(aw, ah - ch)
        if len(parts) < 2:
            return []  # not even the header and a row fit under the caption: both move on
        return [CaptionedTable(self.caption, parts[0]), *parts[1:]]

    def draw(self) -> None:
        cap = self.caption
        _w, h = cap.wrap(self.width, P.TEXT_H)
        cap.drawOn(self.canv, 0, self.height - cap.getSpaceBefore() - h)
        self.table.drawOn(self.canv, 0, 0)


def _widths(rel: Iterable[float] | None, n: int, total: float = P.TEXT_W) -> list[float]:
    rel = [max(0.01, float(x)) for x in rel] if rel is not None else [1.0] * n
    if len(rel) != n:
        rel = [1.0] * n
    s = sum(rel)
    return [total * x / s for x in rel]


def _base_style(header: bool = False) -> list[tuple]:
    style: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), RULE, black),
        ("BOX", (0, 0), (-1, -1), FRAME_RULE, black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_VPAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_VPAD + 1),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    return style


class _Writer:
    def __init__(self, fonts: FontSet) -> None:
        self.fonts = fonts
        self.s: Styles = make_styles(fonts)
        self._hanging: dict[float, ParagraphStyle] = {}

    def p(self, text: str, style: ParagraphStyle) -> Paragraph:
        return para(text, style, self.fonts)

    def body(self, item: c.Para) -> Paragraph:
        """A paragraph of prose; a list item ("1." "（一）" "•") gets a hanging indent so its wrapped
        lines align after the marker."""
        if item.indent:
            return self.p(item.text, self.s.body)
        m = LIST_MARKER.match(item.text)
        if not m:
            return self.p(item.text, self.s.body_flush)
        base = self.s.body_flush
        hang = round(text_width(m.group(), base.fontName, base.fontSize, self.fonts), 1)
        if hang > MAX_HANG * base.fontSize:
            return self.p(item.text, base)
        style = self._hanging.get(hang)
        if style is None:
            style = self._hanging[hang] = ParagraphStyle(f"Hang{hang}", parent=base, leftIndent=hang,
                                                         firstLineIndent=-hang)
        return self.p(item.text, style)

    # -- blocks -------------------------------------------------------------------------------------

    def flowables(self, blocks: Iterable[c.Block]) -> list[Flowable]:
        out: list[Flowable] = []
        page_fresh = True  # nothing on the current page yet: a PageBreak here would leave it blank
        heading_at: int | None = None  # index in `out` of the last heading
        signing = False  # the last block was a box to sign or stamp
        for b in blocks:
            if isinstance(b, (c.PageBreak, c.Cover)):
                heading_at = None  # never group across a page break
            if isinstance(b, c.PageBreak):
                if not page_fresh:
                    out.append(PageBreak())
                    page_fresh = True
                continue
            if isinstance(b, c.Cover):
                if not page_fresh:
                    out.append(PageBreak())
                out += [CoverPage(b, self.fonts), PageBreak()]
                page_fresh = True
                continue
            page_fresh = False
            if isinstance(b, c.Heading):
                heading_at = len(out)
                out.append(self.p(b.text, self.s.title if b.level <= 0 else self.s.headings[min(3, b.level)]))
            elif isinstance(b, c.Para):
                out.append(self.body(b))
            elif isinstance(b, c.Fields):
                if b.rows:
                    out.append(self.fields(b))
            elif isinstance(b, c.Table):
                out += self.table(b)
            elif isinstance(b, c.TextBox):
                out.append(self.textbox(b))
            elif isinstance(b, c.SignBox):
                box, fits = self.signbox(b)
                if not fits:  # longer than a page: it flows, its signature lines stay together
                    out.append(box)
                elif heading_at is not None and len(out) - heading_at <= SIGN_GROUP:
                    # a statement to sign stays on one page with its heading (and the signer's row)
                    group = out[heading_at:] + [box]
                    del out[heading_at:]
                    out.append(KeepTogether(group))
                elif signing and out and isinstance(out[-1], KeepTogether):
                    # boxes of one section (区 and 市 opinions) stay on one page with their heading: a
                    # municipal box alone at the top of a page looks like a stray sheet to an evaluator
                    out.append(KeepTogether(list(out.pop()._content) + [box]))
                else:
                    out.append(KeepTogether([box]))
                heading_at = None
                signing = True
                continue
            signing = False
        if out and isinstance(out[-1], PageBreak):
            out.pop()  # no empty last page
        return out or [Spacer(1, 1)]

    def fields(self, f: c.Fields) -> Table:
        n = max(1, f.per_row)
        share = 0.44 if n > 1 else 0.32
        # a label cell as wide as its longest label needs (项目总经费（万元）), so none runs into the rules
        longest = max((text_width(lb, self.s.label.fontName, self.s.label.fontSize, self.fonts) for lb, _ in f.rows),
                      default=0.0)
        share = min(MAX_LABEL_SHARE, max(share, (longest + 2 * CELL_PAD + 3) / (P.TEXT_W / n)))
        widths = _widths([share, 1 - share] * n, 2 * n)
        rows: list[list] = []
        style = _base_style()
        items = list(f.rows)
        for r, i in enumerate(range(0, len(items), n)):
            chunk = items[i:i + n]
            row: list = []
            for j, (label, value) in enumerate(chunk):
                row += [self.p(label, self.s.label), self.p(value, self.s.cell)]
                style.append(("BACKGROUND", (2 * j, r), (2 * j, r), SHADE))
            if len(chunk) < n:  # the last value spans the rest of the row
                row += [""] * (2 * (n - len(chunk)))
                style.append(("SPAN", (2 * len(chunk) - 1, r), (-1, r)))
            rows.append(row)
        return KeepRowTable(rows, colWidths=widths, style=table_style(style, self.fonts), minRowHeights=[FIELD_ROW_H] * len(rows),
                     splitInRow=1, spaceAfter=TABLE_GAP, hAlign="LEFT")

    def table(self, t: c.Table) -> list[Flowable]:
        ncol = len(t.columns) or max((len(r) for r in t.rows), default=1)
        small = ncol >= WIDE_COLUMNS
        head = self.s.cell_small_head if small else self.s.cell_head
        longest = [0] * ncol
        for r in t.rows:
            for k, cell in enumerate(r[:ncol]):
                longest[k] = max(longest[k], len(cell))
        if small:
            plain, centred = self.s.cell_small, self.s.cell_small_center
        else:
            plain, centred = self.s.cell, self.s.cell_center
        col_style = [centred if m <= CENTRE_MAX_CHARS else plain for m in longest]
        data: list[list] = []
        if t.columns:
            data.append([self.p(col, head) for col in t.columns])
        for r in t.rows:
            cells = list(r[:ncol]) + [""] * (ncol - len(r))
            data.append([self.p(cell, col_style[k]) for k, cell in enumerate(cells)])
        if not data:
            data.append([""] * ncol)
        style = _base_style(bool(t.columns))
        if t.total:
            style += self._total_row(t.total, ncol, len(data), head, col_style, data)
        table = KeepRowTable(data, colWidths=_widths(t.widths, ncol), style=table_style(style, self.fonts),
                      repeatRows=1 if t.columns else 0, splitInRow=1, spaceAfter=TABLE_GAP, hAlign="LEFT")
        if t.caption:
            return [CaptionedTable(self.p(t.caption, self.s.caption_free), table)]
        return [table]

    def _total_row(self, total: tuple[str, ...], ncol: int, r: int, head: ParagraphStyle,
                   col_style: list[ParagraphStyle], data: list[list]) -> list[tuple]:
        """Append the 合计 row to ``data``; return its style: the label (Hei, shaded like a label
        cell) spans the empty cells after it."""
        cells = list(total[:ncol]) + [""] * (ncol - len(total))
        span = 1
        while span < ncol and not cells[span]:
            span += 1
        if span == ncol:  # nothing but the label: do not swallow the whole row
            span = 1
        data.append([self.p(cells[0], head)] + [self.p(x, col_style[k + 1]) for k, x in enumerate(cells[1:])])
        style: list[tuple] = [("BACKGROUND", (0, r), (span - 1, r), SHADE)]
        if span > 1:
            style.append(("SPAN", (0, r), (span - 1, r)))
        return style

    def textbox(self, tb: c.TextBox) -> RuledBox:
        """Shaded label strip (repeated on every page the answer runs over), then the text."""
        box = RuledBox(self.p(tb.label, self.s.box_title), [self.body(pa) for pa in c._paras(tb.text) if isinstance(pa, c.Para)],
                       shade=SHADE, pad_x=CELL_PAD + 2, pad_top=CELL_VPAD + 2, pad_bottom=CELL_VPAD + 4,
                       min_height=TEXTBOX_MIN_H, frame=FRAME_RULE, rule=RULE)
        box.spaceAfter = TABLE_GAP
        return box

    def signbox(self, sb: c.SignBox) -> tuple[RuledBox, bool]:
        """Statement, room to write, then the signature/seal/date lines (kept together); and whether
        the box fits a page (then it is never split)."""
        body: list[Flowable] = [self.body(pa) for pa in c._paras(sb.text) if isinstance(pa, c.Para)] if sb.text.strip() else []
        inner = P.TEXT_W - 2 * (CELL_PAD + 2)
        signs = self.sign_lines(sb, inner)
        title = self.p(sb.title, self.s.box_title) if sb.title else None
        used = sum(f.wrap(inner, P.TEXT_H)[1] for f in [*body, signs] + ([title] if title else [])) + 20
        body += [Spacer(1, max(6 * mm, sb.min_height_mm * mm - used)), signs]  # room to write an opinion
        box = RuledBox(title, body, label_rule=False, pad_x=CELL_PAD + 2, pad_top=2, pad_bottom=CELL_VPAD + 6,
                       label_pad=CELL_VPAD, frame=FRAME_RULE)
        box.spaceAfter = TABLE_GAP
        return box, max(used, sb.min_height_mm * mm) < 0.8 * P.TEXT_H

    def sign_lines(self, sb: c.SignBox, inner: float) -> Table:
        """The lines at a box's foot, right of centre as on a paper form: a signature line has an
        empty rule to sign on (the typed name small under it), a seal line a free area of
        ``SEAL_MM`` square beside and under it (the date line below sits inside that area)."""
        lines = sb.sign_lines or ("",)
        label_style = ParagraphStyle("SignLabel", parent=self.s.sign, alignment=TA_LEFT, rightIndent=0, spaceBefore=0)
        name_style = ParagraphStyle("Signer", parent=self.s.cell_center, fontSize=9, leading=11, textColor=SIGNER_GREY)
        label_w = max(text_width(x, label_style.fontName, label_style.fontSize, self.fonts) for x in lines) + 4
        area = SIGN_AREA_W
        widths = [max(0.0, inner - label_w - area), label_w, area]
        rows: list[list] = []
        heights: list[float | None] = []
        style: list[tuple] = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                              ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
        date_h = BODY_LEADING_MM * mm
        for line in lines:
            r = len(rows)
            if c.is_signature(line):
                rows.append(["", self.p(line, label_style), ""])
                heights.append(c.SIGN_MM * mm)
                style += [("VALIGN", (0, r), (-1, r), "BOTTOM"), ("LINEBELOW", (2, r), (2, r), RULE, black)]
                if sb.signer:
                    rows.append(["", "", self.p(f"（{sb.signer}）", name_style)])
                    heights.append(None)
            elif c.is_seal(line):
                rows.append(["", self.p(line, label_style), ""])
                following = 1 if line is not lines[-1] else 0  # the date under it shares the seal's area
                heights.append(c.SEAL_MM * mm - following * date_h)
                style.append(("VALIGN", (0, r), (-1, r), "TOP"))
            else:
                rows.append(["", self.p(line, self.s.sign), ""])
                heights.append(date_h)
                style += [("SPAN", (1, r), (2, r)), ("VALIGN", (0, r), (-1, r), "BOTTOM")]
        return Table(rows, colWidths=widths, rowHeights=heights, style=table_style(style, self.fonts), hAlign="LEFT")


def build_flowables(doc: c.Document, fonts: FontSet) -> list[Flowable]:
    """The platypus flowables of ``doc`` (for callers that add their own pages)."""
    return _Writer(fonts).flowables(doc.blocks)


class KeepWithNext(KeepTogether):
    """reportlab's group for keep-with-next (a heading and what follows), moved to the next page only
    when less than a quarter page is left; with more room it is split, and what follows keeps its
    own minimum under the heading (a table its header and a row, a paragraph two lines), so a long
    table or box no longer leaves most of a page empty."""

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        if self._H > aH >= P.TEXT_H / 4 and self._H0 < aH:
            return [self.NullActionFlowable(), *self._content]  # set here: each part splits by its own rules
        return super().split(aW, aH)


class PageDoc(BaseDocTemplate):
    """A doc template that sets each page on a recto or a verso template by its number.

    Switching by page number (not by reportlab's ``autoNextPageTemplate``, which a peek for
    keep-with-next can advance twice) keeps the parity exact.  ``recto(n)`` says whether page ``n``
    (1-based) is a right-hand page.
    """

    def __init__(self, *args: object, recto: Callable[[int], bool] = lambda n: True, **kw: object) -> None:
        super().__init__(*args, **kw)
        self.recto = recto
        self.keepTogetherClass = KeepWithNext

    def handle_pageBegin(self) -> None:
        self.pageTemplate = self.pageTemplates[0 if self.recto(self.page + 1) else 1]
        super().handle_pageBegin()


def page_templates() -> list[PageTemplate]:
    """A recto (binding margin left) and a verso (mirrored: binding margin right) template."""
    def frame(recto: bool) -> Frame:
        return Frame(P.text_left(recto), P.MARGIN_BOTTOM, P.TEXT_W, P.TEXT_H, leftPadding=0, rightPadding=0,
                     topPadding=0, bottomPadding=0, id="text")

    return [PageTemplate("recto", [frame(True)]), PageTemplate("verso", [frame(False)])]


def recto_rule(doc: c.Document, duplex: bool) -> Callable[[int], bool]:
    """Which pages of ``doc`` are rectos in the volume.

    Single-sided every page is.  Double-sided the volume puts a document's first page on a recto
    and, after the form's cover (a sheet of its own, its back left blank), the form's next page on
    a recto again; so with a cover page 2 is a recto and the pages alternate from there.
    """
    if not duplex:
        return lambda n: True
    if doc.blocks and isinstance(doc.blocks[0], c.Cover):
        return lambda n: n == 1 or n % 2 == 0
    return lambda n: n % 2 == 1


def render_pdf(doc: c.Document, *, fonts: FontSet, stamp: str, duplex: bool = False) -> bytes:
    """Render a form or plan document to PDF bytes on the GB/T 9704 grid (A4 portrait).

    The version ``stamp`` and the document's title, unit and direction go into the PDF metadata;
    nothing is drawn in the footer band (the binder numbers and stamps the pages).  With ``duplex``
    the versos are mirrored (:func:`recto_rule`).
    """
    meta = doc.meta or {}
    title = meta.get("title") or doc.title
    direction, unit, call = meta.get("direction", ""), meta.get("unit", ""), meta.get("call", "")
    buf = io.BytesIO()
    template = PageDoc(
        buf, recto=recto_rule(doc, duplex), pagesize=A4, pageTemplates=page_templates(), title=title, author=unit,
        subject="；".join(x for x in (direction, f"版本 {stamp}" if stamp else "") if x),
        keywords="；".join(x for x in (call, direction, unit, f"版本 {stamp}" if stamp else "") if x),
        creator="zscq-desktop", producer="zscq-desktop (reportlab)", invariant=1, lang="zh-CN",
        initialFontName=fonts.body,  # else an unembedded Helvetica sits in every page's resources
        leftMargin=P.MARGIN_LEFT, rightMargin=P.MARGIN_RIGHT, topMargin=P.MARGIN_TOP, bottomMargin=P.MARGIN_BOTTOM,
    )
    flowables = build_flowables(doc, fonts)
    with reportlab_settings():
        template.build(flowables)
    return buf.getvalue()
