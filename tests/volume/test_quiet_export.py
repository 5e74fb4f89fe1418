"""An export of awkward supporting files prints nothing on the terminal and loses nothing.

The sample submission gets real-world oddities as supporting files (a filled form without
appearances, appearance-less markup, a broken xref, no header, a TIFF with an orientation tag and
a corrupt EXIF block); ``zscq-desktop export`` runs as a user would, with no logging configured.
stderr must stay empty (library warnings go to the log), and the volume must show what a viewer
shows: the Chinese field value is in its text.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import sys
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "attachments"))

import pdf_corpus as K  # noqa: E402
from zscq_desktop.cli import main  # noqa: E402


def _tiff() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (300, 200), "white")
    ImageDraw.Draw(img).rectangle((0, 0, 100, 60), fill="navy")
    buf = io.BytesIO()
    img.transpose(Image.Transpose.ROTATE_90).save(buf, "TIFF", compression="jpeg", tiffinfo={0x0112: 6})
    return buf.getvalue()


def test_export_of_problem_files_is_quiet_and_complete(tmp_path: Path, capfd, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # as in the CLI: nothing configured
    sample = tmp_path / "s.json"
    assert main(["sample", "--direction", "creation-pilot", "-o", str(sample)]) == 0
    folder = tmp_path / "files"
    folder.mkdir()
    files = {"表单.pdf": K.form_pdf(["天津示例科技有限公司", "ACME"]), "批注.pdf": K.markup_pdf(),
             "损坏.pdf": K.broken_xref(), "无文件头.pdf": K.without_header(), "扫描.tif": _tiff()}
    data = json.loads(sample.read_text(encoding="utf-8"))
    for name, blob in files.items():
        (folder / name).write_bytes(blob)
        data["attachments"].append({"category": "other", "title": name.split(".")[0], "source_name": name,
                                    "sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob),
                                    "path": f"files/{name}"})
    sample.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    capfd.readouterr()
    assert main(["export", str(sample), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    _out, err = capfd.readouterr()
    assert err == ""
    (volume,) = (tmp_path / "out").glob("申报材料-*.pdf")
    text = "".join(p.extract_text() for p in PdfReader(volume).pages)
    assert "天津示例科技有限公司" in text and "Highlighted words here" in text
    assert text.count("Supporting file page") >= 3  # the form, the broken xref, the headerless file
