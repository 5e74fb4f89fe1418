"""Folders are writable when they accept files, whatever their mode bits say (issue 9 item 1).

Explorer marks 桌面, 文档, the OneDrive root and any folder with a custom icon read-only; Windows
ignores that attribute for folders but CPython reports such a folder as mode 0o555. The tests make
``os.stat`` report exactly that for a folder that accepts files, as it happens on Windows.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from zscq_desktop.store import files
from zscq_desktop.store.document import Document, DocumentError


@pytest.fixture
def shell_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder that accepts files but whose mode reads 0o555, as 桌面 does on Windows."""
    folder = tmp_path / "桌面"
    folder.mkdir()
    real_stat = os.stat

    def fake_stat(path, *args, **kwargs):
        st = real_stat(path, *args, **kwargs)
        if os.path.abspath(os.fspath(path)) == str(folder):
            return os.stat_result((stat.S_IFDIR | 0o555,) + tuple(st)[1:])
        return st

    monkeypatch.setattr(os, "stat", fake_stat)
    assert not folder.stat().st_mode & 0o222  # the simulation is in place
    return folder


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def test_folder_with_read_only_attribute_is_used_normally(shell_folder: Path, sub: dict) -> None:
    assert files.writable(shell_folder) and files.folder_accepts_files(shell_folder)
    path = shell_folder / "申报.zscq"
    with Document.create(path, sub) as doc:  # a new .zscq on the Desktop
        assert not doc.readonly
        doc.save({**sub, "direction": "creation-pilot", "meta": {"note": "桌面"}})
    with Document.open(path) as doc:  # a colleague's file saved on the Desktop opens for editing
        assert not doc.readonly and doc.load()["meta"] == {"note": "桌面"}
        copy = shell_folder / "副本.zscq"
        doc.save_as(copy)  # 另存为 onto the Desktop, then continue there
    with Document.open(copy) as again:
        assert not again.readonly
    assert _leftovers(shell_folder, {"申报.zscq", "副本.zscq"}) == []  # no probe or temporary file left


def test_folder_that_refuses_files_is_not_writable(doc_path: Path, file_state, sub: dict,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that really refuses new files (ACL, read-only share): simulated by failing creation
    there, which works for root too (chmod does not stop root)."""
    folder = doc_path.parent
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and Path(path).parent == folder:
            raise PermissionError(13, "Access is denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    before = file_state(doc_path)
    assert not files.folder_accepts_files(folder)
    with pytest.raises(DocumentError, match="文件夹不可写入") as info:
        Document.open(doc_path)
    assert info.value.kind == "readonly"
    with Document.open(doc_path, readonly=True) as doc:
        assert doc.load() == sub and len(doc.blob_sizes()) == 3
    with pytest.raises(DocumentError, match="不可写入"):
        Document.create(folder / "new.zscq", sub)
    assert file_state(doc_path) == before


def test_read_only_file_in_a_shell_folder_stays_read_only(shell_folder: Path, sub: dict) -> None:
    """The file's own read-only flag is still honoured (Windows does enforce it for files)."""
    path = shell_folder / "只读.zscq"
    Document.create(path, sub).close()
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)
    try:
        assert not files.writable(path)
        with pytest.raises(DocumentError, match="只读文件"):
            Document.open(path)
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
