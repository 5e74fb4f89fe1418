"""The page grid shared by every generated page (GB/T 9704-2012, A4 portrait).

Text block 156 × 225 mm, top margin 37 mm, binding margin 28 mm. Page numbers sit 7 mm
below the text block, as GB/T 9704 places them; the version stamp sits on the same line at the
outer edge; an attachment's label sits in the top margin. Nothing generated may enter the
binding margin.

Single-sided every page is a recto: the binding margin is on the left.  Double-sided (duplex) the
back of a sheet, a verso, has the spine on its right: its text block is mirrored (:func:`text_left`),
26 mm from the left edge and 28 mm from the right one.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

PAGE_W, PAGE_H = A4
MARGIN_TOP = 37 * mm
MARGIN_LEFT = 28 * mm  # binding side: left-glued volume
TEXT_W = 156 * mm
TEXT_H = 225 * mm
MARGIN_RIGHT = PAGE_W - MARGIN_LEFT - TEXT_W  # 26 mm
MARGIN_BOTTOM = PAGE_H - MARGIN_TOP - TEXT_H  # 35 mm
FOOTER_Y = MARGIN_BOTTOM - 7 * mm - 10  # baseline of page number / stamp line
LABEL_Y = PAGE_H - 20 * mm  # baseline of an attachment's label in the top margin
BINDING_MARGIN = MARGIN_LEFT


def text_left(recto: bool = True) -> float:
    """The left edge of the text block: the binding margin on a recto (right-hand page), the
    outer margin on a verso, whose spine is on the right."""
    return MARGIN_LEFT if recto else PAGE_W - MARGIN_LEFT - TEXT_W


def outer_edge(recto: bool = True) -> float:
    """The x of the text block's outer edge (where the version stamp ends or starts)."""
    return text_left(recto) + TEXT_W if recto else text_left(recto)
