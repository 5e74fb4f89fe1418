"""Image supporting files (JPEG, PNG, TIFF, BMP, JPEG 2000, WebP, GIF) → A4 portrait PDF pages, one per
image/TIFF page (the first frame of an animated WebP or GIF).

Each image is laid out at its own resolution (:data:`DEFAULT_DPI` when the file has none or an
implausible one), scaled down if it does not fit the free area, centred (``attachments.common``).
Images are embedded the way img2pdf does it, never through a PIL image handed to reportlab
(DESIGN §9): a JPEG that needs no change is copied byte for byte (``/DCTDecode``); anything else is
decoded once, downsampled to at most :data:`MAX_DPI` at its placed size (JPEGs through
``Image.draft``, which decodes at ½, ¼ or ⅛ size directly), flattened on white if it has alpha,
turned to 8-bit RGB or grey (CMYK, 16-bit, palette, …), and stored either as a JPEG (photographs,
and what was a JPEG already) or losslessly with PNG predictors (line art, certificates, text).

EXIF orientation is applied exactly once.  JPEG, PNG (eXIf) and WebP pixels are read as stored and the
page's placement matrix turns them, so an unchanged JPEG stays unchanged.  A TIFF is turned by Pillow
itself when it is loaded (Pillow ≥ 10 calls ``ImageOps.exif_transpose`` in ``TiffImageFile.load_end``
and drops the tag): its orientation is read again after loading, so the matrix adds nothing then —
and an older Pillow that leaves the pixels as stored still gets them turned once.  Pillow's decompression-bomb guard stays on, set above our own pixel limit so
that the user gets our message; both are caught.

No Qt here.
"""

from __future__ import annotations

import io
import logging
import math
import struct
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageChops
import pikepdf
from pikepdf import Array, Dictionary, Name

from zscq_desktop.attachments.common import (
    DEFAULT_DPI,
    EXIF,
    MAX_DPI,
    PAGE_H,
    PAGE_W,
    Context,
    Limits,
    Problem,
    place,
    then,
)

log = logging.getLogger(__name__)

# Deliberate: Pillow refuses (error) above 2 × MAX_IMAGE_PIXELS and warns above it.  Our own limit
# (Limits.max_pixels) is checked first, with a clear message; Pillow's guard is the backstop.
Image.MAX_IMAGE_PIXELS = 2 * Limits().max_pixels

JPEG_QUALITY = 80
MIN_DRAFT = 0.75  # a JPEG may be decoded down to 150 dpi rather than resized to exactly 200
SCAN_DPI = 150  # a resolution from the file at least this high is a scanner's: the size on paper is real
LOW_DPI = 100  # below this at the placed size, print looks blurred: warn
_TOLERANCE = 1.05  # do not re-encode a JPEG that is only a few per cent over MAX_DPI


@dataclass
class _Placed:
    """One image XObject and where it goes."""

    data: bytes
    filter: str  # "/DCTDecode" | "/FlateDecode"
    colorspace: str  # "/DeviceRGB" | "/DeviceGray"
    bpc: int
    width: int
    height: int
    matrix: tuple[float, float, float, float, float, float]
    colors: int = 3
    turned: bool = False  # turned 90° to fit (attachments.common: very large landscape pictures)


def normalize_image(data: bytes, ctx: Context) -> tuple[bytes, int]:
    """The A4 portrait PDF of an image file (every page of a multi-page TIFF); raises :class:`Problem`."""
    im = _open(data, ctx)
    try:  # counting a TIFF's pages reads every page header: a damaged one may fail here
        frames = getattr(im, "n_frames", 1) if im.format == "TIFF" else 1  # an animated PNG: its first frame
    except MemoryError:
        raise
    except Exception as exc:
        log.info("image %s: cannot count pages: %r", ctx.name, exc)
        raise _damaged(ctx, "") from None
    if frames > ctx.limits.max_pages:
        raise Problem("attachment.image.too_many_pages",
                      f"{ctx.label}共 {frames} 页，超过单个附件 {ctx.limits.max_pages} 页的上限，请拆分后重新添加。")
    placed: list[_Placed] = []
    low: list[tuple[int, float]] = []
    for i in range(frames):
        ctx.check()
        try:
            if i:
                im.seek(i)
            p, dpi = _frame(im, data if frames == 1 else None, ctx)
        except Problem:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb(ctx, im.size) from None
        except MemoryError:
            raise
        except Exception as exc:  # Pillow's decoders raise many types on hostile files (TypeError, KeyError…)
            log.info("image %s frame %d: %r", ctx.name, i, exc)
            raise _damaged(ctx, f"第 {i + 1} 页" if frames > 1 else "") from None
        placed.append(p)
        if round(dpi) < LOW_DPI:
            low.append((i + 1, dpi))
    turned = [i + 1 for i, p in enumerate(placed) if p.turned]
    if turned:
        pages = "" if frames == 1 else "第 " + "、".join(str(p) for p in turned[:8]) + " 页"
        ctx.note("attachment.image.turned",
                 f"{ctx.label}{pages}为横向大幅面，已逆时针旋转 90°（页顶朝装订边）放入 A4 页面。")
    if low:
        worst = min(d for _p, d in low)
        pages = "" if frames == 1 else "第 " + "、".join(str(p) for p, _d in low[:8]) + " 页"
        ctx.warn("attachment.image.low_dpi",
                 f"{ctx.label}{pages}分辨率较低（约 {worst:.0f} dpi），打印出来可能模糊；如有条件请以 200 dpi 以上重新扫描。")
    return _write(placed), len(placed)


