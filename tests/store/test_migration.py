"""Schema migrations: a version-1 file (built here with plain SQL, as version 1 wrote it) opens and upgrades."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from zscq_desktop.store.document import Document, DocumentError
from zscq_desktop.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

BLOB = b"%PDF-1.4 an attachment stored by version 1"


def make_v1(path: Path, sub: dict) -> None:
    c = sqlite3.connect(path)
    c.executescript(f"""
        PRAGMA application_id = {APPLICATION_ID};
        PRAGMA user_version = 1;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE submission (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, saved TEXT);
        CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
        INSERT INTO meta VALUES ('format', 'zscq-document');
    """)
    c.execute("INSERT INTO submission VALUES (1, ?, '2023-05-01T10:00:00+08:00')", (json.dumps(sub, ensure_ascii=False),))
    c.execute("INSERT INTO blobs VALUES (?, ?)", (hashlib.sha256(BLOB).hexdigest(), BLOB))
    c.commit()
    c.close()


def test_current_version_is_the_number_of_steps() -> None:
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 2


def test_version_1_file_is_migrated_in_place(tmp_path: Path, sub: dict) -> None:
    path = tmp_path / "old.zscq"
    make_v1(path, sub)
    sha = hashlib.sha256(BLOB).hexdigest()
    with Document.open(path) as doc:
        assert doc.load() == sub
        assert doc.get_blob(sha) == BLOB and doc.blob_sizes() == {sha: len(BLOB)}  # size filled in
        doc.put_derived(sha, "a4pdf", b"normalised", {"pages": 1})  # the table version 2 added
        sub["unit"]["name"] = "迁移后保存"
        doc.save(sub)
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("SELECT value FROM meta WHERE key = 'migrated'").fetchone()[0].startswith(f"1→{SCHEMA_VERSION}")
    finally:
        raw.close()
    with Document.open(path) as doc:
        assert doc.load()["unit"]["name"] == "迁移后保存"
        assert doc.get_derived(sha, "a4pdf") == (b"normalised", {"pages": 1})
        assert doc.verify() == []


def test_version_1_file_opened_read_only_is_upgraded_in_memory_only(tmp_path: Path, sub: dict, file_state) -> None:
    path = tmp_path / "old.zscq"
    make_v1(path, sub)
    before = file_state(path)
    with Document.open(path, readonly=True) as doc:
        assert doc.load() == sub
        assert doc.get_derived(hashlib.sha256(BLOB).hexdigest(), "a4pdf") is None
        with pytest.raises(DocumentError, match="只读"):
            doc.save(sub)
        doc.save_as(tmp_path / "upgraded.zscq")  # "save as" writes the upgraded copy
    assert file_state(path)[0] == before[0]
    raw = sqlite3.connect(tmp_path / "upgraded.zscq")
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        raw.close()


def test_a_failing_step_leaves_the_old_file_intact(tmp_path: Path, sub: dict, file_state) -> None:
    """Migration runs in one transaction: if a step fails, the version-1 file is exactly as before."""
    path = tmp_path / "old.zscq"
    make_v1(path, sub)
    before = file_state(path)

    def broken(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE derived (x)")
        c.execute("ALTER TABLE no_such_table ADD COLUMN y")

    good, MIGRATIONS[1] = MIGRATIONS[1], broken
    try:
        with pytest.raises(DocumentError, match="升级到第") as info:
            Document.open(path)
    finally:
        MIGRATIONS[1] = good
    assert "文件未被改动" in str(info.value)
    assert file_state(path) == before
    with Document.open(path) as doc:
        assert doc.load() == sub


def test_two_processes_upgrading_at_once(tmp_path: Path, sub: dict) -> None:
    """The second opener read version 1 before the first one upgraded: its step is skipped, not repeated."""
    from zscq_desktop.store.opening import connect

    path = tmp_path / "old.zscq"
    make_v1(path, sub)
    late = connect(path, readonly=False, timeout=1)
    assert late.execute("PRAGMA user_version").fetchone()[0] == 1
    Document.open(path).close()  # the first opener upgrades
    late = Document._migrate(late, 1, False, path)  # noqa: SLF001 — what open() does next in the late process
    late.close()
    with Document.open(path) as doc:
        assert doc.load() == sub and doc.verify() == []
