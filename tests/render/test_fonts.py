"""The fonts the PDFs are set in: TrueType outlines, coverage, per-character fallback, embedding."""

from __future__ import annotations

import io
import unicodedata

import pytest
from fontTools.ttLib import TTFont as FTFont
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate

from zscq_desktop.render import fonts as F
from zscq_desktop.resources import resource_path

RARE_NAME_CHARS = "喆堃昇珺镕䶮"
EXT_B = "\U00020000"  # 𠀀


@pytest.fixture(scope="module")
def fs() -> F.FontSet:
    return F.register_fonts()


def _gbk_chars() -> list[str]:
    out = []
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            if trail == 0x7F:
                continue
            try:
                out.append(bytes((lead, trail)).decode("gbk"))
            except UnicodeDecodeError:
                pass
    return out


def _is_hanzi(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH") or \
        unicodedata.name(ch, "").startswith("CJK COMPATIBILITY IDEOGRAPH")


# -- the files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, filename", F.BUNDLED)
def test_bundled_fonts_have_truetype_outlines(name, filename):
    path = resource_path("fonts", filename)
    with FTFont(str(path), lazy=True) as font:
        assert "glyf" in font and "loca" in font
        assert "CFF " not in font and "CFF2" not in font


def test_licences_ship_with_the_fonts():
    for lic in ("OFL-NotoCJK.txt", "LICENSE-Hanazono.txt", "README.md"):
        assert resource_path("fonts", lic).is_file()


# -- registration ------------------------------------------------------------------------------------


def test_register_fonts_registers_and_is_idempotent(fs):
    assert fs == F.FontSet(body=F.BODY, heading=F.HEADING, fallbacks=(F.EXTB, F.RARE))
    assert F.register_fonts() is fs
    assert F.register_fonts(prefer_system=False) is fs
    for name in fs.all:
        F.coverage(name)  # a lazy fallback (HanaMinB) is registered on first need
        assert name in pdfmetrics.getRegisteredFontNames()
        assert pdfmetrics.getFont(name).face.charToGlyph  # a TTFont with a cmap


def test_bold_maps_to_the_hei_face(fs):
    from reportlab.lib.fonts import tt2ps

    assert tt2ps(fs.body, 1, 0) == fs.heading
    assert tt2ps(fs.body, 0, 0) == fs.body
    assert tt2ps(fs.heading, 1, 0) == fs.heading


def test_prefer_system_off_windows_uses_the_bundled_fonts(fs, monkeypatch):
    monkeypatch.setattr(F.sys, "platform", "linux")
    monkeypatch.setattr(F, "_cache", {})
    assert F.register_fonts(prefer_system=True) == fs


def test_prefer_system_on_windows_without_system_fonts_falls_back(fs, monkeypatch, tmp_path):
    monkeypatch.setattr(F.sys, "platform", "win32")
    monkeypatch.setenv("WINDIR", str(tmp_path))  # no Fonts folder there
    monkeypatch.setattr(F, "_cache", {})
    assert F.register_fonts(prefer_system=True) == fs


def test_prefer_system_on_windows_uses_simsun_and_simhei(fs, monkeypatch, tmp_path):
    # Stand-ins for the Windows files: any TrueType fonts do for the registration logic.
    import shutil

    fonts_dir = tmp_path / "Fonts"
    fonts_dir.mkdir()
    shutil.copyfile(resource_path("fonts", F.RARE_FILE), fonts_dir / "simsun.ttc")
    shutil.copyfile(resource_path("fonts", F.RARE_FILE), fonts_dir / "simhei.ttf")
    monkeypatch.setattr(F.sys, "platform", "win32")
    monkeypatch.setenv("WINDIR", str(tmp_path))
    monkeypatch.setattr(F, "_cache", {})
    # Same face file under other names: reportlab aliases them; undo the registrations afterwards.
    before = dict(pdfmetrics._fonts)
    try:
        got = F.register_fonts(prefer_system=True)
        assert got.body == "SimSun" and got.heading == "SimHei"
        assert got.fallbacks[0] == F.BODY and F.EXTB in got.fallbacks
    finally:
        pdfmetrics._fonts.clear()
        pdfmetrics._fonts.update(before)


def test_prefer_system_fangsong_sets_the_body_in_fangsong(fs, monkeypatch, tmp_path):
    import shutil

    fonts_dir = tmp_path / "Fonts"
    fonts_dir.mkdir()
    for name in ("simsun.ttc", "simhei.ttf", "simfang.ttf"):
        shutil.copyfile(resource_path("fonts", F.RARE_FILE), fonts_dir / name)
    monkeypatch.setattr(F.sys, "platform", "win32")
    monkeypatch.setenv("WINDIR", str(tmp_path))
    monkeypatch.setattr(F, "_cache", {})
    before = dict(pdfmetrics._fonts)
    try:
        got = F.register_fonts(prefer_system="fangsong")
        assert got.body == "SimFang" and got.heading == "SimHei"
        assert F.register_fonts(prefer_system=True).body == "SimSun"  # a separate choice, cached apart
        (fonts_dir / "simfang.ttf").unlink()
        monkeypatch.setattr(F, "_cache", {})
        assert F.register_fonts(prefer_system="fangsong").body == "SimSun"  # no 仿宋 installed: 宋体
    finally:
        pdfmetrics._fonts.clear()
        pdfmetrics._fonts.update(before)


# -- coverage ----------------------------------------------------------------------------------------


def test_every_gbk_hanzi_is_in_the_body_and_heading_fonts(fs):
    hanzi = [c for c in _gbk_chars() if _is_hanzi(c)]
    assert len(hanzi) > 20900
    for name in (fs.body, fs.heading):
        cov = F.coverage(name)
        lost = [c for c in hanzi if c not in cov]
        assert not lost, f"{name} lacks {''.join(lost[:30])}"


def test_every_gbk_character_is_drawable(fs):
    chars = "".join(c for c in _gbk_chars() if unicodedata.category(c) != "Co")
    assert F.missing_chars(chars, fs) == []


def test_rare_name_characters_are_covered(fs):
    assert F.missing_chars(RARE_NAME_CHARS, fs) == []
    body = F.coverage(fs.body)
    assert all(c in body for c in RARE_NAME_CHARS)
    assert F.markup(RARE_NAME_CHARS, fs.body, fs) == RARE_NAME_CHARS


def test_ext_b_only_via_fallback(fs):
    assert EXT_B not in F.coverage(fs.body)
    assert EXT_B not in F.coverage(fs.heading)
    assert EXT_B in F.coverage(F.EXTB)
    assert F.missing_chars(EXT_B, fs) == []
    assert F.font_runs(f"张{EXT_B}三", fs.body, fs) == [(fs.body, "张"), (F.EXTB, EXT_B), (fs.body, "三")]
    assert F.font_runs(f"{EXT_B}\U00020001 丽", fs.heading, fs) == [
        (F.EXTB, f"{EXT_B}\U00020001 "), (fs.heading, "丽")]


def test_missing_chars_reports_what_no_font_has(fs):
    absent = ["\ue000", "\U0001F600"]  # private use, emoji
    for ch in absent:
        assert all(ch not in F.coverage(f) for f in fs.all)
    text = f"甲\n乙\t{absent[0]}丙{absent[1]}丁{absent[0]}\r\n"
    assert F.missing_chars(text, fs) == absent
    assert F.missing_chars("第一行\n第二行\t\r\n\u3000", fs) == []


def test_font_runs_and_markup_fast_path(fs):
    text = "天津市知识产权局 <资助> & “申报”\n第二行"
    assert F.font_runs(text, fs.body, fs) == [(fs.body, text)]
    assert F.markup(text, fs.body, fs) == "天津市知识产权局 &lt;资助&gt; &amp; “申报”\n第二行"
    assert F.font_runs("", fs.body, fs) == []
    assert F.markup("", fs.body, fs) == ""


def test_font_runs_reassemble_the_text(fs):
    text = f"\n{EXT_B}A<b>&甲\ue000乙 {EXT_B} {EXT_B}\n≒"
    runs = F.font_runs(text, fs.body, fs)
    assert "".join(r for _, r in runs) == text
    assert all(a[0] != b[0] for a, b in zip(runs, runs[1:]))  # neighbouring runs differ
    for name, run in runs:
        cov = F.coverage(name)
        for ch in run:
            assert ch in cov or ch.isspace() or ch == "\ue000", (name, ch)
    assert dict((r, n) for n, r in runs).get("≒") == F.RARE


def test_markup_wraps_fallback_runs(fs):
    got = F.markup(f"A&{EXT_B}<喆>", fs.body, fs)
    assert got == f'A&amp;<font name="{F.EXTB}">{EXT_B}</font>&lt;喆&gt;'


# -- a real PDF --------------------------------------------------------------------------------------


def _pdf(fs: F.FontSet) -> bytes:
    buf = io.BytesIO()
    # initialFontName: else the canvas' initial Helvetica sits unembedded in every page's resources.
    doc = SimpleDocTemplate(buf, pagesize=A4, invariant=1, initialFontName=fs.body)
    body = ParagraphStyle("body", fontName=fs.body, fontSize=12, leading=20, wordWrap="CJK")
    head = ParagraphStyle("head", fontName=fs.heading, fontSize=16, leading=24)
    doc.build([
        Paragraph(F.markup("申报单位：天津市喆堃科技有限公司", fs.heading, fs), head),
        Paragraph(F.markup(f"负责人：王{EXT_B}珺、李昇镕、䶮 <b>加粗为黑体</b>", fs.body, fs).replace(
            "&lt;b&gt;", "<b>").replace("&lt;/b&gt;", "</b>"), body),
        Paragraph(F.markup("Latin 1 2 3 — “引号”《书名》①②③ ㎡ ℃", fs.body, fs), body),
    ])
    return buf.getvalue()


def test_pdf_embeds_every_font_and_extracts_the_bmp_text(fs):
    data = _pdf(fs)
    reader = PdfReader(io.BytesIO(data))
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert desc is not None, font
            assert "/FontFile2" in desc.get_object(), font
            seen.add(str(font["/BaseFont"]))
    # body, heading and the Ext-B fallback all drawn (subset names: AAAAAA+PostScriptName)
    assert any("NotoSerifCJKsc" in s for s in seen)
    assert any("NotoSansCJKsc" in s for s in seen)
    assert any("HanaMinB" in s for s in seen)
    text = "".join(p.extract_text() for p in reader.pages)
    for want in ("申报单位：天津市喆堃科技有限公司", "李昇镕", "䶮", "加粗为黑体", "《书名》"):
        assert want in text
