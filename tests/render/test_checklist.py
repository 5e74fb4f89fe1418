"""The one-page print and submission checklist, read back with pypdf."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from pypdf import PdfReader

from zscq_desktop.core.sample import build_sample
from zscq_desktop.core.validators import chinese_count
from zscq_desktop.render import page as P
from zscq_desktop.render.checklist import checklist_items, render_checklist
from zscq_desktop.render.fonts import register_fonts

STAMP = "C0FFEE12"


@pytest.fixture(scope="module")
def fonts():
    return register_fonts()


def render(call, sub, fonts, pages: int = 57) -> PdfReader:
    return PdfReader(io.BytesIO(render_checklist(call, sub, stamp=STAMP, volume_pages=pages, fonts=fonts)))


def text_of(reader: PdfReader) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))


def test_district_review_direction(call, fonts) -> None:
    sub = build_sample(call, "creation-pilot")
    d = call.direction("creation-pilot")
    assert d.district_review
    r = render(call, sub, fonts)
    assert len(r.pages) == 1
    text = text_of(r)
    sm = call.submission
    for want in ("打印与报送清单", sub.unit["name"], d.name, sub.form["cover"]["project_name"], STAMP, "共57页",
                 f"一式{chinese_count(sm['copies'])}份", "按“申报书—项目实施方案—附件材料”顺序装订", "左侧胶装", "申报书首页作为封面",
                 "申报单位（盖章）", "六、申报单位承诺", "区知识产权局审核意见", "先报送所属区知识产权局",
                 sm["address_name"], sm["address"], call.submit_email, "2023年5月31日17:00",
                 d.contact.name, d.contact.phone, sm["process_contact"]["name"]):
        assert re.sub(r"\s+", "", want) in text, want
    for c in sm["contacts"]:
        assert c["name"] in text and c["phone"] in text
    assert "直接寄送" not in text


def test_direct_direction(call, fonts) -> None:
    sub = build_sample(call, "public-service")
    d = call.direction("public-service")
    assert not d.district_review
    r = render(call, sub, fonts, pages=12)
    assert len(r.pages) == 1
    text = text_of(r)
    for want in ("直接寄送", call.submission["address"], call.submit_email, "2023年5月31日17:00", d.contact.phone, "共12页"):
        assert want in text, want
    assert "先报送所属区知识产权局" not in text
    assert "区知识产权局审核意见" not in text  # that box is not printed for this direction


def test_every_direction_is_one_a4_page_with_embedded_fonts_and_its_route(call, fonts) -> None:
    assert len(call.directions) == 13
    for d in call.directions:
        r = render(call, build_sample(call, d.id), fonts)
        assert len(r.pages) == 1, d.id
        box = r.pages[0].mediabox
        assert float(box.width) == pytest.approx(P.PAGE_W, abs=0.5)
        assert float(box.height) == pytest.approx(P.PAGE_H, abs=0.5)
        for ref in r.pages[0]["/Resources"]["/Font"].values():
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            assert desc is not None and "/FontFile2" in desc.get_object(), (d.id, font.get("/BaseFont"))
        text = text_of(r)
        assert ("先报送所属区知识产权局" in text) == d.district_review, d.id
        assert ("直接寄送" in text) != d.district_review, d.id
        assert d.contact.phone in text, d.id


def test_long_names_still_fit_one_page(call, fonts) -> None:
    sub = build_sample(call, "gi-protection")
    sub.unit["name"] = "天津滨海新区知识产权运营服务有限责任公司" * 8
    sub.form["cover"]["project_name"] = "面向新一代信息技术产业链的高价值专利培育与运营一体化服务平台建设项目" * 8
    r = render(call, sub, fonts, pages=999)
    assert len(r.pages) == 1
    text = text_of(r)
    assert "天津滨海新区知识产权运营服务有限责任公司" in text and "…" in text
    assert call.submission["address"] in text and "共999页" in text


def test_facts_come_from_the_call_data(call, fonts) -> None:
    other = dataclasses.replace(call, submit_email="other@example.org", submission={
        **call.submission, "address": "天津市测试区测试路1号", "copies": 5,
        "contacts": [{"name": "测试员", "phone": "12345678"}]})
    text = text_of(render(other, build_sample(call, "creation-pilot"), fonts))
    for want in ("天津市测试区测试路1号", "other@example.org", "一式五份", "测试员", "12345678"):
        assert want in text, want
    assert "吴家窑" not in text


def test_stamp_is_printed_at_the_foot_outside_the_text_block(call, fonts) -> None:
    page = render(call, build_sample(call, "creation-pilot"), fonts).pages[0]
    found: list[tuple[float, float]] = []

    def visit(text, cm, tm, _font, _size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            assert x >= P.BINDING_MARGIN - 1, (text, x)
            if "版本" in text:
                found.append((x, y))

    page.extract_text(visitor_text=visit)
    assert any(y == pytest.approx(P.FOOTER_Y, abs=1) for _x, y in found), found


def test_items_are_sections_of_tick_lines(call) -> None:
    sub = build_sample(call, "creation-pilot")
    sections = checklist_items(call, sub, stamp=STAMP, volume_pages=3)
    assert [h for h, _ in sections] == ["一、打印与装订", "二、签字与盖章", "三、报送"]
    assert all(items and all(isinstance(t, str) and t for t in items) for _h, items in sections)


def test_duplex_checklist_says_double_sided_and_counts_sheets(call, fonts) -> None:
    sub = build_sample(call, "creation-pilot")
    duplex = text_of(PdfReader(io.BytesIO(render_checklist(call, sub, stamp=STAMP, volume_pages=57, fonts=fonts,
                                                           duplex=True))))
    assert "双面打印（长边翻转）" in duplex and "单面" not in duplex
    assert "57页、29张" in duplex  # one copy: 57 pages on 29 sheets
    assert "空白页" in duplex  # the blank pages are meant, not a printing error
    simplex = text_of(render(call, sub, fonts, pages=57))
    assert "单面打印" in simplex and "双面" not in simplex and "57页、57张" in simplex
    items = checklist_items(call, sub, stamp=STAMP, volume_pages=8, duplex=True)
    assert "8页、4张纸" in items[0][1][0]
