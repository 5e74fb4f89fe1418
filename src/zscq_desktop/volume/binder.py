"""The binder: one bound-ready volume PDF in the guide's 1-2-3 order.

The guide: "申报材料按1、2、3顺序装订（1 申报书 2 项目实施方案 3 附件材料），左侧胶装，请直接用申报书
首页作为封面".  :func:`bind` assembles, in this order:

1. the form's page 1 (the cover), then a contents page (目录, one page or more), then the rest of
   the form;
2. the plan;
3. every supporting file (already normalised to A4 portrait by the normaliser).

Everything the binder draws on top of the pages (page numbers, the version stamp, each supporting
file's label, the note on inserted blank pages) is rendered as ONE multi-page reportlab document and
laid over each page as a Form XObject (DESIGN §9: one overlay document per page costs twice the time
and +60 % size).  Pages are copied by qpdf (pikepdf), never re-rendered: images are not re-encoded,
content streams are not parsed.  The volume carries an outline, /PageLabels matching the printed
numbers (封面, 目录, then 1…n), metadata with the stamp, and viewer hints.

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
* the version stamp "版本 XXXXXXXX" (7 pt grey) sits at the outer edge of the text block: ending at
  its right edge, and on a left-hand page in duplex starting at the mirrored left edge;
* in duplex a supporting file's left-hand page is shifted 18 mm towards the outer edge (its label
  with it), so the 28 mm margin is at the spine on both sides of a sheet;
* a supporting file's label "附件材料3-n  标题" (Hei 12 pt; "附件材料3-n（续）" on its further pages)
  starts at the binding margin in the
  free top band, its baseline just above ``page.LABEL_Y`` (:data:`LABEL_BASELINE`) so that
  descenders do not touch content that starts right at the band's edge.

No Qt here.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Name
from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer

from zscq_desktop.attachments import quiet
from zscq_desktop.render import page as P
from zscq_desktop.render.fonts import FontSet, font_runs, markup, register_fonts
from zscq_desktop.render.pdf_styles import reportlab_settings

try:  # one cancellation type for the whole render pipeline, once the normaliser defines it
    from zscq_desktop.attachments.normalize import Cancelled
except ImportError:  # pragma: no cover - depends on the normaliser being present

    class Cancelled(Exception):  # type: ignore[no-redef]
        """The user cancelled."""


log = logging.getLogger(__name__)

__all__ = ["ATTACHMENT_FOOTER_Y", "BLANK_NOTE", "LABEL_BASELINE", "VERSO_SHIFT", "AttachmentPart", "Cancelled", "Volume", "VolumeInput", "bind"]

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
#: duplex: a supporting file's page on a left-hand page moves this far towards the outer edge, so the
#: normaliser's 28 mm binding margin (left) becomes 28 mm at the spine (right) and 10 mm outside
VERSO_SHIFT = 18 * mm

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class AttachmentPart:
    """One normalised supporting file."""

    label: str  # "附件材料3-1"
    title: str  # the user's title, e.g. "营业执照副本"
    category: str  # the guide's category name, e.g. "申报单位资质"
    #: A4 portrait, binding margin and top/bottom bands free; as bytes or as a file. A file is read
    #: by qpdf as the volume is written (bytes are copied into qpdf's memory when a page is copied:
    #: pikepdf copies from a Python stream at once), so an export passes files (issue 15 item 5).
    pdf: bytes | Path


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
    numbers: list[int | None] = field(default_factory=list)  # the printed number of each page (None: unnumbered)


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
          each_attachment_recto: bool, more: list[str] | None = None
          ) -> tuple[list[_Slot], dict[str, int], list[int]]:
    """Lay out the physical pages; return slots, the first slot of each part, and of each attachment.

    ``labels`` go on each supporting file's first page, ``more`` (the continuation labels) on the rest."""
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
        slots += [_Slot("att", a, i, number=0, label=labels[a] if i == 0 else (more[a] if more else None), low=True)
                  for i in range(n)]
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


