"""The marks are invisible, hold no paths or user names, and the exported zip still verifies."""

from __future__ import annotations

import getpass
import re
import zipfile
from pathlib import Path

from zscq_desktop.core.sample import build_sample
from zscq_desktop.docio import Loaded, load_zscq, write_zscq
from zscq_desktop.render.content import form_document, plan_document
from zscq_desktop.render.docx_writer import render_docx
from zscq_desktop.wordio.marks import Marker, find_marks
from zscq_desktop.wordio.read import parse_xml

BOOKMARK = re.compile(rb"<w:bookmark(Start|End) [^>]*/>")


def _part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def test_marks_change_nothing_but_invisible_bookmarks(call, tmp_path: Path) -> None:
    sub = build_sample(call, "patent-navigation")
    for kind, doc in (("form", form_document(call, sub)), ("plan", plan_document(call, sub))):
        plain, marked = tmp_path / f"{kind}-plain.docx", tmp_path / f"{kind}-marked.docx"
        render_docx(doc, plain, stamp="S1")
        render_docx(doc, marked, stamp="S1", marker=Marker(sub, kind=kind, stamp="S1"))
        body = _part(marked, "word/document.xml")
        assert BOOKMARK.sub(b"", body) == _part(plain, "word/document.xml")
        assert len(BOOKMARK.findall(body)) >= 2 * 10
        names = set(re.findall(rb'w:name="([^"]+)"', body))
        assert all(re.fullmatch(rb"zscq_\d+", n) and len(n) <= 40 for n in names)


def test_the_exported_docx_carries_its_marks_and_the_zip_verifies(call, tmp_path: Path) -> None:
    from zscq_desktop.package.verify import verify_package
    from zscq_desktop.volume.export import export

    path = tmp_path / "申报.zscq"
    write_zscq(Loaded(build_sample(call, "creation-pilot")), path)
    loaded = load_zscq(path)
    result = export(loaded, call, tmp_path / "out")
    assert verify_package(result.zip) == []
    with zipfile.ZipFile(result.zip) as z:
        docs = [n for n in z.namelist() if n.endswith(".docx")]
        assert len(docs) == 2
        for n in docs:
            (tmp_path / "x.docx").write_bytes(z.read(n))
            with zipfile.ZipFile(tmp_path / "x.docx") as d:
                parts = [d.read(p) for p in d.namelist() if p.startswith("customXml/item") and "Props" not in p]
            marks = find_marks([parse_xml(p) for p in parts])
            assert marks is not None and marks.doc_id == loaded.submission.meta["word_id"]
            assert marks.stamp == result.stamp and marks.kind in ("form", "plan")
            text = b"".join(parts).decode("utf-8")
            for private in (str(tmp_path), str(Path.home()), getpass.getuser()):
                assert private not in text
