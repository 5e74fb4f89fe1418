"""The .zscq document: create/open/save, blobs, derived data, save_as, read-only, conflicts, threads."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from zscq_desktop.store.document import Document, DocumentError
from zscq_desktop.store.schema import APPLICATION_ID, SCHEMA_VERSION


def test_create_then_open_round_trip(tmp_path: Path, sub: dict) -> None:
    path = tmp_path / "a.zscq"
    sub["attachments"] = [{"category": "资质", "title": "执照", "source_name": "x.pdf", "sha256": "ab" * 32,
                           "size": 3, "pages": 1, "id": "a1", "path": "x-附件/x.pdf"}]
    with Document.create(path, sub) as doc:
        assert doc.path == path and not doc.readonly
    assert [p.name for p in tmp_path.iterdir()] == ["a.zscq"]  # no temp or journal left behind
    with Document.open(path) as doc:
        got = doc.load()
    expected = dict(sub, attachments=[{k: v for k, v in sub["attachments"][0].items() if k != "path"}])
    assert got == expected
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        raw.close()


def test_create_refuses_to_overwrite(tmp_path: Path, sub: dict) -> None:
    path = tmp_path / "a.zscq"
    path.write_bytes(b"precious")
    with pytest.raises(DocumentError, match="已存在") as info:
        Document.create(path, sub)
    assert info.value.kind == "exists" and path.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zscq"]


def test_create_in_missing_folder(tmp_path: Path, sub: dict) -> None:
    with pytest.raises(DocumentError, match="文件夹不存在"):
        Document.create(tmp_path / "nope" / "a.zscq", sub)


def test_open_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="找不到文件") as info:
        Document.open(tmp_path / "missing.zscq")
    assert info.value.kind == "missing" and not (tmp_path / "missing.zscq").exists()


def test_save_persists_and_skips_unchanged(doc_path: Path, sub: dict) -> None:
    with Document.open(doc_path) as doc:
        rev = doc.revision
        sub["unit"]["name"] = "天津改名科技有限公司"
        doc.save(sub)
        assert doc.revision == rev + 1
        doc.save(sub)  # identical content: nothing written
        assert doc.revision == rev + 1
    with Document.open(doc_path) as doc:
        assert doc.load()["unit"]["name"] == "天津改名科技有限公司"


def test_blobs_deduplicated_and_missing_is_keyerror(doc_path: Path) -> None:
    data = b"%PDF-1.4 same bytes twice"
    with Document.open(doc_path) as doc:
        before = os.path.getsize(doc_path)
        a, b = doc.put_blob(data), doc.put_blob(bytearray(data))
        assert a == b == hashlib.sha256(data).hexdigest()
        assert doc.has_blob(a) and doc.get_blob(a) == data
        assert len(doc.blob_sizes()) == 4 and doc.blob_sizes()[a] == len(data)
        with pytest.raises(KeyError):
            doc.get_blob("0" * 64)
        assert not doc.has_blob("0" * 64)
    assert os.path.getsize(doc_path) - before < 8192


def test_prune_blobs_drops_blobs_and_derived_and_shrinks(doc_path: Path) -> None:
    with Document.open(doc_path) as doc:
        shas = list(doc.blob_sizes())
        for s in shas:
            doc.put_derived(s, "a4pdf", b"%PDF derived " + s.encode(), {"pages": 2})
        size = os.path.getsize(doc_path)
        assert doc.prune_blobs([shas[0]]) == 2
        assert list(doc.blob_sizes()) == [shas[0]]
        assert doc.get_derived(shas[0], "a4pdf") == (b"%PDF derived " + shas[0].encode(), {"pages": 2})
        assert doc.get_derived(shas[1], "a4pdf") is None
        assert doc.prune_blobs([shas[0]]) == 0
    assert os.path.getsize(doc_path) < size - 500_000  # incremental vacuum gave the space back


def test_derived_cache(doc_path: Path) -> None:
    with Document.open(doc_path) as doc:
        sha = next(iter(doc.blob_sizes()))
        assert doc.get_derived(sha, "a4pdf") is None
        doc.put_derived(sha, "a4pdf", b"one", {"pages": 1, "名称": "说明"})
        doc.put_derived(sha, "thumb", b"two", {})
        doc.put_derived(sha, "a4pdf", b"three", {"pages": 3})  # replaces
    with Document.open(doc_path) as doc:
        assert doc.get_derived(sha, "a4pdf") == (b"three", {"pages": 3})
        assert doc.get_derived(sha, "thumb") == (b"two", {})


def test_save_as_is_an_independent_consistent_copy(doc_path: Path, sub: dict, tmp_path: Path) -> None:
    target = tmp_path / "copy" / "副本.zscq"
    target.parent.mkdir()
    target.write_bytes(b"old file the user chose to replace")
    (target.parent / "副本.zscq-journal").write_bytes(b"stale journal of the replaced file")
    with Document.open(doc_path) as doc:
        blobs = {s: doc.get_blob(s) for s in doc.blob_sizes()}
        doc.save_as(target)
        sub["unit"]["name"] = "只改原件"
        doc.save(sub)
        doc.put_blob(b"only in the original")
        with pytest.raises(DocumentError, match="同一个文件"):
            doc.save_as(doc_path)
    assert sorted(p.name for p in target.parent.iterdir()) == ["副本.zscq"]
    with Document.open(target) as copy:
        assert copy.load()["unit"]["name"] != "只改原件"
        assert {s: copy.get_blob(s) for s in copy.blob_sizes()} == blobs
        assert copy.verify() == []
        copy.save(dict(copy.load(), direction="public-service"))
    with Document.open(doc_path, readonly=True) as doc:
        assert doc.load()["direction"] == "creation-pilot"


def test_readonly_open_refuses_writes_and_leaves_bytes(doc_path: Path, sub: dict, file_state) -> None:
    before = file_state(doc_path)
    with Document.open(doc_path, readonly=True) as doc:
        assert doc.readonly and doc.load() == sub
        for write in (lambda: doc.save(dict(sub, direction="x")), lambda: doc.put_blob(b"x"),
                      lambda: doc.put_derived("a" * 64, "k", b"", {}), lambda: doc.prune_blobs([])):
            with pytest.raises(DocumentError, match="只读") as info:
                write()
            assert info.value.kind == "readonly"
    assert file_state(doc_path) == before


def test_second_writer_is_a_conflict_not_a_silent_overwrite(doc_path: Path, sub: dict) -> None:
    with Document.open(doc_path) as first, Document.open(doc_path) as second:
        first.save(dict(sub, direction="first"))
        with pytest.raises(DocumentError, match="另一个窗口") as info:
            second.save(dict(sub, direction="second"))
        assert info.value.kind == "conflict"
        assert second.load()["direction"] == "first"  # reloading adopts the other window's work…
        second.save(dict(sub, direction="second"))  # …after which saving works again
        with pytest.raises(DocumentError):
            first.save(dict(sub, direction="first again"))
        first.save(dict(sub, direction="forced"), force=True)
    with Document.open(doc_path) as doc:
        assert doc.load()["direction"] == "forced"


def test_closed_document(doc_path: Path, sub: dict) -> None:
    doc = Document.open(doc_path)
    doc.close()
    doc.close()
    with pytest.raises(DocumentError, match="已关闭"):
        doc.save(sub)


def test_disk_full_is_a_clear_error_and_keeps_the_last_state(doc_path: Path, sub: dict) -> None:
    with Document.open(doc_path) as doc:
        doc.save(dict(sub, direction=sub["direction"], unit=dict(sub["unit"], name="第一次修改")))  # previous row exists
        # SQLite's real "database or disk is full" path, reached by capping the file's page count.
        pages = doc._conn.execute("PRAGMA page_count").fetchone()[0]  # noqa: SLF001
        doc._conn.execute(f"PRAGMA max_page_count = {pages + 5}")  # noqa: SLF001
        with pytest.raises(DocumentError, match="磁盘空间不足") as info:
            doc.put_blob(os.urandom(2_000_000))
        assert info.value.kind == "full"
        sub["unit"]["name"] = "仍然可以保存小改动"
        doc.save(sub)
    with Document.open(doc_path) as doc:
        assert doc.load()["unit"]["name"] == "仍然可以保存小改动" and len(doc.blob_sizes()) == 3
        assert doc.verify() == []


def test_shared_between_threads(doc_path: Path, sub: dict) -> None:
    """A background normaliser reads blobs and writes derived data while the GUI thread saves."""
    errors: list[BaseException] = []
    with Document.open(doc_path) as doc:
        shas = list(doc.blob_sizes())

        def worker(n: int) -> None:
            try:
                for i in range(30):
                    sha = shas[(n + i) % len(shas)]
                    data = doc.get_blob(sha)
                    doc.put_derived(sha, f"k{n}", data[:100], {"i": i})
                    assert doc.get_derived(sha, f"k{n}") == (data[:100], {"i": i})
            except BaseException as exc:  # reported below: an exception in a thread is otherwise lost
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        for i in range(60):
            doc.save(dict(sub, meta={"n": i}))
        for t in threads:
            t.join()
        assert not errors
        assert doc.load()["meta"] == {"n": 59}
        assert doc.verify() == []


DISK_FULL = r"""
import json, os, sys
from pathlib import Path
from zscq_desktop.store.document import Document, DocumentError
folder, sub = Path(sys.argv[1]), json.loads(sys.argv[2])
path, result = folder / "满.zscq", {}
with Document.create(path, sub) as doc:
    try:
        for i in range(100):
            doc.put_blob(os.urandom(100_000))
    except DocumentError as exc:
        result.update(kind=exc.kind, message=str(exc), stored=i)
    sub["unit"]["name"] = "磁盘满了之后的小改动"
    try:
        doc.save(sub)
        result["small_save"] = "ok"
    except DocumentError as exc:
        result["small_save"] = exc.kind
