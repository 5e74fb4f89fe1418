"""The PDF engine (pikepdf/qpdf) on real-world oddities: what a viewer shows is what is bound.

Every input is made in ``pdf_corpus``; every output is rendered with pdftoppm and looked at as
pixels (a Chinese field value is there, a highlight is yellow, an ink stroke is blue), or read
back with pypdf for its text.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

import norm_inputs as N
import pdf_corpus as K
from zscq_desktop.attachments.normalize import normalize
from zscq_desktop.core.findings import Severity

DPI = 50
needs_pdftoppm = pytest.mark.skipif(not N.have_pdftoppm(), reason="pdftoppm not installed")


def usable(result, pages: int = 1) -> None:  # type: ignore[no-untyped-def]
    assert result.pdf is not None, [str(f) for f in result.findings]
    assert result.pages == pages
    assert not [f for f in result.findings if f.blocking]


def codes(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in result.findings]


def colour_box(img: Image.Image, rgb: tuple[int, int, int], tol: int = 50):  # type: ignore[no-untyped-def]
    return N.ink_box(img, DPI, rgb, tol)


def text_of(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


# -- forms -----------------------------------------------------------------------------------------


@needs_pdftoppm
def test_need_appearances_form_latin_and_chinese_values_are_bound(tmp_path: Path) -> None:
    data = K.form_pdf(["ACME Ltd. 2023", "天津示例科技有限公司", "第一行说明文字，很长很长的中文内容会自动换行显示在方框里面"],
                      multiline_last=True)
    result = normalize(data, "申请表.pdf", path="attachments[0]")
    usable(result)
    text = text_of(result.pdf)
    assert "ACME Ltd. 2023" in text
    assert "天津示例科技有限公司" in text and "??" not in text
    assert "第一行说明文字" in text
    (note,) = [f for f in result.findings if f.code == "attachment.pdf.form_flattened"]
    assert note.severity is Severity.INFO and "第 1 页的表单域已按显示效果固定" in note.message
    assert "《申请表.pdf》" in note.message
    (page,) = N.render(result.pdf, tmp_path, DPI)
    # the values are drawn in the field colour (blue in /DA), one band per field
    blue = colour_box(page, (0, 0, 255), 90)
    assert blue is not None
    assert blue[3] - blue[1] > 30  # from the first field down into the multi-line one (mm)


def test_form_with_stored_appearances_is_left_as_drawn() -> None:
    # no NeedAppearances and no /AP: the value has never been drawn, so it is drawn here
    result = normalize(K.form_pdf(["只有值没有外观"], need_appearances=False), "a.pdf")
    usable(result)
    assert "只有值没有外观" in text_of(result.pdf)


@needs_pdftoppm
def test_ticked_check_box_without_appearance_is_bound(tmp_path: Path) -> None:
    result = normalize(K.checkbox_pdf(), "勾选.pdf")
    usable(result)
    assert "attachment.pdf.form_flattened" in codes(result)
    (page,) = N.render(result.pdf, tmp_path, DPI)
    # ink below the page's text line: the tick (the text line is the only other ink)
    lines = Image.eval(page.convert("L"), lambda v: 255 if v < 200 else 0)
    lower = lines.crop((0, page.height // 3, page.width, page.height)).getbbox()
    assert lower is not None


def test_xfa_form_gets_a_warning() -> None:
    import pikepdf

    pdf = K.base()
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=pdf.make_stream(b"<xdp:xdp/>"))
    result = normalize(K.save(pdf), "动态表单.pdf")
    usable(result)
    (f,) = [f for f in result.findings if f.code == "attachment.pdf.xfa"]
    assert f.severity is Severity.WARNING and "打印为 PDF" in f.message


# -- markup annotations without appearance ----------------------------------------------------------


@needs_pdftoppm
@pytest.mark.parametrize("print_flag", [True, False])
def test_highlight_ink_and_shapes_without_appearance_are_bound(print_flag: bool, tmp_path: Path) -> None:
    result = normalize(K.markup_pdf(print_flag), "批注.pdf", path="attachments[1]")
    usable(result)
    (page,) = N.render(result.pdf, tmp_path, DPI)
    assert colour_box(page, (255, 255, 110), 60) is not None, "highlight missing"  # translucent yellow
    assert colour_box(page, (255, 0, 0), 60) is not None, "strike-out missing"
    blue = colour_box(page, (0, 0, 255), 80)
    assert blue is not None, "ink missing"
    assert blue[2] - blue[0] > 40  # the stroke spans ~70 mm (scaled into the area)
    assert colour_box(page, (0, 153, 0), 60) is not None, "square missing"
    # the highlighted words are still readable under the translucent highlight
    assert "Highlighted words here" in text_of(result.pdf)
    (note,) = [f for f in result.findings if f.code == "attachment.pdf.markup_flattened"]
    assert "高亮" in note.message and "手写" in note.message and "第 1 页" in note.message


def test_annotation_that_cannot_be_drawn_is_reported_with_its_page() -> None:
    result = normalize(K.freetext_without_appearance(), "备注.pdf", path="attachments[1]")
    usable(result)
    (f,) = [f for f in result.findings if f.code == "attachment.pdf.annotation_lost"]
    assert f.severity is Severity.WARNING and "第 1 页" in f.message and "《备注.pdf》" in f.message


# -- repairs, boxes, passwords ---------------------------------------------------------------------


@pytest.mark.parametrize("make", [K.broken_xref, K.without_header], ids=["broken-xref", "no-header"])
def test_repairable_pdfs_are_opened_with_an_info(make) -> None:  # type: ignore[no-untyped-def]
    result = normalize(make(), "损坏.pdf", path="attachments[0]")
    usable(result)
    (f,) = [f for f in result.findings if f.code == "attachment.pdf.repaired"]
    assert f.severity is Severity.INFO and "已自动修复" in f.message
    assert "Supporting file page" in text_of(result.pdf)


def test_pdf_without_header_is_recognised_whatever_its_name() -> None:
    result = normalize(K.without_header(), "scan.dat")
    usable(result)


@needs_pdftoppm
@pytest.mark.parametrize("crop", [None, (0, 0, 300, 400)], ids=["no-box", "crop-box-only"])
def test_page_without_mediabox_is_kept(crop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = normalize(K.page_without_mediabox(crop), "无尺寸.pdf")
    usable(result)
    assert "attachment.pdf.box" in codes(result)
    assert "Supporting file page" in text_of(result.pdf)


def test_page_with_empty_mediabox_is_kept() -> None:
    result = normalize(K.page_with_empty_mediabox(), "空尺寸.pdf")
    usable(result)
    assert "attachment.pdf.box" in codes(result)
    assert "Supporting file page" in text_of(result.pdf)


def test_empty_user_password_opens_silently_and_a_real_one_is_named() -> None:
    result = normalize(K.encrypted(""), "只限打印.pdf", path="attachments[0]")
    usable(result)
    assert not [f for f in result.findings if "密码" in f.message]
    result = normalize(K.encrypted("secret"), "加密.pdf", path="attachments[0]")
    assert result.pdf is None
    (f,) = result.findings
    assert f.code == "attachment.pdf.password" and "设置了打开密码" in f.message


def test_garbage_named_pdf_is_refused_as_damaged() -> None:
    result = normalize(b"%PDF-1.4\n" + b"\x00garbage" * 500, "坏.pdf", path="attachments[0]")
    assert result.pdf is None
    assert [f.code for f in result.findings] == ["attachment.pdf.damaged"]


# -- quiet -----------------------------------------------------------------------------------------


def test_problem_files_print_nothing_on_stderr(capfd, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import logging

    from test_orientation import stored

    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # like the CLI: no handler configured
    tiff = io.BytesIO()
    img = stored(6)
    img.save(tiff, "TIFF", compression="jpeg", tiffinfo={0x0112: 6, 33432: "\xff" * 3})
    corrupt_exif = io.BytesIO()
    img.save(corrupt_exif, "JPEG", exif=b"Exif\x00\x00II*\x00\xff\xff\xff\xff")
    inputs = [K.broken_xref(), K.without_header(), K.form_pdf(["中文"]), K.markup_pdf(),
              K.page_without_mediabox(), K.encrypted(""), tiff.getvalue(), corrupt_exif.getvalue(),
              N.content_bomb_pdf()]
    capfd.readouterr()
    for i, data in enumerate(inputs):
        normalize(data, f"f{i}.pdf" if data[:1] != b"\xff" and b"II*" not in data[:4] else f"f{i}.img")
    out, err = capfd.readouterr()
    assert err == "" and out == ""
