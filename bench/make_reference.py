"""Generate the reference submission used by the export benchmark.

The creation-pilot sample with ~15 000 characters of form text, ~40 000 characters of plan text,
6 text PDFs of 120 pages in all, 30 A4 300-dpi JPEG scans and 2 PNG certificates.

    python bench/make_reference.py bench/out/reference.json
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from zscq_desktop.call import load_call
from zscq_desktop.core.sample import build_sample
from zscq_desktop.core.submission import Attachment
from zscq_desktop.render.fonts import register_fonts

PHRASE = "本单位围绕核心产品开展专利挖掘与布局，建立知识产权管理制度，组织研发人员培训，推动高价值专利培育和运用。"


def text_of(n: int) -> str:
    lines, total = [], 0
    while total < n:
        lines.append(PHRASE)
        total += len(PHRASE)
    return "\n".join(lines)[:n]


def text_pdf(pages: int, title: str) -> bytes:
    fonts = register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for p in range(pages):
        c.setFont(fonts.heading, 16)
        c.drawString(90, 780, f"{title} 第{p + 1}页")
        c.setFont(fonts.body, 11)
        for i in range(40):
            c.drawString(90, 740 - i * 16, PHRASE[: 30 + (i % 10)])
        c.showPage()
    c.save()
    return buf.getvalue()


_SCANS: dict[int, bytes] = {}


def scan_jpeg(seed: int, copy: int = 0) -> bytes:
    """An A4 page scanned at 300 dpi (2480 × 3508): text-like strokes on slightly noisy paper.

    `copy` > 0 gives the same page with a different JPEG comment: other bytes (another SHA-256, so
    nothing is deduplicated) for the same cost of drawing it, which keeps building ×8 quick.
    """
    if seed in _SCANS:
        return _encode_scan(_SCANS[seed], copy)
    rnd = random.Random(seed)
    img = Image.new("L", (2480, 3508), 245)
    draw = ImageDraw.Draw(img)
    for row in range(60):
        y = 300 + row * 50
        x = 250
        while x < 2200:
            w = rnd.randint(20, 60)
            draw.rectangle((x, y, x + w, y + 28), fill=rnd.randint(20, 80))
            x += w + rnd.randint(8, 20)
    img = img.filter(ImageFilter.GaussianBlur(1.2)).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, dpi=(300, 300))
    _SCANS[seed] = buf.getvalue()
    return _encode_scan(_SCANS[seed], copy)


def _encode_scan(jpeg: bytes, copy: int) -> bytes:
    """`jpeg` itself for copy 0, else with a COM segment after the SOI marker."""
    if not copy:
        return jpeg
    text = f"copy {copy}".encode()
    return jpeg[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + jpeg[2:]


def certificate_png(seed: int) -> bytes:
    img = Image.new("RGB", (2000, 1414), (252, 248, 235))
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 40, 1960, 1374), outline=(170, 30, 30), width=20)
    draw.ellipse((1500, 1000, 1800, 1300), outline=(200, 20, 20), width=12)
    for i in range(12):
        draw.line((300, 400 + i * 60, 1700, 400 + i * 60), fill=(60, 60, 60), width=6)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def build(out: Path, scale: int = 1) -> Path:
    """Write the reference submission JSON and its files; `scale` multiplies the supporting files."""
    call = load_call()
    sub = build_sample(call, "creation-pilot")
    sub.form["content"]["goals"] = text_of(2500)
    sub.form["content"]["summary"] = text_of(6000)
    sub.form["content"]["benefits"] = text_of(2500)
    sub.form["ip_base"]["core_products"] = text_of(2500)
    sub.form["ip_base"]["ip_rules"] = text_of(1500)
    keys = [s.key for s in call.plan.sections if s.kind == "text"]
    for k in keys:
        sub.plan["sections"][k] = text_of(40000 // (len(keys) + 5))
    sub.plan["tasks"] = [text_of(40000 // (len(keys) + 5)) for _ in sub.plan["tasks"]]
    folder = out.parent / f"{out.stem}-附件"
    folder.mkdir(parents=True, exist_ok=True)
    files: list[tuple[str, str, str, bytes]] = []
    for k in range(scale):
        tag = f"-{k + 1}" if k else ""
        for i, pages in enumerate([30, 25, 20, 20, 15, 10]):
            title = f"证明材料{i + 1}{tag}"
            files.append(("cases" if i or k else "qualification", title, f"{title}.pdf", text_pdf(pages, title)))
        for i in range(30):
            files.append(("funding", f"扫描件{i + 1}{tag}", f"扫描件{i + 1:02d}{tag}.jpg", scan_jpeg(i, k)))
        for i in range(2):
            files.append(("other", f"证书{i + 1}{tag}", f"证书{i + 1}{tag}.png", certificate_png(i * 100 + k)))
    for category, title, name, data in files:
        (folder / name).write_bytes(data)
        sub.attachments.append(Attachment(category, title, name, hashlib.sha256(data).hexdigest(), len(data),
                                          path=f"{folder.name}/{name}"))
    out.write_text(json.dumps(sub.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/reference.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    print(build(target, int(sys.argv[2]) if len(sys.argv) > 2 else 1))