def _open(data: bytes, ctx: Context) -> Image.Image:
    try:
        im = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb(ctx, None) from None
    except MemoryError:
        raise
    except Exception as exc:  # UnidentifiedImageError, OSError, SyntaxError… on hostile files
        log.info("unreadable image %s: %r", ctx.name, exc)
        raise Problem("attachment.image.damaged",
                      f"{ctx.label}不是有效的图片文件或已损坏，无法读取。请重新扫描或另存后再添加。") from None
    return im


def _frame(im: Image.Image, original: bytes | None, ctx: Context) -> tuple[_Placed, float]:
    """Place the current frame; return it and its resolution at the placed size."""
    w, h = im.size
    if w < 1 or h < 1:
        raise ValueError("empty image")
    if w * h > ctx.limits.max_pixels:
        raise _bomb(ctx, (w, h))
    orient = _orientation(im)
    if im.format == "TIFF":
        im.load()  # may turn the pixels upright and drop the tag (see the module docstring)
        orient = _orientation(im)
        w, h = im.size
    xdpi, ydpi = _dpi(im)
    swap = orient in (5, 6, 7, 8)
    seen_w, seen_h = (h / ydpi * 72, w / xdpi * 72) if swap else (w / xdpi * 72, h / ydpi * 72)
    # Only a scan's size on paper is real: a photo's or screenshot's (72/96 dpi, or none) is not,
    # so only scans are ever turned sideways to fit (see attachments.common).
    where = place(seen_w, seen_h, allow_turn=min(xdpi, ydpi) >= SCAN_DPI and "dpi" in im.info)
    # the placed size in inches, in the stored orientation → target pixels at MAX_DPI
    box_w, box_h = (where.box.h, where.box.w) if where.turned else (where.box.w, where.box.h)
    in_w, in_h = (box_h / 72, box_w / 72) if swap else (box_w / 72, box_h / 72)
    tw, th = max(1, round(in_w * MAX_DPI)), max(1, round(in_h * MAX_DPI))
    placed_dpi = w / in_w
    matrix = then(EXIF[orient], where.matrix())
    shrink = w > tw * _TOLERANCE or h > th * _TOLERANCE

    if original is not None and im.format == "JPEG" and im.mode in ("L", "RGB") and not shrink:
        _check_jpeg(original)
        cs, colors = ("/DeviceGray", 1) if im.mode == "L" else ("/DeviceRGB", 3)
        return _Placed(original, "/DCTDecode", cs, 8, w, h, matrix, colors, where.turned), placed_dpi

    lossy = im.format in ("JPEG", "JPEG2000")
    if lossy and shrink:
        # decode at 1/2, 1/4 or 1/8 size directly; accept down to MIN_DRAFT of the target so that a
        # 300-dpi scan decodes at half size (≈ 180 dpi) instead of full size plus a costly resize
        im.draft(im.mode, (math.ceil(tw * MIN_DRAFT), math.ceil(th * MIN_DRAFT)))
    im.load()
    img = _eight_bit(im)
    if img.mode == "RGB" and _is_grey(img):
        img = img.convert("L")  # a third of the pixels to resize and store
    if img.width > tw * _TOLERANCE or img.height > th * _TOLERANCE:
        if img.mode == "1":  # a bilevel (fax, G4) scan: shrink to anti-aliased grey, not by dropping pixels
            img = img.convert("L")
        img = img.resize((min(tw, img.width), min(th, img.height)), Image.Resampling.BICUBIC, reducing_gap=2.0)
    result = _encode(img, lossy, matrix)
    result.turned = where.turned
    return result, placed_dpi