def _render_overlay(slots: list[_Slot], stamp: str, fonts: FontSet, duplex: bool = False) -> bytes:
    """All overlays, one page per physical page, as one reportlab document.

    On a left-hand page in duplex everything is placed as on a mirrored page: the number centred
    under the mirrored text block, the stamp at the outer (left) edge, a supporting file's label
    moved with its page (:data:`VERSO_SHIFT`)."""
    buf = io.BytesIO()
    # initialFontName: else reportlab's preamble puts an unembedded Helvetica in every page's resources
    c = Canvas(buf, pagesize=(P.PAGE_W, P.PAGE_H), invariant=1, pageCompression=1, initialFontName=fonts.body)
    stamp_text = f"版本 {stamp}"
    stamp_w = _width(stamp_text, fonts.body, STAMP_SIZE, fonts)
    right = P.MARGIN_LEFT + P.TEXT_W
    labels: dict[str, tuple[str, float]] = {}
    for i, s in enumerate(slots):
        verso = duplex and i % 2 == 1
        centre = P.PAGE_W - (P.MARGIN_LEFT + P.TEXT_W / 2) if verso else P.MARGIN_LEFT + P.TEXT_W / 2
        y = ATTACHMENT_FOOTER_Y if s.low else P.FOOTER_Y
        c.setFillColor(STAMP_GREY)
        _draw(c, P.PAGE_W - right if verso else right - stamp_w, y, stamp_text, fonts.body, STAMP_SIZE, fonts)
        c.setFillColor(Color(0, 0, 0))
        if s.number is not None:
            text = _number_text(s.number)
            w = _width(text, fonts.body, NUMBER_SIZE, fonts)
            _draw(c, centre - w / 2, y, text, fonts.body, NUMBER_SIZE, fonts)
        if s.label is not None:
            if s.label not in labels:
                labels[s.label] = _fit(s.label, fonts.heading, LABEL_SIZE, 9, P.TEXT_W, fonts)
            text, size = labels[s.label]
            x = P.MARGIN_LEFT - (VERSO_SHIFT if verso and s.kind == "att" else 0)
            _draw(c, x, LABEL_BASELINE, text, fonts.heading, size, fonts)
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


def _open_pdf(data: bytes | Path, what: str) -> pikepdf.Pdf:
    pdf = None
    try:
        pdf = pikepdf.open(data if isinstance(data, Path) else io.BytesIO(data))
        n = len(pdf.pages)
    except Exception as exc:  # qpdf refuses what it cannot repair; its English message goes to the log
        log.info("cannot open %s: %s", what, exc)
        if pdf is not None:
            pdf.close()
        raise ValueError(f"{what}不是有效的 PDF，无法装订。请重新添加该文件后再导出。") from exc
    if n == 0:
        pdf.close()
        raise ValueError(f"{what}没有页面。")
    return pdf


def _content_form(src: pikepdf.Pdf, page: Any) -> pikepdf.Object:
    """A page of ``src`` (a reportlab document: one content stream) as a Form XObject of ``src``."""
    contents = page.obj.get("/Contents")
    form = src.make_stream(b"")
    if isinstance(contents, pikepdf.Stream):
        filters: Any = contents.get("/Filter")
        parms: Any = contents.get("/DecodeParms")
        form.write(contents.read_raw_bytes(), filter=filters, decode_parms=parms)
    elif isinstance(contents, pikepdf.Array):
        form.write(b"\n".join(s.read_bytes() for s in contents))
    form.Type, form.Subtype = Name.XObject, Name.Form
    form.BBox = pikepdf.Array([0, 0, P.PAGE_W, P.PAGE_H])
    form.Resources = page.obj.get("/Resources", pikepdf.Dictionary())
    return src.make_indirect(form)


