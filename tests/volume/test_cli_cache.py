"""The command line reuses the document's cache (issue 15 item 1) without touching the submission."""

from __future__ import annotations

import io
import json
import sqlite3
import stat
import sys
from pathlib import Path

import pytest
from PIL import Image

from volume_helpers import write_sample
from zscq_desktop.cli import main


def _jpeg(seed: int) -> bytes:
    img = Image.new("RGB", (600, 850), (250 - seed, 248, 240))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, dpi=(100, 100))
    return buf.getvalue()


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The creation-pilot sample with two scanned supporting files, as JSON with the files beside it."""
    return write_sample(tmp_path, [_jpeg(i) for i in range(2)])


def _files(sample_or_doc: Path) -> int:
    """How many distinct supporting files (the sample brings some of its own)."""
    data = json.loads(sample_or_doc.with_suffix(".json").read_text(encoding="utf-8"))
    return len({a["sha256"] for a in data["attachments"]})


@pytest.fixture
def document(sample: Path) -> Path:
    doc = sample.with_suffix(".zscq")
    assert main(["convert", str(sample), str(doc)]) == 0
    return doc


@pytest.fixture
def counted(call_counter, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the supporting files normalised and the parts laid out, in this process."""
    import zscq_desktop.attachments.normalize as normalize_module
    import zscq_desktop.render.checklist as checklist
    import zscq_desktop.render.docx_writer as docx_writer
    import zscq_desktop.render.pdf_writer as pdf_writer
    import zscq_desktop.volume.binder as binder

    call_counter.watch(normalize_module, "normalize").watch(pdf_writer, "render_pdf", "render")
    call_counter.watch(docx_writer, "render_docx", "docx").watch(binder, "_render_contents")
    call_counter.watch(binder, "_render_overlay").watch(checklist, "render_checklist")
    monkeypatch.setattr("zscq_desktop.volume.parallel.MIN_FILES", 1000)  # normalise here, where it is counted
    return call_counter


def _counts(normalised: int, exports: int) -> dict[str, int]:
    """What `counted` holds after `exports` exports that laid everything out (two parts, PDF and Word)."""
    return {"normalize": normalised, "render": 2 * exports, "docx": 2 * exports, "_render_contents": exports,
            "_render_overlay": exports, "render_checklist": exports}


def _submission_row(doc: Path) -> tuple:
    with sqlite3.connect(f"file:{doc}?mode=ro", uri=True) as c:
        return c.execute("SELECT json, saved, rev FROM submission").fetchone()


def _derived(doc: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(f"file:{doc}?mode=ro", uri=True) as c:
        return sorted(c.execute("SELECT sha256, kind FROM derived").fetchall())


def test_second_cli_export_reuses_the_document_cache(document: Path, tmp_path: Path, counted: dict) -> None:
    row = _submission_row(document)
    assert _derived(document) == []
    assert main(["export", str(document), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    n = _files(document)
    assert counted == _counts(n, 1)
    kinds = _derived(document)
    assert [k.startswith("a4pdf") for _, k in kinds].count(True) == n
    assert {("rendered", "form"), ("rendered", "plan"), ("rendered", "form_docx"), ("rendered", "plan_docx")} <= set(kinds)
    assert _submission_row(document) == row  # json, saved time and revision as they were

    assert main(["export", str(document), "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert counted == _counts(n, 1)  # nothing normalised or laid out again
    assert _submission_row(document) == row
    a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert a == sorted(p.name for p in (tmp_path / "b").iterdir())


def test_a_cached_supporting_file_is_read_once_per_export(document: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Deciding what still needs normalising does not read the cached PDFs: binding reads each once."""
    from zscq_desktop.attachments.normalize import CACHE_KIND
    from zscq_desktop.store.document import Document

    assert main(["export", str(document), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    reads: list[str] = []
    real = Document.get_derived

    def get_derived(self, sha256, kind):
        if kind == CACHE_KIND:
            reads.append(sha256)
        return real(self, sha256, kind)

    monkeypatch.setattr(Document, "get_derived", get_derived)
    assert main(["export", str(document), "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert sorted(reads) == sorted(set(reads)) and len(reads) == _files(document)


def test_no_cache_neither_reads_nor_writes(document: Path, tmp_path: Path, counted: dict) -> None:
    assert main(["export", str(document), "--out", str(tmp_path / "a"), "--quiet", "--no-cache"]) == 0
    assert _derived(document) == []  # nothing written
    assert main(["export", str(document), "--out", str(tmp_path / "b"), "--quiet"]) == 0  # fills it
    n = _files(document)
    assert counted == _counts(2 * n, 2)
    assert main(["export", str(document), "--out", str(tmp_path / "c"), "--quiet", "--no-cache"]) == 0
    assert counted == _counts(3 * n, 3)  # not read either


@pytest.mark.skipif(sys.platform == "win32", reason="chmod does not make a file read-only on Windows")
def test_read_only_document_is_read_but_never_written(document: Path, tmp_path: Path, counted: dict) -> None:
    assert main(["export", str(document), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    before = document.read_bytes()
    document.chmod(stat.S_IRUSR)
    try:
        # a changed plan cannot be cached in a read-only file; the cached attachments are still used
        assert main(["export", str(document), "--out", str(tmp_path / "b"), "--quiet"]) == 0
        assert counted["normalize"] == _files(document)
        assert document.read_bytes() == before
    finally:
        document.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_writes_are_skipped_when_the_document_is_locked(document: Path, tmp_path: Path, counted: dict,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import zscq_desktop.volume.caches as caches

    monkeypatch.setattr(caches, "WRITE_TIMEOUT", 0.05)
    row = _submission_row(document)
    holder = sqlite3.connect(document, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program is in the middle of a save
    try:
        assert main(["export", str(document), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _derived(document) == [] and _submission_row(document) == row
    assert counted["normalize"] == _files(document)


def test_json_input_uses_a_bounded_folder_cache(sample: Path, tmp_path: Path, counted: dict) -> None:
    from zscq_desktop.volume.caches import FolderCache

    assert main(["export", str(sample), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert main(["export", str(sample), "--out", str(tmp_path / "b"), "--quiet"]) == 0
    n = _files(sample)
    assert counted == _counts(n, 1)
    entries = list(FolderCache().root.iterdir())
    assert len(entries) == n + 7  # the normalised files; form and plan as PDF and Word; contents, overlay, checklist

    small = FolderCache(limit=sum(p.stat().st_size for p in entries) - 1)
    small.put_derived("f" * 64, "a4pdf", b"x" * 10, {"pages": 1})
    assert small.get_derived("f" * 64, "a4pdf") == (b"x" * 10, {"pages": 1})
    assert sum(p.stat().st_size for p in small.root.iterdir()) <= small.limit  # the oldest went


def test_folder_cache_ignores_damaged_and_foreign_entries(tmp_path: Path) -> None:
    from zscq_desktop.volume.caches import FolderCache

    cache = FolderCache(tmp_path)
    cache.put_derived("a" * 64, "a4pdf", b"%PDF-1.7 data", {"pages": 3})
    file = cache.root / f"{'a' * 64}.a4pdf"
    file.write_bytes(file.read_bytes()[:-3])  # cut short
    assert cache.get_derived("a" * 64, "a4pdf") is None
    cache.put_derived("../../x", "a4pdf", b"data", {})  # not a name the cache makes: ignored
    assert not (tmp_path / "x.a4pdf").exists() and cache.get_derived("../../x", "a4pdf") is None
