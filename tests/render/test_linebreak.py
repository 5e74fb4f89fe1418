"""The one Chinese line-breaking routine (禁则): unit tests on fixed-width characters, then the same
rules read back from rendered PDFs (paragraphs, table cells, the cover)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from zscq_desktop.render import content as c
from zscq_desktop.render.linebreak import NO_END, NO_START, break_lines, can_break, wrap


def lines_of(text: str, per_line: int, **kw) -> list[str]:
    """``text`` broken into lines of at most ``per_line`` characters (every character 10 wide)."""
    return [text[a:b] for a, b in break_lines(text, [10.0] * len(text), per_line * 10.0, **kw)]


def test_plain_chinese_fills_every_line() -> None:
    assert lines_of("一二三四五六七八九十", 4, balance=False) == ["一二三四", "五六七八", "九十"]


@pytest.mark.parametrize("text, per_line", [("上年度营业收入（万元）", 7), ("本单位（示例）围绕“专利导航”开展工作", 6),
                                            ("申请《专利法》规定的权利", 3)])
def test_no_opening_bracket_or_quote_at_a_line_end(text: str, per_line: int) -> None:
    out = lines_of(text, per_line)
    assert "".join(out) == text
    assert all(line[-1] not in NO_END for line in out), out


@pytest.mark.parametrize("text", ["本单位承诺，所填内容真实。如有虚假，愿担责任！", "甲乙丙丁、戊己庚辛；壬癸：子丑寅卯？"])
def test_no_closing_punctuation_at_a_line_start(text: str) -> None:
    for n in range(3, 9):
        out = lines_of(text, n)
        assert "".join(out) == text
        assert all(line[0] not in NO_START for line in out), (n, out)


@pytest.mark.parametrize("text, whole", [
    ("项目自2023年8月18日起实施", "2023年8月18日"), ("项目经费共计10.00万元整", "10.00万元"),
    ("实施期为2023年8月至12月", "2023年8月"), ("上年度营业收入（万元）", "（万元）"), ("研发人员共45人以上", "45人"),
    ("统一社会信用代码91120116MA05XK3P76无误", "91120116MA05XK3P76"), ("请发送至ip@example.com确认", "ip@example.com"),
])
def test_numbers_with_units_dates_and_codes_stay_whole(text: str, whole: str) -> None:
    for n in range(len(whole) + 1, len(text)):
        out = lines_of(text, n)
        assert "".join(out) == text
        assert any(whole in line for line in out), (n, out)


def test_no_single_character_last_line() -> None:
    text = "一二三四五六七八九"
    assert lines_of(text, 4, balance=False)[-1] == "九"
    out = lines_of(text, 4)
    assert out == ["一二三四", "五六七", "八九"]
    assert lines_of("天津示例科技有限公司", 9) == ["天津示例科技有限", "公司"]  # not …有限公 / 司


def test_a_unit_wider_than_the_line_is_cut_and_nothing_is_lost() -> None:
    text = "编号" + "1234567890" * 3 + "。"
    out = lines_of(text, 8)
    assert "".join(out) == text and all(len(x) <= 8 for x in out)
    assert out[-1][0] not in NO_START


def test_variable_widths_and_several_line_widths() -> None:
    text = "ab一二三四五"
    spans = break_lines(text, [5, 5, 10, 10, 10, 10, 10], [20, 40])
    assert [text[a:b] for a, b in spans] == ["ab一", "二三四五"]


def test_newlines_spaces_and_empty_text() -> None:
    assert wrap("", lambda s: [10.0] * len(s), 40) == [""]
    assert wrap("甲乙\n丙", lambda s: [10.0] * len(s), 40) == ["甲乙", "丙"]
    assert lines_of("1234 5678 9012", 10) == ["1234 5678 ", "9012"]
    assert can_break("ab")[0] is True


# -- the rules in the rendered pages ----------------------------------------------------------------


@pytest.fixture(scope="module")
def fonts():
    from zscq_desktop.render.fonts import register_fonts

    return register_fonts()


def _lines(data: bytes) -> list[str]:
    out: list[str] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        out += [re.sub(r"\s+", "", x) for x in page.extract_text().splitlines()]
    return [x for x in out if x]


def test_paragraphs_and_cells_follow_the_rules(fonts) -> None:
    from zscq_desktop.render.pdf_writer import render_pdf

    unit = "本单位上年度营业收入（万元）为8,600.00万元，较2022年8月增长12%，详见“附件材料3-2”。"
    blocks = []
    for k in range(1, 30):  # every offset of the tricky spans against the line end
        blocks.append(c.Para("填" * k + unit, indent=False))
    blocks.append(c.Table(("项目", "上年度营业收入（万元）", "说明"),
                          tuple((str(i), "8,600.00万元", "填" * i + "自2023年8月起实施（示例）") for i in range(1, 12)),
                          (1, 1, 1)))
    lines = _lines(render_pdf(c.Document("t", tuple(blocks), {}), fonts=fonts, stamp="X"))
    assert lines
    for line in lines:
        assert line[0] not in NO_START and line[-1] not in NO_END, line
    joined = "\n".join(lines)
    for whole in ("（万元）", "8,600.00万元", "2022年8月", "12%", "2023年8月"):
        # wherever the span is printed it is on one line (the count of whole spans equals all spans)
        assert joined.count(whole) == "".join(lines).count(whole), whole


def test_cover_fields_keep_their_last_line_longer_than_one_character(call, fonts) -> None:
    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.render.content import form_document
    from zscq_desktop.render.pdf_styles import wrap_chars

    for n in range(8, 40):
        name = "天津" + "示例" * (n // 2) + "科技有限公司"
        out = wrap_chars(name, fonts.body, 14, 14 * 9.5, fonts)
        assert "".join(out) == name
        assert len(out) == 1 or len(out[-1]) >= 2, out
    sub = build_sample(call, "creation-pilot")
    sub.unit["name"] = "天津示例知识产权运营服务有限公司天津示例知识产权运营服务有限公司"
    from zscq_desktop.render.pdf_writer import render_pdf

    cover = PdfReader(io.BytesIO(render_pdf(form_document(call, sub), fonts=fonts, stamp="X"))).pages[0]
    lines = [re.sub(r"\s+", "", x) for x in cover.extract_text().splitlines() if x.strip()]
    assert all(len(x) >= 2 for x in lines), lines