class _Stacker:
    """Lays each overlay page on top of its volume page without parsing any content stream.

    Each overlay page becomes a Form XObject with its own resources, so no name can collide; the
    page keeps its content streams untouched and its ``/Contents`` becomes
    ``[q, original…, Q, "/ZsOverlay Do"]``.  A supporting-file page on a verso in duplex gets
    ``q <18 mm towards the outer edge> cm`` instead of ``q``: the normaliser left the binding
    margin on the left, the spine of a verso is on the right.
    """

    NAME = "/ZsOverlay"

    def __init__(self, out: pikepdf.Pdf, overlay: pikepdf.Pdf) -> None:
        self.out, self.overlay = out, overlay
        self._q = out.make_stream(b"q\n")
        self._shifted_q = out.make_stream(f"q 1 0 0 1 {-VERSO_SHIFT:.4f} 0 cm\n".encode())
        self._big_q = out.make_stream(b"\nQ\n")
        self._draw = out.make_stream(b"q /ZsOverlay Do Q\n")

    def form(self, index: int) -> pikepdf.Object:
        return self.out.copy_foreign(_content_form(self.overlay, self.overlay.pages[index]))

    def blank(self, index: int) -> None:
        """A blank page carrying only its overlay."""
        page = pikepdf.Dictionary(Type=Name.Page, MediaBox=pikepdf.Array([0, 0, P.PAGE_W, P.PAGE_H]),
                                  Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary({self.NAME: self.form(index)})),
                                  Contents=self._draw)
        self.out.pages.append(pikepdf.Page(page))

    def stack(self, page: Any, index: int, shift: bool = False) -> None:
        """Draw overlay page ``index`` over ``page`` (a page of the output)."""
        if _number(page.obj.get("/Rotate")) % 360:
            page.flatten_rotation()  # rare: only these pages are rewritten
        box = [float(v) for v in page.mediabox]
        if abs(box[2] - box[0] - P.PAGE_W) > A4_TOLERANCE or abs(box[3] - box[1] - P.PAGE_H) > A4_TOLERANCE:
            log.warning("page is not A4 portrait (%.0f × %.0f pt)", box[2] - box[0], box[3] - box[1])
        old = page.obj.get("/Resources")
        own = pikepdf.Dictionary({k: v for k, v in old.items()}) if isinstance(old, pikepdf.Dictionary) \
            else pikepdf.Dictionary()
        xo = own.get("/XObject")
        xobjects = pikepdf.Dictionary({k: v for k, v in xo.items()}) if isinstance(xo, pikepdf.Dictionary) \
            else pikepdf.Dictionary()
        xobjects[self.NAME] = self.form(index)
        own.XObject = xobjects
        page.obj.Resources = own  # a dictionary of its own: supporting files may share theirs
        draw = self._draw
        if box[0] or box[1]:  # a MediaBox not at the origin: move the overlay with it
            draw = self.out.make_stream(f"q 1 0 0 1 {box[0]:g} {box[1]:g} cm /ZsOverlay Do Q\n".encode())
        contents = page.obj.get("/Contents")
        original = list(contents) if isinstance(contents, pikepdf.Array) else \
            ([contents] if contents is not None else [])
        page.obj.Contents = pikepdf.Array([self._shifted_q if shift else self._q, *original, self._big_q, draw])


def _number(v: Any) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def _page_labels(slots: list[_Slot], starts: dict[str, int]) -> pikepdf.Dictionary:
    """/PageLabels: 封面 and 目录 as prefix-only labels (their blank backs included), then the
    printed numbers (blank pages inside the sequence carry theirs)."""
    nums: list[Any] = [0, pikepdf.Dictionary(P=pikepdf.String("封面"))]
    if starts["contents"] > 0:
        nums += [starts["contents"], pikepdf.Dictionary(P=pikepdf.String("目录"))]
    first = next((i for i, s in enumerate(slots) if s.number is not None), None)
    if first is not None:
        nums += [first, pikepdf.Dictionary(S=Name.D, St=slots[first].number)]
    return pikepdf.Dictionary(Nums=pikepdf.Array(nums))


