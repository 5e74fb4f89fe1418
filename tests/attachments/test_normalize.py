"""Supporting-file normalisation: every kind of input made here, every output read back.

Pages are rendered with pdftoppm at a low resolution to check, as a reader would, that the
binding margin and the label and page-number bands stay white and that orientation survived.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

import norm_inputs as N
from zscq_desktop.core.findings import Severity
from zscq_desktop.attachments import common as C
from zscq_desktop.attachments.normalize import Cancelled, Limits, NormalizeResult, normalize, sniff, supported_suffixes

DPI = 40
TOL = 1.2  # mm: one rendered pixel of anti-aliasing and rounding

needs_pdftoppm = pytest.mark.skipif(not N.have_pdftoppm(), reason="pdftoppm not installed")


def ok(result: NormalizeResult, pages: int) -> PdfReader:
    """The result is usable, has ``pages`` pages, all A4 portrait and unrotated."""
    assert result.pdf is not None, [str(f) for f in result.findings]
    assert not [f for f in result.findings if f.blocking]
    reader = PdfReader(io.BytesIO(result.pdf))
    assert len(reader.pages) == pages == result.pages
    for page in reader.pages:
        box = page.mediabox
        assert (float(box.left), float(box.bottom)) == (0, 0)
        assert abs(float(box.width) - C.PAGE_W) < 0.01 and abs(float(box.height) - C.PAGE_H) < 0.01
        assert page.rotation == 0
    return reader


def failed(result: NormalizeResult, code: str, name: str) -> str:
    """The result is unusable with one ERROR ``code`` that names the file; return its message."""
    assert result.pdf is None and result.pages == 0
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert [f.code for f in errors] == [code], [str(f) for f in result.findings]
    assert f"《{name}》" in errors[0].message
    assert errors[0].path == "attachments[2]"
    return errors[0].message


def pages_of(result: NormalizeResult, tmp: Path) -> list[Image.Image]:
    assert result.pdf is not None
    return N.render(result.pdf, tmp, DPI)


def inside_area(img: Image.Image) -> tuple[float, float, float, float]:
    """Assert the margin and bands are white; return the ink box (mm, top-left origin)."""
    box = N.ink_box(img, DPI)
    assert box is not None, "the page is blank"
    ax0, atop, ax1, abottom = N.area_mm()
    x0, top, x1, bottom = box
    assert x0 >= ax0 - TOL, f"content enters the binding margin: {x0:.1f} mm < {ax0:.1f} mm"
    assert top >= atop - TOL, f"content enters the label band: {top:.1f} mm"
    assert x1 <= ax1 + TOL and bottom <= abottom + TOL, f"content enters the right margin / footer band: {box}"
    return box


def centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def red_is(img: Image.Image, side: str) -> None:
    """The red band lies along ``side`` ("top", "left", "right", "bottom") of the content."""
    content = N.ink_box(img, DPI)
    red = N.ink_box(img, DPI, N.RED)
    assert content is not None and red is not None
    x0, top, x1, bottom = content
    rx0, rtop, rx1, rbottom = red
    near = 2.5
    if side == "top":
        assert abs(rtop - top) < near and rbottom - rtop < (bottom - top) / 4 and rx1 - rx0 > (x1 - x0) * 0.8
    elif side == "bottom":
        assert abs(rbottom - bottom) < near and rbottom - rtop < (bottom - top) / 4
    elif side == "left":
        assert abs(rx0 - x0) < near and rx1 - rx0 < (x1 - x0) / 4 and rbottom - rtop > (bottom - top) * 0.8
    else:
        assert abs(rx1 - x1) < near and rx1 - rx0 < (x1 - x0) / 4


# -- geometry ----------------------------------------------------------------------------------------


def test_free_area_matches_what_the_binder_expects() -> None:
    from zscq_desktop.render import page
    from zscq_desktop.volume import binder

    assert C.BOTTOM_BAND == pytest.approx(binder.ATTACHMENT_FREE_BOTTOM)
    assert C.AREA.y1 == pytest.approx(page.LABEL_Y)  # the label sits above the content
    assert C.AREA.x == pytest.approx(page.BINDING_MARGIN)
    assert binder.Cancelled is Cancelled


def test_place_scales_down_only_and_turns_only_when_much_better() -> None:
    a4 = C.place(595.28, 841.89)
    assert not a4.turned and a4.scale < 1 and a4.box.x >= C.AREA.x and a4.box.y1 <= C.AREA.y1 + 1e-6
    small = C.place(200, 100)
    assert small.scale == 1 and not small.turned
    a4_landscape = C.place(841.89, 595.28)
    assert not a4_landscape.turned  # 58 % upright is readable
    a3_landscape = C.place(1190.55, 841.89)
    assert a3_landscape.turned and a3_landscape.scale > C.place(1190.55, 841.89, allow_turn=False).scale * 1.25


# -- PDFs --------------------------------------------------------------------------------------------


@needs_pdftoppm
@pytest.mark.parametrize(("size", "name"), [(N.A4, "a4.pdf"), (N.letter, "letter.pdf"),
                                             (N.landscape(N.A4), "a4-landscape.pdf")])
def test_pdf_pages_are_scaled_into_the_free_area_upright(size, name, tmp_path: Path) -> None:
    result = normalize(N.marked_pdf(size, pages=2), name, path="attachments[2]")
    ok(result, 2)
    assert result.findings == []
    for img in pages_of(result, tmp_path):
        box = inside_area(img)
        red_is(img, "top")
        ax, ay = centre(N.area_mm())
        cx, cy = centre(box)
        assert abs(cx - ax) < 2 and abs(cy - ay) < 2  # centred
        # scaled by the same factor both ways: the source's proportions survive
        assert (box[2] - box[0]) / (box[3] - box[1]) == pytest.approx(size[0] / size[1], rel=0.03)


@needs_pdftoppm
def test_a3_landscape_is_turned_with_its_top_toward_the_binding(tmp_path: Path) -> None:
    result = normalize(N.marked_pdf(N.landscape(N.A3)), "图纸.pdf", path="attachments[2]")
    ok(result, 1)
    assert [f.code for f in result.findings] == ["attachment.pdf.turned"]
    assert "《图纸.pdf》" in result.findings[0].message
    img = pages_of(result, tmp_path)[0]
    inside_area(img)
    red_is(img, "left")


@needs_pdftoppm
@pytest.mark.parametrize(("rotation", "side"), [(90, "right"), (180, "bottom"), (270, "left")])
def test_rotated_pages_come_out_as_the_reader_saw_them(rotation: int, side: str, tmp_path: Path) -> None:
    result = normalize(N.rotated_pdf(rotation), "rotated.pdf", path="attachments[2]")
    ok(result, 1)
    img = pages_of(result, tmp_path)[0]
    box = inside_area(img)
    red_is(img, side)
    seen_landscape = rotation in (90, 270)
    assert ((box[2] - box[0]) > (box[3] - box[1])) == seen_landscape


@needs_pdftoppm
def test_offset_media_box_and_crop_box(tmp_path: Path) -> None:
    result = normalize(N.offset_box_pdf(), "offset.pdf", path="attachments[2]")
    ok(result, 1)
    img = pages_of(result, tmp_path)[0]
    box = inside_area(img)
    red_is(img, "top")
    # the crop box (Letter) is what is placed: Letter proportions, not the larger media box's
    assert (box[2] - box[0]) / (box[3] - box[1]) == pytest.approx(612 / 792, rel=0.03)


def test_small_pages_are_not_enlarged() -> None:
    a6 = (105 * N.MM, 148 * N.MM)
    reader = ok(normalize(N.marked_pdf(a6), "a6.pdf"), 1)
    head = reader.pages[0].get_contents().get_data().split(b"cm", 1)[0].split()
    a, _b, _c, d = (float(v) for v in head[-6:-2])
    assert a == pytest.approx(1) and d == pytest.approx(1)


@needs_pdftoppm
def test_visible_annotations_are_drawn_into_the_page(tmp_path: Path) -> None:
    result = normalize(N.annotated_pdf(), "stamped.pdf")
    reader = ok(result, 1)
    assert "/Annots" not in reader.pages[0]
    img = pages_of(result, tmp_path)[0]
    green = N.ink_box(img, DPI, (0, 179, 0))
    assert green is not None
    # the stamp was in the lower right quadrant of the source page: it stays there
    x0, top, x1, bottom = inside_area(img)
    assert (green[0] + green[2]) / 2 > (x0 + x1) / 2 and (green[1] + green[3]) / 2 > (top + bottom) / 2


def test_shared_resources_are_not_copied_per_page() -> None:
    src = N.shared_image_pdf(12)
    result = normalize(src, "photos.pdf")
    reader = ok(result, 12)
    # each page draws its source page as a Form XObject; the image inside is stored once
    forms = [page["/Resources"]["/XObject"]["/ZqPage"] for page in reader.pages]
    assert len({page["/Resources"]["/XObject"].raw_get("/ZqPage").idnum for page in reader.pages}) == 12
    images = {form["/Resources"]["/XObject"].raw_get(k).idnum for form in forms for k in form["/Resources"]["/XObject"]}
    assert len(images) == 1
    assert len(result.pdf or b"") < len(src) * 1.2


@pytest.mark.parametrize("algorithm", ["AES-256", "RC4-128"])
def test_pdf_with_empty_user_password_is_opened(algorithm: str) -> None:
    result = normalize(N.encrypted_pdf("", algorithm), "加密.pdf", path="attachments[2]")
    reader = ok(result, 2)
    assert not reader.is_encrypted
    assert "Page 2" in reader.pages[1].extract_text()


def test_password_protected_pdf_is_a_clear_error() -> None:
    result = normalize(N.encrypted_pdf("secret"), "营业执照.pdf", path="attachments[2]")
    message = failed(result, "attachment.pdf.password", "营业执照.pdf")
    assert message == "《营业执照.pdf》设置了打开密码，请先用原软件去掉密码后重新添加。"


@pytest.mark.parametrize("data", [b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage\n%%EOF",
                                  b"%PDF-1.4\n" + bytes(range(256)) * 20,
                                  b"not a pdf at all, just text"])
def test_damaged_pdf_is_a_clear_error(data: bytes) -> None:
    message = failed(normalize(data, "坏文件.pdf", path="attachments[2]"), "attachment.pdf.damaged", "坏文件.pdf")
    assert "损坏" in message


def test_truncated_pdf_gives_pages_or_a_clear_error() -> None:
    data = N.marked_pdf(N.A4, pages=3)
    result = normalize(data[: len(data) // 2], "半个.pdf", path="attachments[2]")
    if result.pdf is None:
        failed(result, "attachment.pdf.damaged", "半个.pdf")
    else:
        ok(result, result.pages)


def test_pdf_without_pages_is_an_error() -> None:
    failed(normalize(N.empty_pdf(), "空.pdf", path="attachments[2]"), "attachment.pdf.empty", "空.pdf")


def test_two_thousand_pages_are_refused_quickly() -> None:
    data = N.many_pages_pdf(2000)
    message = failed(normalize(data, "全年台账.pdf", path="attachments[2]"), "attachment.pdf.too_many_pages",
                     "全年台账.pdf")
    assert "2000" in message and "1000" in message


def test_cancel_is_polled_between_pages() -> None:
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        normalize(N.marked_pdf(N.A4, pages=10), "long.pdf", cancel=cancel)
    assert len(calls) == 4


def test_small_scale_warning() -> None:
    a1 = (594 * N.MM, 841 * N.MM)
    result = normalize(N.marked_pdf(a1), "海报.pdf", path="attachments[2]")
    ok(result, 1)
    assert [f.code for f in result.findings] == ["attachment.pdf.small"]
    assert result.findings[0].severity is Severity.WARNING and "《海报.pdf》" in result.findings[0].message


# -- images ------------------------------------------------------------------------------------------


def image_xobjects(reader: PdfReader) -> list:
    out = []
    for page in reader.pages:
        xo = page["/Resources"]["/XObject"]
        out += [xo[k].get_object() for k in xo]
    return out


@needs_pdftoppm
def test_jpeg_exif_orientation_is_applied_without_reencoding(tmp_path: Path) -> None:
    data = N.exif_rotated_jpeg(6, size=(800, 600), dpi=150)
    result = normalize(data, "photo.jpg")
    reader = ok(result, 1)
    (img,) = image_xobjects(reader)
    assert img["/Filter"] == "/DCTDecode" and img.get_data() == data  # the file, byte for byte
    page = pages_of(result, tmp_path)[0]
    box = inside_area(page)
    red_is(page, "top")
    # 800 × 600 px at 150 dpi = 135.5 × 101.6 mm, as the reader sees it (landscape)
    assert box[2] - box[0] == pytest.approx(800 / 150 * 25.4, abs=1.5)
    assert box[3] - box[1] == pytest.approx(600 / 150 * 25.4, abs=1.5)


@needs_pdftoppm
@pytest.mark.parametrize("orientation", [3, 8])
def test_other_exif_orientations(orientation: int, tmp_path: Path) -> None:
    result = normalize(N.exif_rotated_jpeg(orientation), "photo.jpeg")
    ok(result, 1)
    page = pages_of(result, tmp_path)[0]
    inside_area(page)
    red_is(page, "top")


def test_a4_scan_at_300_dpi_is_downsampled_to_200_dpi() -> None:
    scan = N.marked_image(2480, 3508)
    data = N.save(scan, "JPEG", quality=85, dpi=(300, 300))
    result = normalize(data, "scan.jpg")
    reader = ok(result, 1)
    (img,) = image_xobjects(reader)
    assert img["/Filter"] == "/DCTDecode"
    placed_height_in = C.place(210 * N.MM, 297 * N.MM).box.h / 72
    assert 150 <= img["/Height"] / placed_height_in <= C.MAX_DPI * 1.01  # ≤ 200 dpi, but not blurred
    assert img["/ColorSpace"] == "/DeviceRGB"  # a colour scan stays in colour
    assert len(result.pdf or b"") < len(data)


@needs_pdftoppm
def test_cmyk_jpeg(tmp_path: Path) -> None:
    data = N.save(N.marked_image(600, 800).convert("CMYK"), "JPEG", quality=90, dpi=(200, 200))
    result = normalize(data, "cmyk.jpg")
    reader = ok(result, 1)
    (img,) = image_xobjects(reader)
    assert img["/ColorSpace"] in ("/DeviceRGB", "/DeviceGray")
    page = pages_of(result, tmp_path)[0]
    inside_area(page)
    red_is(page, "top")


@needs_pdftoppm
def test_rgba_png_is_flattened_on_white(tmp_path: Path) -> None:
    img = N.marked_image(400, 500).convert("RGBA")
    alpha = Image.new("L", img.size, 255)
    alpha.paste(0, (200, 300, 400, 500))  # the lower right corner transparent (its pixels are black)
    img.putalpha(alpha)
    pixels = img.load()
    for x in range(200, 400):
        for y in range(300, 500):
            pixels[x, y] = (0, 0, 0, 0)
    result = normalize(N.save(img, "PNG", dpi=(100, 100)), "logo.png")
    ok(result, 1)
    page = pages_of(result, tmp_path)[0]
    x0, top, x1, bottom = inside_area(page)
    red_is(page, "top")
    corner = page.crop((round((x0 + 0.75 * (x1 - x0)) / 25.4 * DPI), round((top + 0.85 * (bottom - top)) / 25.4 * DPI),
                        round(x1 / 25.4 * DPI) - 2, round(bottom / 25.4 * DPI) - 2))
    assert min(corner.convert("L").getextrema()) > 240  # white, not black


def test_palette_png_with_transparency() -> None:
    img = N.marked_image(300, 300).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    data = N.save(img, "PNG", transparency=0)
    ok(normalize(data, "palette.png"), 1)


@needs_pdftoppm
@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_sixteen_bit_grey(fmt: str, tmp_path: Path) -> None:
    result = normalize(N.sixteen_bit_grey(fmt), f"gradient.{fmt.lower()}")
    ok(result, 1)
    page = pages_of(result, tmp_path)[0].convert("L")
    x0, top, x1, bottom = inside_area(page.convert("RGB"))
    # a gradient from black to white, not clipped to white: the middle is mid-grey
    y = round((top + 0.6 * (bottom - top)) / 25.4 * DPI)
    mid = page.getpixel((round((x0 + x1) / 2 / 25.4 * DPI), y))
    assert 90 < mid < 170
    assert page.getpixel((round((x0 + 1) / 25.4 * DPI), y)) < 40


@needs_pdftoppm
def test_multipage_tiff_gives_one_page_each(tmp_path: Path) -> None:
    result = normalize(N.multipage_tiff(3), "证书.tif")
    ok(result, 3)
    rendered = pages_of(result, tmp_path)
    for img in rendered:
        inside_area(img)
        red_is(img, "top")
    dark = [sum(img.convert("L").histogram()[:60]) for img in rendered]
    assert dark[0] < dark[1] < dark[2]  # 1, 2, 3 dots: the frames in order


def test_bmp_and_a_png_named_jpg() -> None:
    ok(normalize(N.save(N.marked_image(300, 400), "BMP"), "scan.bmp"), 1)
    ok(normalize(N.save(N.marked_image(300, 400), "PNG"), "really-a-png.jpg"), 1)
    ok(normalize(N.save(N.marked_image(300, 400), "PNG"), "no-extension"), 1)


def test_line_art_png_stays_lossless() -> None:
    result = normalize(N.save(N.marked_image(1000, 1400), "PNG", dpi=(200, 200)), "cert.png")
    (img,) = image_xobjects(ok(result, 1))
    assert img["/Filter"] == "/FlateDecode"
    assert img.decode_as_image().getpixel((500, 5)) == N.RED


def test_photo_png_is_stored_as_jpeg() -> None:
    result = normalize(N.save(N.noisy_image(1200, 900), "PNG", dpi=(200, 200)), "photo.png")
    (img,) = image_xobjects(ok(result, 1))
    assert img["/Filter"] == "/DCTDecode"


def test_low_resolution_warning() -> None:
    result = normalize(N.save(N.marked_image(200, 260), "PNG", dpi=(50, 50)), "tiny.png", path="attachments[2]")
    ok(result, 1)
    assert [f.code for f in result.findings] == ["attachment.image.low_dpi"]
    assert "《tiny.png》" in result.findings[0].message


def test_decompression_bomb_is_refused() -> None:
    message = failed(normalize(N.png_bomb(), "bomb.png", path="attachments[2]"), "attachment.image.too_large",
                     "bomb.png")
    assert "过大" in message
    # just over our own limit (below Pillow's): the same clear message, with the size
    data = N.save(N.marked_image(200, 200), "PNG")
    message = failed(normalize(data, "big.png", path="attachments[2]", limits=Limits(max_pixels=10_000)),
                     "attachment.image.too_large", "big.png")
    assert "200 × 200" in message


def test_truncated_image_is_a_clear_error() -> None:
    data = N.save(N.noisy_image(600, 800), "JPEG", quality=90)
    failed(normalize(data[: len(data) // 3], "cut.jpg", path="attachments[2]"), "attachment.image.damaged", "cut.jpg")
    failed(normalize(b"\x89PNG\r\n\x1a\nrubbish", "x.png", path="attachments[2]"), "attachment.image.damaged", "x.png")


# -- other files ---------------------------------------------------------------------------------------


def test_limits_and_unknown_formats() -> None:
    data = N.marked_pdf()
    message = failed(normalize(data, "大.pdf", path="attachments[2]", limits=Limits(max_bytes=1000)),
                     "attachment.too_large", "大.pdf")
    assert "上限" in message
    failed(normalize(b"\x00\x01 what is this", "data.xyz", path="attachments[2]"), "attachment.format.unknown",
           "data.xyz")
    failed(normalize(b"", "empty.pdf", path="attachments[2]"), "attachment.empty", "empty.pdf")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    failed(normalize(buf.getvalue(), "材料.zip", path="attachments[2]"), "attachment.format.archive", "材料.zip")
    psd = b"8BPS\x00\x01" + b"\x00" * 100
    failed(normalize(psd, "layers.psd", path="attachments[2]"), "attachment.format.image", "layers.psd")


def test_sniff_trusts_bytes_not_names() -> None:
    assert sniff(N.marked_pdf(), ".jpg") == "pdf"
    assert sniff(N.save(N.marked_image(10, 10), "JPEG"), ".pdf") == "jpeg"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), "") == ".doc"
    assert {".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".doc", ".docx", ".xlsx", ".pptx",
            ".wps"} <= set(supported_suffixes())


def test_office_file_without_converter_tells_how_to_save_as_pdf(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZSCQ_OFFICE", "none")
    result = normalize(N.docx_bytes(tmp_path), "说明.docx", path="attachments[2]")
    message = failed(result, "attachment.office.no_converter", "说明.docx")
    assert "另存为" in message and "PDF" in message
    assert len(result.findings) == 1  # no warning beside the error


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_docx_is_converted_with_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZSCQ_OFFICE", raising=False)
    result = normalize(N.docx_bytes(tmp_path), "说明.docx", path="attachments[2]")
    reader = ok(result, result.pages)
    assert result.pages >= 1
    assert "营业执照说明" in reader.pages[0].extract_text()
    if N.have_pdftoppm():
        inside_area(pages_of(result, tmp_path)[0])


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_broken_office_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZSCQ_OFFICE", raising=False)
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    failed(normalize(data, "坏.doc", path="attachments[2]"), "attachment.office.failed", "坏.doc")


def test_grey_scan_saved_as_colour_is_stored_grey() -> None:
    scan = N.marked_image(2480, 3508).convert("L").convert("RGB")
    result = normalize(N.save(scan, "JPEG", quality=85, dpi=(300, 300)), "grey.jpg")
    (img,) = image_xobjects(ok(result, 1))
    assert img["/ColorSpace"] == "/DeviceGray"


@pytest.mark.parametrize("colour", [(220, 30, 30), (40, 60, 200)])
def test_a_thin_seal_or_signature_keeps_a_grey_scan_in_colour(colour: tuple[int, int, int]) -> None:
    from PIL import ImageDraw

    scan = N.marked_image(2480, 3508).convert("L").convert("RGB")
    ImageDraw.Draw(scan).ellipse((1700, 2600, 2150, 3050), outline=colour, width=4)  # a 4-px seal ring at 300 dpi
    result = normalize(N.save(scan, "JPEG", quality=85, dpi=(300, 300)), "stamped.jpg")
    (img,) = image_xobjects(ok(result, 1))
    assert img["/ColorSpace"] == "/DeviceRGB"


@needs_pdftoppm
@pytest.mark.parametrize(("dpi", "bits"), [(150, 1), (300, 8)])
def test_bilevel_g4_tiff(dpi: int, bits: int, tmp_path: Path) -> None:
    """A fax-style scan stays 1-bit when small enough, else shrinks to anti-aliased grey."""
    grey = N.marked_image(1240 * dpi // 150, 1754 * dpi // 150).convert("L")
    data = N.save(grey.point(lambda v: 255 if v > 128 else 0).convert("1"), "TIFF", compression="group4",
                  dpi=(dpi, dpi))
    result = normalize(data, "fax.tif")
    (img,) = image_xobjects(ok(result, 1))
    assert img["/BitsPerComponent"] == bits and img["/ColorSpace"] == "/DeviceGray"
    page = pages_of(result, tmp_path)[0]
    box = inside_area(page)
    assert box[2] - box[0] > 150  # an A4 scan fills the width


def test_messages_name_the_file_not_its_folder() -> None:
    result = normalize(b"junk", "C:\\Users\\张三\\桌面\\材料.pdf", path="attachments[2]")
    message = failed(result, "attachment.pdf.damaged", "材料.pdf")
    assert "张三" not in message


def test_normalised_files_bind_without_complaint(caplog: pytest.LogCaptureFixture) -> None:
    from zscq_desktop.volume.binder import AttachmentPart, VolumeInput, bind

    files = [("rotated.pdf", N.rotated_pdf(90)), ("photo.jpg", N.exif_rotated_jpeg(6)),
             ("drawing.pdf", N.marked_pdf(N.landscape(N.A3))), ("pages.tif", N.multipage_tiff(2))]
    parts = []
    for i, (name, data) in enumerate(files):
        result = normalize(data, name)
        assert result.pdf is not None
        parts.append(AttachmentPart(label=f"附件材料3-{i + 1}", title=name, category="其它支撑材料", pdf=result.pdf))
    blank = N.marked_pdf()
    with caplog.at_level("WARNING"):
        volume = bind(VolumeInput(form_pdf=blank, plan_pdf=blank, attachments=parts, title="t", unit="u",
                                  direction="d", stamp="0123ABCD"))
    assert volume.pages == 1 + 1 + 1 + 5  # cover (the form), contents, plan, 5 attachment pages
    assert not [r for r in caplog.records if "not A4" in r.getMessage()]


@needs_pdftoppm
def test_a3_landscape_scan_is_turned_with_its_top_toward_the_binding(tmp_path: Path) -> None:
    data = N.save(N.marked_image(2480, 1754), "JPEG", quality=85, dpi=(150, 150))  # A3 landscape at 150 dpi
    result = normalize(data, "平面图.jpg", path="attachments[2]")
    ok(result, 1)
    assert [f.code for f in result.findings] == ["attachment.image.turned"]
    page = pages_of(result, tmp_path)[0]
    inside_area(page)
    red_is(page, "left")


def test_content_stream_bomb_is_refused_without_inflating_it() -> None:
    data = N.content_bomb_pdf()
    assert len(data) < 1_000_000
    message = failed(normalize(data, "炸弹.pdf", path="attachments[2]"), "attachment.pdf.damaged", "炸弹.pdf")
    assert "第 1 页" in message


def test_a_thin_blue_signature_keeps_a_scan_in_colour() -> None:
    from PIL import ImageDraw

    scan = N.marked_image(2480, 3508).convert("L").convert("RGB")
    ImageDraw.Draw(scan).line((1500, 3000, 2100, 3060), fill=(30, 50, 170), width=3)  # a ballpoint stroke
    result = normalize(N.save(scan, "JPEG", quality=85, dpi=(300, 300)), "signed.jpg")
    (img,) = image_xobjects(ok(result, 1))
    assert img["/ColorSpace"] == "/DeviceRGB"


def test_converter_lookup_can_be_forced(tmp_path: Path) -> None:
    from zscq_desktop.attachments.office import find_converter

    assert find_converter({"ZSCQ_OFFICE": "none"}) is None
    assert find_converter({"ZSCQ_OFFICE": str(tmp_path / "missing-soffice")}) is None
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    conv = find_converter({"ZSCQ_OFFICE": str(fake)})
    assert conv is not None and conv.path == str(fake)


def test_a_converter_that_fails_gives_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 3\n")  # a broken installation: starts, converts nothing
    fake.chmod(0o755)
    monkeypatch.setenv("ZSCQ_OFFICE", str(fake))
    message = failed(normalize(N.docx_bytes(tmp_path), "说明.docx", path="attachments[2]"),
                     "attachment.office.failed", "说明.docx")
    assert "另存为 PDF" in message


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for soffice")
def test_a_converter_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pids = tmp_path / "pids"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! >> {pids}\nwait\n")  # like soffice → soffice.bin
    fake.chmod(0o755)
    monkeypatch.setenv("ZSCQ_OFFICE", str(fake))
    message = failed(normalize(N.docx_bytes(tmp_path), "说明.docx", path="attachments[2]",
                               limits=Limits(office_timeout=0.5)), "attachment.office.timeout", "说明.docx")
    assert "秒" in message
    calls = []
    with pytest.raises(Cancelled):
        normalize(N.docx_bytes(tmp_path), "说明.docx", cancel=lambda: calls.append(1) or len(calls) > 3)
    assert len(calls) == 4  # cancelled while the converter ran, not before
    for pid in pids.read_text().split():  # the converter's children were stopped too
        status = Path(f"/proc/{pid}/status")
        for _ in range(200):  # SIGKILL is delivered asynchronously: up to 10 s under load
            # gone, or a zombie waiting for a (container's) init to reap it
            if not status.exists() or "zombie" in status.read_text():
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"converter child {pid} still running")


@needs_pdftoppm
@pytest.mark.parametrize("dpi", [72, None])
def test_landscape_photos_stay_upright(dpi: int | None, tmp_path: Path) -> None:
    """A photo's size on paper means nothing (72 dpi, or none): it is fitted upright, never turned."""
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    result = normalize(N.save(N.marked_image(3000, 2000), "JPEG", quality=85, **extra), "合影.jpg")
    ok(result, 1)
    assert result.findings == []
    page = pages_of(result, tmp_path)[0]
    x0, top, x1, bottom = inside_area(page)
    red_is(page, "top")
    assert x1 - x0 > 170  # fills the width
