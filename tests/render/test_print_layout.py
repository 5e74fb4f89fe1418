"""How the generated pages are set (issue 13), read back from the PDFs: table breaks, duplex gutter,
totals, signature room."""

from __future__ import annotations

import io
import re

import pytest
from pdfread import positions
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


def lines(page) -> list[tuple[str, float, float]]:
    """(text, x of its start, baseline y) of each printed line: text shows on one baseline and in
    one run of x joined (two cells on a row stay apart when far from each other)."""
    out: list[list] = []
    for t, x, y in positions(page):
        t = t.replace("\n", "")
        if out and abs(out[-1][2] - y) < 0.5 and x - out[-1][3] < 40:
            out[-1][0] += t
            out[-1][3] = x
        else:
            out.append([t, x, y, x])
    return [(t, x, y) for t, x, y, _ in out]


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
                    # a row (or the continuation of a split row, whose text is in its last column) under it
                    assert any(("成员" in t or "负责" in t or "甲乙丙" in t) and y < heads[0] for t, _x, y in pos), (n, m, i)
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
    page = next(p for p in reader(data).pages if "支出科目" in p.extract_text())
    pos = positions(page)
    total_y = min(y for t, _x, y in pos if t.strip() == "合计")  # the row, not the column header
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


# -- 2. mirrored margins in duplex ---------------------------------------------------------------------


