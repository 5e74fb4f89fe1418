"""Re-exporting while the last export is open elsewhere (issue 9 item 2).

On Windows ``os.replace`` onto a file Acrobat, WPS or Word holds open raises PermissionError with
winerror 32 (sharing violation). The tests raise exactly that from a monkeypatched ``os.replace``
for one target of the set: the whole previous set must stay as it was and the message must name
the open file.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from zscq_desktop.core.sample import write_sample
from zscq_desktop.docio import load_json
from zscq_desktop.system.replace import FileInUse, held_open
from zscq_desktop.volume.export import ExportError, MemoryCache, export


def _win_error(code: int, path: Path) -> PermissionError:
    exc = PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", str(path))
    exc.winerror = code  # type: ignore[attr-defined]  # what CPython sets on Windows
    return exc


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, call):
    folder = tmp_path_factory.mktemp("sources")
    write_sample(call, "creation-pilot", folder / "first.json")
    data = json.loads((folder / "first.json").read_text("utf-8"))
    data["form"]["cover"]["project_name"] = "修改后的项目名称"
    (folder / "second.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture
def previous(inputs, call, tmp_path):
    """A folder holding a complete earlier export, and its files' bytes."""
    out = tmp_path / "导出"
    result = export(load_json(inputs / "first.json"), call, out, cache=MemoryCache())
    assert len(result.files) == 5
    return out, result.files, {p.name: p.read_bytes() for p in result.files}


def _held_open(monkeypatch, held: Path, code: int = 32) -> None:
    real = os.replace

    def replace(src, dst, *a, **kw):
        if held in (Path(src), Path(dst)):  # neither renamed away nor replaced, as on Windows
            raise _win_error(code, held)
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("index", [1, 2, 4])  # the form DOCX, the plan DOCX, the zip (2nd, 3rd, last)
def test_open_file_keeps_the_whole_previous_set(previous, inputs, call, monkeypatch, index):
    out, files, before = previous
    held = files[index]
    _held_open(monkeypatch, held)
    with pytest.raises(ExportError) as info:
        export(load_json(inputs / "second.json"), call, out, cache=MemoryCache())
    message = str(info.value)
    assert f"《{held.name}》正在被其他程序打开，请关闭后重新导出" in message
    assert "没有权限" not in message
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # all old, nothing new, no leftovers
    monkeypatch.undo()
    result = export(load_json(inputs / "second.json"), call, out, cache=MemoryCache())  # closed: works
    assert all(p.read_bytes() != before[p.name] for p in result.files)
    assert sorted(p.name for p in out.iterdir()) == sorted(before)


def test_file_open_for_writing_is_refused_before_anything_moves(previous, inputs, call, monkeypatch):
    """Windows refuses to open a file Acrobat holds for writing: caught before any rename."""
    out, files, before = previous
    held = files[3]
    real_open = open
    renames: list[Path] = []
    real_replace = os.replace

    def fake_open(file, mode="r", *a, **kw):
        if Path(str(file)) == held and "+" in mode:
            raise _win_error(32, held)
        return real_open(file, mode, *a, **kw)

    monkeypatch.setattr("builtins.open", fake_open)
    monkeypatch.setattr(os, "replace", lambda s, d: renames.append(Path(s)) or renames.append(Path(d))
                        or real_replace(s, d))
    with pytest.raises(ExportError, match=f"《{held.name}》正在被其他程序打开"):
        export(load_json(inputs / "second.json"), call, out, cache=MemoryCache())
    assert not [p for p in renames if p.parent == out]  # no target was touched at all
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_real_permission_problem_is_not_called_open_elsewhere(previous, inputs, call, monkeypatch):
    """winerror 5 on a file the user marked read-only is a permission problem, not a held file."""
    out, files, before = previous
    held = files[1]
    os.chmod(held, stat.S_IRUSR | stat.S_IRGRP)
    try:
        _held_open(monkeypatch, held, code=5)
        with pytest.raises(ExportError) as info:
            export(load_json(inputs / "second.json"), call, out, cache=MemoryCache())
        assert "正在被其他程序打开" not in str(info.value)
        assert f"《{held.name}》是只读文件，没有权限替换它" in str(info.value)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    finally:
        os.chmod(held, stat.S_IRUSR | stat.S_IWUSR)


def test_held_open_tells_sharing_from_permission(tmp_path):
    f = tmp_path / "申报书.docx"
    f.write_bytes(b"x")
    assert held_open(_win_error(32, f), f) and held_open(_win_error(33, f), f)
    assert held_open(_win_error(5, f), f)  # access denied on a writable file in a writable folder
    os.chmod(f, stat.S_IRUSR)
    try:
        assert not held_open(_win_error(5, f), f)  # …but the read-only flag makes it a permission problem
    finally:
        os.chmod(f, stat.S_IRUSR | stat.S_IWUSR)
    assert not held_open(OSError(28, "No space left on device"), f)
    assert str(FileInUse(f)) == "《申报书.docx》正在被其他程序打开，请关闭后重新导出。"



def test_save_as_onto_a_file_open_elsewhere(inputs, tmp_path, monkeypatch):
    """另存为 onto a .zscq another program holds: the message names it, the old file stays."""
    from zscq_desktop.docio import write_zscq
    from zscq_desktop.store.document import Document, DocumentError

    source, target = tmp_path / "当前.zscq", tmp_path / "别处打开.zscq"
    write_zscq(load_json(inputs / "first.json"), source)
    target.write_bytes(b"the other program's copy")
    _held_open(monkeypatch, target)
    with Document.open(source) as doc, pytest.raises(DocumentError) as info:
        doc.save_as(target)
    assert str(info.value) == "《别处打开.zscq》正在被其他程序打开，请关闭后重新另存为。"
    assert info.value.kind == "locked"
    assert target.read_bytes() == b"the other program's copy"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["别处打开.zscq", "当前.zscq"]


def test_refusal_names_a_read_only_target(tmp_path):
    from zscq_desktop.system.replace import ReadOnlyTarget, refusal

    f = tmp_path / "实施方案.docx"
    f.write_bytes(b"x")
    assert isinstance(refusal(_win_error(32, f), f), FileInUse)
    os.chmod(f, stat.S_IRUSR)
    try:
        err = refusal(PermissionError(13, "Permission denied", str(f)), f)  # opening it for writing failed
        assert isinstance(err, ReadOnlyTarget) and "《实施方案.docx》是只读文件" in str(err)
    finally:
        os.chmod(f, stat.S_IRUSR | stat.S_IWUSR)
    full = OSError(28, "No space left on device")
    assert refusal(full, f) is full
