"""A `.zscq` in a synced or network folder (issue 9 item 8): no journal file appears and disappears
per save (what OneDrive picks up half-written), a closed document is one file, and such folders
are recognised and warned about once."""

from __future__ import annotations

from pathlib import Path

import pytest

from zscq_desktop.store.document import Document, DocumentError
from zscq_desktop.store.opening import journal_is_hot
from zscq_desktop.system import locations


def test_no_journal_is_created_or_deleted_per_save(doc_path: Path, sub: dict) -> None:
    journal = doc_path.with_name(doc_path.name + "-journal")
    with Document.open(doc_path) as doc:
        sub["meta"] = {"n": 0}
        doc.save(sub)
        assert journal.exists() and journal.stat().st_size == 0 and not journal_is_hot(journal)
        inode = journal.stat().st_ino
        for n in range(1, 6):
            sub["meta"] = {"n": n}
            doc.save(sub)
            # the same (empty) file after every save: nothing new for a sync client to upload
            assert journal.stat().st_ino == inode and journal.stat().st_size == 0
    assert sorted(p.name for p in doc_path.parent.iterdir()) == [doc_path.name]  # closed: one file
    with Document.open(doc_path, readonly=True) as doc:
        assert doc.load()["meta"] == {"n": 5}


def test_closing_one_window_while_another_keeps_saving(doc_path: Path, sub: dict) -> None:
    journal = doc_path.with_name(doc_path.name + "-journal")
    first, second = Document.open(doc_path), Document.open(doc_path)
    try:
        first.save({**sub, "meta": {"by": "first"}})
        second.load()
        first.close()  # the other connection still has the file open: still safe to keep or remove
        second.save({**sub, "meta": {"by": "second"}})
    finally:
        first.close()
        second.close()
    assert not journal.exists()
    with Document.open(doc_path) as doc:
        assert doc.load()["meta"] == {"by": "second"}


def test_an_empty_journal_does_not_hide_a_truncated_file(doc_path: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut" / "截断.zscq"
    cut.parent.mkdir()
    data = doc_path.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    cut.with_name(cut.name + "-journal").write_bytes(b"")  # what TRUNCATE mode leaves while open
    with pytest.raises(DocumentError, match="截断") as info:
        Document.open(cut, readonly=True)
    assert info.value.kind == "damaged"


@pytest.mark.parametrize("path, env, words", [
    ("C:/Users/张三/OneDrive/文档/申报.zscq", {"OneDrive": "C:/Users/张三/OneDrive"}, "OneDrive 同步文件夹"),
    ("/home/u/OneDrive - 天津示例科技/申报.zscq", {}, "OneDrive 同步文件夹"),
    ("/home/u/我的坚果云/申报.zscq", {}, "坚果云 同步文件夹"),
    ("//fileserver/共享/申报.zscq", {}, "网络文件夹"),
    ("\\\\fileserver\\共享\\申报.zscq", {}, "网络文件夹"),
])
def test_synced_and_network_folders_are_recognised(path: str, env: dict, words: str) -> None:
    message = locations.location_warning(Path(path), env)
    assert message and words in message and "《申报.zscq》" in message


def test_local_folders_are_not_warned_about(tmp_path: Path) -> None:
    assert locations.location_warning(tmp_path / "申报.zscq", {"OneDrive": str(tmp_path / "OneDrive")}) is None


def test_warned_once_per_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(locations, "_checked", set())
    path = tmp_path / "OneDrive" / "申报.zscq"
    assert locations.warn_once(path, {}) is not None
    assert locations.warn_once(path, {}) is None
    assert locations.warn_once(tmp_path / "local.zscq", {}) is None
