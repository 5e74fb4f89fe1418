"""The reportlab PDF of form and plan, read back: cover text, page grid, fonts, long content, fallback."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pdfread import positions
from pypdf import PdfReader

from zscq_desktop.core.sample import build_sample
from zscq_desktop.render import content as c
from zscq_desktop.render import page as P
from zscq_desktop.render.content import form_document, plan_document
from zscq_desktop.render.fonts import EXTB, register_fonts
from zscq_desktop.render.pdf_writer import render_pdf

STAMP = "5E6F7A8B"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def fonts():
    return register_fonts()


@pytest.fixture(scope="module")
def pilot(call):
    return build_sample(call, "creation-pilot")


@pytest.fixture(scope="module")
def form_pdf(call, pilot, fonts) -> bytes:
    return render_pdf(form_document(call, pilot), fonts=fonts, stamp=STAMP)


@pytest.fixture(scope="module")
def plan_pdf(call, pilot, fonts) -> bytes:
    return render_pdf(plan_document(call, pilot), fonts=fonts, stamp=STAMP)


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    return [p.extract_text() for p in reader(data).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def embedded_fonts(data: bytes) -> set[str]:
    """BaseFont names of every font on every page; asserts each is embedded as TrueType (FontFile2)."""
    seen: set[str] = set()
    for i, page in enumerate(reader(data).pages):
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert desc is not None, (i, font.get("/BaseFont"))
            assert "/FontFile2" in desc.get_object(), (i, font.get("/BaseFont"))
            seen.add(str(font["/BaseFont"]))
    return seen


# -- the cover ---------------------------------------------------------------------------------------


def test_cover_shows_form_label_title_unit_direction_project(call, pilot, form_pdf) -> None:
    cover = squash(page_texts(form_pdf)[0])
    d = call.direction("creation-pilot")
    for want in ("附件2", "项目编号", "2023年天津市知识产权资助项目", "申报书", d.category_name, d.name,
                 pilot.unit["name"], pilot.form["cover"]["project_name"], "申报单位（盖章）", "天津市知识产权局制",
                 "二〇二三年"):
        assert squash(want) in cover, want
    assert "填写说明" not in cover  # the cover is a page of its own
    assert "填写说明" in page_texts(form_pdf)[1]


def test_cover_layout_form_label_left_number_right_titles_centred(form_pdf) -> None:
    pos = positions(reader(form_pdf).pages[0])
    label = next((x, y) for t, x, y in pos if t.startswith("附件"))
    number = next((x, y) for t, x, y in pos if t.startswith("项目编号"))
    issuer = next((x, y) for t, x, y in pos if "知识产权局制" in t)
    assert label[0] == pytest.approx(P.MARGIN_LEFT, abs=1)
    assert number[0] > P.MARGIN_LEFT + P.TEXT_W / 2 and abs(number[1] - label[1]) < 2
    assert issuer[1] < P.MARGIN_BOTTOM + 40 * MM  # at the foot
    for t, x, y in pos:
        assert P.MARGIN_BOTTOM - 1 <= y <= P.PAGE_H - P.MARGIN_TOP, (t, y)


def test_long_cover_values_wrap_and_stay_on_the_cover(call, fonts) -> None:
    sub = build_sample(call, "gi-demo-zone")
    sub.unit["name"] = "天津滨海新区知识产权运营服务有限责任公司" * 3
    sub.form["cover"]["project_name"] = "面向新一代信息技术产业链的高价值专利培育与运营一体化服务平台建设项目" * 3
    data = render_pdf(form_document(call, sub), fonts=fonts, stamp=STAMP)
    page = reader(data).pages[0]
    text = squash(page.extract_text())
    assert squash(sub.unit["name"]) in text
    assert "天津市知识产权局制" in text and "附件3" in text
    assert "填写说明" in reader(data).pages[1].extract_text()
    pos = positions(page)
    for t, x, y in pos:
        assert P.MARGIN_LEFT - 1 <= x <= P.MARGIN_LEFT + P.TEXT_W, (t, x)
        assert P.MARGIN_BOTTOM - 1 <= y <= P.PAGE_H - P.MARGIN_TOP, (t, y)
    # the issuer line stays below every field line
    issuer_y = next(y for t, x, y in pos if "知识产权局制" in t)
    field_ys = [y for t, x, y in pos if "服务有限责任公司" in t or "建设项目" in t]
    assert field_ys and min(field_ys) > issuer_y + 10


# -- page grid, fonts, metadata ----------------------------------------------------------------------


def test_every_page_is_a4(form_pdf, plan_pdf) -> None:
    for data in (form_pdf, plan_pdf):
        for page in reader(data).pages:
            box = page.mediabox
            assert float(box.width) == pytest.approx(P.PAGE_W, abs=0.5)
            assert float(box.height) == pytest.approx(P.PAGE_H, abs=0.5)


def test_all_fonts_embedded_song_body_and_hei_headings(form_pdf, plan_pdf) -> None:
    for data in (form_pdf, plan_pdf):
        seen = embedded_fonts(data)
        assert any("NotoSerifCJKsc" in s for s in seen), seen
        assert any("NotoSansCJKsc" in s for s in seen), seen
        assert not any("Helvetica" in s or "Times" in s for s in seen), seen


def test_text_stays_inside_the_text_block(form_pdf, plan_pdf) -> None:
    for data in (form_pdf, plan_pdf):
        for i, page in enumerate(reader(data).pages):
            for t, x, y in positions(page):
                assert x >= P.BINDING_MARGIN - 0.5, (i, t, x)
                assert y >= P.MARGIN_BOTTOM - 1, (i, t, y)  # the footer band is the binder's


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_binding_margin_and_footer_band_are_blank_pixels(form_pdf, plan_pdf, tmp_path: Path) -> None:
    from PIL import Image

    dpi = 50
    for name, data in (("form", form_pdf), ("plan", plan_pdf)):
        src = tmp_path / f"{name}.pdf"
        src.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(src), str(tmp_path / name)], check=True,
                       timeout=120)
        pngs = sorted(tmp_path.glob(f"{name}-*.png"))
        assert len(pngs) == len(reader(data).pages)
        for png in pngs:
            img = Image.open(png).convert("L")
            w, h = img.size
            margin = int((P.BINDING_MARGIN / 72) * dpi) - 1  # rules, shading and text alike
            band = int((P.MARGIN_BOTTOM / 72) * dpi) - 1
            left = img.crop((0, 0, margin, h))
            foot = img.crop((0, h - band, w, h))
            assert left.getextrema()[0] >= 250, (png.name, "binding margin")
            assert foot.getextrema()[0] >= 250, (png.name, "footer band")


def test_metadata_carries_title_unit_direction_and_stamp(call, pilot, form_pdf, plan_pdf) -> None:
    for data in (form_pdf, plan_pdf):
        meta = reader(data).metadata
        assert meta.title and "申报书" in meta.title or "实施方案" in meta.title
        assert meta.author == pilot.unit["name"]
        assert call.direction("creation-pilot").name in meta.subject
        assert STAMP in meta.subject and STAMP in meta["/Keywords"]


def test_same_input_gives_the_same_bytes(call, pilot, fonts, form_pdf) -> None:
    assert render_pdf(form_document(call, pilot), fonts=fonts, stamp=STAMP) == form_pdf


# -- the form's content -----------------------------------------------------------------------------


def test_form_sections_tables_units_and_sign_boxes(call, pilot, form_pdf) -> None:
    text = squash("".join(page_texts(form_pdf)))
    for want in ("一、申报单位基本情况", "二、知识产权基础", "三、项目内容", "四、项目团队", "五、经费预算",
                 "六、申报单位承诺", "七、审核意见", "统一社会信用代码", pilot.unit["credit_code"], "万元",
                 "区知识产权局审核意见", "市知识产权局意见", "法定代表人（签字）", "申报单位（公章）", "年月日",
                 "考核指标", "进度安排"):
        assert squash(want) in text, want


def test_commitment_and_its_signature_lines_share_a_page(form_pdf) -> None:
    for text in page_texts(form_pdf):
        if "本单位承诺" in text:
            assert "申报单位（公章）" in text
            break
    else:
        raise AssertionError("no commitment statement")


def test_no_line_starts_with_closing_punctuation(form_pdf, plan_pdf) -> None:
    for data in (form_pdf, plan_pdf):
        for text in page_texts(data):
            for line in text.splitlines():
                assert not line.lstrip().startswith(("，", "。", "、", "；", "：", "）", "》")), line


def test_plan_headings_and_tables(call, pilot, plan_pdf) -> None:
    text = squash("".join(page_texts(plan_pdf)))
    d = call.direction("creation-pilot")
    assert "项目实施方案" in text
    for i, s in enumerate(call.plan.sections):
        assert squash(f"{c.CN_NUM[i]}、{s.title}") in text
    assert squash(f"（一）{d.tasks[0].text}") in text
    for col in ("对应任务", "考核指标", "指南要求", "目标值", "起止时间", "工作内容"):
        assert col in text


# -- long content -----------------------------------------------------------------------------------


def test_a_20000_character_answer_flows_across_pages(call, pilot, fonts) -> None:
    sub = copy.deepcopy(pilot)
    body = "".join(f"第{i:04d}句：本单位围绕高质量知识产权创造开展专利挖掘布局，" for i in range(700))
    assert len(body) >= 20_000
    sub.form["content"]["goals"] = body + "结束标记"
    data = render_pdf(form_document(call, sub), fonts=fonts, stamp=STAMP)
    pages = page_texts(data)
    assert len(pages) >= 15
    joined = squash("".join(pages))
    assert "第0000句" in joined and "第0699句" in joined and "结束标记" in joined
    # the box's label repeats at the top of every page the answer runs over
    spanning = [t for t in pages if "第03" in t]
    assert spanning and all("项目目标" in t for t in spanning)


def test_a_200_row_table_repeats_its_header(fonts) -> None:
    rows = tuple((str(i + 1), f"成员{i + 1:03d}", "高级工程师", "硕士/机械工程", "负责专利挖掘与布局分析" * (1 + i % 3))
                 for i in range(200))
    doc = c.Document("测试", (c.Heading(1, "四、项目团队"),
                              c.Table(("序号", "姓名", "职务/职称", "学历/专业", "项目分工"), rows,
                                      (0.6, 1, 1, 1, 2), caption="项目负责人及主要成员")), {"title": "测试"})
    data = render_pdf(doc, fonts=fonts, stamp=STAMP)
    pages = page_texts(data)
    assert len(pages) >= 5
    joined = "".join(pages)
    assert "成员001" in joined and "成员200" in joined
    assert all("学历/专业" in t for t in pages)  # header row on every page


def test_a_huge_single_cell_and_field_value_do_not_break_the_layout(fonts) -> None:
    huge = "超长内容" * 3000
    doc = c.Document("测试", (
        c.Fields((("单位名称", huge), ("所属区", "和平区"), ("地址", "天津")), per_row=2),
        c.Table(("序号", "说明"), (("1", huge), ("2", "短")), (0.5, 4)),
        c.SignBox("承诺", huge, ("法定代表人（签字）：", "年    月    日")),
    ), {})
    data = render_pdf(doc, fonts=fonts, stamp=STAMP)
    assert len(reader(data).pages) > 10


def test_empty_document_is_one_blank_page(fonts) -> None:
    data = render_pdf(c.Document("空", (), {}), fonts=fonts, stamp="")
    assert len(reader(data).pages) == 1


def test_page_breaks_never_make_empty_pages(fonts) -> None:
    doc = c.Document("测试", (c.PageBreak(), c.Para("一"), c.PageBreak(), c.PageBreak(), c.Para("二"), c.PageBreak()),
                     {})
    pages = page_texts(render_pdf(doc, fonts=fonts, stamp=STAMP))
    assert [t.strip() for t in pages] == ["一", "二"]


# -- rare characters ------------------------------------------------------------------------------------


def test_rare_characters_render_through_the_fallback_font(call, pilot, fonts) -> None:
    sub = copy.deepcopy(pilot)
    sub.unit["name"] = "天津喆堃昇珺镕䶮科技有限公司"
    sub.form["cover"]["leader"] = "王\U00020000明"  # CJK Ext-B: only the fallback face has it
    data = render_pdf(form_document(call, sub), fonts=fonts, stamp=STAMP)
    seen = embedded_fonts(data)
    assert any(EXTB in s for s in seen), seen
    cover = squash(reader(data).pages[0].extract_text())
    assert "天津喆堃昇珺镕䶮科技有限公司" in cover  # BMP text stays searchable
    # the Ext-B glyph is drawn with the fallback font on the cover (text extraction above U+FFFF is
    # unreliable, DESIGN §9: look for the font's resource name in the cover's content stream)
    page = reader(data).pages[0]
    names = [str(k) for k, ref in page["/Resources"]["/Font"].items() if EXTB in str(ref.get_object()["/BaseFont"])]
    content = page.get_contents().get_data().decode("latin-1")
    assert any(f"{n} " in content for n in names), names


def test_sign_boxes_stay_whole_and_do_not_push_the_next_section_away(fonts) -> None:
    blocks = (c.Heading(1, "六、申报单位承诺"), c.Fields((("法定代表人（签字）", "王示例"),), per_row=1),
              c.SignBox("", "本单位承诺：" + "所填报内容真实、合法、有效。" * 12,
                        ("法定代表人（签字）：", "申报单位（公章）：", "年    月    日"), 70),
              c.Heading(1, "七、审核意见"), c.SignBox("区知识产权局审核意见", "", ("（盖章）", "年    月    日"), 55),
              c.SignBox("市知识产权局意见", "", ("（盖章）", "年    月    日"), 55))
    for text in page_texts(render_pdf(c.Document("t", blocks, {}), fonts=fonts, stamp=STAMP)):
        text = squash(text)
        if "本单位承诺" in text:  # the statement with all its lines to sign and stamp
            assert "六、申报单位承诺" in text and "法定代表人（签字）" in text and "申报单位（公章）" in text
        for box in ("区知识产权局审核意见", "市知识产权局意见"):  # each opinion box whole on a page
            if box in text:
                assert text.count("（盖章）") >= 1 and "年月日" in text.split(box, 1)[1]
    # pushed down the page, the statement moves whole with its heading instead of splitting
    filler = tuple(c.Para("填充内容" * 20) for _ in range(24))
    pages = page_texts(render_pdf(c.Document("t", filler + blocks[:3], {}), fonts=fonts, stamp=STAMP))
    last = squash(pages[-1])
    assert "六、申报单位承诺" in last and "本单位承诺" in last and "申报单位（公章）" in last


def test_odd_blocks_and_hostile_text_render(fonts) -> None:
    blocks = (c.Cover("附件2", ("标题",), (("项目名称", "名称\x00\x07<b>&amp;"),), "", ""), c.Table(("甲", "乙"), ()),
              c.Fields(()), c.TextBox("标签", ""), c.SignBox("", "", ()), c.Heading(5, "深层标题"),
              c.Table((), (("x", "y", "z"),)), c.Para("<b>&amp; 标记</b>\x00\x07 \ud800"), c.Table(("a",), (("1", "2"),)))
    pages = page_texts(render_pdf(c.Document("t", blocks, {}), fonts=fonts, stamp=STAMP))
    assert len(pages) == 2
    assert "<b>&amp;" in pages[0] and "深层标题" in pages[1] and "<b>&amp; 标记</b>" in pages[1]


def test_characters_above_the_bmp_copy_and_search_as_themselves(fonts) -> None:
    """𠮷 (U+20BB7) and 𪚥 (U+2A6A5) are drawn by the Ext-B fallback; their ToUnicode entries are
    UTF-16 surrogate pairs, so the text layer gives the characters back (reportlab wrote <20BB7>)."""
    doc = c.Document("t", (c.Para("吉野家𠮷野家与𪚥字测试"), c.Table(("姓名",), (("王𠮷",),))), {})
    data = render_pdf(doc, fonts=fonts, stamp=STAMP)
    text = squash(page_texts(data)[0])
    assert "吉野家𠮷野家与𪚥字测试" in text and "王𠮷" in text
    raw = b"".join(reader(data).pages[0]["/Resources"]["/Font"][k].get_object()["/ToUnicode"].get_object().get_data()
                   for k in reader(data).pages[0]["/Resources"]["/Font"])
    assert b"<D842DFB7>" in raw and b"<20BB7>" not in raw