def _check_jpeg(data: bytes) -> None:
    """Decode a JPEG that is to be copied as is, at ⅛ size (cheap), so a truncated or corrupt
    file is caught here rather than printed as a grey half-page; raises OSError."""
    probe = Image.open(io.BytesIO(data))
    probe.draft(probe.mode, (max(1, probe.width // 8), max(1, probe.height // 8)))
    probe.load()


def _eight_bit(im: Image.Image) -> Image.Image:
    """8-bit grey, RGB or bilevel pixels; alpha flattened on white."""
    mode = im.mode
    if mode in ("1", "L", "RGB"):
        return im
    if mode.startswith("I;16") or mode in ("I", "F"):
        src = im.convert("I") if mode.startswith("I;16") else im
        if mode == "F" or not mode.startswith("I;16"):
            lo, hi = src.getextrema()
            top = float(hi) if hi and float(hi) > 255 else 255.0  # a 16/32-bit range, or already 0…255
        else:
            top = 65535.0
        return src.point(lambda v: v * (255.0 / top)).convert("L")
    if mode == "P" and "transparency" in im.info or mode in ("PA", "RGBA", "LA", "La", "RGBa"):
        rgba = im.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return im.convert("RGB")  # CMYK (Adobe inversion handled by Pillow), P, YCbCr, LAB, RGBX…


def _is_grey(img: Image.Image) -> bool:
    """An RGB image whose channels (nearly) agree: a grey scan saved as colour.  Checked on a
    256-pixel thumbnail, fine enough that a thin red seal ring or a blue signature counts as colour."""
    factor = max(1, max(img.size) // 256)
    small = img.reduce(factor) if factor > 1 else img  # a box average, as `thumbnail` starts with, minus its copy
    r, g, b = small.split()
    return max(ImageChops.difference(r, g).getextrema()[1], ImageChops.difference(g, b).getextrema()[1]) <= 12


def _encode(img: Image.Image, lossy: bool, matrix: Any) -> _Placed:
    cs, colors = ("/DeviceRGB", 3) if img.mode == "RGB" else ("/DeviceGray", 1)
    bpc = 1 if img.mode == "1" else 8
    if not lossy:
        png = _png_idat(img)
        # a photograph saved as PNG/TIFF: a JPEG is far smaller and looks the same on paper
        if img.mode != "1" and len(png) > 200_000:
            jpeg = _jpeg(img)
            if len(jpeg) * 3 < len(png):
                return _Placed(jpeg, "/DCTDecode", cs, 8, img.width, img.height, matrix, colors)
        return _Placed(png, "/FlateDecode", cs, bpc, img.width, img.height, matrix, colors)
    if img.mode == "1":
        img = img.convert("L")
    return _Placed(_jpeg(img), "/DCTDecode", cs, 8, img.width, img.height, matrix, colors)


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buf.getvalue()


def _png_idat(img: Image.Image) -> bytes:
    """The zlib stream of a PNG encoding: exactly PDF's FlateDecode with PNG predictors."""
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=6)
    data = buf.getvalue()
    pos, out = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            out.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    return b"".join(out)


def _dpi(im: Image.Image) -> tuple[float, float]:
    """The image's resolution, or DEFAULT_DPI when missing or implausible (30…4800)."""
    raw = im.info.get("dpi")
    try:
        x, y = (float(raw[0]), float(raw[1])) if raw else (0.0, 0.0)
    except (TypeError, ValueError, IndexError):
        x = y = 0.0
    if not (30 <= x <= 4800 and 30 <= y <= 4800):
        return DEFAULT_DPI, DEFAULT_DPI
    return x, y


def _orientation(im: Image.Image) -> int:
    """The current frame's orientation tag (1 when absent or broken)."""
    try:
        tags = getattr(im, "tag_v2", None)  # a TIFF: the current page's own directory
        value = int(tags.get(0x0112, 1) if tags is not None else im.getexif().get(0x0112, 1))
    except Exception:  # a broken EXIF block: ignore it, as viewers do
        return 1
    return value if value in EXIF else 1


def _write(placed: list[_Placed]) -> bytes:
    pdf = pikepdf.new()
    for p in placed:
        img = pdf.make_stream(b"")
        parms = (Dictionary(Predictor=15, Colors=p.colors, BitsPerComponent=p.bpc, Columns=p.width)
                 if p.filter == "/FlateDecode" else None)
        img.write(p.data, filter=Name(p.filter), decode_parms=parms)  # already encoded: stored as is
        img.Type, img.Subtype = Name.XObject, Name.Image
        img.Width, img.Height, img.BitsPerComponent = p.width, p.height, p.bpc
        img.ColorSpace = Name(p.colorspace)
        m = " ".join(f"{v:.4f}" for v in p.matrix)
        page = Dictionary(Type=Name.Page, MediaBox=Array([0, 0, PAGE_W, PAGE_H]),
                          Resources=Dictionary(XObject=Dictionary(Im0=img),
                                               ProcSet=Array([Name.PDF, Name.ImageC, Name.ImageB])),
                          Contents=pdf.make_stream(f"q {m} cm /Im0 Do Q\n".encode()))
        pdf.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    pdf.save(out, compress_streams=True)
    return out.getvalue()


def _damaged(ctx: Context, where: str) -> Problem:
    return Problem("attachment.image.damaged",
                   f"{ctx.label}{where}已损坏或不完整，无法读取。请重新扫描或另存后再添加。")


def _bomb(ctx: Context, size: tuple[int, int] | None) -> Problem:
    dims = f"（{size[0]} × {size[1]} 像素）" if size else ""
    return Problem("attachment.image.too_large",
                   f"{ctx.label}的图片尺寸过大{dims}，超过本程序可安全处理的范围。"
                   "请用看图软件缩小到 A4 幅面 300 dpi 左右（约 2480 × 3508 像素）后重新添加。")
