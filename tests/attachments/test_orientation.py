"""Picture orientation is applied exactly once, for every format and TIFF compression.

An asymmetric picture is stored as a camera or scanner would store it for each EXIF/TIFF
orientation 1–8 (the pixels turned the other way, the tag saying how to show them), normalised,
rendered with pdftoppm, and the rendered page must show the picture as intended: landscape, with
its dark block in the top-left corner.  A picture turned twice (Pillow already turns TIFFs on
load) or not at all fails.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageStat

import norm_inputs as N
from zscq_desktop.attachments.normalize import normalize

DPI = 30
needs_pdftoppm = pytest.mark.skipif(not N.have_pdftoppm(), reason="pdftoppm not installed")

#: stored pixels = shown picture turned by the inverse of what the orientation asks for
_STORE = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
          4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90,
          7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}


def shown(mode: str = "RGB") -> Image.Image:
    """What the reader must see: 600 × 400 (landscape), a frame, a dark block top-left."""
    img = Image.new("RGB", (600, 400), "white")
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 599, 399), outline="black", width=6)
    d.rectangle((0, 0, 200, 130), fill=(20, 20, 120))
    return img.convert(mode)


def stored(orientation: int, mode: str = "RGB") -> Image.Image:
    img = shown(mode)
    how = _STORE[orientation]
    return img if how is None else img.transpose(how)


def exif(orientation: int) -> Image.Exif:
    e = Image.Exif()
    e[0x0112] = orientation
    return e


def check_layout(pdf: bytes, tmp: Path) -> None:
    """The rendered page shows the picture landscape with its dark block top-left."""
    (page,) = N.render(pdf, tmp, DPI)
    grey = page.convert("L")
    box = Image.eval(grey, lambda v: 255 if v < 200 else 0).getbbox()
    assert box is not None
    x0, y0, x1, y1 = box
    assert x1 - x0 > (y1 - y0) * 1.2, f"not landscape: {box}"
    w, h = x1 - x0, y1 - y0
    quads = {name: ImageStat.Stat(grey.crop((x0 + dx * w // 2 + w // 10, y0 + dy * h // 2 + h // 10,
                                              x0 + (dx + 1) * w // 2 - w // 10, y0 + (dy + 1) * h // 2 - h // 10))
                                  ).mean[0]
             for name, dx, dy in (("tl", 0, 0), ("tr", 1, 0), ("bl", 0, 1), ("br", 1, 1))}
    assert min(quads, key=quads.get) == "tl", quads


@needs_pdftoppm
@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("compression", ["raw", "tiff_lzw", "tiff_adobe_deflate", "jpeg", "group4"])
def test_tiff_orientation_applied_once(orientation: int, compression: str, tmp_path: Path) -> None:
    mode = "1" if compression == "group4" else "RGB"
    buf = io.BytesIO()
    stored(orientation, mode).save(buf, "TIFF", compression=compression, tiffinfo={0x0112: orientation},
                                   dpi=(150, 150))
    result = normalize(buf.getvalue(), f"scan-{orientation}.tif")
    assert result.pdf is not None, [str(f) for f in result.findings]
    check_layout(result.pdf, tmp_path)


@needs_pdftoppm
@pytest.mark.parametrize("orientation", range(1, 9))
def test_jpeg_orientation_applied_once(orientation: int, tmp_path: Path) -> None:
    buf = io.BytesIO()
    stored(orientation).save(buf, "JPEG", quality=90, exif=exif(orientation), dpi=(150, 150))
    result = normalize(buf.getvalue(), "photo.jpg")
    assert result.pdf is not None
    check_layout(result.pdf, tmp_path)


@needs_pdftoppm
@pytest.mark.parametrize("orientation", [1, 3, 6, 7, 8])
@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_exif_orientation_applied_once(orientation: int, fmt: str, tmp_path: Path) -> None:
    buf = io.BytesIO()
    stored(orientation).save(buf, fmt, exif=exif(orientation), **({"lossless": True} if fmt == "WEBP" else {}))
    result = normalize(buf.getvalue(), f"picture.{fmt.lower()}")
    assert result.pdf is not None, [str(f) for f in result.findings]
    check_layout(result.pdf, tmp_path)


@needs_pdftoppm
def test_multipage_tiff_with_different_orientations(tmp_path: Path) -> None:
    frames = [stored(o) for o in (1, 6, 3)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", compression="tiff_lzw", save_all=True, append_images=frames[1:], dpi=(150, 150))
    data = _set_tiff_orientations(buf.getvalue(), [1, 6, 3])
    result = normalize(data, "pages.tif")
    assert result.pdf is not None and result.pages == 3
    for i, page in enumerate(N.render(result.pdf, tmp_path, DPI)):
        one = tmp_path / f"p{i}"
        one.mkdir()
        import pikepdf

        single = pikepdf.new()
        with pikepdf.open(io.BytesIO(result.pdf)) as src:
            single.pages.append(src.pages[i])
            out = io.BytesIO()
            single.save(out)
        check_layout(out.getvalue(), one)


def _set_tiff_orientations(data: bytes, orientations: list[int]) -> bytes:
    """Add an orientation tag to each IFD of a little-endian TIFF (Pillow's save_all writes none)."""
    frames = []
    with Image.open(io.BytesIO(data)) as im:
        for i in range(im.n_frames):
            im.seek(i)
            frames.append(im.copy())
    out = io.BytesIO()
    # one frame at a time, each with its tag, appended as separate IFDs through Pillow's AppendingTiffWriter
    from PIL import TiffImagePlugin

    with TiffImagePlugin.AppendingTiffWriter(out, True) as tf:
        for frame, o in zip(frames, orientations):
            frame.save(tf, "TIFF", compression="tiff_lzw", tiffinfo={0x0112: o}, dpi=(150, 150))
            tf.newFrame()
    return out.getvalue()


@needs_pdftoppm
def test_jpeg2000_is_accepted(tmp_path: Path) -> None:
    buf = io.BytesIO()
    shown().save(buf, "JPEG2000")
    result = normalize(buf.getvalue(), "scan.jp2")
    assert result.pdf is not None, [str(f) for f in result.findings]
    check_layout(result.pdf, tmp_path)


def test_every_unsupported_picture_gets_the_same_wording() -> None:
    psd = b"8BPS\x00\x01" + b"\x00" * 200
    heic = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 200
    ico = b"\x00\x00\x01\x00\x01\x00" + b"\x00" * 200
    messages = set()
    for data, name in ((psd, "a.psd"), (heic, "b.heic"), (ico, "c.ico")):
        result = normalize(data, name, path="attachments[0]")
        (f,) = [f for f in result.findings if f.blocking]
        assert f.code == "attachment.format.image", (name, f.code)
        messages.add(f.message.replace(name, "X"))
    assert len(messages) == 1


@needs_pdftoppm
def test_gif_is_accepted(tmp_path: Path) -> None:
    buf = io.BytesIO()
    shown().save(buf, "GIF")
    result = normalize(buf.getvalue(), "scan.gif")
    assert result.pdf is not None, [str(f) for f in result.findings]
    check_layout(result.pdf, tmp_path)
