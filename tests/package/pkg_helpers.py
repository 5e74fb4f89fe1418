"""Real files for the package tests: text PDFs, noisy 300-dpi scans, a bound volume, a DOCX."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from zscq_desktop.package.manifest import clean_submission
from zscq_desktop.render.fonts import FontSet

SCAN_W_MM, SCAN_H_MM = 156, 225  # the text block: where the normaliser puts a scanned page


def text_pdf(fonts: FontSet, title: str, pages: int) -> bytes:
    """A small PDF with Chinese text on every page (stands in for the rendered form / plan)."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    for n in range(pages):
        c.setFont(fonts.heading, 16)
        c.drawString(40 * mm, 250 * mm, f"{title}（第{n + 1}页）")
        c.setFont(fonts.body, 12)
        for i in range(20):
            c.drawString(30 * mm, (230 - i * 8) * mm, f"申报单位基本情况与项目内容说明，第{i + 1}行。")
        c.showPage()
    c.save()
    return buf.getvalue()


def noisy_scan(width_px: int, height_px: int, *, seed: int, rgb: bool = False, quality: int = 92) -> bytes:
    """A JPEG that compresses like a real scan: text-like strokes on paper with sensor noise."""
    rnd = random.Random(seed)
    page = Image.new("L", (width_px, height_px), 235)
    draw = ImageDraw.Draw(page)
    line_h = max(8, height_px // 60)
    for y in range(line_h * 3, height_px - line_h * 3, line_h):
        x = width_px // 10
        while x < width_px * 9 // 10:
            w = rnd.randint(line_h // 2, line_h * 2)
            draw.rectangle([x, y, x + w, y + line_h * 2 // 3], fill=rnd.randint(20, 90))
            x += w + rnd.randint(2, line_h // 2)
    noise = Image.effect_noise((width_px, height_px), 28)
    page = Image.blend(page, noise, 0.22)
    if rgb:
        tint = Image.effect_noise((width_px, height_px), 20)
        page = Image.merge("RGB", (page, Image.blend(page, tint, 0.1), page))
    out = io.BytesIO()
    page.save(out, "JPEG", quality=quality)
    return out.getvalue()


def scan_pdf(jpegs: list[bytes], *, width_mm: float = SCAN_W_MM, height_mm: float = SCAN_H_MM) -> bytes:
    """A4 pages each showing one JPEG, placed at ``width_mm`` × ``height_mm`` (raw JPEG, not re-encoded)."""
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    for data in jpegs:
        c.drawImage(ImageReader(io.BytesIO(data)), 28 * mm, 37 * mm, width_mm * mm, height_mm * mm)
        c.showPage()
    c.save()
    return buf.getvalue()


def volume_pdf(fonts: FontSet, stamp: str, attachments: list[bytes], *, unit: str = "天津市某某科技有限公司",
               direction: str = "高质量知识产权创造试点") -> tuple[bytes, int]:
    """A real bound volume (the project's binder): cover, contents, form, plan, supporting files."""
    from zscq_desktop.volume.binder import AttachmentPart, VolumeInput, bind

    parts = [AttachmentPart(label=f"附件材料3-{n + 1}", title=f"扫描件{n + 1}", category="申报单位资质", pdf=pdf)
             for n, pdf in enumerate(attachments)]
    vol = bind(VolumeInput(form_pdf=text_pdf(fonts, "申报书", 3), plan_pdf=text_pdf(fonts, "项目实施方案", 2),
                           attachments=parts, title="2023年天津市知识产权资助项目申报材料—示例项目", unit=unit,
                           direction=direction, stamp=stamp), fonts=fonts)
    return vol.pdf, vol.pages


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


DIRECTION = "高质量知识产权创造试点"
UNIT = "天津市某某科技有限公司"
CREATED = datetime(2023, 5, 20, 10, 30, 15, tzinfo=timezone(timedelta(hours=8)))


@dataclass
class Inputs:
    """Real files an export would hand to build_package."""

    files: list[tuple[str, Path]]
    submission: dict[str, Any]
    stamp: str
    volume_name: str
    volume_pages: int


def make_info(stamp: str, volume_name: str, **over: Any):
    from zscq_desktop.package.zipper import PackageInfo

    values = dict(call_id="tianjin-2023", call_title="2023天津知识产权资助", direction_id="creation-pilot",
                  direction_name=DIRECTION, unit_name=UNIT, stamp=stamp, volume_name=volume_name, created=CREATED)
    values.update(over)
    return PackageInfo(**values)


def make_inputs(folder: Path, call, fonts, *, scans: list[bytes] | None = None) -> Inputs:
    """Volume (real binder), DOCX (real writer), checklist PDF and the sample submission."""
    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.core.stamp import version_stamp
    from zscq_desktop.render.content import form_document, plan_document
    from zscq_desktop.render.docx_writer import render_docx

    folder.mkdir(parents=True, exist_ok=True)
    sub_obj = build_sample(call, "creation-pilot")
    sub = sub_obj.to_dict()
    stamp = version_stamp(clean_submission(sub))
    small = scan_pdf([noisy_scan(300, 420, seed=1)], width_mm=60, height_mm=84)
    vol, pages = volume_pdf(fonts, stamp, [small] if scans is None else [scan_pdf(scans)], unit=UNIT, direction=DIRECTION)
    base = f"{DIRECTION}-{UNIT}"
    names = [f"申报材料-{base}.pdf", f"申报书-{base}.docx", f"实施方案-{base}.docx", f"打印与报送清单-{base}.pdf"]
    write(folder / names[0], vol)
    render_docx(form_document(call, sub_obj), folder / names[1], stamp=stamp)
    render_docx(plan_document(call, sub_obj), folder / names[2], stamp=stamp)
    write(folder / names[3], text_pdf(fonts, "打印与报送清单", 1))
    return Inputs([(n, folder / n) for n in names], sub, stamp, names[0], pages)


def member(zip_path: Path, name: str) -> bytes:
    """One member's bytes (the zip is closed again: no ResourceWarning)."""
    import zipfile

    with zipfile.ZipFile(zip_path) as zf:
        return zf.read(name)


def infos(zip_path: Path) -> list:
    import zipfile

    with zipfile.ZipFile(zip_path) as zf:
        return zf.infolist()
