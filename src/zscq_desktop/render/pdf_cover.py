"""The cover of the application form (its page 1, which is also the bound volume's cover).

Laid out the way Chinese application forms are (DESIGN §4): "附件2" top left, "项目编号：" with an
empty rule top right (the agency fills it), the title in two large centred Hei lines, then the
block of label-and-underline lines (labels spread over one width like Word's 分散对齐, values
centred on their rule; a long value wraps inside its line's width, every line underlined), and
"天津市知识产权局制" with the year in Chinese numerals at the foot.

Everything stays inside the GB/T 9704 text block: the band below it belongs to the binder's page
number / version stamp line, the binding margin stays empty, and the space over the
"申报单位（盖章）" line is left free for the unit's seal.  Long values first shrink the value size
and wrap, then the gaps; never silently cut: only when the smallest size cannot hold the block, the
longest values print their start and "…（详见申报书）" (the form prints them in full) and
`cover_findings` reports a warning naming each such field.  No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from zscq_desktop.core.findings import Finding, warning
from zscq_desktop.render.content import Cover
from zscq_desktop.render.fonts import FontSet
from zscq_desktop.render.pdf_styles import clean, draw_spread, draw_text, text_width, wrap_chars

LABEL_PT = 14  # 四号
#: (value size, row pitch) tried in turn until the field block fits: roomy rows first, then smaller type
FIELD_LAYOUTS = ((14, 34.0), (14, 29.0), (12, 26.0), (10.5, 24.0), (9, 21.0))
LEADING = 1.7  # line distance inside a wrapped value, × size
TOP_LABEL_PT = 16  # "附件2"
NUMBER_PT = 14
NUMBER_RULE = 38 * mm
FOOT_PT = 16
BLOCK_W = 142 * mm
LABEL_W = 46 * mm
LABEL_GAP = 2 * mm
TITLE_TOP = 26 * mm  # from the top of the text block to the first title line's top
RULE_W = 0.6
SEE_FORM = "…（详见申报书）"  # ends a value the cover cannot hold; the form prints it in full
#: the field path of each cover line (for the warning when a value had to be shortened)
COVER_PATHS = {
    "项目名称": "form.cover.project_name", "申报单位（盖章）": "unit.name", "所属区": "unit.district",
    "项目负责人": "form.cover.leader", "联系人": "form.cover.contact_name", "联系电话": "form.cover.contact_phone",
    "电子邮箱": "form.cover.contact_email",
}


@dataclass(frozen=True)
class CoverLayout:
    """Where the cover's parts go: title lines, the field block's size and pitch, each value's lines,
    and the labels of the values shortened with "…（详见申报书）"."""

    titles: tuple[tuple[str, float, float], ...]
    title_bottom: float
    floor: float
    size: float
    pitch: float
    lines: tuple[tuple[str, ...], ...]
    shortened: tuple[str, ...] = ()


def _titles(cover: Cover, width: float, fonts: FontSet) -> list[tuple[str, float, float]]:
    """(text, size, letter spacing) of each title line."""
    out: list[tuple[str, float, float]] = []
    for line in cover.title_lines:
        size = 36 if len(line) <= 8 else 26
        while size > 16 and text_width(line, fonts.heading, size, fonts) > width:
            size -= 2
        spacing = size * 0.5 if len(line) <= 4 else 0.0  # "申 报 书"
        out.append((line, size, spacing))
    return out


def _wrap(text: str, size: float, fonts: FontSet) -> list[str]:
    return wrap_chars(text, fonts.body, size, BLOCK_W - LABEL_W - LABEL_GAP - 4, fonts) or [""]


def _block_height(lines: list[list[str]] | tuple[tuple[str, ...], ...], size: float, pitch: float) -> float:
    return sum(pitch + (len(ls) - 1) * size * LEADING for ls in lines)


def _shorten(text: str, max_lines: int, size: float, fonts: FontSet) -> list[str]:
    """The longest start of `text` that, followed by "…（详见申报书）", wraps into `max_lines` lines."""
    lo, hi = 0, len(text)
    while lo < hi:  # the number of lines grows with the length: binary search the longest start that fits
        mid = (lo + hi + 1) // 2
        if len(_wrap(text[:mid].rstrip() + SEE_FORM, size, fonts)) <= max_lines:
            lo = mid
        else:
            hi = mid - 1
    return _wrap(text[:lo].rstrip() + SEE_FORM, size, fonts)


def layout_cover(cover: Cover, fonts: FontSet, width: float, height: float) -> CoverLayout:
    """The cover's layout in a frame of `width` × `height`: the largest value size whose wrapped
    block fits, and only if the smallest does not, the longest values shortened until it fits."""
    titles = _titles(cover, width, fonts)
    date_base = 4 * mm
    floor = date_base + FOOT_PT * 2 + FOOT_PT + 10 * mm  # the field block ends above the issuer line
    y = height - TITLE_TOP
    for _line, size, _spacing in titles:
        y -= size * 1.55
    room = y - 6 * mm - floor
    values = [clean(v).strip() for _, v in cover.fields]
    for size, pitch in FIELD_LAYOUTS:
        lines = [_wrap(v, size, fonts) for v in values]
        if _block_height(lines, size, pitch) <= room:
            return CoverLayout(tuple(titles), y, floor, size, pitch, tuple(tuple(ls) for ls in lines))
    shortened: list[str] = []
    while _block_height(lines, size, pitch) > room:
        longest = max(range(len(lines)), key=lambda i: len(lines[i]))
        if len(lines[longest]) <= 1:
            break
        lines[longest] = _shorten(values[longest], len(lines[longest]) - 1, size, fonts)
        label = cover.fields[longest][0]
        if label not in shortened:
            shortened.append(label)
    return CoverLayout(tuple(titles), y, floor, size, pitch, tuple(tuple(ls) for ls in lines), tuple(shortened))


def cover_findings(call: Any, sub: Any, fonts: FontSet | None = None) -> list[Finding]:
    """A warning for each cover value too long for the cover (printed in full in the form)."""
    from zscq_desktop.render.content import cover_block
    from zscq_desktop.render.fonts import register_fonts
    from zscq_desktop.render.page import TEXT_H, TEXT_W

    try:
        form = call.form_for(sub.direction)
    except KeyError:
        return []
    cover = cover_block(call, sub, form)
    layout = layout_cover(cover, fonts or register_fonts(), TEXT_W, TEXT_H)
    return [warning("cover.shortened", f"“{label}”太长，封面上缩小字号换行后仍放不下：封面只印开头并注明“（详见申报书）”，"
                    "申报书正文完整打印。如需封面完整显示，请精简。", COVER_PATHS.get(label, ""))
            for label in layout.shortened]


class CoverPage(Flowable):
    """A whole page: wraps to the full frame, so whatever follows starts on the next page."""

    def __init__(self, cover: Cover, fonts: FontSet) -> None:
        super().__init__()
        self.cover = cover
        self.fonts = fonts

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = aw, ah
        return aw, ah

    def draw(self) -> None:
        c, fonts, cv = self.canv, self.fonts, self.cover
        top = self.height
        layout = layout_cover(cv, fonts, self.width, self.height)
        # the top line: form label left, project number with an empty rule right
        base = top - TOP_LABEL_PT
        draw_text(c, 0, base, cv.form_label, fonts.heading, TOP_LABEL_PT, fonts)
        c.setLineWidth(RULE_W)
        c.line(self.width - NUMBER_RULE, base - 3, self.width, base - 3)
        draw_text(c, self.width - NUMBER_RULE - 2, base, cv.number_label, fonts.body, NUMBER_PT, fonts, "right")

        # the foot: issuer and year, bottom of the text block
        date_base = 4 * mm
        issuer_base = date_base + FOOT_PT * 2
        draw_text(c, self.width / 2, issuer_base, cv.issuer, fonts.heading, FOOT_PT, fonts, "center")
        draw_text(c, self.width / 2, date_base, cv.date_line, fonts.heading, FOOT_PT, fonts, "center")

        # the title lines
        y = top - TITLE_TOP
        for line, size, spacing in layout.titles:
            y -= size
            if spacing:
                w = text_width(line, fonts.heading, size, fonts) + spacing * (len(line) - 1)
                draw_spread(c, self.width / 2 - w / 2, y, line, fonts.heading, size, w, fonts)
            else:
                draw_text(c, self.width / 2, y, line, fonts.heading, size, fonts, "center")
            y -= size * 0.55

        # the field block, with as much gap above as is left
        height = _block_height(layout.lines, layout.size, layout.pitch)
        gap = min(30 * mm, max(6 * mm, (layout.title_bottom - layout.floor - height) * 0.55))
        self._draw_fields(layout.title_bottom - gap, layout.lines, layout.size, layout.pitch)

    def _draw_fields(self, y: float, lines: tuple[tuple[str, ...], ...], size: float, pitch: float) -> None:
        c, fonts = self.canv, self.fonts
        x0 = (self.width - BLOCK_W) / 2
        vx0, vx1 = x0 + LABEL_W + LABEL_GAP, x0 + BLOCK_W
        leading = size * LEADING
        c.setLineWidth(RULE_W)
        for (label, _), value_lines in zip(self.cover.fields, lines):
            y -= pitch
            base = y + 6  # text sits on its rule with a little air
            draw_spread(c, x0, base, label, fonts.heading, LABEL_PT, LABEL_W - LABEL_PT, fonts)
            draw_text(c, x0 + LABEL_W - LABEL_PT, base, "：", fonts.heading, LABEL_PT, fonts)
            for k, line in enumerate(value_lines):
                b = base - k * leading
                draw_text(c, (vx0 + vx1) / 2, b, line, fonts.body, size, fonts, "center")
                c.line(vx0, b - 4, vx1, b - 4)
            y -= (len(value_lines) - 1) * leading
