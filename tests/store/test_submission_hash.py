"""The submission text is protected like the attachments: a hash per save, the previous save kept in
a second row and offered when the current text fails its hash; damaged-file messages are Chinese and
quote none of the user's data."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from zscq_desktop.store.document import TEXT_DAMAGED, Document, DocumentError
from zscq_desktop.store.schema import SCHEMA_VERSION

MARK = "确保测试单位甲乙丙"  # only in the current save


def _flip(path: Path, old: str, new: str, after: str = "") -> None:
    """Change one character in the file's bytes where `old` + `after` occurs (exactly once)."""
    raw = bytearray(path.read_bytes())
    needle = (old + after).encode("utf-8")
    assert raw.count(needle) == 1
    at = raw.find(needle)
    a, b = old.encode("utf-8"), new.encode("utf-8")
    assert len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1  # one byte: 确 E7 A1 AE → 煮 E7 85 AE
    raw[at:at + len(a)] = b
    path.write_bytes(bytes(raw))


def _quotes_no_user_data(message: str, sub: dict) -> None:
    texts = [MARK, sub["unit"]["name"], sub["form"]["cover"]["project_name"], "zscq-submission", "{"]
    assert not any(t in message for t in texts), message
    english = set(re.findall(r"[A-Za-z]{3,}", message)) - {"JSON", "SQLite", "zscq"}
    assert not english, message


@pytest.fixture
def edited(doc_path: Path, sub: dict) -> tuple[Path, dict, dict]:
    """A document saved twice: the previous save (the sample) and the current one (with MARK)."""
    current = json.loads(json.dumps(sub))
    current["unit"]["name"] = MARK
    with Document.open(doc_path) as doc:
        doc.save(current)
    return doc_path, sub, current


def test_one_flipped_byte_is_refused_and_the_previous_save_offered(edited, file_state) -> None:
    path, previous, current = edited
    _flip(path, "确", "煮", "保测试单位")
    before = file_state(path)
    for readonly in (False, True):
        with pytest.raises(DocumentError) as info:
            Document.open(path, readonly=readonly)
        assert info.value.kind == TEXT_DAMAGED and info.value.previous
        assert "校验值不符" in str(info.value) and "上一次保存的版本" in str(info.value)
        _quotes_no_user_data(str(info.value), current)
    assert file_state(path) == before  # refused untouched

    with Document.open(path, readonly=True, use_previous=True) as doc:  # read-only: recovered in memory only
        assert doc.load() == previous
    assert file_state(path) == before

    with Document.open(path, use_previous=True) as doc:  # writable: the previous save becomes current
        assert doc.load()["unit"]["name"] == previous["unit"]["name"]
        doc.save(dict(doc.load(), direction=doc.load()["direction"]))
    with Document.open(path) as doc:  # and the file opens normally from now on
        assert doc.load()["unit"]["name"] == previous["unit"]["name"]
        kept = doc._conn.execute("SELECT value FROM meta WHERE key = 'damaged_submission'").fetchone()  # noqa: SLF001
        assert kept is not None and "煮保测试单位".encode() in bytes(kept[0])  # the damaged text is kept aside


def test_cli_refuses_the_flipped_document_with_a_chinese_message(edited, capsys) -> None:
    from zscq_desktop.cli import main

    path, _, current = edited
    assert main(["check", str(path)]) == 0
    capsys.readouterr()
    _flip(path, "确", "煮", "保测试单位")
    assert main(["check", str(path)]) == 2
    assert main(["export", str(path), "--out", str(path.parent / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "校验值不符" in err and "上一次保存的版本" in err and "煮" not in err
    assert not (path.parent / "out").exists()


def test_without_an_intact_previous_save_it_is_damaged(edited) -> None:
    path, _, current = edited
    _flip(path, "确", "煮", "保测试单位")
    with sqlite3.connect(path) as c:  # the previous save damaged as well
        c.execute("UPDATE submission SET json = json || ' ' WHERE rev = (SELECT min(rev) FROM submission)")
    with pytest.raises(DocumentError) as info:
        Document.open(path)
    assert info.value.kind == "damaged" and "没有可用的上一次保存的版本" in str(info.value)
    _quotes_no_user_data(str(info.value), current)
    with pytest.raises(DocumentError):
        Document.open(path, use_previous=True)


def test_a_flip_into_invalid_utf8_is_caught_by_the_hash(edited) -> None:
    path, _, current = edited
    raw = bytearray(path.read_bytes())
    at = raw.find(MARK.encode("utf-8"))
    raw[at + 1] = 0xFF  # no longer UTF-8: SQLite's own message would quote the text in English
    path.write_bytes(bytes(raw))
    with pytest.raises(DocumentError) as info:
        Document.open(path)
    assert info.value.kind == TEXT_DAMAGED
    _quotes_no_user_data(str(info.value), current)


def test_each_save_keeps_the_previous_one(doc_path: Path, sub: dict) -> None:
    with Document.open(doc_path) as doc:
        for name in ("一", "二", "三"):
            doc.save(dict(sub, unit=dict(sub["unit"], name=name)))
        rows = doc._conn.execute("SELECT json FROM submission ORDER BY rev DESC").fetchall()  # noqa: SLF001
    assert [json.loads(r[0])["unit"]["name"] for r in rows] == ["三", "二"]


def test_older_document_gets_its_hash_on_its_first_writable_opening(doc_path: Path, file_state) -> None:
    with sqlite3.connect(doc_path) as c:  # back to schema 2: no hash column, one row
        c.execute("CREATE TABLE s2 (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, saved TEXT, "
                  "rev INTEGER NOT NULL DEFAULT 0)")
        c.execute("INSERT INTO s2 SELECT 1, json, saved, rev FROM submission ORDER BY rev DESC LIMIT 1")
        c.execute("DROP TABLE submission")
        c.execute("ALTER TABLE s2 RENAME TO submission")
        c.execute("PRAGMA user_version = 2")
    before = file_state(doc_path)
    with Document.open(doc_path, readonly=True) as doc:
        doc.load()
    assert file_state(doc_path) == before  # a read-only opening writes nothing
    with Document.open(doc_path) as doc:
        data = doc.load()
    with sqlite3.connect(doc_path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        hashes = c.execute("SELECT sha256 FROM submission").fetchall()
        assert len(hashes) == 1 and hashes[0][0]
    with Document.open(doc_path) as doc:  # and from now on it is checked
        assert doc.load() == data


def test_sqlite_messages_never_quote_english_or_content(tmp_path: Path) -> None:
    from zscq_desktop.store.errors import from_sqlite

    exc = sqlite3.OperationalError("Could not decode to UTF-8 column 'json' with text '{\"format\": \"zscq-submission\"'")
    assert from_sqlite(exc, tmp_path / "a.zscq", "读取").kind == "damaged"
    odd = from_sqlite(sqlite3.OperationalError("something new with text 'secret'"), tmp_path / "a.zscq", "读取")
    assert "secret" not in str(odd) and "something" not in str(odd)
