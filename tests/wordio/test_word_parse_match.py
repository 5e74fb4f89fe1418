"""Printed values back to stored ones; headings and tables of a Word file the app never wrote."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from wordedit import SOFFICE, hand_written_plan, resave

from zscq_desktop.core.sample import build_sample
from zscq_desktop.core.submission import Submission
from zscq_desktop.wordio.diff import char_diff
from zscq_desktop.wordio.importer import apply, compare
from zscq_desktop.wordio.match import title_score
from zscq_desktop.wordio.parse import parse_period, parse_value, same


@pytest.mark.parametrize("ftype, text, value", [
    ("amount", "10.00万元", 10.0), ("amount", "1,000.00万元", 1000.0), ("amount", "12", 12), ("amount", "１２.５万", 12.5),
    ("amount", "无", None), ("amount", "十万", "十万"),
    ("int", "120人", 120), ("int", "８件", 8), ("int", "3.5人", "3.5人"),
    ("date", "2023年5月20日", "2023-05-20"), ("date", "2023.5.2", "2023-05-02"), ("date", "去年", "去年"),
    ("month", "2023年1月", "2023-01"),
    ("bool", "是", True), ("bool", "否", False),
    ("multichoice", "高新技术企业、专精特新", ["高新技术企业", "专精特新"]), ("multichoice", "无", []),
    ("phone", "０２２－２３０３９８５６", "022-23039856"),
    ("text", "  和平区 ", "和平区"), ("text", "无", None),
    ("textarea", "• 第一项\n• 第二项\n普通段落", "- 第一项\n- 第二项\n普通段落"),
])
def test_printed_values_parse_back(ftype: str, text: str, value) -> None:
    assert parse_value(ftype, text) == value


def test_periods_and_sameness() -> None:
    assert parse_period("2023年1月—2023年3月") == ("2023-01", "2023-03")
    assert parse_period("2023年1月至2023年3月") == ("2023-01", "2023-03")
    assert same("amount", 10, "10.0") and same("text", None, "") and not same("amount", 10, 10.5)


def test_character_level_diff() -> None:
    assert char_diff("项目背景与必要性", "项目背景和必要性") == [("=", "项目背景"), ("-", "与"), ("+", "和"), ("=", "必要性")]


@pytest.mark.parametrize("heading", ["项目背景", "一、项目背景与必要性", "（一）项目背景与必要性", "1. 项目背景与必要性",
                                     "第一章 项目背景与必要性", "一、 项目背景及必要性"])
def test_headings_match_whatever_their_numbering(heading: str) -> None:
    assert title_score(heading, "项目背景与必要性") >= 0.6
    assert title_score(heading, "风险分析与应对措施") < 0.6


def _check_hand_written(result, sub) -> None:
    assert result.foreign
    got = {x.path: x.new for x in result.differences}
    assert got["plan.sections.background"] == "本公司是一家高新技术企业，专利布局薄弱。\n需要系统开展专利挖掘。"
    assert got["plan.sections.foundation"] == "已有知识产权部门和三名专职人员。"
    assert got["plan.indicators[0].target"] == 2.0 and got["plan.indicators[1].target"] == 15.0
    assert not any(p.startswith("plan.sections.risks") for p in got)
    assert any("其他说明" in x for x in result.not_imported)  # listed, not dropped
    proposals = {p.path: p.source for p in result.mapping.proposals}
    assert proposals["plan.sections.background"] == "一、项目背景"
    # accepted: the texts go in, the guide's indicators keep their keys
    apply(sub, result)
    assert sub.get("plan.sections.background").startswith("本公司")
    assert sub.get("plan.indicators[1].key") == "granted_patents" and sub.get("plan.indicators[1].target") == 15.0


def test_a_hand_written_plan_is_mapped_by_heading_and_table_header(call, tmp_path: Path) -> None:
    path = tmp_path / "手写方案.docx"
    hand_written_plan(path)
    sub = build_sample(call, "creation-pilot")
    _check_hand_written(compare(path.read_bytes(), call, sub, name=path.name), sub)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
def test_a_hand_written_plan_resaved_in_libreoffice(call, tmp_path: Path) -> None:
    path = tmp_path / "手写方案.docx"
    hand_written_plan(path)
    [lo] = resave([path], tmp_path / "lo")
    sub = build_sample(call, "creation-pilot")
    _check_hand_written(compare(lo.read_bytes(), call, sub, name=lo.name), sub)


def test_a_hand_written_form_is_mapped_by_its_label_cells(call) -> None:
    import io

    d = docx.Document()
    t = d.add_table(rows=2, cols=4)
    for (r, c), text in {(0, 0): "单位名称", (0, 1): "天津手写有限公司", (0, 2): "通讯地址", (0, 3): "天津市河西区1号",
                         (1, 0): "注册资金（万元）", (1, 1): "500万元"}.items():
        t.cell(r, c).text = text
    buf = io.BytesIO()
    d.save(buf)
    sub = Submission(call="tianjin-2023", direction="creation-pilot")
    result = compare(buf.getvalue(), call, sub)
    got = {x.path: x.new for x in result.differences}
    assert got == {"unit.name": "天津手写有限公司", "unit.address": "天津市河西区1号", "unit.registered_capital_wan": 500}


def test_a_huge_text_is_diffed_by_line() -> None:
    old = "\n".join(f"第{i}段原来的文字，内容较长。" for i in range(3000))
    new = old.replace("第1500段原来", "第1500段修改后")
    ops = char_diff(old, new)
    assert "".join(t for op, t in ops if op != "+") == old and "".join(t for op, t in ops if op != "-") == new
    assert [t for op, t in ops if op == "+"] == ["第1500段修改后的文字，内容较长。\n"]


def test_a_task_text_for_a_submission_without_tasks_yet(call, tmp_path: Path) -> None:
    d = docx.Document()
    task = call.direction("creation-pilot").tasks[1].text
    d.add_heading(f"（二）{task}", 2)
    d.add_paragraph("第二项任务的做法。")
    path = tmp_path / "任务.docx"
    d.save(str(path))
    sub = Submission(call="tianjin-2023", direction="creation-pilot")
    result = compare(path.read_bytes(), call, sub)
    assert [(x.path, x.new) for x in result.differences] == [("plan.tasks[1]", "第二项任务的做法。")]
    apply(sub, result)
    assert sub.plan["tasks"] == ["", "第二项任务的做法。"]


def test_words_inline_markup_reads_as_plain_text() -> None:
    from zscq_desktop.wordio.read import element_text, parse_xml

    p = parse_xml('<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:hyperlink><w:r>'
                  '<w:t>022</w:t><w:noBreakHyphen/><w:t>2303</w:t></w:r></w:hyperlink><w:proofErr/><w:smartTag>'
                  '<w:r><w:instrText> PAGE </w:instrText><w:t>9856</w:t><w:tab/><w:t>分机</w:t></w:r></w:smartTag>'
                  '</w:p>'.encode())
    assert element_text(p).accepted == ["022-23039856\t分机"]
