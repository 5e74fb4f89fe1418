"""The Word copies number and set their pages as the volume does (issue 13 item 10): the form's
cover unnumbered and its next page — 1 —, the plan starting at its number in the volume, the
commitment with its signature lines on one page, the cover on one page even with an over-long
项目名称 — checked in the XML and, where LibreOffice is installed, in its PDF conversion."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from zscq_desktop.core.sample import build_sample
from zscq_desktop.render.content import form_document, plan_document
from zscq_desktop.render.docx_writer import render_docx

LONG_NAME = "面向新一代信息技术产业链的高价值专利培育与运营一体化服务平台建设项目" * 3
FONTS = Path(__file__).resolve().parents[2] / "resources" / "fonts"


def _start(path: Path) -> int:
    sect = docx.Document(str(path)).sections[0]._sectPr
    return int(sect.find(qn("w:pgNumType")).get(qn("w:start")))


def test_form_cover_is_page_zero_and_plan_starts_at_the_given_number(call, tmp_path) -> None:
    sub = build_sample(call, "creation-pilot")
    render_docx(form_document(call, sub), tmp_path / "form.docx", stamp="X")
    render_docx(plan_document(call, sub), tmp_path / "plan.docx", stamp="X", first_number=9)
    assert _start(tmp_path / "form.docx") == 0  # the cover (different first page, no number) is 0
    assert docx.Document(str(tmp_path / "form.docx")).sections[0].different_first_page_header_footer
    assert _start(tmp_path / "plan.docx") == 9


def test_export_numbers_the_plan_docx_as_the_volume_does(call, tmp_path) -> None:
    from zscq_desktop.core.sample import write_sample
    from zscq_desktop.docio import load_json
    from zscq_desktop.volume.export import export

    write_sample(call, "patent-admin-protection", tmp_path / "s.json")
    for duplex in (False, True):
        result = export(load_json(tmp_path / "s.json"), call, tmp_path / f"out{duplex}", duplex=duplex, make_zip=False)
        vol = PdfReader(io.BytesIO(result.volume.read_bytes()))
        plan_page = next(vol.get_destination_page_number(o) for o in vol.outline
                         if not isinstance(o, list) and o.title == "项目实施方案")
        printed = int(re.findall(r"—\s*(\d+)\s*—", vol.pages[plan_page].extract_text())[-1])
        plan_docx = next((tmp_path / f"out{duplex}").glob("实施方案-*.docx"))
        assert _start(plan_docx) == printed > 1, duplex


def _soffice(docx_path: Path, tmp_path: Path, app_fonts: bool) -> PdfReader:
    env = dict(os.environ)
    if app_fonts:  # 宋体/仿宋/黑体 resolved to the faces the app ships
        conf = tmp_path / "fonts.conf"
        conf.write_text(f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>
<include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{FONTS}</dir><cachedir>{tmp_path}/fc</cachedir>
""" + "".join(f"""<match target="pattern"><test name="family"><string>{a}</string></test>
<edit name="family" mode="assign" binding="strong"><string>{b}</string></edit></match>"""
                for a, b in (("宋体", "Noto Serif CJK SC"), ("仿宋", "Noto Serif CJK SC"), ("黑体", "Noto Sans CJK SC")))
                        + "</fontconfig>", encoding="utf-8")
        env["FONTCONFIG_FILE"] = str(conf)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(docx_path)], check=True, timeout=300, env=env,
                   capture_output=True)
    return PdfReader(str(tmp_path / (docx_path.stem + ".pdf")))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
@pytest.mark.parametrize("app_fonts", [False, True])
def test_libreoffice_pages_cover_numbers_and_commitment(call, tmp_path, app_fonts: bool) -> None:
    sub = build_sample(call, "creation-pilot")
    sub.form["cover"]["project_name"] = LONG_NAME
    sub.unit["name"] = "天津滨海新区知识产权运营服务有限责任公司天津分公司"
    path = tmp_path / "form.docx"
    render_docx(form_document(call, sub), path, stamp="ABCD1234")
    pages = [re.sub(r"\s+", "", p.extract_text()) for p in _soffice(path, tmp_path, app_fonts).pages]
    assert "二〇二三年" in pages[0] and "天津市知识产权局制" in pages[0]  # the cover is one page
    assert pages[1].startswith("填写说明") and "—1—" in pages[1]  # the next page is — 1 —
    assert not re.search(r"—\d+—", pages[0])
    for i, text in enumerate(pages[2:], start=2):
        assert f"—{i}—" in text
    commitment = [t for t in pages if "本单位承诺" in t]
    assert len(commitment) == 1 and "法定代表人（签字）" in commitment[0] and "申报单位（公章）" in commitment[0]
