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


# -- 7. a 合计 row under every amount table ----------------------------------------------------------


def _odd_expenses(sub) -> None:
    sub.form["budget"]["expenses"] = [
        {"item": "专利申请费", "funded_wan": 1.1, "self_wan": 2.2, "note": "甲"},
        {"item": "咨询服务费", "funded_wan": "2.2", "self_wan": 0.7, "note": "乙"},
        {"item": "培训费", "funded_wan": 0.03, "self_wan": None, "note": ""},
    ]  # 1.1 + 2.2 + 0.03 = 3.33 exactly (floats would give 3.3300000000000005)


@pytest.mark.parametrize("direction", ["creation-pilot", "patent-admin-protection"])
def test_the_expense_table_has_a_total_column_and_row_in_pdf_and_docx(call, fonts, direction, tmp_path) -> None:
    import docx

    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.render.content import form_document
    from zscq_desktop.render.docx_writer import render_docx

    sub = build_sample(call, direction)
    _odd_expenses(sub)
    doc = form_document(call, sub)
    data = render_pdf(doc, fonts=fonts, stamp=STAMP)
    page = next(p for p in reader(data).pages if "经费支出明细" in p.extract_text())
    pos = positions(page)
    total_y = next(y for t, _x, y in pos if t.strip() == "合计")
    row = sorted((x, t.strip()) for t, x, y in pos if abs(y - total_y) < 3 and t.strip() != "合计")
    assert [t for _x, t in row] == ["3.33万元", "2.90万元", "6.23万元"]
    # the 合计 row is the last row: under every expense
    assert all(y > total_y for t, _x, y in pos if "专利申请费" in t or "培训费" in t)
    assert any("合计（万元）" in squash(t) for t, _x, _y in pos) or "合计（万元）" in squash(page.extract_text())
    # each row's own sum in the 合计 column
    assert "3.30万元" in page.extract_text() and "2.90万元" in page.extract_text()

    path = tmp_path / "form.docx"
    render_docx(doc, path, stamp=STAMP)
    table = next(t for t in docx.Document(str(path)).tables if any("支出科目" in c.text for c in t.rows[0].cells))
    last = [c.text for c in table.rows[-1].cells]
    assert last[0] == "合计" and last[-4:] == ["3.33万元", "2.90万元", "6.23万元", ""]
    assert [c.text for c in table.rows[0].cells][4] == "合计（万元）"
