"""The one-page print and submission checklist (打印与报送清单).

What the person at the printer needs on one sheet: which unit, direction and project, the volume's
page and sheet count, single- or double-sided (双面打印（长边翻转） for a duplex volume, whose blank
pages are meant), the version stamp, tick boxes for printing and binding (order 1-2-3, left glue binding,
the form's first page as the cover, three copies), for every stamp and signature place, for the
district IP office's review where the direction requires it (otherwise "direct"), the receiving
address and its contacts, the e-mail address for the electronic copy, the deadline, and whom to
ask.  Every fact comes from the call data (``forms/<call>/call.toml``), nothing is hard-coded here.

The page always fits one A4 sheet: the content sits in a shrink-to-fit frame, so very long unit or
project names make the type smaller, never a second page.  It carries the version stamp at the
foot, like every page of the volume.  No Qt here.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from zoneinfo import ZoneInfo

from reportlab.lib.colors import Color, black
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepInFrame, PageTemplate, Spacer, Table

from zscq_desktop.call.model import Call
from zscq_desktop.core.submission import Submission
from zscq_desktop.core.validators import chinese_count
from zscq_desktop.render import page as P
from zscq_desktop.render.fonts import FontSet
from zscq_desktop.render.pdf_styles import (CELL_PAD, CELL_VPAD, FRAME_RULE, RULE, SHADE, draw_text, make_styles,
                                            para, reportlab_settings, table_style)

__all__ = ["render_checklist", "checklist_items"]

BOX = 9  # tick box side, pt
STAMP_GREY = Color(0.45, 0.45, 0.45)
STAMP_PT = 7
INFO_MAX_CHARS = 120  # a checklist is read at a glance: longer names are cut (they are in full in the volume)


class TickBox(Flowable):
    """An empty square to tick by hand."""

    def __init__(self, size: float = BOX) -> None:
        super().__init__()
        self.size = size

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, -1.5, self.size, self.size)


def _deadline_text(call: Call) -> str:
    dl = call.deadline
    local = dl.astimezone(ZoneInfo("Asia/Shanghai")) if dl.tzinfo else dl
    return f"{local.year}年{local.month}月{local.day}日{local.hour}:{local.minute:02d}（北京时间）"


def _contacts(items: object) -> str:
    out = []
    for c in items if isinstance(items, list) else []:
        if isinstance(c, dict) and c.get("name"):
            out.append(f"{c['name']}（{c.get('phone', '')}）" if c.get("phone") else str(c["name"]))
    return "、".join(out)


def sheets(volume_pages: int, duplex: bool) -> int:
    """Sheets of paper one copy of the volume takes: a page each, or two pages a sheet in duplex."""
    return (volume_pages + 1) // 2 if duplex else volume_pages


def print_mode(duplex: bool) -> str:
    """How the volume is to be printed, as the print shop reads it."""
    return "双面打印（长边翻转）" if duplex else "单面打印"


def checklist_items(call: Call, sub: Submission, *, stamp: str, volume_pages: int,
                    duplex: bool = False) -> list[tuple[str, list[str]]]:
    """The checklist's sections as (heading, tick items), in Chinese; every fact from the call data."""
    d = call.direction(sub.direction)
    form = call.form_for(sub.direction)
    sm = call.submission
    copies = int(sm.get("copies", 3))
    order = "—".join(sm.get("order", ["申报书", "项目实施方案", "附件材料"]))
    district = str(sub.unit.get("district") or "").strip()
    n_sheets = sheets(volume_pages, duplex)
    printing = [
        f"用A4纸{print_mode(duplex)}申报材料：每份共{volume_pages}页、{n_sheets}张纸（含封面和目录），"
        f"一式{chinese_count(copies)}份，每份内容完全相同。",
    ]
    if duplex:
        printing.append("注明“此页为空白页”的页面是为双面装订有意留出的，请照样打印，不要删除；封面背面为空白。")
    printing += [
        f"按“{order}”顺序装订，申报书在前。",
        "左侧胶装，不另加封皮：直接用申报书首页作为封面。",
        f"核对每份材料各页页脚的版本标记均为“{stamp}”，与发送的电子版一致。",
    ]
    stamps = [f"申报书封面“申报单位（盖章）”处加盖单位公章（{copies}份都盖）。"]
    for s in form.sections:
        if s.statement:
            stamps.append(f"申报书“{s.title}”页：法定代表人亲笔签字，并加盖单位公章。")
        for box in s.boxes:
            title = str(box.get("title", ""))
            if box.get("district_review_only"):
                if d.district_review:
                    stamps.append(f"“{title}”栏：由所属区知识产权局审核后填写意见并盖章（申报单位勿填）。")
            elif title:
                stamps.append(f"“{title}”栏留空，由受理部门填写。")
    if d.district_review:
        route = [f"先报送所属区知识产权局{f'（{district}知识产权局）' if district else ''}审核盖章，"
                 f"再寄送至受理地址（“{d.name}”方向须经区局审核）。"]
    else:
        route = [f"直接寄送至受理地址（“{d.name}”方向无需区知识产权局审核）。"]
    people = _contacts(sm.get("contacts"))
    route.append(f"受理地址：{sm.get('address_name', '')}，{sm.get('address', '')}"
                 + (f"；联系人：{people}" if people else "") + "。")
    route.append(f"电子版：将导出的压缩包作为附件发送至 {call.submit_email}。"
                 + str(sm.get("paper_and_electronic", "")))
    route.append(f"截止时间：{_deadline_text(call)}，逾期不再受理。")
    return [("一、打印与装订", printing), ("二、签字与盖章", stamps), ("三、报送", route)]