def bind(inp: VolumeInput, *, duplex: bool = False, fonts: FontSet | None = None, progress: Progress | None = None,
         cancel: Callable[[], bool] | None = None, each_attachment_recto: bool = False, to: Path | None = None,
         cache: Any = None) -> Volume:
    """Bind form, plan and supporting files into one volume PDF (written to the file `to` when given:
    then `Volume.pdf` is empty and the volume never exists in memory as one piece).

    Args:
        inp: the three parts and the volume's metadata.
        duplex: lay the volume out for double-sided printing (see below).
        fonts: reportlab font names (default: :func:`register_fonts`).
        progress: called with (fraction 0…1, Chinese message) at each stage.
        cancel: polled between stages and between supporting files.
        each_attachment_recto: in duplex mode, start every supporting file on a right-hand page
            too (not by default: a one-page file would cost a blank sheet; only part 3 starts on a
            right-hand page).
        cache: a derived-data cache (`volume.export.DerivedCache`): the contents and the overlay
            pages are reused from the last binding while everything they show is unchanged.

    Duplex rules (physical pages counted from 1; odd = right-hand/recto):

    * page 1 is the cover; page 2, its back, is a blank page (a cover is single-sided);
    * the contents start on page 3; if they take an odd number of pages a blank page follows, so
      printed page 1 (the rest of the form) starts on a right-hand page — front matter therefore
      always fills whole sheets and odd printed numbers are right-hand pages throughout;
    * the plan and the supporting-files part start on a right-hand page: a blank page is inserted
      before them when needed;
    * blank pages inside the numbered part are counted and carry their number, so the printed
      sequence matches the sheets; every blank page says "（此页为空白页）" and carries the stamp;
    * on a left-hand page the spine is on the right: a supporting file's page is shifted
      :data:`VERSO_SHIFT` (18 mm) towards the outer edge with its label, and the page number and
      stamp are placed as on a mirrored page (stamp at the outer edge);
    * no blank page is added at the very end.

    Without duplex no blank pages are inserted: cover, contents, form, plan, supporting files.
    Viewer page labels (/PageLabels) match the printed numbers; every page of a supporting file
    carries its label, continuation pages with "（续）".

    Returns:
        The volume: PDF bytes, page count, and the outline as (level, title, 0-based page index).

    Raises:
        Cancelled: ``cancel()`` returned True.
        ValueError: an input is not a PDF or has no pages (message in Chinese).
    """
    opened: list[pikepdf.Pdf] = []  # closed when done: their files may be deleted right after (Windows)
    try:
        return _bind(inp, opened, duplex=duplex, fonts=fonts, progress=progress, cancel=cancel,
                     each_attachment_recto=each_attachment_recto, to=to, cache=cache)
    finally:
        for pdf in opened:
            pdf.close()


