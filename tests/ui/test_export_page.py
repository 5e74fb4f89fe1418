"""The export page in the real main window: blocking errors, a real export in the background,
cancel, unwritable folders, the preview, and the folder / print / mail buttons."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QUrl

from zscq_desktop.core import flow
from zscq_desktop.ui import jobs
from zscq_desktop.ui.pages import export as export_page

pytestmark = pytest.mark.gui


@pytest.fixture
def opened(urls, window, qtbot):
    """The window with the sample open and its attachments normalised, on the export page."""
    assert window.open_sample("creation-pilot")
    assert jobs.wait_idle(60)
    qtbot.waitUntil(lambda: not window.session.blocking(), timeout=5000)
    assert window.goto(flow.EXPORT)
    return window, window.current_page()


@pytest.fixture
def urls(monkeypatch) -> list[QUrl]:
    """What the page asked the system to open (folders, files, mailto links)."""
    seen: list[QUrl] = []
    monkeypatch.setattr(export_page, "open_url", lambda url: (seen.append(url), True)[1])
    return seen


def _run_export(qtbot, page, out: Path) -> None:
    page.folder_edit.setText(str(out))
    assert page.export_button.isEnabled()
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.job is None, timeout=120000)
    if page.result is not None:
        qtbot.waitUntil(lambda: page.preview.page_count() > 0, timeout=5000)


def test_export_writes_everything_and_shows_the_volume(opened, qtbot, tmp_path, urls, dialogs_recorder):
    window, page = opened
    assert isinstance(page, export_page.ExportPage)
    assert "没有需要修改的错误" in page.blocking_label.text()
    assert not page.open_folder_button.isEnabled() and not page.mail_button.isEnabled()
    out = tmp_path / "导出 结果"
    page.duplex_box.setChecked(True)
    _run_export(qtbot, page, out)

    result = page.result
    assert result is not None, page.status_label.text()
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in result.files)
    assert any(n.endswith(".zip") and n.startswith("2023天津知识产权资助-高质量知识产权创造试点-") for n in names)
    assert not [n for n in names if n.startswith(".zscq-export-")]  # no temporary folder left behind

    reader = PdfReader(result.volume)
    assert len(reader.pages) == result.pages == page.preview.page_count()
    # duplex: parts start on right-hand pages, so the binder inserted pages that say they are blank
    from zscq_desktop.volume.binder import BLANK_NOTE

    texts = [p.extract_text() for p in reader.pages]
    assert any(BLANK_NOTE in t for t in texts)
    first = reader.pages[0].extract_text()
    assert "申" in first and "报" in first and "书" in first
    assert window.session.submission.unit["name"] in "".join(texts[:2])
    assert f"共 {result.pages} 页" in page.preview.page_label.text()
    assert result.stamp in page.status_label.text()

    with zipfile.ZipFile(result.zip) as zf:
        members = zf.namelist()
    assert result.volume.name in members and "manifest.json" in members

    # after the export: folder, print (the system PDF viewer), checklist, mailto
    for b in (page.open_folder_button, page.print_button, page.checklist_button, page.mail_button,
              page.mailto_button):
        assert b.isEnabled()
    qtbot.mouseClick(page.open_folder_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.checklist_button, Qt.MouseButton.LeftButton)
    assert [Path(u.toLocalFile()) for u in urls] == [out, result.volume, out / next(
        n for n in names if n.startswith("打印与报送清单"))]
    qtbot.mouseClick(page.mailto_button, Qt.MouseButton.LeftButton)
    mailto = urls[3].toString()
    assert mailto.startswith("mailto:zscqsl@163.com?")
    assert Path(urls[4].toLocalFile()) == out  # the folder opens so the zip can be attached by hand
    assert dialogs_recorder.messages[-1][0] == "在邮件客户端中发送"
    assert result.zip.name in dialogs_recorder.messages[-1][1]

    # the settings remember the folder and the duplex choice for the next time
    from zscq_desktop.ui import settings

    assert settings.get(settings.EXPORT_FOLDER) == str(out)
    assert settings.get(settings.DUPLEX) is True


def test_edit_after_export_says_export_again(opened, qtbot, tmp_path):
    window, page = opened
    _run_export(qtbot, page, tmp_path / "out")
    assert page.result is not None
    window.session.edit("form.cover.project_name", "改过的项目名称")
    window.session.refresh_findings()
    assert "请重新导出" in page.progress_label.text()


def test_blocking_error_disables_export_and_links_to_review(opened, qtbot):
    window, page = opened
    window.session.edit("unit.credit_code", "91120116MA05XXXXX0")
    window.session.refresh_findings()
    blocking = window.session.blocking()
    assert blocking
    assert not page.export_button.isEnabled()
    assert f"还有 <b>{len(blocking)}</b> 个错误" in page.blocking_label.text()
    assert page.start_export() is None  # also refused when called directly
    page.blocking_label.linkActivated.emit("review")
    assert window.current_page_id == flow.REVIEW


def test_export_runs_in_background_and_can_be_cancelled(opened, qtbot, tmp_path):
    window, page = opened
    jobs.set_synchronous(False)
    out = tmp_path / "cancelled"
    page.folder_edit.setText(str(out))
    job = page.start_export()
    assert job is not None
    # the page is busy: no second export, settings locked, cancel offered
    assert page.is_busy() and not page.export_button.isEnabled() and not page.folder_edit.isEnabled()
    assert page.cancel_button.isVisibleTo(page) and page.cancel_button.isEnabled()
    assert page.start_export() is None
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(job.finished, timeout=60000):
        pass
    assert page.result is None and not page.is_busy()
    assert "已取消导出" in page.status_label.text()
    assert not out.exists() or not [p for p in out.iterdir() if p.suffix in (".pdf", ".zip", ".docx")]
    assert page.export_button.isEnabled() and page.folder_edit.isEnabled()

    # and a second export, left to run, keeps the event loop turning (progress arrives while it runs)
    seen: list[float] = []
    job = page.start_export()
    job.progress.connect(lambda f, t: seen.append(f))
    with qtbot.waitSignal(job.finished, timeout=120000):
        pass
    assert page.result is not None
    assert len(seen) >= 3 and seen == sorted(seen)


def test_unwritable_folder_gives_a_chinese_message(opened, qtbot, tmp_path, dialogs_recorder):
    window, page = opened
    blocker = tmp_path / "是文件"
    blocker.write_text("x")
    _run_export(qtbot, page, blocker / "子文件夹")
    assert page.result is None
    title, text = dialogs_recorder.messages[-1]
    assert title == "导出未完成" and "无法写入输出文件夹" in text
    assert page.status_label.text() == text
    assert page.export_button.isEnabled()


def test_mail_button_opens_the_dialog_with_the_zip(opened, qtbot, tmp_path, monkeypatch):
    from zscq_desktop.ui import mail_dialog

    window, page = opened
    _run_export(qtbot, page, tmp_path / "mail")
    shown: list[Path] = []
    monkeypatch.setattr(mail_dialog.MailDialog, "exec", lambda self: shown.append(self.zip_path) or 0)
    qtbot.mouseClick(page.mail_button, Qt.MouseButton.LeftButton)
    assert shown == [page.result.zip]


def test_no_session_disables_export(window):
    page = window.page(flow.EXPORT)
    page.load()
    assert not page.export_button.isEnabled()
    assert "请先新建或打开" in page.blocking_label.text()


def _pdf(pages: int) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(pages):
        c.drawString(100, 700, f"page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def test_preview_navigates_page_by_page(qtbot, tmp_path):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from zscq_desktop.ui.preview import PdfPreview

    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.resize(600, 500)
    preview.show()
    assert preview.stack.currentWidget() is preview.placeholder and not preview.next_button.isEnabled()
    file = tmp_path / "卷.pdf"
    file.write_bytes(_pdf(3))
    assert preview.load(file)
    file.unlink()  # nothing keeps the file open (Windows could not replace or delete it otherwise)
    assert preview.page_count() == 3 and preview.current_page() == 0
    assert preview.page_label.text() == "/ 共 3 页" and not preview.prev_button.isEnabled()
    qtbot.mouseClick(preview.next_button, Qt.MouseButton.LeftButton)
    assert preview.current_page() == 1 and preview.page_box.value() == 2
    preview.page_box.setValue(3)
    assert preview.current_page() == 2 and not preview.next_button.isEnabled()

    # the wheel at the top of a page goes back to the previous one
    bar = preview.view.verticalScrollBar()
    bar.setValue(bar.minimum())
    viewport = preview.view.viewport()
    centre = QPointF(viewport.rect().center())
    event = QWheelEvent(centre, QPointF(viewport.mapToGlobal(QPoint(10, 10))), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)
    assert preview.current_page() == 1

    assert not preview.load(b"%PDF-1.4 broken")
    assert "无法显示预览" in preview.page_label.text() and preview.page_count() == 0
    assert preview.stack.currentWidget() is preview.placeholder


def test_closing_the_window_during_an_export_loses_nothing(opened, qtbot, tmp_path):
    """The window may be closed while the worker still reads the document: no crash, no
    half-written files in the export folder, and the document on disk still opens."""
    window, page = opened
    jobs.set_synchronous(False)
    path = window.session.path
    out = tmp_path / "closing"
    page.folder_edit.setText(str(out))
    job = page.start_export()
    assert job is not None
    window.close()
    assert jobs.wait_idle(120)
    # whatever the worker managed, only complete files are in the folder (no temporary leftovers)
    if out.exists():
        assert not [p for p in out.iterdir() if p.name.startswith(".zscq-")]
    from zscq_desktop.store.document import Document
    from zscq_desktop.store.profiles import RecentFiles

    if not path.exists():  # closed normally: the draft was renamed after its project
        path = RecentFiles().list()[0]
    with Document.open(path, readonly=True) as doc:
        assert doc.load()["direction"] == "creation-pilot"


def test_closing_during_an_export_asks_and_cancels_on_yes(opened, qtbot, tmp_path, dialogs_recorder):
    """No keeps the window and the export running; yes cancels the export, waits for it to end,
    and closes."""
    window, page = opened
    jobs.set_synchronous(False)
    page.folder_edit.setText(str(tmp_path / "ask"))
    job = page.start_export()
    assert job is not None and page.is_busy()
    dialogs_recorder.answer = False
    assert not window.close()
    assert window.isVisible() and window.session is not None
    assert dialogs_recorder.messages[-1][0] == "正在导出"
    assert not job.cancelled
    dialogs_recorder.answer = True
    n = len(dialogs_recorder.messages)
    assert window.close()
    assert dialogs_recorder.messages[n][0] == "正在导出"
    assert job.cancelled or job.done
    assert job.done and not page.is_busy()  # closing waited for the worker
    assert window.session is None


def test_font_choice_is_offered_on_windows_only_and_reaches_the_export(opened, qtbot, tmp_path, monkeypatch):
    from zscq_desktop.render import fonts

    window, page = opened
    assert page.fonts_combo.isHidden() is (not export_page.SYSTEM_FONTS_OFFERED)
    assert page.print_fonts() is False or export_page.SYSTEM_FONTS_OFFERED
    monkeypatch.setattr(export_page, "SYSTEM_FONTS_OFFERED", True)  # as on Windows
    page.fonts_combo.setCurrentIndex(page.fonts_combo.findData("fangsong"))
    asked: list = []
    real = fonts.register_fonts
    monkeypatch.setattr(fonts, "register_fonts", lambda prefer_system=False: asked.append(prefer_system)
                        or real(prefer_system))
    _run_export(qtbot, page, tmp_path / "out")
    assert page.result is not None and "fangsong" in asked  # off Windows the bundled faces are used
    from zscq_desktop.ui import settings
    assert settings.get(settings.PRINT_FONTS) == "fangsong"
