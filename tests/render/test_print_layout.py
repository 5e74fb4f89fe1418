"""How the generated pages are set (issue 13), read back from the PDFs: table breaks, duplex gutter,
totals, signature room."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from zscq_desktop.render import content as c
from zscq_desktop.render.fonts import register_fonts
from zscq_desktop.render.pdf_writer import render_pdf

STAMP = "5E6F7A8B"


@pytest.fixture(scope="module")
def fonts():
    return register_fonts()


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def positions(page) -> list[tuple[str, float, float]]:
    """(text, x, y) of every text show on a page, in user space."""
    out: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, _font, _size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            out.append((text, tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return out


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- 1. a table header is never left without a row under it -----------------------------------------


@pytest.mark.parametrize("caption", ["", "项目团队"])
def test_a_table_header_at_a_page_foot_always_has_a_row_under_it(fonts, caption: str) -> None:
    """Tall rows (four lines) after filler of every length that puts the header near the page foot:
    on every page where the header is printed, a data row's text is printed under it."""
    rows = tuple((str(i + 1), f"成员{i + 1:03d}", "高级工程师", "负责专利挖掘与布局分析工作甲乙丙" * 4) for i in range(12))
    checked = 0
    for n in range(24, 36):
        for m in range(3):
            filler = tuple(c.Para("填充内容甲乙丙丁" * 4, indent=False) for _ in range(n))
            if m:
                filler += (c.Fields(tuple(("甲", "乙") for _ in range(m)), per_row=1),)
            table = c.Table(("序号", "姓名", "职称", "分工说明"), rows, (0.5, 1, 1, 3), caption=caption)
            data = render_pdf(c.Document("t", filler + (table,), {}), fonts=fonts, stamp=STAMP)
            for i, page in enumerate(reader(data).pages):
                pos = positions(page)
                heads = [y for t, _x, y in pos if "分工说明" in t]
                if heads:
                    checked += 1
                    assert any("成员" in t and y < heads[0] for t, _x, y in pos), (n, m, i)
    assert checked >= 36 * 2 - 24 * 2  # the table broke across pages in many of the cases


def test_a_split_row_shows_at_least_two_lines_at_the_page_foot(fonts) -> None:
    """The part of a split row left at a page foot holds two lines or more, never an empty strip."""
    from zscq_desktop.render.pdf_writer import MIN_ROW_PART, KeepRowTable, _Writer

    w = _Writer(fonts)
    rows = tuple((str(i + 1), "负责专利挖掘与布局分析工作甲乙丙" * 6) for i in range(3))
    table = w.table(c.Table(("序号", "分工说明"), rows, (0.5, 3)))[-1]
    assert isinstance(table, KeepRowTable)
    table.wrap(440, 10_000)
    for ah in range(10, 200, 3):
        parts = table.split(440, ah)
        if len(parts) >= 2:
            parts[0].wrap(440, ah)
            assert len(parts[0]._rowHeights) >= 2, ah
            assert parts[0]._rowHeights[-1] >= min(MIN_ROW_PART, table._rowHeights[len(parts[0]._rowHeights) - 1] - 1), ah
