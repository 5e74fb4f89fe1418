"""What happens when the open file cannot take the edits: opened read-only, saved meanwhile by
another window (conflict), disk full / I/O errors (back-off retries), and closing with an edit
pending. Whatever happens, what was typed is never lost."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from zscq_desktop.store.document import Document
from zscq_desktop.store.errors import DocumentError


def _on_disk(path: Path) -> dict:
    with Document.open(path, readonly=True) as doc:
        return doc.load()


@pytest.fixture
def saved_file(window, tmp_path, dialogs_recorder) -> Path:
    """A .zscq file of the sample outside the drafts folder, open in the window."""
    assert window.open_sample("creation-pilot")
    dialogs_recorder.save_path = tmp_path / "申报.zscq"
    assert window.save_as()
    return window.session.path


def _reopen_readonly(window, path: Path, dialogs_recorder, choice):
    window.set_session(None)
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)  # the user's read-only flag (honoured even for root)
    dialogs_recorder.choice = choice
    return window.open_path(path)


def test_readonly_file_opens_read_only_and_save_as_keeps_the_edits(window, saved_file, dialogs_recorder, tmp_path):
    before = saved_file.read_bytes()
    assert _reopen_readonly(window, saved_file, dialogs_recorder, 0)
    assert dialogs_recorder.messages[-1][0] == "文件只读"
    s = window.session
    assert s.readonly and "只读" in window.windowTitle() and "另存为" in window.saved_label.text()
    s.edit("form.cover.project_name", "只读时输入的名称")
    s.save_now()  # goes nowhere, and says nothing: the window already shows 只读
    assert s.dirty and "只读" in window.windowTitle()
    assert saved_file.read_bytes() == before
    dialogs_recorder.save_path = tmp_path / "副本.zscq"
    assert window.save()  # Ctrl+S on a read-only file is 另存为
    assert s.path == tmp_path / "副本.zscq" and not s.readonly and not s.dirty
    assert _on_disk(s.path)["form"]["cover"]["project_name"] == "只读时输入的名称"
    assert saved_file.read_bytes() == before


def test_readonly_file_cancel_or_save_as_straight_away(window, saved_file, dialogs_recorder, tmp_path):
    assert not _reopen_readonly(window, saved_file, dialogs_recorder, None)
    assert window.session is None
    dialogs_recorder.save_path = tmp_path / "可编辑.zscq"
    assert not window.open_path(saved_file)  # choice stays None: cancelled again
    assert window.session is None
    dialogs_recorder.choice = 1
    assert window.open_path(saved_file)
    assert window.session.path == tmp_path / "可编辑.zscq" and not window.session.readonly


def _conflict(window, saved_file):
    s = window.session
    with Document.open(saved_file) as other:  # another window saves the same file
        data = other.load()
        data["form"]["cover"]["project_name"] = "另一个窗口的名称"
        other.save(data)
    s.edit("unit.name", "本窗口输入的单位")
    s.save_now()
    return s


def test_conflict_stops_autosave_and_reload_takes_the_file(window, saved_file, dialogs_recorder):
    dialogs_recorder.choice = None  # 稍后处理
    s = _conflict(window, saved_file)
    assert dialogs_recorder.messages[-1][0] == "文件已被其他窗口修改"
    assert s.conflict and s.dirty and not s._save_timer.isActive()  # no 5-second retry loop
    assert "其他窗口" in window.saved_label.text()
    s.edit("unit.name", "再输入一次")
    s.save_now()  # still not written over the other window's work
    assert _on_disk(saved_file)["form"]["cover"]["project_name"] == "另一个窗口的名称"
    dialogs_recorder.choice = 0  # Ctrl+S asks again: reload
    window.save()
    assert not s.conflict and not s.dirty
    assert s.submission.get("form.cover.project_name") == "另一个窗口的名称"
    assert s.submission.unit["name"] != "再输入一次"
    window.goto("form:cover")
    assert window.current_page().rows["form.cover.project_name"].editor.value() == "另一个窗口的名称"
    s.edit("unit.name", "重新载入后输入")
    s.save_now()
    assert not s.dirty and _on_disk(saved_file)["unit"]["name"] == "重新载入后输入"


def test_conflict_save_as_keeps_this_windows_edits(window, saved_file, dialogs_recorder, tmp_path):
    dialogs_recorder.choice = 1
    dialogs_recorder.save_path = tmp_path / "我的副本.zscq"
    s = _conflict(window, saved_file)
    assert s.path == tmp_path / "我的副本.zscq" and not s.conflict and not s.dirty
    mine = _on_disk(s.path)
    assert mine["unit"]["name"] == "本窗口输入的单位"
    assert _on_disk(saved_file)["form"]["cover"]["project_name"] == "另一个窗口的名称"


def test_full_disk_keeps_the_edit_and_retries_with_backoff(window, saved_file, monkeypatch):
    s = window.session
    real_save = s.document.save
    failures = []

    def full(submission, **kw):
        raise DocumentError(f"磁盘空间不足，《{saved_file.name}》保存失败。请清理磁盘后重试；已输入的内容仍在程序中，不会丢失。", "full")

    monkeypatch.setattr(s.document, "save", full)
    s.save_failed.connect(failures.append)
    s.edit("unit.name", "磁盘满时输入")
    s.save_now()
    assert failures and "磁盘空间不足" in failures[-1] and "磁盘空间不足" in window.saved_label.text()
    assert s.dirty and s._save_timer.isActive() and s._save_timer.interval() == 2000
    s._autosave()
    assert s._save_timer.interval() == 4000  # backing off, not hammering a full disk
    s.edit("unit.name", "磁盘满时继续输入")
    assert s._save_timer.interval() == 4000  # typing does not reset the back-off
    monkeypatch.setattr(s.document, "save", real_save)  # space freed
    s._autosave()
    assert not s.dirty and s.save_problem == "" and "已保存" in window.windowTitle()
    assert _on_disk(saved_file)["unit"]["name"] == "磁盘满时继续输入"
    s.edit("unit.name", "恢复后")
    assert s._save_timer.interval() == 500


def test_closed_session_never_saves_again(window, saved_file, monkeypatch, caplog):
    s = window.session
    s.edit("unit.name", "关闭前输入")  # pending: the autosave timer is running
    assert s._save_timer.isActive()
    window.set_session(None)  # closes it (saving the pending edit)
    assert _on_disk(saved_file)["unit"]["name"] == "关闭前输入"
    assert not s._save_timer.isActive() and not s._findings_timer.isActive()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        s._save_timer.timeout.emit()  # as if a timer had fired late
        s.edit("unit.name", "关闭之后")
        s._autosave()
    assert not s._save_timer.isActive() and not s._findings_timer.isActive()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert _on_disk(saved_file)["unit"]["name"] == "关闭前输入"


def test_failing_save_then_close_leaves_no_timer(window, saved_file, monkeypatch, dialogs_recorder):
    s = window.session
    monkeypatch.setattr(s.document, "save", lambda *a, **k: (_ for _ in ()).throw(DocumentError("读写出错。", "io")))
    s.edit("unit.name", "保存失败")
    s.save_now()
    assert s._save_timer.isActive()  # retrying
    s.close()
    assert s.closed and not s._save_timer.isActive()


def test_damaged_json_import_reports_and_opens_nothing(window, qtbot, tmp_path, dialogs_recorder):
    bad = tmp_path / "坏的.json"
    bad.write_text("{ 不是 JSON", encoding="utf-8")
    assert window.open_path(bad)
    qtbot.waitUntil(lambda: window.opening is None, timeout=10000)
    assert window.session is None
    assert dialogs_recorder.messages[-1][0] == "无法打开文件" and "坏的.json" in dialogs_recorder.messages[-1][1]


def test_closing_while_a_json_is_imported_keeps_the_draft_and_closes_it(window, tmp_path, call):
    from zscq_desktop.core.sample import write_sample
    from zscq_desktop.store.profiles import RecentFiles

    write_sample(call, "creation-pilot", tmp_path / "导入中.json")
    assert window.open_path(tmp_path / "导入中.json") and window.opening is not None
    window.close()  # before the import was delivered
    assert window.opening is None and window.session is None  # finished, adopted, saved and closed
    drafts = RecentFiles().list()  # the draft (named after the sample's project once closed)
    assert drafts and _on_disk(drafts[0])["direction"] == "creation-pilot"


def test_readonly_file_exports_without_writing_it(window, saved_file, dialogs_recorder, qtbot, tmp_path):
    """Normalised attachments are cached in memory for a read-only file (the export used to write the
    cache into the document and failed)."""
    from zscq_desktop.core import flow
    from zscq_desktop.ui import jobs

    assert jobs.wait_idle(60)
    window.set_session(None)
    with Document.open(saved_file) as doc:  # drop the cached results: the export must normalise again
        with doc._writing() as c:
            c.execute("DELETE FROM derived")
    before = saved_file.read_bytes()
    assert _reopen_readonly(window, saved_file, dialogs_recorder, 0)
    assert jobs.wait_idle(60)
    s = window.session
    assert s.readonly and all(s.attachment_state(i)[0] == "ok" for i in range(len(s.submission.attachments)))
    assert window.goto(flow.EXPORT)
    page = window.current_page()
    page.folder_edit.setText(str(tmp_path / "只读导出"))
    assert page.start_export() is not None
    qtbot.waitUntil(lambda: page.job is None, timeout=120000)
    assert page.result is not None, page.status_label.text()
    assert page.result.volume.exists()
    assert saved_file.read_bytes() == before


def test_form_pages_say_when_edits_are_not_saved(window, saved_file, dialogs_recorder, tmp_path):
    assert _reopen_readonly(window, saved_file, dialogs_recorder, 0)
    assert window.goto("form:cover")
    intro = window.current_page()._intro
    assert "只读方式打开" in intro.text() and "自动保存" not in intro.text()
    dialogs_recorder.save_path = tmp_path / "可编辑副本.zscq"
    assert window.save()  # 另存为: the copy is editable, and the page says so at once
    assert "自动保存" in intro.text() and "只读" not in intro.text()


def test_damaged_text_offers_the_previous_save(window, saved_file, dialogs_recorder):
    """One flipped byte in the current save: the window offers 使用上一次保存的版本 and opens it."""
    window.session.edit("unit.name", "确保测试单位甲乙丙")
    window.session.save_now()
    window.set_session(None)
    raw = bytearray(saved_file.read_bytes())
    at = raw.find("确保测试单位".encode())
    raw[at + 1] = 0x85  # 确 → 煮
    saved_file.write_bytes(bytes(raw))

    dialogs_recorder.choice = None  # 取消: nothing opened, file untouched
    assert not window.open_path(saved_file)
    assert window.session is None and bytes(raw) == saved_file.read_bytes()
    title, text = dialogs_recorder.messages[-1]
    assert title == "申报数据已损坏" and "上一次保存的版本" in text and "煮" not in text

    dialogs_recorder.choice = 0  # 使用上一次保存的版本
    assert window.open_path(saved_file)
    assert window.session.submission.unit["name"] != "确保测试单位甲乙丙"
    assert _on_disk(saved_file)["unit"]["name"] == window.session.submission.unit["name"]
