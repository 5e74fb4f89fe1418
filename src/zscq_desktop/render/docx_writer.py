"""Editable Word (DOCX) copies of the application form and the implementation plan.

Renders the same backend-neutral blocks as the PDF writer (`render.content`) with python-docx:
A4 portrait on the GB/T 9704 page grid (`render.page`), Song body / Hei headings declared as
East Asian fonts (``w:rFonts w:eastAsia``), real Heading 1–3 styles for Word's navigation pane,
ruled Word tables with repeating header rows, page numbers "— 1 —" in the footer (none on the
cover) and the version stamp small at the outer edge of the same footer line.

Tables and paragraphs are built straight as WordprocessingML with lxml: python-docx's cell API
is quadratic in the table size, and direct XML keeps a 200-row table fast.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from typing import IO, Any, Iterable, Union

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from zscq_desktop.render import content as c

# -- fonts and sizes ---------------------------------------------------------------------------
LATIN = "Times New Roman"
SONG = "宋体"  # body (a Fangsong face would also do; 宋体 is on every Chinese Windows)
HEI = "黑体"  # headings, labels
BODY_PT = 12  # 小四
TABLE_PT = 10.5  # 五号
TITLE_PT = 22  # 二号
HEADING_PT = {1: 16, 2: 14, 3: 12}  # 三号 / 四号 / 小四 (bold)
FOOTER_PT = 14  # 四号, as GB/T 9704 sets page numbers
STAMP_PT = 7.5
SHADE = "D9D9D9"
SPACER_PT = 6  # the paragraph between two tables
WIDE_TABLE_PT = 9  # tables of eight or more columns
SPLIT_ROW_CHARS = 300  # rows with less text than this are kept on one page
SIGN_RULE_CHARS = 18  # the rule to sign on, in underscores (≈ 38 mm at 小四)

# -- page grid (GB/T 9704-2012), kept in step with render.page ----------------------------------
PAGE_W_MM, PAGE_H_MM = 210, 297
TOP_MM, LEFT_MM, TEXT_W_MM, TEXT_H_MM = 37, 28, 156, 225
RIGHT_MM = PAGE_W_MM - LEFT_MM - TEXT_W_MM  # 26
BOTTOM_MM = PAGE_H_MM - TOP_MM - TEXT_H_MM  # 35
FOOTER_MM = 22
COVER_LABEL_MM, COVER_VALUE_MM = 52, 94  # footer line sits about 7 mm below the text block
COVER_VALUE_PT = (14, 12, 10.5, 9)  # value sizes tried until the cover fits one page
COVER_LEADING = 1.3  # exact line height on the cover, × size
COVER_TOP_PT = 22  # the 附件2 / 项目编号 line
COVER_TITLE_BEFORE, COVER_TITLE_AFTER = 60, 30
COVER_ROW_PT = 27  # a field row (9.5 mm), taller when its value wraps
COVER_MIN_GAP, COVER_MAX_GAP = 12, 84  # above the issuer
COVER_SAFETY_PT = 24  # table borders, rounding: what a word processor may add
COVER_FOOT_PT = 16

# custom style ids (names are what Word shows)
ST_INDENT = ("BodyIndent", "正文（首行缩进）")
ST_CELL = ("TableText", "表格文字")
ST_CAPTION = ("TableCaption", "表题")

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _tw(mm: float) -> int:
    """Millimetres to twentieths of a point (dxa)."""
    return round(mm * 72 * 20 / 25.4)


TEXT_W = _tw(TEXT_W_MM)


def _clean(text: Any) -> str:
    s = "" if text is None else str(text)
    s = _BAD_XML.sub("", s)
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from broken input
        s = s.encode("utf-8", "replace").decode("utf-8")
    return s


# -- raw XML helpers -----------------------------------------------------------------------------

def _el(parent: Any, tag: str, **attrs: Any) -> Any:
    e = etree.SubElement(parent, qn(tag))
    for k, v in attrs.items():
        e.set(qn("w:" + k), str(v))
    return e


def _new(tag: str, **attrs: Any) -> Any:
    e = etree.Element(qn(tag), nsmap={"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"})
    for k, v in attrs.items():
        e.set(qn("w:" + k), str(v))
    return e


def _set_fonts(rpr: Any, latin: str, east: str) -> None:
    """Set Latin and East Asian fonts on an ``w:rPr``, dropping theme fonts (they would win)."""
    rf = rpr.find(qn("w:rFonts"))
    if rf is None:
        rf = etree.Element(qn("w:rFonts"))
        rpr.insert(0, rf)
    for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rf.attrib.pop(qn("w:" + a), None)
    rf.set(qn("w:ascii"), latin)
    rf.set(qn("w:hAnsi"), latin)
    rf.set(qn("w:eastAsia"), east)
    rf.set(qn("w:cs"), latin)
    rf.set(qn("w:hint"), "eastAsia")


def _rpr(r: Any, *, bold: bool = False, size: float | None = None, east: str | None = None,
         color: str | None = None, underline: bool = False) -> None:
    if not (bold or size or east or color or underline):
        return
    rpr = _el(r, "w:rPr")
    if east:
        _el(rpr, "w:rFonts", ascii=LATIN, hAnsi=LATIN, eastAsia=east, cs=LATIN, hint="eastAsia")
    if bold:
        _el(rpr, "w:b")
        _el(rpr, "w:bCs")
    if color:
        _el(rpr, "w:color", val=color)
    if size:
        _el(rpr, "w:sz", val=round(size * 2))
        _el(rpr, "w:szCs", val=round(size * 2))
    if underline:
        _el(rpr, "w:u", val="single")


def _text(r: Any, text: str) -> None:
    """Append text to a run; tabs become ``w:tab``, newlines ``w:br``."""
    for i, line in enumerate(text.split("\n")):
        if i:
            _el(r, "w:br")
        for j, part in enumerate(line.split("\t")):
            if j:
                _el(r, "w:tab")
            if part:
                t = _el(r, "w:t")
                t.text = part
                if part[0] == " " or part[-1] == " ":
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _run(p: Any, text: str, **fmt: Any) -> Any:
    r = _el(p, "w:r")
    _rpr(r, **fmt)
    _text(r, _clean(text))
    return r


def _ppr(p: Any, *, style: str | None = None, keep_next: bool = False, break_before: bool = False,
         tabs: Iterable[tuple[str, int]] = (), before: float | None = None, after: float | None = None,
         line: int | None = None, ind: dict[str, int] | None = None, jc: str | None = None,
         rule: str = "auto") -> None:
    """Paragraph properties, in schema order. `line` is in 240ths (240 = single) with `rule` "auto",
    in twentieths of a point with "exact"; `before/after` in pt."""
    if not (style or keep_next or break_before or tabs or before is not None or after is not None or line
            or ind or jc):
        return
    ppr = _el(p, "w:pPr")
    if style:
        _el(ppr, "w:pStyle", val=style)
    if keep_next:
        _el(ppr, "w:keepNext")
    if break_before:
        _el(ppr, "w:pageBreakBefore")
    if tabs:
        ts = _el(ppr, "w:tabs")
        for kind, pos in tabs:
            _el(ts, "w:tab", val=kind, pos=pos)
    if before is not None or after is not None or line:
        sp = _el(ppr, "w:spacing")
        if before is not None:
            sp.set(qn("w:before"), str(round(before * 20)))
        if after is not None:
            sp.set(qn("w:after"), str(round(after * 20)))
        if line:
            sp.set(qn("w:line"), str(line))
            sp.set(qn("w:lineRule"), rule)
    if ind:
        e = _el(ppr, "w:ind")
        for k, v in ind.items():
            e.set(qn("w:" + k), str(v))
    if jc:
        _el(ppr, "w:jc", val=jc)


def _border(parent: Any, side: str, val: str = "single", sz: int = 4) -> None:
    if val in ("nil", "none"):
        _el(parent, f"w:{side}", val=val)
    else:
        _el(parent, f"w:{side}", val=val, sz=sz, space=0, color="000000")


def _cover_lines(value: str, size: float, width_pt: float) -> int:
    """Lines a cover value takes at ``size`` in ``width_pt`` (CJK a full em, other characters
    ≈ 0.6 em: a little more than any Song face needs), broken by the 禁则 routine."""
    from zscq_desktop.render.linebreak import wrap

    return len(wrap(value, lambda s: [size if ord(ch) > 0x2E80 else 0.6 * size for ch in s], width_pt))


def _widths(rel: Iterable[float], total: int = TEXT_W) -> list[int]:
    rel = [max(0.01, float(x)) for x in rel]
    s = sum(rel)
    out = [int(total * x / s) for x in rel]
    out[-1] += total - sum(out)
    return out


# -- the writer ----------------------------------------------------------------------------------

class _Writer:
    def __init__(self, doc: c.Document, stamp: str, first_number: int = 1, marker: Any = None) -> None:
        self.src = doc
        self.first_number = first_number
        self.marker = marker  # wordio.marks.Marker: invisible field marks for the Word round trip
        self.stamp = _clean(stamp)
        self.docx = docx.Document()
        self.body = self.docx.element.body
        self.sect = self.body.find(qn("w:sectPr"))
        self.pending_break = False
        self.table_style = self.docx.styles["Table Grid"].style_id
        self.has_cover = any(isinstance(b, c.Cover) for b in doc.blocks[:1])

    def _mark(self, el: Any, path: str, printed: Any) -> None:
        if self.marker is not None and path:
            self.marker.add(el, path, printed)

    # body insertion: everything goes before the final sectPr
    def _add(self, e: Any) -> Any:
        self.sect.addprevious(e)
        return e

    def _p(self, *, text: str = "", style: str | None = None, runs: Iterable[tuple[str, dict]] = (),
           **ppr: Any) -> Any:
        p = _new("w:p")
        if self.pending_break:
            ppr["break_before"] = True
            self.pending_break = False
        _ppr(p, style=style, **ppr)
        if text:
            _run(p, text)
        for t, fmt in runs:
            _run(p, t, **fmt)
        return self._add(p)

    def _add_table(self, tbl: Any) -> None:
        """Add a table and the small paragraph after it: adjacent tables would merge into one in Word."""
        self._add(tbl)
        p = self._add(_new("w:p"))
        _ppr(p, before=0, after=0, line=240)
        r = _el(p, "w:r")  # an empty run carries the size of the (empty) paragraph mark in LibreOffice
        _rpr(r, size=SPACER_PT)
        ppr = p.find(qn("w:pPr"))
        mark = _el(ppr, "w:rPr")
        _el(mark, "w:sz", val=SPACER_PT * 2)
        _el(mark, "w:szCs", val=SPACER_PT * 2)

    def _explicit_break_if_pending(self) -> None:
        """Before a table: a page break can't ride on a table, so emit it as its own paragraph."""
        if self.pending_break:
            self.pending_break = False
            p = self._add(_new("w:p"))
            _ppr(p, after=0, line=240)
            r = _el(p, "w:r")
            _el(r, "w:br", type="page")

    # -- styles, page, footer, properties -------------------------------------------------------

    def setup(self) -> None:
        styles = self.docx.styles
        root = styles.element
        defaults = root.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr, LATIN, SONG)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = _el(rpr, "w:lang")
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")

        normal = styles["Normal"]
        _set_fonts(normal.element.get_or_add_rPr(), LATIN, SONG)
        normal.font.size = Pt(BODY_PT)
        pf = normal.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.5
        pf.widow_control = True

        for style_id, name in (ST_INDENT, ST_CELL, ST_CAPTION):
            s = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            s.element.set(qn("w:styleId"), style_id)
            s.base_style = normal
            s.quick_style = True
        ind = styles[ST_INDENT[1]]
        ppr = ind.element.get_or_add_pPr()
        # two characters: firstLineChars for Word/WPS, firstLine (2 × 12 pt) for readers that ignore it
        _el(ppr, "w:ind", firstLineChars=200, firstLine=BODY_PT * 2 * 20)
        ind.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        cell = styles[ST_CELL[1]]
        cell.font.size = Pt(TABLE_PT)
        cell.paragraph_format.line_spacing = 1.0
        cap = styles[ST_CAPTION[1]]
        _set_fonts(cap.element.get_or_add_rPr(), LATIN, HEI)
        cap.font.size = Pt(BODY_PT)
        cap.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cap.paragraph_format.keep_with_next = True
        cap.paragraph_format.space_before = Pt(6)
        cap.paragraph_format.space_after = Pt(3)
        cap.paragraph_format.line_spacing = 1.0

        for level, size in HEADING_PT.items():
            self._heading_style(styles[f"Heading {level}"], size, bold=level == 3,
                                before=12 if level == 1 else 6, after=6 if level == 1 else 3)
        title = styles["Title"]
        self._heading_style(title, TITLE_PT, bold=False, before=0, after=18)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for e in title.element.get_or_add_pPr().findall(qn("w:pBdr")):
            e.getparent().remove(e)
        for tag in ("w:spacing", "w:kern"):
            for e in title.element.get_or_add_rPr().findall(qn(tag)):
                e.getparent().remove(e)

        sec = self.docx.sections[0]
        sec.page_width, sec.page_height = Mm(PAGE_W_MM), Mm(PAGE_H_MM)
        sec.top_margin, sec.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
        sec.left_margin, sec.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
        sec.gutter = 0
        sec.header_distance, sec.footer_distance = Mm(15), Mm(FOOTER_MM)

    @staticmethod
    def _heading_style(s: Any, size: float, *, bold: bool, before: float, after: float) -> None:
        rpr = s.element.get_or_add_rPr()
        _set_fonts(rpr, LATIN, HEI)
        for e in rpr.findall(qn("w:color")):
            rpr.remove(e)
        s.font.size = Pt(size)
        s.font.bold = bold
        s.font.italic = False
        pf = s.paragraph_format
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        pf.line_spacing = 1.25
        pf.keep_with_next = True
        pf.first_line_indent = Pt(0)

    def numbering(self) -> None:
        """Page numbers as in the volume: the cover unnumbered and the page after it — 1 —; a
        document without a cover starts at ``first_number`` (the plan's number in the volume)."""
        start = self.first_number - 1 if self.has_cover else self.first_number
        pg = self.sect.find(qn("w:pgNumType"))
        if pg is None:
            pg = _new("w:pgNumType")
            # schema order: pgNumType comes after pgMar (and any papersource/borders/lnNumType)
            anchor = next((self.sect.find(qn(t)) for t in ("w:lnNumType", "w:pgBorders", "w:paperSrc", "w:pgMar")
                           if self.sect.find(qn(t)) is not None), None)
            if anchor is not None:
                anchor.addnext(pg)
            else:
                self.sect.append(pg)
        pg.set(qn("w:start"), str(max(0, start)))

    def footer(self) -> None:
        sec = self.docx.sections[0]
        sec.different_first_page_header_footer = self.has_cover
        center, right = (TEXT_W // 2, TEXT_W)

        def fill(ftr: Any, numbered: bool) -> None:
            ftr.is_linked_to_previous = False
            el = ftr._element
            for p in list(el):
                el.remove(p)
            p = _el(el, "w:p")
            _ppr(p, style="Footer", tabs=[("center", center), ("right", right)], before=0, after=0, line=240,
                 ind={"firstLine": 0, "firstLineChars": 0})
            fmt = {"size": FOOTER_PT, "east": SONG}
            if numbered:
                _run(p, "\t— ", **fmt)
                for kind in ("begin", "instr", "separate", "1", "end"):
                    r = _el(p, "w:r")
                    _rpr(r, **fmt)
                    if kind == "instr":
                        it = _el(r, "w:instrText")
                        it.text = " PAGE "
                        it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                    elif kind == "1":
                        _text(r, "1")
                    else:
                        _el(r, "w:fldChar", fldCharType=kind)
                _run(p, " —", **fmt)
            if self.stamp:
                if numbered:
                    _run(p, "\t", size=FOOTER_PT)
                else:  # the cover: only the stamp, at the outer edge
                    p.find(qn("w:pPr")).append(_new("w:jc", val="right"))
                _run(p, f"版本 {self.stamp}", size=STAMP_PT, east=SONG, color="595959")

        fill(sec.footer, True)
        if self.has_cover:
            fill(sec.first_page_footer, False)

    def properties(self) -> None:
        meta = self.src.meta or {}
        cp = self.docx.core_properties
        cp.title = _clean(meta.get("title") or self.src.title)[:255]
        cp.author = _clean(meta.get("unit", ""))[:255]
        cp.subject = _clean(meta.get("direction", ""))[:255]
        cp.category = _clean(meta.get("call", ""))[:255]
        cp.keywords = "；".join(x for x in (_clean(meta.get("call", "")), _clean(meta.get("direction", "")),
                                           f"版本 {self.stamp}" if self.stamp else "") if x)
        cp.comments = f"版本 {self.stamp}" if self.stamp else ""
        cp.last_modified_by = "zscq-desktop"
        cp.revision = 1
        now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
        cp.created = cp.modified = now

    # -- blocks -----------------------------------------------------------------------------------

    def render(self) -> None:
        self.setup()
        for b in self.src.blocks:
            if isinstance(b, c.PageBreak):
                self.pending_break = True
            elif isinstance(b, c.Cover):
                self.cover(b)
            elif isinstance(b, c.Heading):
                self.heading(b)
            elif isinstance(b, c.Para):
                self.para(b)
            elif isinstance(b, c.Fields):
                self.fields(b)
            elif isinstance(b, c.Table):
                self.table(b)
            elif isinstance(b, c.TextBox):
                self.textbox(b)
            elif isinstance(b, c.SignBox):
                self.signbox(b)
        if not len(self.body) > 1:  # Word wants at least one paragraph
            self._p()
        self.footer()
        self.numbering()
        self.properties()
        if self.marker is not None:
            self.marker.finish(self.docx)

    def heading(self, h: c.Heading) -> None:
        style = "Title" if h.level <= 0 else f"Heading{min(3, h.level)}"
        self._p(text=h.text, style=style)

    def para(self, para: c.Para) -> None:
        for line in _clean(para.text).split("\n") or [""]:
            p = self._p(text=line, style=ST_INDENT[0] if para.indent else None, jc=None if para.indent else "both")
            self._mark(p, para.path, line)

    # cover ---------------------------------------------------------------------------------------

    def cover(self, cv: c.Cover) -> None:
        """The cover, on one page whatever the fonts: every line has an exact height (Word and
        LibreOffice then lay it out alike in 宋体, 仿宋, the bundled faces or a substitute), the
        values shrink from 14 pt until the block fits, and the gap above the issuer takes the rest."""
        self._p(runs=[(cv.form_label, {"east": HEI, "size": 16}), ("\t" + cv.number_label, {"size": 14}),
                      ("\u3000" * 7, {"size": 14, "underline": True})],
                tabs=[("right", TEXT_W)], line=COVER_TOP_PT * 20, rule="exact", after=0)
        value_w = _tw(COVER_VALUE_MM)
        label_w = _tw(COVER_LABEL_MM)
        titles = [(line, 26 if len(line) > 8 else 36) for line in cv.title_lines]
        title_h = sum(size * COVER_LEADING for _, size in titles) + COVER_TITLE_BEFORE + 12 * (len(titles) - 1) \
            + COVER_TITLE_AFTER
        foot_h = 2 * COVER_FOOT_PT * COVER_LEADING + 6
        for size in COVER_VALUE_PT:
            lines = [_cover_lines(_clean(v), size, COVER_VALUE_MM * 72 / 25.4 - 6) for _, v in cv.fields]
            rows = [max(COVER_ROW_PT, n * size * COVER_LEADING + 4) for n in lines]
            gap = TEXT_H_MM * 72 / 25.4 - COVER_SAFETY_PT - COVER_TOP_PT - title_h - sum(rows) - foot_h
            if gap >= COVER_MIN_GAP:
                break
        gap = min(COVER_MAX_GAP, max(0.0, gap))
        for i, (line, tsize) in enumerate(titles):
            self._p(runs=[(line, {"east": HEI, "size": tsize})], jc="center", line=round(tsize * COVER_LEADING * 20),
                    rule="exact", before=COVER_TITLE_BEFORE if i == 0 else 12,
                    after=COVER_TITLE_AFTER if i == len(titles) - 1 else 0)
        tbl = self._tbl([label_w, value_w], borders=False, jc="center")
        for (label, value), row in zip(cv.fields, rows):
            tr = self._tr(tbl, height=round(row * 20))  # at least: a wrap we did not foresee grows the row, never clips
            tc = self._tc(tr, label_w, valign="bottom")
            p = _el(tc, "w:p")
            _ppr(p, line=round(14 * COVER_LEADING * 20), rule="exact", after=2, jc="distribute")
            _run(p, f"{label}：", east=HEI, size=14)
            tc = self._tc(tr, value_w, valign="bottom", borders={"bottom": "single"})
            p = _el(tc, "w:p")
            _ppr(p, line=round(size * COVER_LEADING * 20), rule="exact", after=2, jc="center")
            _run(p, value, east=SONG, size=size)
        self._add(tbl)
        self._p(runs=[(cv.issuer, {"east": HEI, "size": COVER_FOOT_PT})], jc="center", line=round(COVER_FOOT_PT * COVER_LEADING * 20),
                rule="exact", before=gap, after=6)
        self._p(runs=[(cv.date_line, {"east": HEI, "size": COVER_FOOT_PT})], jc="center",
                line=round(COVER_FOOT_PT * COVER_LEADING * 20), rule="exact", after=0)

    # tables --------------------------------------------------------------------------------------

    def _tbl(self, widths: list[int], *, borders: bool = True, jc: str | None = None) -> Any:
        tbl = _new("w:tbl")
        pr = _el(tbl, "w:tblPr")
        if borders:
            _el(pr, "w:tblStyle", val=self.table_style)
        _el(pr, "w:tblW", w=sum(widths), type="dxa")
        if jc:
            _el(pr, "w:jc", val=jc)
        b = _el(pr, "w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            _border(b, side, "single" if borders else "nil")
        _el(pr, "w:tblLayout", type="fixed")
        mar = _el(pr, "w:tblCellMar")
        _el(mar, "w:left", w=57, type="dxa")
        _el(mar, "w:right", w=57, type="dxa")
        _el(pr, "w:tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=1, lastColumn=0, noHBand=0, noVBand=1)
        grid = _el(tbl, "w:tblGrid")
        for w in widths:
            _el(grid, "w:gridCol", w=w)
        return tbl

    @staticmethod
    def _tr(tbl: Any, *, header: bool = False, cant_split: bool = False, height: int | None = None,
            exact: bool = False) -> Any:
        tr = _el(tbl, "w:tr")
        if header or cant_split or height:
            pr = _el(tr, "w:trPr")
            if header or cant_split:
                _el(pr, "w:cantSplit")
            if height:
                _el(pr, "w:trHeight", val=height, hRule="exact" if exact else "atLeast")
            if header:
                _el(pr, "w:tblHeader")
        return tr

    @staticmethod
    def _tc(tr: Any, width: int, *, span: int = 1, shade: bool = False, valign: str = "center",
            borders: dict[str, str] | None = None) -> Any:
        tc = _el(tr, "w:tc")
        pr = _el(tc, "w:tcPr")
        _el(pr, "w:tcW", w=width, type="dxa")
        if span > 1:
            _el(pr, "w:gridSpan", val=span)
        if borders:
            b = _el(pr, "w:tcBorders")
            for side in ("top", "left", "bottom", "right"):
                if side in borders:
                    _border(b, side, borders[side], 6)
        if shade:
            _el(pr, "w:shd", val="clear", color="auto", fill=SHADE)
        _el(pr, "w:vAlign", val=valign)
        return tc

    @staticmethod
    def _cell_text(tc: Any, text: str, *, bold: bool = False, jc: str | None = None,
                   east: str | None = None, size: float | None = None) -> None:
        lines = _clean(text).split("\n")
        for line in lines:
            p = _el(tc, "w:p")
            _ppr(p, style=ST_CELL[0], jc=jc)
            if line:
                _run(p, line, bold=bold, east=east, size=size)

    def fields(self, f: c.Fields) -> None:
        self._explicit_break_if_pending()
        n = max(1, f.per_row)
        pair = _widths([0.44, 0.56] if n > 1 else [0.32, 0.68], TEXT_W // n)
        widths = pair * n
        widths[-1] += TEXT_W - sum(widths)
        tbl = self._tbl(widths)
        rows = list(f.rows)
        for i in range(0, len(rows), n):
            chunk = rows[i:i + n]
            tr = self._tr(tbl, cant_split=True, height=_tw(8))
            for j, (label, value) in enumerate(chunk):
                last = j == len(chunk) - 1
                span = 1 + 2 * (n - len(chunk)) if last else 1
                lw = widths[2 * j]
                vw = sum(widths[2 * j + 1: 2 * j + 1 + span])
                self._cell_text(self._tc(tr, lw, shade=True), label, jc="center")
                tc = self._tc(tr, vw, span=span)
                self._cell_text(tc, value)
                self._mark(tc, f.paths[i + j] if i + j < len(f.paths) else "", value)
        self._add_table(tbl)

    def table(self, t: c.Table) -> None:
        ncol = len(t.columns) or max((len(r) for r in t.rows), default=1)
        if t.caption:
            self._p(text=t.caption, style=ST_CAPTION[0])
        self._explicit_break_if_pending()
        rel = t.widths if t.widths and len(t.widths) == ncol else [1.0] * ncol
        widths = _widths(rel)
        tbl = self._tbl(widths)
        self._mark(tbl, t.path, t)  # marked when the document is done: the rows below are in by then
        size = WIDE_TABLE_PT if ncol >= 8 else None
        if t.columns:
            tr = self._tr(tbl, header=True)
            for w, col in zip(widths, t.columns):
                self._cell_text(self._tc(tr, w, shade=True), col, bold=True, jc="center", size=size)
        # centre short columns (numbers, units, years); long text reads better flush left
        longest = [0] * ncol
        for r in t.rows:
            for k, cell in enumerate(r[:ncol]):
                longest[k] = max(longest[k], len(cell))
        centre = ["center" if m <= 12 else None for m in longest]
        for r in t.rows:
            cells = [_clean(x) for x in r[:ncol]] + [""] * (ncol - len(r))
            tr = self._tr(tbl, cant_split=sum(map(len, cells)) < SPLIT_ROW_CHARS)
            for k, (w, cell) in enumerate(zip(widths, cells)):
                self._cell_text(self._tc(tr, w), cell, jc=centre[k], size=size)
        if t.total:
            self._total_row(tbl, t.total, widths, centre, size)
        self._add_table(tbl)

    def _total_row(self, tbl: Any, total: tuple[str, ...], widths: list[int], centre: list[str | None],
                   size: float | None) -> None:
        """The 合计 row: its label (Hei, shaded like the PDF's) spans the empty cells after it."""
        ncol = len(widths)
        cells = [_clean(x) for x in total[:ncol]] + [""] * (ncol - len(total))
        span = 1
        while span < ncol and not cells[span]:
            span += 1
        span = 1 if span == ncol else span
        tr = self._tr(tbl, cant_split=True)
        self._cell_text(self._tc(tr, sum(widths[:span]), span=span, shade=True), cells[0], bold=True, jc="center",
                        east=HEI, size=size)
        for k in range(span, ncol):
            self._cell_text(self._tc(tr, widths[k]), cells[k], jc=centre[k] or "center", size=size)

    def textbox(self, tb: c.TextBox) -> None:
        self._explicit_break_if_pending()
        tbl = self._tbl([TEXT_W])
        tr = self._tr(tbl, header=True)
        self._cell_text(self._tc(tr, TEXT_W, shade=True), tb.label, bold=True, east=HEI)
        tc = self._tc(self._tr(tbl, height=_tw(25)), TEXT_W, valign="top")
        for para in c._paras(tb.text):
            p = _el(tc, "w:p")
            _ppr(p, style=ST_INDENT[0] if para.indent else None, jc=None if para.indent else "both")
            _run(p, para.text)
        self._mark(tc, tb.path, tb.text)
        self._add_table(tbl)

    def signbox(self, sb: c.SignBox) -> None:
        self._explicit_break_if_pending()
        sign_h = sum(c.SEAL_MM if c.is_seal(x) else c.SIGN_MM + (5 if sb.signer else 0) if c.is_signature(x) else 9
                     for x in sb.sign_lines) + 6
        tbl = self._tbl([TEXT_W])
        tr = self._tr(tbl, cant_split=True, height=_tw(max(10.0, sb.min_height_mm - sign_h)))
        tc = self._tc(tr, TEXT_W, valign="top", borders={"bottom": "nil"})
        if sb.title:
            p = _el(tc, "w:p")
            _ppr(p, keep_next=True, before=3, after=3)
            _run(p, sb.title, east=HEI)
        for para in c._paras(sb.text) if sb.text.strip() else []:
            p = _el(tc, "w:p")
            _ppr(p, style=ST_INDENT[0] if para.indent else None, keep_next=True)
            _run(p, para.text)
        if len(tc) == 1:  # tcPr only: a cell needs a paragraph
            _ppr(_el(tc, "w:p"), keep_next=True)
        tr = self._tr(tbl, cant_split=True, height=_tw(sign_h))
        tc = self._tc(tr, TEXT_W, valign="bottom", borders={"top": "nil"})
        lines = sb.sign_lines or ("",)
        for i, line in enumerate(lines):
            p = _el(tc, "w:p")
            last = i == len(lines) - 1
            if c.is_signature(line):  # an empty rule to sign on; the typed name small under it
                _ppr(p, keep_next=not last, jc="right", ind={"right": 480, "rightChars": 200}, before=24, after=0)
                _run(p, line)
                _run(p, "_" * SIGN_RULE_CHARS)  # underscores: Word and LibreOffice drop underlined trailing spaces
                if sb.signer:
                    p = _el(tc, "w:p")
                    _ppr(p, keep_next=not last, jc="right", ind={"right": 480 + 240 * 3}, after=6)
                    _run(p, f"（{_clean(sb.signer)}）", size=9, color="595959")
            elif c.is_seal(line):  # room for a 4 cm round seal beside and under the line
                _ppr(p, keep_next=not last, jc="right", ind={"right": 480 + _tw(c.SEAL_MM - 10)},
                     after=max(6.0, (c.SEAL_MM - 9) * 72 / 25.4))
                _run(p, line)
            else:
                _ppr(p, keep_next=not last, jc="right", ind={"right": 480, "rightChars": 200}, after=6)
                _run(p, line)
        self._add_table(tbl)


def render_docx(doc: c.Document, path_or_stream: Union[str, os.PathLike, IO[bytes]], *, stamp: str = "",
                first_number: int = 1, marker: Any = None) -> None:
    """Write `doc` as an editable Word file to a path or a binary stream.

    Same blocks as the PDF: cover (its own first page, unnumbered), headings as Heading 1–3 (the
    plan's title as Title), ruled tables with repeating header rows, page numbers "— n —" centred in
    the footer, the version `stamp` small at the footer's outer edge of every page.  The first
    numbered page (the page after the cover, or the first page) is "— first_number —", so the plan's
    copy can carry the numbers it has in the volume.
    A `marker` (`wordio.marks.Marker`) is told where each field's value is and marks it invisibly.
    """
    w = _Writer(doc, stamp, first_number, marker)
    w.render()
    target = os.fspath(path_or_stream) if isinstance(path_or_stream, os.PathLike) else path_or_stream
    w.docx.save(target)
