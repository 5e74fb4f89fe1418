"""Hostile and ordinary supporting files for the normaliser tests, made on the spot.

Every picture has a red band along its top edge and a blue band along its left edge (as the
reader is meant to see it), so a rendered output page tells whether orientation survived.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
)
from reportlab.lib.pagesizes import A3, A4, letter, landscape
from reportlab.pdfgen import canvas

from zscq_desktop.attachments.common import AREA, PAGE_H, PAGE_W

RED = (220, 0, 0)
BLUE = (0, 0, 220)
MM = 72 / 25.4


# -- PDFs --------------------------------------------------------------------------------------------


def marked_pdf(size: tuple[float, float] = A4, pages: int = 1, text: str = "Page") -> bytes:
    """Pages with a red top band, a blue left band and some text."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=1)
    w, h = size
    for p in range(pages):
        c.setFillColorRGB(*(v / 255 for v in RED))
        c.rect(0, h - 0.06 * h, w, 0.06 * h, fill=1, stroke=0)
        c.setFillColorRGB(*(v / 255 for v in BLUE))
        c.rect(0, 0, 0.06 * w, h, fill=1, stroke=0)
        c.setFillColorRGB(0, 0, 0)
        c.setFont("Helvetica", 24)
        c.drawString(0.2 * w, h / 2, f"{text} {p + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def rotated_pdf(rotation: int) -> bytes:
    reader = PdfReader(io.BytesIO(marked_pdf(A4)))
    writer = PdfWriter()
    page = writer.add_page(reader.pages[0])
    page.rotate(rotation)
    return _write(writer)


def offset_box_pdf() -> bytes:
    """A Letter page whose MediaBox does not start at the origin and whose CropBox cuts it."""
    reader = PdfReader(io.BytesIO(marked_pdf(letter)))
    writer = PdfWriter()
    page = writer.add_page(reader.pages[0])
    page.mediabox.lower_left = (-50, -50)
    page.cropbox.lower_left = (0, 0)
    page.cropbox.upper_right = (612, 792)
    return _write(writer)


def encrypted_pdf(user_password: str, algorithm: str = "AES-256") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(marked_pdf(A4, 2))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    return _write(writer)


def empty_pdf() -> bytes:
    return _write(PdfWriter())


def many_pages_pdf(n: int) -> bytes:
    """``n`` blank pages, made cheaply."""
    writer = PdfWriter()
    for _ in range(n):
        writer.add_blank_page(612, 792)
    return _write(writer)


def shared_image_pdf(pages: int) -> bytes:
    """The same photo-like image on every page: the output must not copy it per page."""
    img = noisy_image(600, 400)
    path_buf = io.BytesIO()
    img.save(path_buf, "JPEG", quality=90)
    from reportlab.lib.utils import ImageReader

    reader = ImageReader(io.BytesIO(path_buf.getvalue()))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for p in range(pages):
        c.drawImage(reader, 100, 300, 300, 200)
        c.drawString(100, 250, f"page {p + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def annotated_pdf() -> bytes:
    """A page with a stamp annotation whose appearance is a green square (bottom-right quadrant)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(marked_pdf(A4))))
    ap = DecodedStreamObject()
    ap.set_data(b"0 0.7 0 rg 0 0 10 10 re f")
    ap.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
               NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(10), FloatObject(10)])})
    annot = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Stamp"),
        NameObject("/Rect"): ArrayObject([FloatObject(400), FloatObject(100), FloatObject(500), FloatObject(200)]),
        NameObject("/F"): NumberObject(4),
        NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(ap)}),
    })
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])
    return _write(writer)


def _write(writer: PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# -- images ------------------------------------------------------------------------------------------


def marked_image(w: int, h: int, mode: str = "RGB") -> Image.Image:
    """White picture, red band on top (10 %), blue band on the left (10 %), a black square inside."""
    img = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w - 1, int(h * 0.1)), fill=RED)
    d.rectangle((0, 0, int(w * 0.1), h - 1), fill=BLUE)
    d.rectangle((int(w * 0.4), int(h * 0.4), int(w * 0.6), int(h * 0.6)), fill=(0, 0, 0))
    return img.convert(mode) if mode != "RGB" else img


def noisy_image(w: int, h: int, seed: int = 1) -> Image.Image:
    """Photograph-like content (compresses badly losslessly)."""
    noise = Image.effect_noise((w, h), 60).convert("L")
    return Image.merge("RGB", (noise, noise.rotate(90, expand=False), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))


def save(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def exif_rotated_jpeg(orientation: int = 6, size: tuple[int, int] = (800, 600), dpi: int = 150) -> bytes:
    """A JPEG whose stored pixels need EXIF ``orientation`` to look like :func:`marked_image`."""
    shown = marked_image(*size)
    undo = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
    stored = shown.transpose(undo[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = save(stored, "JPEG", quality=92, exif=exif.tobytes(), dpi=(dpi, dpi))
    # sanity: Pillow's own transpose shows the intended picture
    assert ImageOps.exif_transpose(Image.open(io.BytesIO(data))).size == size
    return data


def sixteen_bit_grey(fmt: str) -> bytes:
    """A 16-bit grey gradient with a black top band (PNG or TIFF)."""
    w, h = 256, 200
    img = Image.new("I;16", (w, h))
    for x in range(w):
        for y in range(h):
            img.putpixel((x, y), 0 if y < 20 else x * 257)
    return save(img, fmt, dpi=(100, 100))


def multipage_tiff(n: int = 3) -> bytes:
    frames = [marked_image(400, 560) for _ in range(n)]
    for i, f in enumerate(frames):  # i + 1 black dots, to tell pages apart
        d = ImageDraw.Draw(f)
        for k in range(i + 1):
            d.ellipse((300, 150 + 60 * k, 340, 190 + 60 * k), fill=(0, 0, 0))
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], dpi=(100, 100), compression="tiff_deflate")
    return buf.getvalue()


def png_bomb(w: int = 100_000, h: int = 100_000) -> bytes:
    """A tiny PNG whose header claims a huge picture."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")


def docx_bytes(tmp: Path) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading("营业执照说明", level=1)
    for i in range(30):
        doc.add_paragraph(f"第 {i + 1} 段：本单位依法成立，经营范围包括知识产权服务。")
    path = tmp / "说明.docx"
    doc.save(str(path))
    return path.read_bytes()


# -- reading the output back ------------------------------------------------------------------------


def render(pdf: bytes, tmp: Path, dpi: int = 40) -> list[Image.Image]:
    """Every page as an RGB picture (pdftoppm)."""
    src = tmp / "render.pdf"
    src.write_bytes(pdf)
    for old in tmp.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(src), str(tmp / "page")], check=True, timeout=120)
    return [Image.open(p).convert("RGB") for p in sorted(tmp.glob("page-*.png"))]