def _bind(inp: VolumeInput, opened: list[pikepdf.Pdf], *, duplex: bool, fonts: FontSet | None,
          progress: Progress | None, cancel: Callable[[], bool] | None, each_attachment_recto: bool,
          to: Path | None, cache: Any) -> Volume:
    def _open(data: bytes | Path, what: str) -> pikepdf.Pdf:
        opened.append(_open_pdf(data, what))
        return opened[-1]

    report = progress or (lambda f, m: None)
    quiet.install()

    def check() -> None:
        if cancel is not None and cancel():
            raise Cancelled("已取消装订。")

    fonts = fonts or register_fonts()
    t_form, t_plan, t_att = inp.part_titles
    check()
    report(0.0, "读取申报书、实施方案和附件材料")
    form = _open(inp.form_pdf, t_form)
    plan = _open(inp.plan_pdf, t_plan)
    atts: list[pikepdf.Pdf] = []
    for a in inp.attachments:
        check()
        atts.append(_open(a.pdf, f"{a.label}《{a.title}》"))
    labels = [f"{a.label}\u3000{a.title}".strip() for a in inp.attachments]
    more = [f"{a.label}（续）\u3000{a.title}".strip() for a in inp.attachments]
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

    provisional = _plan(len(form.pages), 1, len(plan.pages), att_ns, labels, duplex, each_attachment_recto, more)
    entries = [(a.label, a.title, a.category) for a in inp.attachments]
    listed_pages = listed(*provisional)
    contents = _open(_memo(cache, "contents", (inp.part_titles, entries, listed_pages, fonts.all),
                           lambda: _render_contents(inp, fonts, listed_pages)), "目录")
    slots, starts, att_starts = _plan(len(form.pages), len(contents.pages), len(plan.pages), att_ns, labels,
                                      duplex, each_attachment_recto, more)
    assert listed(slots, starts, att_starts) == listed(*provisional)

    check()
    report(0.2, "生成页码和版本标记")
    overlay = _open(_memo(cache, "overlay", (slots, inp.stamp, fonts.all, duplex),
                          lambda: _render_overlay(slots, inp.stamp, fonts, duplex)), "页码")

    out = pikepdf.new()
    opened.append(out)
    stacker = _Stacker(out, overlay)
    sources = {"form": form, "contents": contents, "plan": plan}
    total = len(slots)
    for i, s in enumerate(slots):
        if s.kind == "att" and s.page == 0:
            check()
            report(0.3 + 0.5 * i / total, f"装订{inp.attachments[s.src].label}（{s.src + 1}/{len(atts)}）")
        if s.kind == "blank":
            stacker.blank(i)
            continue
        src = atts[s.src].pages[s.page] if s.kind == "att" else sources[s.kind].pages[s.src]
        out.pages.append(src)
        stacker.stack(out.pages[-1], i, shift=s.kind == "att" and _verso(i, duplex))

    # bookmarks
    outline: list[tuple[int, str, int]] = [(0, t_form, starts["form"]), (0, "目录", starts["contents"]),
                                           (0, t_plan, starts["plan"])]
    if att_starts:
        outline.append((0, t_att, starts["att"]))
        outline += [(1, label.replace("\u3000", " "), p) for label, p in zip(labels, att_starts)]
    with out.open_outline() as tree:
        parent = None
        for level, title, p in outline:
            item = pikepdf.OutlineItem(title, p)
            if level and parent is not None:
                parent.children.append(item)
            else:
                tree.root.append(item)
                parent = item
    root = out.Root
    root.PageMode = Name.UseOutlines
    root.PageLabels = _page_labels(slots, starts)

    # metadata and viewer hints
    for key, value in {
        "/Title": inp.title,
        "/Author": inp.unit,
        "/Subject": f"{inp.direction}；版本 {inp.stamp}",
        "/Keywords": "；".join(x for x in (inp.title.split("—")[0], inp.direction, inp.unit, f"版本 {inp.stamp}") if x),
        "/Creator": "zscq-desktop",
        "/Producer": "zscq-desktop (pikepdf)",
        "/ZSCQStamp": inp.stamp,
    }.items():
        out.docinfo[key] = pikepdf.String(value)
    root.Lang = pikepdf.String("zh-CN")
    root.ViewerPreferences = pikepdf.Dictionary(
        DisplayDocTitle=True, Duplex=Name.DuplexFlipLongEdge if duplex else Name.Simplex)

    check()
    report(0.9, "写出 PDF")
    buf = io.BytesIO() if to is None else to
    # deterministic_id: the same input gives the same bytes
    out.save(buf, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    report(1.0, "装订完成")
    return Volume(pdf=buf.getvalue() if isinstance(buf, io.BytesIO) else b"", pages=total, outline=outline,
                  numbers=[s.number for s in slots])


def _memo(cache: Any, part: str, key: Any, make: Callable[[], bytes]) -> bytes:
    """`make()` under reportlab's settings, or its last result from `cache` while `key` (everything
    the pages show) is unchanged: binding again without an edit lays out neither the contents nor
    the page numbers and labels of every page."""
    from zscq_desktop.volume.caches import reuse_rendering

    def made() -> bytes:
        with reportlab_settings():
            return make()

    return reuse_rendering(cache, part, key, made)


def _verso(index: int, duplex: bool) -> bool:
    """Whether 0-based physical page ``index`` is a left-hand page (only in duplex)."""
    return duplex and index % 2 == 1


def plan_first_number(form_pages: int, duplex: bool = False) -> int:
    """The printed number the plan's first page will get in a volume whose form has `form_pages`
    pages — known before the supporting files are ready, so the plan's Word copy can be written
    while they are still being normalised. (The numbers do not depend on the contents' length.)"""
    slots, starts, _ = _plan(max(1, form_pages), 1, 1, [], [], duplex, False)
    return slots[starts["plan"]].number or 1