with Document.open(path) as doc:
    result.update(name=doc.load()["unit"]["name"], blobs=len(doc.blob_sizes()), problems=doc.verify())
result["left"] = sorted(p.name for p in folder.iterdir())
print(json.dumps(result, ensure_ascii=False))
"""


def test_real_full_disk(tmp_path: Path, sub: dict) -> None:
    """A real ENOSPC: a 1 MB tmpfs in a private mount namespace (skipped where that is not allowed)."""
    import json
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("unshare -rm (user + mount namespace) is not available")
    folder = tmp_path / "small-disk"
    folder.mkdir()
    script = f'mount -t tmpfs -o size=1m tmpfs "$1" && exec "{sys.executable}" -c "$2" "$1" "$3"'
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", str(folder), DISK_FULL,
                           json.dumps(sub, ensure_ascii=False)], capture_output=True, timeout=120,
                          env=dict(os.environ, PYTHONIOENCODING="utf-8"))
    if proc.returncode and b"mount" in proc.stderr:
        pytest.skip(f"tmpfs cannot be mounted here: {proc.stderr.decode(errors='replace')}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    result = json.loads(proc.stdout.decode("utf-8"))
    assert result["kind"] == "full" and result["message"].startswith("磁盘空间不足"), result
    assert "已输入的内容仍在程序中，不会丢失" in result["message"]
    assert 1 <= result["stored"] <= 10
    # Whatever the small save did, the file holds a committed state and is intact.
    expected = "磁盘满了之后的小改动" if result["small_save"] == "ok" else sub["unit"]["name"]
    assert result["name"] == expected and result["blobs"] == result["stored"] and result["problems"] == []
    assert result["left"] == ["满.zscq"]
