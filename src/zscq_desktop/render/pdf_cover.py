"""The cover of the application form (its page 1, which is also the bound volume's cover).

Laid out the way Chinese application forms are (DESIGN §4): "附件2" top left, "项目编号：" with an
empty rule top right (the agency fills it), the title in two large centred Hei lines, then the
block of label-and-underline lines (labels spread over one width like Word's 分散对齐, values
centred on their rule; a long value wraps inside its line's width, every line underlined), and
"天津市知识产权局制" with the year in Chinese numerals at the foot.

Everything stays inside the GB/T 9704 text block: the band below it belongs to the binder's page
number / version stamp line, the binding margin stays empty, and the space over the
"申报单位（盖章）" line is left free for the unit's seal.  Long values first shrink the value size,
then the gaps; only a value far beyond any form's limit is cut with "…" (it is printed in full
inside the form).  No Qt here.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

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


class CoverPage(Flowable):
    """A whole page: wraps to the full frame, so whatever follows starts on the next page."""

    def __init__(self, cover: Cover, fonts: FontSet) -> None:
        super().__init__()
        self.cover = cover
        self.fonts = fonts

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = aw, ah
        return aw, ah

    # -- layout ---------------------------------------------------------------------------------

    def _titles(self) -> list[tuple[str, float, float]]:
        """(text, size, letter spacing) of each title line."""
        out: list[tuple[str, float, float]] = []
        for line in self.cover.title_lines:
            size = 36 if len(line) <= 8 else 26
            while size > 16 and text_width(line, self.fonts.heading, size, self.fonts) > self.width:
                size -= 2
            spacing = size * 0.5 if len(line) <= 4 else 0.0  # "申 报 书"
            out.append((line, size, spacing))
        return out

    def _value_lines(self, size: float) -> list[list[str]]:
        value_w = BLOCK_W - LABEL_W - LABEL_GAP
        return [wrap_chars(clean(v).strip(), self.fonts.body, size, value_w - 4, self.fonts) or [""]
                for _, v in self.cover.fields]

    @staticmethod
    def _block_height(lines: list[list[str]], size: float, pitch: float) -> float:
        return sum(pitch + (len(ls) - 1) * size * LEADING for ls in lines)

    def draw(self) -> None:
        c, fonts, cv = self.canv, self.fonts, self.cover
        top = self.height
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
        floor = issuer_base + FOOT_PT + 10 * mm  # the field block ends above this

        # the title lines
        y = top - TITLE_TOP
        for i, (line, size, spacing) in enumerate(self._titles()):
            y -= size
            if spacing:
                w = text_width(line, fonts.heading, size, fonts) + spacing * (len(line) - 1)
                draw_spread(c, self.width / 2 - w / 2, y, line, fonts.heading, size, w, fonts)
            else:
                draw_text(c, self.width / 2, y, line, fonts.heading, size, fonts, "center")
            y -= size * 0.55
        title_bottom = y

        # the field block: the largest value size that fits, then as much gap above as is left
        room = title_bottom - 6 * mm - floor
        for size, pitch in FIELD_LAYOUTS:
            lines = self._value_lines(size)
            if self._block_height(lines, size, pitch) <= room:
                break
        else:
            lines = self._cut(lines, size, pitch, room)
        height = self._block_height(lines, size, pitch)
        gap = min(30 * mm, max(6 * mm, (title_bottom - floor - height) * 0.55))
        self._draw_fields(title_bottom - gap, lines, size, pitch)

    def _cut(self, lines: list[list[str]], size: float, pitch: float, room: float) -> list[list[str]]:
        """Shorten the longest values (ending them with "…") until the block fits ``room``."""
        lines = [list(ls) for ls in lines]
        while self._block_height(lines, size, pitch) > room:
            longest = max(range(len(lines)), key=lambda i: len(lines[i]))
            if len(lines[longest]) <= 1:
                break
            lines[longest].pop()
            lines[longest][-1] = lines[longest][-1][:-1] + "…"
        return lines

    def _draw_fields(self, y: float, lines: list[list[str]], size: float, pitch: float) -> None:
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
