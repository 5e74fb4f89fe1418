"""The binder takes supporting files as files, and the export hands them over that way (issue 15
item 5: qpdf copies a page's data into memory when the source is a Python stream, so an export
whose A4 PDFs were bytes held every one of them twice while the volume was written)."""

from __future__ import annotations

import hashlib
import io
import os
import sys
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

import zscq_desktop.volume.binder as binder
from zscq_desktop.volume.binder import AttachmentPart, VolumeInput, bind


@pytest.fixture(scope="module")
def fonts():
    from zscq_desktop.render.fonts import register_fonts

    return register_fonts()


def _pdf(title: str, pages: int) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1)
    for n in range(pages):
        c.drawString(100, 700, f"{title} {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _input(atts: list[bytes | Path]) -> VolumeInput:
    return VolumeInput(form_pdf=_pdf("form", 3), plan_pdf=_pdf("plan", 2),
                       attachments=[AttachmentPart(f"附件材料3-{i + 1}", f"文件{i + 1}", "其他", a)
                                    for i, a in enumerate(atts)],
                       title="t", unit="u", direction="d", stamp="ABCDEFGH")


def _open_fds_to(folder: Path) -> list[str]:
    fds = Path("/proc/self/fd")
    out = []
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            out.append(target)
    return out


def test_files_bind_to_the_same_volume_as_bytes_and_are_closed_after(tmp_path: Path, fonts) -> None:
    datas = [_pdf(f"att{i}", i + 1) for i in range(3)]
    files = []
    for i, d in enumerate(datas):
        files.append(tmp_path / "parts" / f"{i}.pdf")
        files[-1].parent.mkdir(exist_ok=True)
        files[-1].write_bytes(d)
    from_bytes = bind(_input(datas), fonts=fonts)
    from_files = bind(_input(files), fonts=fonts, to=tmp_path / "volume.pdf")
    assert from_files.pages == from_bytes.pages == 1 + 1 + 2 + 2 + 6
    assert (tmp_path / "volume.pdf").read_bytes() == from_bytes.pdf  # deterministic: the same bytes
    if sys.platform.startswith("linux"):
        assert _open_fds_to(tmp_path / "parts") == []  # Windows could not delete them otherwise


def test_a_damaged_file_is_named_and_nothing_stays_open(tmp_path: Path, fonts) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(_pdf("ok", 1))
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\nnot really\n")
    with pytest.raises(ValueError, match="附件材料3-2"):
        bind(_input([good, bad]), fonts=fonts)
    if sys.platform.startswith("linux"):
        assert _open_fds_to(tmp_path) == []


def test_the_export_binds_from_files_it_removes_afterwards(tmp_path: Path, monkeypatch) -> None:
    """Past `IN_MEMORY_PDFS` the export passes the supporting files to the binder as files in its own
    temporary folder, and that folder is gone when the export has finished."""
    from zscq_desktop.call import load_call
    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.core.submission import Attachment
    from zscq_desktop.docio import Loaded
    from zscq_desktop.volume.export import MemoryCache, export

    call = load_call("tianjin-2023")
    sub = build_sample(call, "creation-pilot")
    blobs = {}
    sub.attachments = []
    for i in range(3):
        data = _pdf(f"证明{i}", 2)
        sha = hashlib.sha256(data).hexdigest()
        sub.attachments.append(Attachment(call.attachment_categories[0].id, f"证明{i}", f"证明{i}.pdf", sha, len(data)))
        blobs[sha] = data
    seen: list[list[object]] = []
    real = binder.bind

    def spy(inp, **kw):
        seen.append([a.pdf for a in inp.attachments])
        assert all(isinstance(p, Path) and p.is_file() for p in seen[-1])
        return real(inp, **kw)

    import zscq_desktop.volume.export as export_module

    monkeypatch.setattr(binder, "bind", spy)
    monkeypatch.setattr(export_module, "IN_MEMORY_PDFS", 0)  # as for a large document: every PDF to a file
    export(Loaded(sub, blobs, None, []), call, tmp_path / "out", cache=MemoryCache(), make_zip=False)
    assert len(seen) == 1 and len(seen[0]) == 3
    assert not any(p.exists() for p in seen[0])  # the temporary folder went with the export
    assert not seen[0][0].parent.exists()
