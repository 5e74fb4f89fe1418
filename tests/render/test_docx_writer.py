"""The editable Word copies: page grid, fonts, styles, tables, cover, footer, properties."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

docx = pytest.importorskip("docx")

from docx.oxml.ns import qn  # noqa: E402

from zscq_desktop.core.sample import build_sample  # noqa: E402
from zscq_desktop.render import content as c  # noqa: E402
from zscq_desktop.render.content import CN_NUM, form_document, plan_document  # noqa: E402
from zscq_desktop.render.docx_writer import render_docx  # noqa: E402

STAMP = "a1b2c3d4"


@pytest.fixture(scope="module")
def sub_pilot(call):
    return build_sample(call, "creation-pilot")


@pytest.fixture(scope="module")
def sub_data(call):
    return build_sample(call, "data-ip-protection")


def _render(doc: c.Document, stamp: str = STAMP) -> docx.document.Document:
    buf = io.BytesIO()
    render_docx(doc, buf, stamp=stamp)
    buf.seek(0)
    return docx.Document(buf)


def _table_text(t) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in t.rows]


def _all_text(d) -> str:
    out = [p.text for p in d.paragraphs]
    for t in d.tables:
        out += [cell.text for row in t.rows for cell in row.cells]
    return "\n".join(out)


def _find_table(d, header_word: str):
    for t in d.tables:
        if any(header_word == cell.text for cell in t.rows[0].cells):
            return t
    raise AssertionError(f"no table with column {header_word}")


def _is_break(el) -> bool:
    return bool(el.findall(".//" + qn("w:pageBreakBefore"))) or any(
        br.get(qn("w:type")) == "page" for br in el.iter(qn("w:br")))


def _text_before_first_break(d) -> str:
    out = []
    for el in d.element.body:
        if _is_break(el):
            break
        out += [t.text or "" for t in el.iter(qn("w:t"))]
    return "".join(out)


# -- page ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("direction", ["creation-pilot", "data-ip-protection"])
def test_form_page_grid_and_footer(call, direction):
    d = _render(form_document(call, build_sample(call, direction)))
    assert len(d.sections) == 1
    s = d.sections[0]
    assert abs(s.page_width.mm - 210) < 0.5 and abs(s.page_height.mm - 297) < 0.5
    assert abs(s.left_margin.mm - 28) < 0.5 and abs(s.top_margin.mm - 37) < 0.5
    assert abs(s.right_margin.mm - 26) < 0.5 and abs(s.bottom_margin.mm - 35) < 0.5
    # text block 156 × 225 mm
    assert abs(s.page_width.mm - s.left_margin.mm - s.right_margin.mm - 156) < 0.5
    assert abs(s.page_height.mm - s.top_margin.mm - s.bottom_margin.mm - 225) < 0.5
    # numbered pages: a PAGE field between dashes and the stamp; the cover: stamp only
    assert s.different_first_page_header_footer
    footer = s.footer._element
    assert " PAGE " in "".join(t.text for t in footer.iter(qn("w:instrText")))
    text = "".join(t.text for t in footer.iter(qn("w:t")))
    assert "— " in text and " —" in text and STAMP in text
    first = s.first_page_footer._element
    assert not list(first.iter(qn("w:instrText")))
    assert STAMP in "".join(t.text for t in first.iter(qn("w:t")))


def test_plan_without_cover_numbers_its_first_page(call, sub_pilot):
    d = _render(plan_document(call, sub_pilot))
    s = d.sections[0]
    assert not s.different_first_page_header_footer
    assert " PAGE " in "".join(t.text for t in s.footer._element.iter(qn("w:instrText")))


def test_no_stamp_no_stamp_text(call, sub_pilot):
    d = _render(plan_document(call, sub_pilot), stamp="")
    assert "版本" not in "".join(t.text for t in d.sections[0].footer._element.iter(qn("w:t")))
    assert d.core_properties.keywords and "版本" not in d.core_properties.keywords


# -- fonts and styles ---------------------------------------------------------------------------

def _east(style) -> str | None:
    rf = style.element.rPr.find(qn("w:rFonts"))
    assert not any(rf.get(qn("w:" + a)) for a in ("asciiTheme", "eastAsiaTheme", "hAnsiTheme"))
    return rf.get(qn("w:eastAsia"))


def test_fonts_sizes_and_heading_styles(call, sub_pilot):
    d = _render(form_document(call, sub_pilot))
    normal = d.styles["Normal"]
    assert _east(normal) == "宋体"
    assert normal.font.name == "Times New Roman"
    assert normal.font.size.pt == 12 and normal.paragraph_format.line_spacing == 1.5
    for name, size in (("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 12), ("Title", 22)):
        st = d.styles[name]
        assert _east(st) == "黑体", name
        assert st.font.size.pt == size, name
        assert st.element.rPr.find(qn("w:color")) is None, name  # black, not the template's blue
    assert d.styles["Heading 3"].font.bold
    # the East Asian default for the whole document, and Chinese as the East Asian language
    defaults = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    # prose indent: two characters
    ind = d.styles["正文（首行缩进）"].element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["填写说明", "一、申报单位基本情况"]
    assert "二、知识产权基础" in headings


def test_plan_headings_and_indent(call, sub_pilot):
    doc = plan_document(call, sub_pilot)
    d = _render(doc)
    h1 = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert h1 == [f"{CN_NUM[i]}、{s.title}" for i, s in enumerate(call.plan.sections)]
    assert h1[0] == "一、项目背景与必要性"
    h2 = [p.text for p in d.paragraphs if p.style.name == "Heading 2"]
    assert h2[0].startswith("（一）") and len(h2) == len(call.direction("creation-pilot").tasks)
    assert d.paragraphs[0].style.name == "Title" and d.paragraphs[0].text == call.plan.title
    # Para(indent=True) → the indent style; indent=False → none
    indented = {b.text for b in doc.blocks if isinstance(b, c.Para) and b.indent}
    for p in d.paragraphs:
        if p.text in indented:
            assert p.style.name == "正文（首行缩进）"
        if p.text.startswith("项目名称："):
            assert p.style.name == "Normal"
    cp = d.core_properties
    assert cp.title == doc.meta["title"] and cp.author == "天津示例科技有限公司"
    assert cp.subject == "高质量知识产权创造试点" and STAMP in cp.keywords


# -- cover --------------------------------------------------------------------------------------

@pytest.mark.parametrize("direction,label", [("creation-pilot", "附件2"), ("data-ip-protection", "附件3")])
def test_cover_before_first_page_break(call, direction, label):
    sub = build_sample(call, direction)
    d = _render(form_document(call, sub))
    first = d.paragraphs[0].text
    assert first.startswith(label) and "项目编号：" in first
    cover = _text_before_first_break(d)
    dn = call.direction(direction).name
    for want in (label, "申报书", sub.unit["name"], dn, "天津市知识产权局制", "二〇二三年", "申报单位（盖章）："):
        assert want in cover, want
    assert "填写说明" not in cover
    # the label/value lines: a borderless two-column table, values underlined
    t = d.tables[0]
    assert len(t.columns) == 2 and t.rows[1].cells[1].text == dn
    borders = t._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    tc_b = t.rows[1].cells[1]._tc.tcPr.find(qn("w:tcBorders"))
    assert tc_b.find(qn("w:bottom")).get(qn("w:val")) == "single"


# -- tables -------------------------------------------------------------------------------------

def test_form_tables(call, sub_pilot):
    d = _render(form_document(call, sub_pilot))
    team = _table_text(_find_table(d, "姓名"))
    members = sub_pilot.form["team"]["members"]
    assert len(team) == 1 + len(members)
    assert [r[1] for r in team[1:]] == [m["name"] for m in members]

    ind = "\n".join(x for r in _table_text(_find_table(d, "考核指标")) for x in r)
    names = [i.name for t in call.direction("creation-pilot").tasks for i in t.indicators]
    assert names and all(n in ind for n in names)

    fields = next(t for t in d.tables if any(cell.text == "统一社会信用代码" for cell in t._cells))
    assert fields.style.name == "Table Grid"
    cells = [cell.text for cell in fields._cells]
    i = cells.index("统一社会信用代码")
    assert cells[i + 1] == sub_pilot.unit["credit_code"]
    assert len(fields.columns) == 4  # two pairs a row
    label_tc = fields.rows[0].cells[0]._tc
    assert label_tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) == "D9D9D9"
    assert fields.rows[0].cells[1]._tc.tcPr.find(qn("w:shd")) is None

    # every data table repeats its header row and sets it bold
    for t in (_find_table(d, "姓名"), _find_table(d, "考核指标")):
        tr = t.rows[0]._tr
        assert tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r.bold for cell in t.rows[0].cells for p in cell.paragraphs for r in p.runs)
        assert t.rows[1]._tr.trPr is None or t.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None

    # the text boxes and the commitment box
    all_text = _all_text(d)
    assert "知识产权管理制度与规范" in all_text and "本单位承诺" in all_text
    # an empty rule to sign on; the typed name small on a line of its own, not in a 签字 cell
    assert "法定代表人（签字）：______" in all_text and "（王示例）" in all_text
    assert "法定代表人（签字）：王示例" not in all_text
    # tables never touch each other (Word would merge them)
    body = list(d.element.body)
    for a, b in zip(body, body[1:]):
        assert not (a.tag == b.tag == qn("w:tbl"))


def test_table_widths_and_caption(call):
    t = c.Table(("甲", "乙", "丙"), (("1", "2", "3"),), widths=(1, 2, 1), caption="表题示例")
    d = _render(c.Document("t", (t,), {}))
    assert d.paragraphs[0].text == "表题示例" and d.paragraphs[0].style.paragraph_format.keep_with_next
    grid = [int(g.get(qn("w:w"))) for g in d.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert abs(sum(grid) / 56.693 - 156) < 0.5
    assert abs(grid[1] / grid[0] - 2) < 0.01


def test_fields_odd_pairs_span_the_row():
    f = c.Fields((("甲", "1"), ("乙", "2"), ("丙", "3")), per_row=2)
    d = _render(c.Document("t", (f,), {}))
    t = d.tables[0]
    tcs = t.rows[1]._tr.findall(qn("w:tc"))
    assert len(tcs) == 2 and tcs[1].tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "3"
    one = _render(c.Document("t", (c.Fields((("甲", "1"),), per_row=1),), {}))
    assert len(one.tables[0].columns) == 2


def test_signbox_lines_right_aligned():
    sb = c.SignBox("区知识产权局审核意见", "", ("（盖章）", "年    月    日"), 55)
    d = _render(c.Document("t", (sb,), {}))
    t = d.tables[0]
    assert t.rows[0].cells[0].text == "区知识产权局审核意见"
    paras = t.rows[1].cells[0].paragraphs
    assert [p.text for p in paras] == ["（盖章）", "年    月    日"]
    assert all(p.alignment == 2 for p in paras)  # RIGHT
    h = sum(int(r._tr.trPr.find(qn("w:trHeight")).get(qn("w:val"))) for r in t.rows)
    assert h / 56.693 >= 55
    # room for a 4 cm round seal under and beside （盖章）, the date line inside it
    assert paras[0].paragraph_format.space_after.mm >= c.SEAL_MM - 10
    assert paras[0].paragraph_format.right_indent.mm >= c.SEAL_MM - 10 - 1


def test_page_break_becomes_break_before():
    d = _render(c.Document("t", (c.Para("前"), c.PageBreak(), c.Heading(1, "后"), c.PageBreak(),
                                 c.Fields((("甲", "1"),)), c.PageBreak()), {}))
    assert not d.paragraphs[0].paragraph_format.page_break_before
    assert d.paragraphs[1].text == "后" and d.paragraphs[1].paragraph_format.page_break_before
    brs = [br for br in d.element.body.iter(qn("w:br")) if br.get(qn("w:type")) == "page"]
    assert len(brs) == 1  # before the table; the trailing break is dropped


# -- robustness and size ------------------------------------------------------------------------

def test_large_table_and_long_text(tmp_path):
    rows = tuple((str(i + 1), f"第{i + 1}项工作内容" * 3, "2023年1月", "完成") for i in range(200))
    long_text = ("本单位围绕项目目标，明确责任部门和人员，细化工作计划。" * 800)[:20000]
    doc = c.Document("大文档", (c.Heading(1, "一、测试"), c.Para(long_text),
                                c.Table(("序号", "内容", "时间", "状态"), rows, caption="长表"),
                                c.TextBox("长文本", long_text)), {"title": "大文档"})
    path = tmp_path / "big.docx"
    t0 = time.perf_counter()
    render_docx(doc, path, stamp=STAMP)
    assert time.perf_counter() - t0 < 10
    d = docx.Document(str(path))
    t = d.tables[0]
    assert len(t.rows) == 201 and t.rows[200].cells[0].text == "200"
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert any(p.text == long_text for p in d.paragraphs)
    assert d.tables[1].rows[1].cells[0].text == long_text


def test_bad_characters_and_str_path(tmp_path):
    doc = c.Document("t", (c.Para("控制\x01字符\x0b与\ud800代理\t制表"), c.Table(("a",), (("x\ny",),))), {})
    path = tmp_path / "bad.docx"
    render_docx(doc, str(path))
    d = docx.Document(str(path))
    assert d.paragraphs[0].text.startswith("控制字符与")
    assert "\t制表" in d.paragraphs[0].text
    assert [p.text for p in d.tables[0].rows[1].cells[0].paragraphs] == ["x", "y"]


def test_empty_document():
    d = _render(c.Document("空", (), {}))
    assert len(d.paragraphs) == 1


# -- LibreOffice round trip ---------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_to_pdf(call, sub_pilot, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    src = tmp_path / "form.docx"
    render_docx(form_document(call, sub_pilot), src, stamp=STAMP)
    profile = (tmp_path / "lo-profile").as_uri()
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                   check=True, timeout=120, capture_output=True, env=env)
    pdf = Path(tmp_path / "form.pdf")
    assert pdf.exists()
    reader = pypdf.PdfReader(str(pdf))
    assert len(reader.pages) >= 2
    page = reader.pages[0]
    assert abs(float(page.mediabox.width) - 595.3) < 2 and abs(float(page.mediabox.height) - 841.9) < 2
    text = "".join(p.extract_text() or "" for p in reader.pages)
    assert sub_pilot.unit["name"] in text
    assert STAMP in text