def _short(value: object, limit: int = INFO_MAX_CHARS) -> str:
    text = " ".join(str(value or "").split()) or "（未填写）"
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _info_rows(call: Call, sub: Submission, stamp: str, volume_pages: int, duplex: bool) -> list[tuple[str, str]]:
    d = call.direction(sub.direction)
    copies = chinese_count(int(call.submission.get("copies", 3)))
    return [
        ("申报单位", _short(sub.unit.get("name"))),
        ("所属区", _short(sub.unit.get("district"))),
        ("支持方向", f"{d.category_name}—{d.name}（{d.form_label}）"),
        ("项目名称", _short(sub.get("form.cover.project_name"))),
        ("申报材料", f"每份{volume_pages}页、{sheets(volume_pages, duplex)}张，A4纸{print_mode(duplex)}，一式{copies}份"),
        ("版本标记", stamp or "（无）"),
    ]


def _story(call: Call, sub: Submission, stamp: str, volume_pages: int, duplex: bool,
           fonts: FontSet) -> list[Flowable]:
    s = make_styles(fonts)
    d = call.direction(sub.direction)
    title = ParagraphStyle("ChecklistTitle", parent=s.title, spaceAfter=2)
    sub_title = ParagraphStyle("ChecklistSub", parent=s.body_flush, alignment=TA_CENTER, spaceAfter=8)
    item = ParagraphStyle("Item", parent=s.body_flush, fontSize=11, leading=17)
    note = ParagraphStyle("Note", parent=s.body_flush, fontSize=9, leading=13, textColor=STAMP_GREY)
    story: list[Flowable] = [para("打印与报送清单", title, fonts),
                             para(f"{call.title}申报材料", sub_title, fonts)]
    rows = _info_rows(call, sub, stamp, volume_pages, duplex)
    data = [[para(k, s.label, fonts), para(v, s.cell, fonts)] for k, v in rows]
    story.append(Table(data, colWidths=[0.2 * P.TEXT_W, 0.8 * P.TEXT_W], hAlign="LEFT", spaceAfter=4, style=table_style([
        ("GRID", (0, 0), (-1, -1), RULE, black), ("BOX", (0, 0), (-1, -1), FRAME_RULE, black),
        ("BACKGROUND", (0, 0), (0, -1), SHADE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_VPAD), ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_VPAD + 1)], fonts)))
    for heading, items in checklist_items(call, sub, stamp=stamp, volume_pages=volume_pages, duplex=duplex):
        story.append(para(heading, s.headings[2], fonts))
        ticks = [[TickBox(), para(text, item, fonts)] for text in items]
        story.append(Table(ticks, colWidths=[16, P.TEXT_W - 16], hAlign="LEFT", style=table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (0, -1), 5)], fonts)))
    pc = call.submission.get("process_contact") or {}
    story.append(para("四、咨询电话", s.headings[2], fonts))
    asks = [f"本方向业务咨询：{d.contact.name}（{d.contact.phone}）"]
    if isinstance(pc, dict) and pc.get("name"):
        asks.append(f"申报流程咨询：{pc['name']}（{pc.get('phone', '')}）")
    if call.submission.get("consult_hours"):
        asks.append(f"咨询时间：{call.submission['consult_hours']}")
    story += [para(a, item, fonts) for a in asks]
    story += [Spacer(1, 8), para("本清单供申报单位打印、装订和报送时逐项核对，无需装订进申报材料，也无需报送"
                                 "（电子版压缩包中也不含本清单）。", note, fonts)]
    return story


def _footer(stamp: str, fonts: FontSet) -> Callable[[Canvas, object], None]:
    """The page callback drawing the version stamp where the binder puts it on the volume's pages."""
    def draw(canv: Canvas, _doc: object) -> None:
        if stamp:
            canv.saveState()
            canv.setFillColor(STAMP_GREY)
            draw_text(canv, P.MARGIN_LEFT + P.TEXT_W, P.FOOTER_Y, f"版本 {stamp}", fonts.body, STAMP_PT, fonts, "right")
            canv.restoreState()
    return draw


def render_checklist(call: Call, sub: Submission, *, stamp: str, volume_pages: int, fonts: FontSet,
                     duplex: bool = False) -> bytes:
    """The one-page A4 print and submission checklist as PDF bytes (always exactly one page).

    It says how to print (单面打印, or 双面打印（长边翻转） for a ``duplex`` volume) and how many pages
    and sheets one copy takes.
    It carries no date: the same submission gives the same bytes.
    """
    d = call.direction(sub.direction)
    buf = io.BytesIO()
    frame = Frame(P.MARGIN_LEFT, P.MARGIN_BOTTOM, P.TEXT_W, P.TEXT_H, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="text")
    unit = str(sub.unit.get("name") or "")
    doc = BaseDocTemplate(
        buf, pagesize=A4, pageTemplates=[PageTemplate("page", [frame], onPage=_footer(stamp, fonts))],
        title=f"打印与报送清单—{unit}" if unit else "打印与报送清单", author=unit,
        subject="；".join(x for x in (d.name, f"版本 {stamp}" if stamp else "") if x),
        keywords="；".join(x for x in (call.title, d.name, unit, f"版本 {stamp}" if stamp else "") if x),
        creator="zscq-desktop", producer="zscq-desktop (reportlab)", invariant=1, lang="zh-CN",
        initialFontName=fonts.body,  # else an unembedded Helvetica sits in every page's resources
    )
    # shrink-to-fit: however long the names, the checklist stays on one sheet
    box = KeepInFrame(P.TEXT_W, P.TEXT_H, _story(call, sub, stamp, volume_pages, duplex, fonts), mode="shrink")
    with reportlab_settings():
        doc.build([box])
    return buf.getvalue()
