"""另存为 onto 桌面 (issue 9 item 1): a folder whose mode reads 0o555 but accepts files is used, and a
copy that cannot be reopened is not left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from zscq_desktop.store.document import Document, DocumentError


def test_save_as_to_a_folder_marked_read_only(window, tmp_path: Path, dialogs_recorder,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    desktop = tmp_path / "桌面"
    desktop.mkdir()
    real_stat = os.stat

    def fake_stat(path, *args, **kwargs):  # what CPython reports for Explorer's read-only attribute
        st = real_stat(path, *args, **kwargs)
        if os.path.abspath(os.fspath(path)) == str(desktop):
            return os.stat_result((stat.S_IFDIR | 0o555,) + tuple(st)[1:])
        return st

    monkeypatch.setattr(os, "stat", fake_stat)
    assert window.open_sample("creation-pilot")
    dialogs_recorder.save_path = desktop / "申报.zscq"
    assert window.save_as()
    s = window.session
    assert s.path == desktop / "申报.zscq" and not s.readonly
    s.edit("form.cover.project_name", "桌面上的项目")
    s.save_now()
    assert not s.dirty


def test_a_copy_that_cannot_be_reopened_is_removed(window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zscq_desktop.ui.session import SessionError

    assert window.open_sample("creation-pilot")
    target = tmp_path / "副本.zscq"

    def refuse(path, **kwargs):
        raise DocumentError(f"《{Path(path).name}》所在的文件夹不可写入", "readonly")

    monkeypatch.setattr(Document, "open", staticmethod(refuse))
    with pytest.raises(SessionError, match="不可写入"):
        window.session.save_as(target)
    assert not target.exists() and list(tmp_path.glob("*.zscq")) == []
