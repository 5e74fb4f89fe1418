"""The binder: one bound-ready volume PDF in the guide's 1-2-3 order.

The guide: "申报材料按1、2、3顺序装订（1 申报书 2 项目实施方案 3 附件材料），左侧胶装，请直接用申报书
首页作为封面".  :func:`bind` assembles, in this order:

1. the form's page 1 (the cover), then a contents page (目录, one page or more), then the rest of
   the form;
2. the plan;
3. every supporting file (already normalised to A4 portrait by the normaliser).

Everything the binder draws on top of the pages (page numbers, the version stamp, each supporting
file's label, the note on inserted blank pages) is rendered as ONE multi-page reportlab document and
merged page by page (DESIGN §9: one overlay document per page costs twice the time and +60 % size).
Source pages are copied, never re-rendered: images are not re-encoded.

Page numbers: one Arabic sequence "— n —" across all three parts; the cover and the contents page(s)
(and, in duplex mode, their blank backs) are unnumbered; page 1 is the page after the contents.

Where the overlay goes (nothing enters the 28 mm binding margin):

* page numbers are centred under the text block.  GB/T 9704 puts them at the outer edge (right on
  odd, left on even pages); centred reads the same in a single-sided and a double-sided volume, and
  on a left-glued volume no number disappears into the spine, so centred is used throughout;
* on the cover, contents, form and plan pages the footer line (number and stamp) sits at
  ``page.FOOTER_Y``, 7 mm below the text block as GB/T 9704 places it; on supporting-file pages
  (and blank pages between them) the normaliser keeps only the bottom 18 mm free, and ``FOOTER_Y``
  (≈ 24.5 mm) would print over the document, so there the footer line drops into the free band
  (:data:`ATTACHMENT_FOOTER_Y`, ≈ 13 mm);
* the version stamp "版本 XXXXXXXX" (7 pt grey) ends at the right edge of the text block;
* a supporting file's label "附件材料3-n  标题" (Hei 12 pt) starts at the binding margin in the
  free top band, its baseline just above ``page.LABEL_Y`` (:data:`LABEL_BASELINE`) so that
  descenders do not touch content that starts right at the band's edge.

No Qt here.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, BooleanObject, ByteStringObject, DecodedStreamObject, FloatObject,
                           DictionaryObject, IndirectObject, NameObject, StreamObject, TextStringObject)
from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer

from zscq_desktop.render import page as P
from zscq_desktop.render.fonts import FontSet, font_runs, markup, register_fonts
from zscq_desktop.render.pdf_styles import reportlab_settings

try:  # one cancellation type for the whole render pipeline, once the normaliser defines it
    from zscq_desktop.attachments.normalize import Cancelled
except ImportError:  # pragma: no cover - depends on the normaliser being present

    class Cancelled(Exception):  # type: ignore[no-redef]
        """The user cancelled."""


log = logging.getLogger(__name__)

__all__ = ["ATTACHMENT_FOOTER_Y", "LABEL_BASELINE", "AttachmentPart", "Cancelled", "Volume", "VolumeInput", "bind"]

NUMBER_SIZE = 14  # 四号
STAMP_SIZE = 7
LABEL_SIZE = 12
NOTE_SIZE = 10.5  # 五号
STAMP_GREY = Color(0.45, 0.45, 0.45)
ATTACHMENT_FREE_BOTTOM = 18 * mm  # what the normaliser leaves free at the foot of a supporting file
#: footer baseline on supporting-file pages: the digits' tops stay ≥ 1 mm inside the free band.
ATTACHMENT_FOOTER_Y = ATTACHMENT_FREE_BOTTOM - 1 * mm - 0.8 * NUMBER_SIZE
#: label baseline: ``page.LABEL_Y`` is the lower edge of the free top band (20 mm), where a
#: supporting file's content may start; lift the label so its descenders keep 1 mm clear of it.
LABEL_BASELINE = P.LABEL_Y + 0.25 * LABEL_SIZE + 1 * mm
BLANK_NOTE = "（此页为空白页）"
A4_TOLERANCE = 1.0  # pt

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class AttachmentPart:
    """One normalised supporting file."""

    label: str  # "附件材料3-1"
    title: str  # the user's title, e.g. "营业执照副本"
    category: str  # the guide's category name, e.g. "申报单位资质"
    pdf: bytes  # A4 portrait, binding margin and top/bottom bands free


@dataclass(frozen=True)
class VolumeInput:
    form_pdf: bytes
    plan_pdf: bytes
    attachments: list[AttachmentPart]
    title: str  # e.g. "2023年天津市知识产权资助项目申报书—<项目名称>"
    unit: str
    direction: str
    stamp: str  # 8-character version stamp
    part_titles: tuple[str, str, str] = ("申报书", "项目实施方案", "附件材料")


@dataclass(frozen=True)
class Volume:
    pdf: bytes
    pages: int
    outline: list[tuple[int, str, int]] = field(default_factory=list)  # (level, title, 0-based page)


# -- the physical page plan ------------------------------------------------------------------------


@dataclass
class _Slot:
    """One physical page of the volume."""

    kind: str  # "form" | "contents" | "plan" | "att" | "blank"
    src: int = 0  # page index in its source (form/contents/plan/att) or attachment index for "att"
    page: int = 0  # page index inside the attachment
    number: int | None = None  # printed page number
    label: str | None = None  # attachment label drawn at the top
    low: bool = False  # footer in the supporting files' free bottom band (part 3, blanks included)


def _plan(form_n: int, contents_n: int, plan_n: int, att_ns: list[int], labels: list[str], duplex: bool,
          each_attachment_recto: bool) -> tuple[list[_Slot], dict[str, int], list[int]]:
    """Lay out the physical pages; return slots, the first slot of each part, and of each attachment."""
    slots: list[_Slot] = [_Slot("form", 0)]
    starts = {"form": 0}

    def to_recto(numbered: bool, low: bool = False) -> None:
        # the next page is physical page len(slots) + 1 (1-based): a right-hand page when odd
        if duplex and len(slots) % 2 == 1:
            slots.append(_Slot("blank", number=0 if numbered else None, low=low))

    to_recto(False)  # the cover's back stays blank: a cover is single-sided
    starts["contents"] = len(slots)
    slots += [_Slot("contents", i) for i in range(contents_n)]
    to_recto(False)  # page 1 starts on a right-hand page
    slots += [_Slot("form", i, number=0) for i in range(1, form_n)]
    to_recto(True)
    starts["plan"] = len(slots)
    slots += [_Slot("plan", i, number=0) for i in range(plan_n)]
    att_starts: list[int] = []
    for a, n in enumerate(att_ns):
        if a == 0 or each_attachment_recto:
            to_recto(True, low=a > 0)
        att_starts.append(len(slots))
        slots += [_Slot("att", a, i, number=0, label=labels[a] if i == 0 else None, low=True) for i in range(n)]
    starts["att"] = att_starts[0] if att_starts else len(slots)
    n = 0
    for s in slots:  # one sequence; inserted blank pages inside it are counted and numbered
        if s.number is not None:
            n += 1
            s.number = n
    return slots, starts, att_starts


# -- drawing helpers -------------------------------------------------------------------------------




def _width(text: str, font: str, size: float, fonts: FontSet) -> float:
    return sum(stringWidth(run, name, size) for name, run in font_runs(text, font, fonts))


def _draw(c: Canvas, x: float, y: float, text: str, font: str, size: float, fonts: FontSet) -> float:
    """Draw ``text`` from (x, y) with per-character fallback; return the width drawn."""
    t = c.beginText(x, y)
    w = 0.0
    for name, run in font_runs(text, font, fonts):
        t.setFont(name, size)
        t.textOut(run)
        w += stringWidth(run, name, size)
    c.drawText(t)
    return w


def _fit(text: str, font: str, size: float, min_size: float, width: float, fonts: FontSet) -> tuple[str, float]:
    """Shrink ``text`` down to ``min_size`` to fit ``width``; below that, cut it with an ellipsis."""
    while size > min_size and _width(text, font, size, fonts) > width:
        size = max(min_size, size - 0.5)
    if _width(text, font, size, fonts) <= width:
        return text, size
    while text and _width(text + "…", font, size, fonts) > width:
        text = text[:-1]
    return text.rstrip() + "…", size


def _number_text(n: int) -> str:
    return f"— {n} —"


def _render_overlay(slots: list[_Slot], stamp: str, fonts: FontSet) -> bytes:
    """All overlays, one page per physical page, as one reportlab document."""
    buf = io.BytesIO()
    # initialFontName: else reportlab's preamble puts an unembedded Helvetica in every page's resources
    c = Canvas(buf, pagesize=(P.PAGE_W, P.PAGE_H), invariant=1, pageCompression=1, initialFontName=fonts.body)
    stamp_text = f"版本 {stamp}"
    stamp_w = _width(stamp_text, fonts.body, STAMP_SIZE, fonts)
    centre = P.MARGIN_LEFT + P.TEXT_W / 2  # centre of the text block
    right = P.MARGIN_LEFT + P.TEXT_W
    labels: dict[str, tuple[str, float]] = {}
    for s in slots:
        y = ATTACHMENT_FOOTER_Y if s.low else P.FOOTER_Y
        c.setFillColor(STAMP_GREY)
        _draw(c, right - stamp_w, y, stamp_text, fonts.body, STAMP_SIZE, fonts)
        c.setFillColor(Color(0, 0, 0))
        if s.number is not None:
            text = _number_text(s.number)
            w = _width(text, fonts.body, NUMBER_SIZE, fonts)
            _draw(c, centre - w / 2, y, text, fonts.body, NUMBER_SIZE, fonts)
        if s.label is not None:
            if s.label not in labels:
                labels[s.label] = _fit(s.label, fonts.heading, LABEL_SIZE, 9, P.TEXT_W, fonts)
            text, size = labels[s.label]
            _draw(c, P.MARGIN_LEFT, LABEL_BASELINE, text, fonts.heading, size, fonts)
        if s.kind == "blank":
            w = _width(BLANK_NOTE, fonts.body, NOTE_SIZE, fonts)
            _draw(c, centre - w / 2, P.MARGIN_BOTTOM + P.TEXT_H / 2, BLANK_NOTE, fonts.body, NOTE_SIZE, fonts)
        c.showPage()
    c.save()
    return buf.getvalue()


# -- the contents page -----------------------------------------------------------------------------


class _Entry(Flowable):
    """One contents line: text (wrapping), a dotted leader, the page number flush right."""

    def __init__(self, text: str, page: str, style: ParagraphStyle, num_w: float) -> None:
        super().__init__()
        self.page = page
        self.style = style
        self.num_w = num_w
        self.para = Paragraph(text + '<onDraw name="zscqLeader" label=""/>', style)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.aw = aw
        _w, h = self.para.wrap(aw, ah)
        return aw, h

    def split(self, aw: float, ah: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        st = self.style
        ends: list[tuple[float, float]] = []

        def leader(canv: Canvas, kind: str, label: str | None) -> None:
            info = canv._curr_tx_info  # set by reportlab around onDraw callbacks
            ends.append((info["cur_x"], info["cur_y"]))

        self.canv.setNamedCB("zscqLeader", leader)
        self.para.drawOn(self.canv, 0, 0)
        # drawn after the text, so text extraction reads "entry … page" in that order
        x, y = ends[-1]
        canv = self.canv
        num_w = stringWidth(self.page, st.fontName, st.fontSize)
        x0, x1 = x + 0.4 * st.fontSize, self.aw - num_w - 0.4 * st.fontSize
        canv.saveState()
        if x1 > x0 and self.page:
            canv.setLineCap(1)
            canv.setLineWidth(1.1)
            canv.setDash([0.01, 4.5])
            canv.line(x0, y + 0.25 * st.fontSize, x1, y + 0.25 * st.fontSize)
        canv.setFont(st.fontName, st.fontSize)
        canv.drawRightString(self.aw, y, self.page)
        canv.restoreState()


class _Title(Flowable):
    """The contents heading, centred; drawn directly because Paragraph collapses U+3000 spacing."""

    def __init__(self, text: str, font: str, size: float, fonts: FontSet) -> None:
        super().__init__()
        self.text, self.font, self.size, self.fonts = text, font, size, fonts

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.aw = aw
        return aw, 2 * self.size

    def draw(self) -> None:
        w = _width(self.text, self.font, self.size, self.fonts)
        _draw(self.canv, (self.aw - w) / 2, 0.6 * self.size, self.text, self.font, self.size, self.fonts)


def _render_contents(inp: VolumeInput, fonts: FontSet, pages: list[str]) -> bytes:
    """The contents page(s), in the GB/T 9704 grid.  ``pages`` are the printed page numbers to list:
    the form, the plan, the supporting-files part, then each supporting file."""
    size = 14  # 四号
    num_w = 3 * size
    body = ParagraphStyle("toc", fontName=fonts.body, fontSize=size, leading=size * 1.9, wordWrap="CJK",
                          rightIndent=num_w)
    part = ParagraphStyle("toc-part", parent=body, fontName=fonts.heading)
    att = ParagraphStyle("toc-att", parent=body, leftIndent=2 * size, firstLineIndent=0)
    cat = ParagraphStyle("toc-cat", parent=body, fontName=fonts.heading, fontSize=12, leading=12 * 2,
                         leftIndent=size)

    story: list[Flowable] = [_Title("目\u3000\u3000录", fonts.heading, 16, fonts), Spacer(1, 12)]
    for i, name in enumerate(inp.part_titles):
        story.append(_Entry(f"{i + 1}&nbsp;&nbsp;{markup(name, fonts.heading, fonts)}", pages[i], part, num_w))
        if i == 2:
            current = None
            for a, pg in zip(inp.attachments, pages[3:]):
                if a.category and a.category != current:
                    current = a.category
                    story.append(Paragraph(markup(a.category, fonts.heading, fonts), cat))
                text = f"{markup(a.label, fonts.body, fonts)}&nbsp;&nbsp;{markup(a.title, fonts.body, fonts)}"
                story.append(_Entry(text, pg, att, num_w))

    buf = io.BytesIO()
    doc = BaseDocTemplate(buf, pagesize=(P.PAGE_W, P.PAGE_H), invariant=1, pageCompression=1, initialFontName=fonts.body,
                          title="目录", leftMargin=P.MARGIN_LEFT, rightMargin=P.MARGIN_RIGHT,
                          topMargin=P.MARGIN_TOP, bottomMargin=P.MARGIN_BOTTOM)
    frame = Frame(P.MARGIN_LEFT, P.MARGIN_BOTTOM, P.TEXT_W, P.TEXT_H, 0, 0, 0, 0, id="text")
    doc.addPageTemplates([PageTemplate("toc", [frame])])
    doc.build(story)
    return buf.getvalue()


# -- assembly --------------------------------------------------------------------------------------


def _reader(data: bytes, what: str) -> PdfReader:
    try:
        r = PdfReader(io.BytesIO(data))
        n = len(r.pages)
    except Exception as exc:  # pypdf raises many types for broken files
        raise ValueError(f"{what}不是有效的 PDF：{exc}") from exc
    if n == 0:
        raise ValueError(f"{what}没有页面。")
    return r


class _Stacker:
    """Lays each overlay page on top of its volume page without re-parsing any content stream.

    pypdf's ``merge_page`` parses the whole content stream of the page underneath (to wrap it in
    ``q``/``Q``) and ``compress_content_streams`` re-serialises it: for a volume of text-heavy
    supporting files that was most of the binding time, and it holds the GIL (the GUI stutters).
    Here each overlay page becomes a Form XObject with its own resources, so no name can collide;
    the page keeps its content streams untouched and its ``/Contents`` becomes
    ``[q, original…, Q, "/ZsOverlay Do"]``.
    """

    NAME = NameObject("/ZsOverlay")

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self._q = self._stream(b"q\n")
        self._big_q = self._stream(b"\nQ\n")
        self._draw = self._stream(b"q /ZsOverlay Do Q\n")

    def _stream(self, data: bytes, **entries: Any) -> IndirectObject:
        obj = DecodedStreamObject()
        obj.set_data(data)
        for key, value in entries.items():
            obj[NameObject(key)] = value
        # pypdf has no public call that adds a new stream as an indirect object
        return self.writer._add_object(obj.flate_encode() if len(data) > 64 else obj)

    def stack(self, page: PageObject, overlay: PageObject) -> None:
        """Draw ``overlay`` (a page of the overlay document) over ``page`` (a page of the writer)."""
        if page.rotation % 360:
            page.transfer_rotation_to_content()  # rare: only these pages are parsed
        box = page.mediabox
        if abs(box.width - P.PAGE_W) > A4_TOLERANCE or abs(box.height - P.PAGE_H) > A4_TOLERANCE:
            log.warning("page is not A4 portrait (%.0f × %.0f pt)", box.width, box.height)
        raw = overlay.get("/Contents")
        if raw is None:
            return
        raw = raw.get_object()
        data = b"\n".join(s.get_object().get_data() for s in raw) if isinstance(raw, ArrayObject) else raw.get_data()
        resources = overlay.get("/Resources")
        form = self._stream(
            data, **{"/Type": NameObject("/XObject"), "/Subtype": NameObject("/Form"),
                     "/BBox": ArrayObject([FloatObject(0), FloatObject(0), FloatObject(P.PAGE_W), FloatObject(P.PAGE_H)]),
                     "/Resources": resources.clone(self.writer) if resources is not None else DictionaryObject()})
        own = DictionaryObject(page["/Resources"].get_object()) if "/Resources" in page else DictionaryObject()
        xobjects = DictionaryObject(own["/XObject"].get_object()) if "/XObject" in own else DictionaryObject()
        xobjects[self.NAME] = form
        own[NameObject("/XObject")] = xobjects
        page[NameObject("/Resources")] = own  # a dictionary of its own: supporting files may share theirs
        draw = self._draw
        if box.left or box.bottom:  # a MediaBox not at the origin: move the overlay with it
            draw = self._stream(f"q 1 0 0 1 {float(box.left):g} {float(box.bottom):g} cm /ZsOverlay Do Q\n".encode())
        contents = page.get("/Contents")
        original: list = []
        if contents is not None:
            c = contents.get_object()
            original = list(c) if isinstance(c, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject(
            [self._q, *(self._compressed(ref) for ref in original), self._big_q, draw])

    def _compressed(self, ref):  # type: ignore[no-untyped-def]
        """A content stream as it is, or Flate-compressed if it came uncompressed."""
        stream = ref.get_object()
        if "/Filter" in stream or not isinstance(stream, StreamObject):
            return ref
        return self.writer._add_object(stream.flate_encode())


def _file_id(inp: VolumeInput, duplex: bool) -> bytes:
    h = hashlib.sha256()
    for part in (inp.form_pdf, inp.plan_pdf, *(a.pdf for a in inp.attachments)):
        h.update(hashlib.sha256(part).digest())
    meta = [inp.title, inp.unit, inp.direction, inp.stamp, *inp.part_titles, str(duplex)]
    meta += [f"{a.label}\0{a.title}\0{a.category}" for a in inp.attachments]
    h.update("\x1f".join(meta).encode("utf-8"))
    return h.digest()[:16]


def bind(inp: VolumeInput, *, duplex: bool = False, fonts: FontSet | None = None, progress: Progress | None = None,
         cancel: Callable[[], bool] | None = None, each_attachment_recto: bool = True) -> Volume:
    """Bind form, plan and supporting files into one volume PDF.

    Args:
        inp: the three parts and the volume's metadata.
        duplex: lay the volume out for double-sided printing (see below).
        fonts: reportlab font names (default: :func:`register_fonts`).
        progress: called with (fraction 0…1, Chinese message) at each stage.
        cancel: polled between stages and between supporting files.
        each_attachment_recto: in duplex mode, start every supporting file on a right-hand page
            (default); if False only the first one (the start of part 3).

    Duplex rules (physical pages counted from 1; odd = right-hand/recto):

    * page 1 is the cover; page 2, its back, is a blank page (a cover is single-sided);
    * the contents start on page 3; if they take an odd number of pages a blank page follows, so
      printed page 1 (the rest of the form) starts on a right-hand page — front matter therefore
      always fills whole sheets and odd printed numbers are right-hand pages throughout;
    * the plan starts on a right-hand page, and so does every supporting file (or only the first,
      see ``each_attachment_recto``): a blank page is inserted before it when needed;
    * blank pages inside the numbered part are counted and carry their number, so the printed
      sequence matches the sheets; every blank page says "（此页为空白页）" and carries the stamp;
    * no blank page is added at the very end.

    Without duplex no blank pages are inserted: cover, contents, form, plan, supporting files.

    Returns:
        The volume: PDF bytes, page count, and the outline as (level, title, 0-based page index).

    Raises:
        Cancelled: ``cancel()`` returned True.
        ValueError: an input is not a PDF or has no pages (message in Chinese).
    """
    report = progress or (lambda f, m: None)

    def check() -> None:
        if cancel is not None and cancel():
            raise Cancelled("已取消装订。")

    fonts = fonts or register_fonts()
    t_form, t_plan, t_att = inp.part_titles
    check()
    report(0.0, "读取申报书、实施方案和附件材料")
    form = _reader(inp.form_pdf, t_form)
    plan = _reader(inp.plan_pdf, t_plan)
    atts: list[PdfReader] = []
    for a in inp.attachments:
        check()
        atts.append(_reader(a.pdf, f"{a.label}《{a.title}》"))
    labels = [f"{a.label}\u3000{a.title}".strip() for a in inp.attachments]
    att_ns = [len(r.pages) for r in atts]

    # Printed numbers do not depend on the contents' length (numbering starts after it), so a
    # provisional plan gives the numbers the contents list; the final plan has the real length.
    check()
    report(0.1, "生成目录")

    def listed(slots: list[_Slot], starts: dict[str, int], att_starts: list[int]) -> list[str]:
        first_numbered = next((s.number for s in slots if s.kind == "form" and s.number), None)
        out = [str(first_numbered) if first_numbered else "封面", str(slots[starts["plan"]].number)]
        out.append(str(slots[starts["att"]].number) if att_starts else "")
        out += [str(slots[i].number) for i in att_starts]
        return out

    provisional = _plan(len(form.pages), 1, len(plan.pages), att_ns, labels, duplex, each_attachment_recto)
    with reportlab_settings():
        contents = PdfReader(io.BytesIO(_render_contents(inp, fonts, listed(*provisional))))
    slots, starts, att_starts = _plan(len(form.pages), len(contents.pages), len(plan.pages), att_ns, labels,
                                      duplex, each_attachment_recto)
    assert listed(slots, starts, att_starts) == listed(*provisional)

    check()
    report(0.2, "生成页码和版本标记")
    with reportlab_settings():
        overlay = PdfReader(io.BytesIO(_render_overlay(slots, inp.stamp, fonts)))

    writer = PdfWriter()
    stacker = _Stacker(writer)
    sources = {"form": form, "contents": contents, "plan": plan}
    total = len(slots)
    for i, s in enumerate(slots):
        if s.kind == "att" and s.page == 0:
            check()
            report(0.3 + 0.5 * i / total, f"装订{inp.attachments[s.src].label}（{s.src + 1}/{len(atts)}）")
        ov = overlay.pages[i]
        if s.kind == "blank":
            writer.add_page(ov)
            continue
        src = atts[s.src].pages[s.page] if s.kind == "att" else sources[s.kind].pages[s.src]
        stacker.stack(writer.add_page(src), ov)

    # bookmarks
    outline: list[tuple[int, str, int]] = [(0, t_form, starts["form"]), (0, "目录", starts["contents"]),
                                           (0, t_plan, starts["plan"])]
    if att_starts:
        outline.append((0, t_att, starts["att"]))
        outline += [(1, label.replace("\u3000", " "), p) for label, p in zip(labels, att_starts)]
    parent = None
    for level, title, p in outline:
        item = writer.add_outline_item(title=title, page_number=p, parent=parent if level else None)
        if level == 0:
            parent = item
    writer.page_mode = "/UseOutlines"

    # metadata and viewer hints
    writer.add_metadata({
        "/Title": inp.title,
        "/Author": inp.unit,
        "/Subject": f"{inp.direction}；版本 {inp.stamp}",
        "/Keywords": "；".join(x for x in (inp.title.split("—")[0], inp.direction, inp.unit, f"版本 {inp.stamp}") if x),
        "/Creator": "zscq-desktop",
        "/Producer": "zscq-desktop (pypdf)",
        "/ZSCQStamp": inp.stamp,
    })
    root = writer._root_object
    root[NameObject("/Lang")] = TextStringObject("zh-CN")
    root[NameObject("/ViewerPreferences")] = DictionaryObject({
        NameObject("/DisplayDocTitle"): BooleanObject(True),
        NameObject("/Duplex"): NameObject("/DuplexFlipLongEdge" if duplex else "/Simplex"),
    })
    fid = ByteStringObject(_file_id(inp, duplex))
    writer._ID = ArrayObject([fid, fid])  # fixed: the same input gives the same bytes

    check()
    report(0.9, "写出 PDF")
    if hasattr(writer, "compress_identical_objects"):  # pypdf ≥ 4.3: shared fonts/images stored once
        writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    report(1.0, "装订完成")
    return Volume(pdf=out.getvalue(), pages=total, outline=outline)
