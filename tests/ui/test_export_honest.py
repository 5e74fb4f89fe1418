"""Honest actions and a remembered export (issue 12 items 7 and 8): every "open" checks what the
system answered and offers 打开文件夹 when nothing opened; 打印 says which duplex setting to choose;
the last export survives closing and reopening the document."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication

from zscq_desktop.core import flow
from zscq_desktop.ui import jobs
from zscq_desktop.ui.pages import export as export_page

pytestmark = pytest.mark.gui


class System:
    """Stands in for QDesktopServices.openUrl: records the URLs, answers `works` (per scheme)."""

    def __init__(self) -> None:
        self.urls: list[QUrl] = []
        self.works: dict[str, bool] = {"file": True, "mailto": True}

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url)
        return self.works.get(url.scheme(), False)


@pytest.fixture
def system(monkeypatch) -> System:
    s = System()
    monkeypatch.setattr(export_page, "open_url", s)
    return s


@pytest.fixture
def exported(system, window, qtbot, tmp_path):
    assert window.open_sample("creation-pilot")
    assert jobs.wait_idle(60)
    qtbot.waitUntil(lambda: not window.session.blocking(), timeout=5000)
    assert window.goto(flow.EXPORT)
    page = window.current_page()
    page.folder_edit.setText(str(tmp_path / "out"))
    page.duplex_box.setChecked(True)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.job is None, timeout=120000)
    assert page.result is not None, page.status_label.text()
    return window, page


def test_print_without_a_pdf_viewer_says_so_and_offers_the_folder(exported, system, dialogs_recorder, qtbot):
    window, page = exported
    system.works["file"] = False  # no program for PDF files, and the folder cannot be opened either
    dialogs_recorder.choice = 0  # 打开文件夹
    system.urls.clear()
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    title, text = dialogs_recorder.messages[-2]
    assert title == "无法打开" and "没有可以打开" in text and "PDF 阅读器" in text
    assert [Path(u.toLocalFile()) for u in system.urls] == [page.result.volume, page.result.volume.parent]
    title, text = dialogs_recorder.messages[-1]  # the folder failed too: the path is on the clipboard
    assert title == "无法打开文件夹" and str(page.result.volume.parent) in text
    assert QApplication.clipboard().text() == str(page.result.volume.parent)
    assert not any("已交给" in t for _title, t in dialogs_recorder.messages)


def test_print_after_a_duplex_export_names_the_duplex_setting(exported, system, dialogs_recorder, qtbot):
    window, page = exported
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    assert Path(system.urls[-1].toLocalFile()) == page.result.volume
    title, text = dialogs_recorder.messages[-1]
    assert title == "打印申报材料" and "双面打印（长边翻转）" in text


def test_mail_client_missing_is_not_reported_as_opened(exported, system, dialogs_recorder, qtbot):
    window, page = exported
    system.works["mailto"] = False
    dialogs_recorder.choice = 0
    qtbot.mouseClick(page.mailto_button, Qt.MouseButton.LeftButton)
    assert all("已打开邮件程序" not in t for _title, t in dialogs_recorder.messages)
    title, text = dialogs_recorder.messages[-1]
    assert title == "无法打开" and "没有找到系统默认的邮件程序" in text and page.result.zip.name in text
    assert Path(system.urls[-1].toLocalFile()) == page.result.zip.parent  # 打开文件夹 was offered and taken


def test_the_last_export_is_remembered_after_reopening(exported, system, dialogs_recorder, qtbot, tmp_path):
    window, page = exported
    result = page.result
    target = tmp_path / "保存的申报.zscq"
    dialogs_recorder.save_path = target
    assert window.save_as()
    window.set_session(None)
    assert window.open_path(target)
    assert not window.session.dirty  # remembering an export is not a change of the submission
    assert window.goto(flow.EXPORT)
    page = window.current_page()
    assert page.result is not None and page.result.volume == result.volume and page.result.zip == result.zip
    assert page.print_button.isEnabled() and page.mail_button.isEnabled() and page.mailto_button.isEnabled()
    assert "上次导出" in page.status_label.text()
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    assert "双面打印（长边翻转）" in dialogs_recorder.messages[-1][1]  # the duplex choice came back too
