"""A short text box whose minimum height does not fit the rest of a page moves to the next page
(before: split returned the box itself and reportlab stopped with a LayoutError)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from zscq_desktop.render.pdf_boxes import RuledBox


def test_min_height_box_moves_whole() -> None:
    style = getSampleStyleSheet()["Normal"]
    box = RuledBox(Paragraph("label", style), [Paragraph("short text", style)], min_height=71)
    assert box.split(400, 70) == []  # does not fit: moves, never returns itself
    assert len(box.split(400, 200)) == 1


def test_a_page_ending_just_above_a_box_builds() -> None:
    style = getSampleStyleSheet()["Normal"]
    doc = SimpleDocTemplate(io.BytesIO(), pagesize=A4)
    frame_h = A4[1] - doc.topMargin - doc.bottomMargin
    flow = [Spacer(1, frame_h - 70), RuledBox(Paragraph("label", style), [Paragraph("short", style)], min_height=71)]
    doc.build(flow)  # raised LayoutError before
