"""Damaged, foreign, newer, read-only and locked files: a clear Chinese DocumentError, bytes untouched."""

from __future__ import annotations

import os
import hashlib
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from zscq_desktop.docio import InputError, load_zscq
from zscq_desktop.store.document import Document, DocumentError


def _refused(path: Path, kind: str, words: str, file_state, *, readonly_too: bool = True) -> DocumentError:
    # readonly_too=False: the file is only refused for writing, so readers (load_zscq) may open it
    """Open read-write (and read-only): both refuse with `kind`/`words`, and nothing on disk changes."""
    before = file_state(path)
    with pytest.raises(DocumentError) as info:
        Document.open(path, timeout=0.2)
    assert info.value.kind == kind and words in str(info.value), str(info.value)
    assert path.name in str(info.value)
    if readonly_too:
        with pytest.raises(DocumentError) as again:
            Document.open(path, readonly=True, timeout=0.2)
        assert again.value.kind == kind
    with pytest.raises(DocumentError, match="已存在"):  # and never overwritten by a new document
        Document.create(path, {"format": "zscq-submission"})
    if readonly_too:
        with pytest.raises(InputError):  # what the command line and the export see
            load_zscq(path)
    assert file_state(path) == before
    return info.value


def test_empty_file(tmp_path: Path, file_state) -> None:
    path = tmp_path / "empty.zscq"
    path.write_bytes(b"")
    _refused(path, "damaged", "空文件", file_state)


def test_random_bytes(tmp_path: Path, file_state) -> None:
    path = tmp_path / "random.zscq"
    path.write_bytes(os.urandom(20_000))
    _refused(path, "foreign", "不是申报助手的申报文件", file_state)


@pytest.mark.parametrize(("content", "words"), [
    (b"PK\x03\x04\x14\x00 zip", "zip 压缩包"), (b"%PDF-1.7\n", "PDF"),
    ('{"format": "zscq-submission"}'.encode(), "JSON"), (b"SQLite for", "不完整")])
def test_other_kinds_of_file_are_named(tmp_path: Path, file_state, content: bytes, words: str) -> None:
    path = tmp_path / "other.zscq"
    path.write_bytes(content)
    _refused(path, "damaged" if words == "不完整" else "foreign", words, file_state)


def test_foreign_sqlite_database(tmp_path: Path, file_state) -> None:
    path = tmp_path / "foreign.zscq"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE submission (id INTEGER PRIMARY KEY, json TEXT)")
    c.execute("INSERT INTO submission VALUES (1, '{}')")
    c.commit()
    c.close()
    _refused(path, "foreign", "其他程序的 SQLite 数据库", file_state)


def test_newer_schema_asks_to_upgrade(doc_path: Path, file_state) -> None:
    c = sqlite3.connect(doc_path)
    c.execute("PRAGMA user_version = 99")
    c.close()
    err = _refused(doc_path, "newer", "请升级", file_state)
    assert "第 99 版" in str(err)


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_file(doc_path: Path, file_state, keep: float) -> None:
    data = doc_path.read_bytes()
    doc_path.write_bytes(data[: int(len(data) * keep)])
    _refused(doc_path, "damaged", "被截断", file_state)


def test_truncated_inside_the_header(doc_path: Path, file_state) -> None:
    doc_path.write_bytes(doc_path.read_bytes()[:60])
    _refused(doc_path, "damaged", "不完整", file_state)


def test_missing_tables_are_damage(doc_path: Path, file_state) -> None:
    c = sqlite3.connect(doc_path)
    c.execute("DROP TABLE submission")
    c.commit()
    c.close()
    _refused(doc_path, "damaged", "submission", file_state)


def test_bad_submission_json_is_damage(doc_path: Path, file_state) -> None:
    c = sqlite3.connect(doc_path)
    # with its hash updated too (a hand-made file): the text is refused as unparseable
    c.execute("UPDATE submission SET json = '{not json', sha256 = ?", (hashlib.sha256(b"{not json").hexdigest(),))
    c.commit()
    c.close()
    _refused(doc_path, "damaged", "无法解析", file_state)


def test_damaged_blob_is_caught_on_reading(doc_path: Path, file_state) -> None:
    with Document.open(doc_path) as doc:
        sha = next(iter(doc.blob_sizes()))
        blob = doc.get_blob(sha)
    data = bytearray(doc_path.read_bytes())
    at = data.find(blob[1000:1100])
    data[at:at + 100] = bytes(100)  # flip bytes inside the blob's pages, as a bad sector would
    doc_path.write_bytes(bytes(data))
    before = file_state(doc_path)
    with Document.open(doc_path) as doc:  # the submission itself is still readable
        assert doc.load()["direction"] == "creation-pilot"
        with pytest.raises(DocumentError, match="已损坏") as info:
            doc.get_blob(sha)
        assert info.value.kind == "damaged"
        assert any(sha[:12] in p for p in doc.verify())
    assert file_state(doc_path)[0] == before[0]


@pytest.fixture
def read_only(doc_path: Path) -> Iterator[Path]:
    os.chmod(doc_path, stat.S_IRUSR | stat.S_IRGRP)
    yield doc_path
    os.chmod(doc_path, stat.S_IRUSR | stat.S_IWUSR)


def test_read_only_file(read_only: Path, file_state, sub: dict) -> None:
    err = _refused(read_only, "readonly", "只读文件", file_state, readonly_too=False)
    assert "只读方式打开" in str(err)
    before = file_state(read_only)
    with Document.open(read_only, readonly=True) as doc:  # …which works
        assert doc.load() == sub
    assert load_zscq(read_only).submission.to_dict()["unit"] == sub["unit"]  # check/export only read
    assert file_state(read_only) == before


# A folder that refuses files: tests/store/test_win_folders.py (the mode bits no longer decide it).


HOLD_LOCK = r"""
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")  # what another program mid-write holds
print("locked", flush=True)
sys.stdin.readline()
c.execute("ROLLBACK")
"""


def test_locked_by_another_process(doc_path: Path, file_state, sub: dict) -> None:
    with Document.open(doc_path) as doc:
        holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(doc_path)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            before = file_state(doc_path)
            for readonly in (False, True):
                with pytest.raises(DocumentError, match="正被其他程序占用") as info:
                    Document.open(doc_path, readonly=readonly, timeout=0.2)
                assert info.value.kind == "locked"
            sub["unit"]["name"] = "占用期间的修改"
            doc._conn.execute("PRAGMA busy_timeout = 200")  # noqa: SLF001 — keep the test short
            with pytest.raises(DocumentError, match="正被其他程序占用"):
                doc.save(sub)  # the edit stays in memory; the caller retries later
            assert file_state(doc_path) == before
        finally:
            holder.communicate("\n", timeout=30)
        doc.save(sub)  # the other program is done: the same save now succeeds
    with Document.open(doc_path) as doc:
        assert doc.load()["unit"]["name"] == "占用期间的修改"


def test_tampered_file_with_a_trigger_is_refused(doc_path: Path, file_state) -> None:
    c = sqlite3.connect(doc_path)
    c.execute("CREATE TRIGGER wipe AFTER UPDATE ON submission BEGIN DELETE FROM blobs; END")
    c.commit()
    c.close()
    _refused(doc_path, "damaged", "触发器", file_state)
