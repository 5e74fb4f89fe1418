"""Inputs the volume tests build: the sample with extra scans (JSON with its files), blank A4 PDFs."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from zscq_desktop.cli import main


def write_sample(folder: Path, scans: list[bytes]) -> Path:
    """`folder/sample.json` (creation-pilot) with each of `scans` added as a JPEG under `folder/files/`."""
    src = folder / "sample.json"
    assert main(["sample", "--direction", "creation-pilot", "-o", str(src)]) == 0
    data = json.loads(src.read_text(encoding="utf-8"))
    (folder / "files").mkdir()
    for i, blob in enumerate(scans):
        (folder / "files" / f"scan{i}.jpg").write_bytes(blob)
        data["attachments"].append({"category": "other", "title": f"扫描件{i}", "source_name": f"scan{i}.jpg",
                                    "sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob),
                                    "id": f"scan{i:08d}", "path": f"files/scan{i}.jpg"})
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return src


def blank_pdf(pages: int) -> bytes:
    """A PDF of `pages` blank A4 pages."""
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595.28, 841.89))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()