def have_pdftoppm() -> bool:
    return shutil.which("pdftoppm") is not None


def ink_box(img: Image.Image, dpi: int, colour: tuple[int, int, int] | None = None, tol: int = 60
            ) -> tuple[float, float, float, float] | None:
    """Bounding box (x0, top, x1, bottom) in mm from the top-left of what is not white (or is ``colour``)."""
    if colour is None:
        mask = Image.eval(img.convert("L"), lambda v: 255 if v < 235 else 0)
    else:
        r, g, b = img.split()
        parts = [Image.eval(ch, lambda v, c=c: 255 if abs(v - c) <= tol else 0)
                 for ch, c in zip((r, g, b), colour)]
        mask = Image.eval(Image.merge("RGB", parts).convert("L"), lambda v: 255 if v == 255 else 0)
    box = mask.getbbox()
    if box is None:
        return None
    px = 25.4 / dpi
    return box[0] * px, box[1] * px, box[2] * px, box[3] * px


def area_mm() -> tuple[float, float, float, float]:
    """The free area as (x0, top, x1, bottom) in mm from the top-left."""
    return AREA.x / MM, (PAGE_H - AREA.y1) / MM, AREA.x1 / MM, (PAGE_H - AREA.y) / MM


__all__ = ["A3", "A4", "PAGE_W", "landscape", "letter"]


def content_bomb_pdf() -> bytes:
    """A page whose 100 KB content stream inflates to 100 MB."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    stream = DecodedStreamObject()
    stream.set_data(zlib.compress(b" " * 100_000_000, 9))
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    return _write(writer)