def _spine_strips_blank(pdf: bytes, tmp_path, rectos: list[bool], first: int = 0) -> None:
    """On each page (from ``first``), the 28 mm strip on the spine side — left on a recto, right on a
    verso — holds no ink inside the text block's height."""
    import subprocess

    from PIL import Image

    from zscq_desktop.render import page as P

    dpi = 50
    src = tmp_path / "doc.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(first + 1), "-l", str(first + len(rectos)),
                    str(src), str(tmp_path / "p")], check=True, timeout=300)
    pngs = sorted(tmp_path.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
    assert len(pngs) == len(rectos)
    to_px = dpi / 72
    strip = int(P.BINDING_MARGIN * to_px) - 1
    top, bottom = int(P.MARGIN_TOP * to_px), int((P.PAGE_H - P.MARGIN_BOTTOM) * to_px)
    for png, recto in zip(pngs, rectos):
        img = Image.open(png).convert("L")
        w, _h = img.size
        box = (0, top, strip, bottom) if recto else (w - strip, top, w, bottom)
        assert img.crop(box).getextrema()[0] >= 250, (png.name, "recto" if recto else "verso")


def test_duplex_form_and_plan_have_the_gutter_on_the_spine_side(call, fonts, tmp_path) -> None:
    import shutil

    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.render.content import form_document, plan_document
    from zscq_desktop.render.pdf_writer import recto_rule

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    sub = build_sample(call, "patent-admin-protection")
    sub.form["content"]["goals"] = "本单位围绕专利行政保护开展工作，" * 300  # long: many pages, full-width boxes
    for n, doc in enumerate((form_document(call, sub), plan_document(call, sub))):
        data = render_pdf(doc, fonts=fonts, stamp=STAMP, duplex=True)
        count = len(reader(data).pages)
        rule = recto_rule(doc, True)
        rectos = [rule(i + 1) for i in range(count)]
        assert not all(rectos)
        out = tmp_path / str(n)
        out.mkdir()
        _spine_strips_blank(data, out, rectos)
        # text x positions: every verso's text block starts 26 mm from the left edge
        from zscq_desktop.render import page as P
        for i, page in enumerate(reader(data).pages):
            xs = [x for _t, x, _y in positions(page)]
            if xs and i > 0:
                assert min(xs) >= P.text_left(rectos[i]) - 0.5, i
    # single-sided nothing changes: every page is left-bound
    data = render_pdf(form_document(call, sub), fonts=fonts, stamp=STAMP)
    out = tmp_path / "simplex"
    out.mkdir()
    _spine_strips_blank(data, out, [True] * len(reader(data).pages))


def test_a_duplex_export_mirrors_form_and_plan_pages_in_the_volume(call, tmp_path) -> None:
    """Through the export: the form and plan pages land on rectos and versos of the bound volume with
    the gutter on the spine side; the rendering cache tells simplex from duplex; the checklist says
    双面打印."""
    import shutil

    from zscq_desktop.core.sample import write_sample
    from zscq_desktop.docio import load_json
    from zscq_desktop.volume.export import MemoryCache, export

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    write_sample(call, "creation-pilot", tmp_path / "s.json")
    loaded = load_json(tmp_path / "s.json")
    cache = MemoryCache()
    export(loaded, call, tmp_path / "simplex", cache=cache, make_zip=False)
    result = export(loaded, call, tmp_path / "duplex", cache=cache, duplex=True, make_zip=False)
    vol = reader(result.volume.read_bytes())
    texts = [squash(p.extract_text()) for p in vol.pages]
    att = next(i for i, t in enumerate(texts) if "附件材料3-1" in t and i > 2)
    first = next(i for i in range(2, att) if not texts[i].startswith("目") and "此页为空白页" not in texts[i])
    pages = [i for i in range(first, att) if "此页为空白页" not in texts[i]]
    assert pages == list(range(pages[0], pages[-1] + 1)) or len(pages) > 4
    out = tmp_path / "png"
    out.mkdir()
    _spine_strips_blank(result.volume.read_bytes(), out, [i % 2 == 0 for i in range(first, att)], first=first)
    checklist = next((tmp_path / "duplex").glob("打印与报送清单-*.pdf"))
    assert "双面打印（长边翻转）" in squash(reader(checklist.read_bytes()).pages[0].extract_text())


# -- 4. room to sign and to stamp -------------------------------------------------------------------


def test_signature_line_is_empty_and_seals_have_four_centimetres(call, fonts) -> None:
    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.render import content as content
    from zscq_desktop.render.content import form_document

    mm = 72 / 25.4
    sub = build_sample(call, "creation-pilot")
    data = render_pdf(form_document(call, sub), fonts=fonts, stamp=STAMP)
    pages = reader(data).pages
    page = next(p for p in pages if "本单位承诺" in p.extract_text())
    pos = lines(page)
    sign = next((x, y) for t, x, y in pos if "法定代表人（签字）" in t)
    seal = next((x, y) for t, x, y in pos if "申报单位（公章）" in t)
    name = sub.unit["legal_rep"]
    # nothing on the signature line after the label: the typed name is separate, small, below it
    assert not any(name in t and abs(y - sign[1]) < 3 for t, _x, y in pos)
    typed = [(x, y) for t, x, y in pos if name in t]
    assert typed and all(sign[1] - 20 * mm < y < sign[1] for _x, y in typed)
    assert "法定代表人（签字）" not in squash("".join(p.extract_text() for p in pages).split("本单位承诺")[0])
    # under and beside the seal line: 40 mm free of text (only the date line, which a seal may cover)
    below = [(t, x, y) for t, x, y in pos if y < seal[1] and "年" not in t and "月" not in t and "日" not in t]
    assert not [b for b in below if seal[1] - b[2] < content.SEAL_MM * mm and b[1] > seal[0] - 1]
    date_y = max(y for t, _x, y in pos if t.strip().startswith("年") and y < seal[1])
    assert seal[1] - date_y >= (content.SEAL_MM - 12) * mm
    # the opinion boxes: 40 mm from （盖章） down to the box's foot region
    boxes = 0
    for p in pages:
        pp = lines(p)
        for t, x, y in pp:
            if t.strip() == "（盖章）":
                boxes += 1
                d = max(yy for tt, _xx, yy in pp if tt.strip().startswith("年") and yy < y)
                assert y - d >= (content.SEAL_MM - 12) * mm
    assert boxes == 2  # the district office's and the municipal office's opinion


@pytest.mark.parametrize("direction", ["creation-pilot", "patent-admin-protection"])
def test_the_opinion_boxes_stay_on_one_page_with_their_heading(call, fonts, direction: str) -> None:
    """七、审核意见 and both opinion boxes are printed on the same page: the municipal box never starts
    a page alone, cut off from its heading and the district box."""
    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.render.content import form_document

    sub = build_sample(call, direction)
    pages = [squash(p.extract_text()) for p in reader(render_pdf(form_document(call, sub), fonts=fonts,
                                                                 stamp=STAMP)).pages]
    municipal = [i for i, t in enumerate(pages) if "市知识产权局意见" in t]
    assert len(municipal) == 1
    page = pages[municipal[0]]
    assert "审核意见" in page.split("市知识产权局意见")[0]
    if call.direction(direction).district_review:
        assert "区知识产权局审核意见" in page
