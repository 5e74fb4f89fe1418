"""The crash handler logs uncaught exceptions, then shows the short Chinese dialog."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThread, QTimer
from PySide6.QtGui import QGuiApplication

from zscq_desktop.ui import crash

# pytest-qt replaces sys.excepthook during a test; these tests install their own.
pytestmark = [pytest.mark.gui, pytest.mark.qt_no_exception_capture]


@pytest.fixture
def handler(monkeypatch):
    calls: list[tuple[crash.CrashReport, QThread]] = []

    def fake_ask(report: crash.CrashReport) -> str:
        calls.append((report, QThread.currentThread()))
        return crash.CONTINUE

    monkeypatch.setattr(crash, "ask", fake_ask)
    h = crash.install_crash_handler("zscq-desktop", fault_log=False)
    h.calls = calls  # type: ignore[attr-defined]
    yield h
    crash.uninstall_crash_handler()


def test_exception_in_timer_slot_is_logged_and_shown(qtbot, handler, _isolated_user_dir: Path):
    def broken_slot() -> None:
        raise RuntimeError("导出按钮的槽函数出错")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: len(handler.calls) == 1, timeout=3000)
    report, thread = handler.calls[0]
    assert thread is QThread.currentThread()
    assert report.summary == crash.SUMMARY and "已自动保存" in report.summary
    assert "RuntimeError: 导出按钮的槽函数出错" in report.details
    assert "broken_slot" in report.details
    # The log went to $ZSCQ_USER_DIR/logs and holds the same details.
    assert report.log_path is not None
    assert report.log_path.parent == _isolated_user_dir / "logs"
    assert report.log_path.read_text(encoding="utf-8") == report.details


def test_exception_in_worker_thread_reaches_gui_thread(qtbot, handler):
    def worker() -> None:
        raise ValueError("后台线程出错")

    t = threading.Thread(target=worker, name="规范化线程")
    t.start()
    t.join()
    qtbot.waitUntil(lambda: len(handler.calls) == 1, timeout=3000)
    report, thread = handler.calls[0]
    # The dialog runs on the GUI thread, never on the worker.
    assert thread is QThread.currentThread()
    assert "ValueError: 后台线程出错" in report.details
    assert "规范化线程" in report.details
    assert report.log_path is not None and report.log_path.exists()


def test_unwritable_log_folder_still_shows_the_dialog(qtbot, handler, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("ZSCQ_USER_DIR", str(blocker))

    QTimer.singleShot(0, lambda: 1 / 0)
    qtbot.waitUntil(lambda: len(handler.calls) == 1, timeout=3000)
    report, _ = handler.calls[0]
    assert report.log_path is None
    assert "ZeroDivisionError" in report.details


def test_error_inside_the_dialog_is_not_stacked(qtbot, monkeypatch):
    shown: list[crash.CrashReport] = []

    def ask_that_fails_again(report: crash.CrashReport) -> str:
        shown.append(report)
        raise RuntimeError("对话框本身出错")

    monkeypatch.setattr(crash, "ask", ask_that_fails_again)
    h = crash.install_crash_handler(fault_log=False)
    try:
        QTimer.singleShot(0, lambda: [][1])
        qtbot.waitUntil(lambda: len(shown) == 1, timeout=3000)
        qtbot.wait(50)
        assert len(shown) == 1
        assert len(h.reports) == 1
    finally:
        crash.uninstall_crash_handler()


def test_dialog_copies_details_to_clipboard_and_stays_open(qtbot, tmp_path):
    report = crash.CrashReport(crash.SUMMARY, "Traceback …\nKeyError: '附件'", tmp_path / "crash.log", KeyError)
    dialog = crash.CrashDialog(report)
    qtbot.addWidget(dialog)
    dialog.show()
    QGuiApplication.clipboard().setText("旧内容")
    assert dialog.copy_button.text() == "复制详细信息"
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == report.details
    assert dialog.isVisible() and dialog.copy_button.text() == "已复制"
    # Details are hidden until asked for.
    assert not dialog.details.isVisible()
    dialog.show_button.click()
    assert dialog.details.isVisible() and dialog.details.toPlainText() == report.details
    dialog.quit_button.click()
    assert dialog.choice == crash.QUIT and not dialog.isVisible()


def test_uninstall_restores_previous_hooks():
    import sys

    before_sys, before_thread = sys.excepthook, threading.excepthook
    crash.install_crash_handler(fault_log=False)
    assert sys.excepthook != before_sys
    crash.uninstall_crash_handler()
    assert sys.excepthook == before_sys and threading.excepthook == before_thread


def test_handler_never_touches_the_open_document(qtbot, handler, call):
    """The crash is handled (logged, dialog) without writing to the open .zscq; the autosaved
    state stays as it was on disk."""
    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.ui.session import Session

    session = Session.new(call, build_sample(call, "creation-pilot"), hint="崩溃测试")
    try:
        session.edit("form.cover.project_name", "崩溃前的修改")
        session.save_now()
        before = session.path.read_bytes()

        def broken_slot() -> None:
            session.submission.unit["name"] = "未保存的中间状态"  # the slot fails half-way
            raise KeyError("附件")

        QTimer.singleShot(0, broken_slot)
        qtbot.waitUntil(lambda: len(handler.calls) == 1, timeout=3000)
        assert session.path.read_bytes() == before
        from zscq_desktop.store.document import Document

        with Document.open(session.path, readonly=True) as doc:
            assert doc.load()["form"]["cover"]["project_name"] == "崩溃前的修改"
    finally:
        session.document.close()


def test_install_applies_the_refcount_guard():
    from zscq_desktop.ui import jobs

    crash.install_crash_handler(fault_log=False)
    try:
        assert jobs._guarded is not None  # the probe ran (and guarded when the bug is present)
    finally:
        crash.uninstall_crash_handler()
