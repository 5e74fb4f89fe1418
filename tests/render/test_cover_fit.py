"""The cover never cuts a value silently: a long value shrinks and wraps; only when that is not enough
does the cover print its start with “…（详见申报书）”, a warning names the field, and the form prints
the value in full. Tested by exporting real files and reading the PDF back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from zscq_desktop.cli import main
from zscq_desktop.core.sample import write_sample
from zscq_desktop.render.pdf_cover import SEE_FORM

NAME_120 = ("面向集成电路与新能源汽车产业链的高价值专利培育、布局分析与运营转化一体化服务平台建设及关键核心技术专利导航"
            "与海外风险防控示范应用项目") * 2


def _text(page) -> str:
    """A page's text without spaces, line breaks or the footer (version stamp and page number)."""
    return re.sub(r"版本[0-9A-F]{8}(—[0-9]+—)?", "", "".join(page.extract_text().split()))


def _export(call, tmp_path: Path, name: str, capsys) -> tuple[PdfReader, list[dict]]:
    """Export the sample with `name` as 项目名称; the volume and the findings `check --json` reports."""
    src = tmp_path / "s.json"
    write_sample(call, "creation-pilot", src)
    data = json.loads(src.read_text(encoding="utf-8"))
    data["form"]["cover"]["project_name"] = name
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["export", str(src), "--out", str(tmp_path / "out"), "--quiet"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["check", str(src), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    volume = next((tmp_path / "out").glob("申报材料-*.pdf"))
    return PdfReader(volume), found


def test_a_120_character_name_fits_a_one_page_cover_in_full(call, tmp_path: Path, capsys) -> None:
    name = NAME_120[:120]
    assert len(name) == 120
    reader, found = _export(call, tmp_path, name, capsys)
    cover = _text(reader.pages[0])
    assert name in cover and SEE_FORM not in cover  # shrunk and wrapped, whole
    assert "天津市知识产权局制" in cover  # the foot is still on page 1: one page
    assert "填写说明" not in cover and "cover.shortened" not in {f["code"] for f in found}
    too_long = [f for f in found if f["code"] == "field.too_long"]  # over the suggested 40: a warning only
    assert too_long and too_long[0]["severity"] == "warning" and "封面" in too_long[0]["message"]


def test_a_name_too_long_for_any_cover_is_shortened_visibly(call, tmp_path: Path, capsys) -> None:
    name = "".join(f"第{i}段项目名称内容" for i in range(200))  # ≈ 1 600 characters
    reader, found = _export(call, tmp_path, name, capsys)
    cover = _text(reader.pages[0])
    assert SEE_FORM in cover and "天津市知识产权局制" in cover and name[:50] in cover
    assert [(f["path"], f["severity"]) for f in found if f["code"] == "cover.shortened"] == [
        ("form.cover.project_name", "warning")]
    whole = "".join(_text(p) for p in reader.pages[2:])
    assert name[-40:] in whole  # the form prints it in full


@pytest.mark.parametrize("field", ["leader", "contact_name"])
def test_cover_only_values_are_printed_in_the_form_too(call, tmp_path: Path, capsys, field: str) -> None:
    src = tmp_path / "s.json"
    write_sample(call, "creation-pilot", src)
    data = json.loads(src.read_text(encoding="utf-8"))
    word = "甲乙丙丁" if field == "leader" else "戊己庚辛"
    data["form"]["cover"][field] = word * 300
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["export", str(src), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    reader = PdfReader(next((tmp_path / "out").glob("申报材料-*.pdf")))
    assert SEE_FORM in _text(reader.pages[0])
    # the form's field table interleaves across columns and pages in text extraction: count characters
    form = "".join(_text(p) for p in reader.pages[2:])
    assert all(form.count(ch) == 300 for ch in word)
