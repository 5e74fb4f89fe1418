"""A ruled box whose content flows across pages, for the form's long answers and statements.

reportlab's Table can split a row across pages (``splitInRow``), but after the first split it
loses the closing rule of each part, so a 20 000-character answer ran over several pages as an
open-bottomed box.  :class:`RuledBox` does the one thing needed itself: an optional label strip
(shaded, with a rule under it) repeated at the top of every part, the content flowables split
between parts with their own ``split``, and every part closed with its frame.  No Qt here.
"""

from __future__ import annotations

from reportlab.lib.colors import Color, black
from reportlab.platypus import Flowable

BIG = 1e6


class RuledBox(Flowable):
    """A framed box: optional label strip, then ``body`` flowables; splits between and inside them.

    Args:
        label: the label strip's paragraph, or None.
        body: the content; each flowable may split (Paragraph does) or moves whole.
        shade: fill colour of the label strip, or None.
        label_rule: draw a rule under the label strip.
        pad_x / pad_top / pad_bottom: inner padding around the body, pt.
        label_pad: padding above and below the label, pt.
        min_height: the box (its last part) is at least this tall, pt.
        frame / rule: line widths of the frame and the rule under the label.
    """

    def __init__(self, label: Flowable | None, body: list[Flowable], *, shade: Color | None = None,
                 label_rule: bool = True, pad_x: float = 6, pad_top: float = 4, pad_bottom: float = 6,
                 label_pad: float = 3, min_height: float = 0, frame: float = 0.9, rule: float = 0.6) -> None:
        super().__init__()
        self.label, self.body = label, list(body)
        self.shade, self.label_rule = shade, label_rule
        self.pad_x, self.pad_top, self.pad_bottom, self.label_pad = pad_x, pad_top, pad_bottom, label_pad
        self.min_height, self.frame, self.rule = min_height, frame, rule
        self._label_h = 0.0
        self._heights: list[float] = []

    def _copy(self, body: list[Flowable], min_height: float) -> "RuledBox":
        return RuledBox(self.label, body, shade=self.shade, label_rule=self.label_rule, pad_x=self.pad_x,
                        pad_top=self.pad_top, pad_bottom=self.pad_bottom, label_pad=self.label_pad,
                        min_height=min_height, frame=self.frame, rule=self.rule)

    def _inner(self, aw: float) -> float:
        return aw - 2 * self.pad_x

    def _wrap_label(self, aw: float) -> float:
        if self.label is None:
            return 0.0
        return self.label.wrap(self._inner(aw), BIG)[1] + 2 * self.label_pad

    @staticmethod
    def _gap(f: Flowable, first: bool) -> float:
        return (0.0 if first else f.getSpaceBefore()) + f.getSpaceAfter()

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self._label_h = self._wrap_label(aw)
        inner = self._inner(aw)
        self._heights = [f.wrap(inner, BIG)[1] + self._gap(f, i == 0) for i, f in enumerate(self.body)]
        self.height = max(self.min_height, self._label_h + self.pad_top + sum(self._heights) + self.pad_bottom)
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        self.wrap(aw, ah)
        if self.height <= ah:
            return [self]
        room = ah - self._label_h - self.pad_top - self.pad_bottom
        inner = self._inner(aw)
        used = 0.0
        for i, (f, h) in enumerate(zip(self.body, self._heights)):
            if used + h <= room:
                used += h
                continue
            gap = self._gap(f, i == 0)
            parts = f.split(inner, room - used - gap) if room - used - gap > 0 else []
            if len(parts) >= 2:
                head, rest = self.body[:i] + [parts[0]], list(parts[1:]) + self.body[i + 1:]
            else:
                head, rest = self.body[:i], self.body[i:]
            if not head:
                return []  # not even a line fits: the whole box moves to the next page
            return [self._copy(head, 0), self._copy(rest, self.min_height)]
        return []  # the content fits but the box's minimum height does not: it moves whole to the next page

    def draw(self) -> None:
        c = self.canv
        w, h = self.width, self.height
        top = h
        if self.label is not None:
            if self.shade is not None:
                c.saveState()
                c.setFillColor(self.shade)
                c.rect(0, top - self._label_h, w, self._label_h, stroke=0, fill=1)
                c.restoreState()
            lh = self._label_h - 2 * self.label_pad
            self.label.drawOn(c, self.pad_x, top - self.label_pad - lh)
            top -= self._label_h
            if self.label_rule:
                c.setLineWidth(self.rule)
                c.setStrokeColor(black)
                c.line(0, top, w, top)
        y = top - self.pad_top
        for i, (f, fh) in enumerate(zip(self.body, self._heights)):
            before = 0.0 if i == 0 else f.getSpaceBefore()
            f_h = fh - before - f.getSpaceAfter()
            f.drawOn(c, self.pad_x, y - before - f_h)
            y -= fh
        c.setLineWidth(self.frame)
        c.setStrokeColor(black)
        c.rect(0, 0, w, h, stroke=1, fill=0)
