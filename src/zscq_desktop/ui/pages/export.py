"""The export page: write the volume, DOCX, checklist and zip in the background, then preview and send.

The export runs in a background job (`ui.jobs.run_job`) calling `volume.export.export`, so the
window never freezes; a progress bar and 取消 follow it.  Afterwards the volume is shown in the
embedded QtPdf preview and the user can open the folder, print, or send the zip.

Printing opens the volume in the system PDF viewer rather than going through ``QPrinter``: QtPdf
can only hand ``QPrinter`` rasterised page images (large spool files, soft text at 300 dpi, slow
on a 100-page volume), while the system viewer prints vector text and offers the printer's own
duplex and tray settings that a bound volume needs. When the volume was laid out for duplex, the
message after 打印 says which setting to choose (双面打印（长边翻转）).

Every "open" checks what the system answered: when no program opened the file (no PDF viewer, no
mail client), the user is told what to do and offered 打开文件夹 — never a success that did not
happen. The last export is remembered in the document (`ui.export_record`), so 打印 and 发送 work
after reopening the file.
"""

from __future__ import annotations

import html
import logging
import sys
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QFileDialog, QFrame, QGridLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QProgressBar, QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget)

from zscq_desktop.core import flow
from zscq_desktop.core.stamp import version_stamp
from zscq_desktop.ui import jobs, settings
from zscq_desktop.ui.pages.base import Page, counts_text
from zscq_desktop.ui.preview import PdfPreview
from zscq_desktop.ui.widgets import dialogs

log = logging.getLogger(__name__)

#: Windows has 宋体/仿宋/黑体 in its Fonts folder; elsewhere the choice is not offered.
SYSTEM_FONTS_OFFERED = sys.platform == "win32"
FONT_CHOICES = (("内置字体（思源宋体、思源黑体：在任何电脑上效果一致）", ""), ("系统字体：正文宋体、标题黑体", "song"),
                ("系统字体：正文仿宋、标题黑体", "fangsong"))


OPEN_ADVICE = "请安装能打开此类文件的程序后重试，或打开文件夹后右键选择其他程序打开。"
PRINT_ADVICE = ("请安装 PDF 阅读器（如 WPS Office、Adobe Acrobat Reader、福昕阅读器）后再点“打印”，"
                "或打开文件夹后右键用其他程序打开并打印。")


def open_url(url: QUrl) -> bool:
    """Open a folder, file or mailto link with the system (replaced in tests). The viewer starts
    with the standard DLL search path, not the frozen app's (see system/processes.py)."""
    from zscq_desktop.system.processes import default_dll_search_path

    with default_dll_search_path():
        return QDesktopServices.openUrl(url)


def choose_folder(parent: QWidget, start: Path) -> Path | None:
    """The folder picker (replaced in tests); None when cancelled."""
    folder = QFileDialog.getExistingDirectory(parent, "选择输出文件夹", str(start))
    return Path(folder) if folder else None


def default_output_dir() -> Path:
    """Documents/申报材料 (not created until something is exported there)."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs or Path.home()) / "申报材料"


def export_message(exc: BaseException) -> str:
    """The Chinese sentence for a failed export."""
    from zscq_desktop.volume.export import ExportBlocked, ExportCancelled, ExportError

    if isinstance(exc, ExportCancelled):
        return "已取消导出，没有写入任何文件。"
    if isinstance(exc, ExportBlocked):
        lines = "\n".join(f"· {f.message}" for f in exc.findings[:8])
        more = f"\n……等共 {len(exc.findings)} 项" if len(exc.findings) > 8 else ""
        return f"还有 {len(exc.findings)} 个错误需要先修改，未能导出：\n{lines}{more}"
    if isinstance(exc, ExportError):
        return str(exc)
    if isinstance(exc, ImportError):
        return "导出组件缺失或版本不符，无法导出。请重新安装申报助手。"
    if isinstance(exc, MemoryError):
        return "内存不足，无法完成导出。请关闭其他程序后重试。"
    return f"导出时发生意外错误（{type(exc).__name__}），没有生成完整的文件。详细信息已写入日志，请重试或联系技术支持。"


class ExportPage(Page):
    """Page ``export``: options, background export with progress, preview, folder/print/mail."""

    scrollable = False  # the preview needs the height; the left column is short

    def __init__(self, window: Any, spec: flow.PageSpec) -> None:
        super().__init__(window, spec)
        self.job: jobs.Job | None = None
        self.result: Any = None  # volume.export.ExportResult of the last successful export
        self.result_duplex = False  # whether that export was laid out for duplex printing
        self._build()

    # ---- widgets ------------------------------------------------------------------------------
    def _build(self) -> None:
        left = QWidget()
        col = QVBoxLayout(left)
        col.setContentsMargins(0, 0, 8, 0)
        intro = QLabel("导出纸质装订用的 PDF 申报材料、可编辑的 Word 文件、打印与报送清单，以及用于电子邮件报送的压缩包。")
        intro.setWordWrap(True)
        intro.setObjectName("intro")
        col.addWidget(intro)

        options = QGroupBox("导出设置")
        grid = QGridLayout(options)
        self.folder_edit = QLineEdit(settings.get(settings.EXPORT_FOLDER) or str(default_output_dir()))
        self.folder_edit.setToolTip("导出的文件都放在这个文件夹里；同名的旧文件会被替换。")
        self.folder_button = QPushButton("选择…")
        self.folder_button.clicked.connect(self._choose_folder)
        self.duplex_box = QCheckBox("双面打印（每部分从右页开始，必要时插入空白页）")
        self.duplex_box.setChecked(bool(settings.get(settings.DUPLEX)))
        grid.addWidget(QLabel("输出文件夹："), 0, 0)
        grid.addWidget(self.folder_edit, 1, 0)
        grid.addWidget(self.folder_button, 1, 1)
        grid.addWidget(self.duplex_box, 2, 0, 1, 2)
        # The Windows faces (宋体/仿宋/黑体) look like the office's own forms; the bundled ones look
        # the same on every computer. Only offered where the system faces exist.
        self.fonts_combo = QComboBox()
        for label, value in FONT_CHOICES:
            self.fonts_combo.addItem(label, value)
        index = self.fonts_combo.findData(settings.get(settings.PRINT_FONTS))
        self.fonts_combo.setCurrentIndex(max(index, 0))
        self.fonts_label = QLabel("排版字体：")
        grid.addWidget(self.fonts_label, 3, 0, 1, 2)
        grid.addWidget(self.fonts_combo, 4, 0, 1, 2)
        for w in (self.fonts_label, self.fonts_combo):
            w.setVisible(SYSTEM_FONTS_OFFERED)
        col.addWidget(options)

        self.blocking_label = QLabel()
        self.blocking_label.setWordWrap(True)
        self.blocking_label.setObjectName("blocking")
        self.blocking_label.setTextFormat(Qt.TextFormat.RichText)
        self.blocking_label.linkActivated.connect(self._go_review)
        col.addWidget(self.blocking_label)

        self.export_button = QPushButton("导出申报材料")
        self.export_button.setObjectName("primary")
        self.export_button.setMinimumHeight(34)
        self.export_button.clicked.connect(self.start_export)
        col.addWidget(self.export_button)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.cancel_button = QPushButton("取消导出")
        self.cancel_button.clicked.connect(self.cancel_export)
        prow = QHBoxLayout()
        prow.addWidget(self.progress, 1)
        prow.addWidget(self.cancel_button)
        col.addLayout(prow)
        col.addWidget(self.progress_label)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.status_label)

        actions = QGroupBox("导出之后")
        agrid = QGridLayout(actions)
        self.open_folder_button = QPushButton("打开文件夹")
        self.print_button = QPushButton("打印")
        self.print_button.setToolTip("用系统的 PDF 阅读器打开申报材料进行打印（可在打印设置中选择双面、纸盒）。")
        self.checklist_button = QPushButton("打印与报送清单")
        self.mail_button = QPushButton("发送电子邮件…")
        self.mailto_button = QPushButton("在邮件客户端中打开")
        self.mailto_button.setToolTip("打开系统默认的邮件程序并填好收件人和主题；压缩包需要手动添加为附件。")
        self.open_folder_button.clicked.connect(self.open_folder)
        self.print_button.clicked.connect(self.print_volume)
        self.checklist_button.clicked.connect(self.open_checklist)
        self.mail_button.clicked.connect(self.send_mail)
        self.mailto_button.clicked.connect(self.open_mail_client)
        agrid.addWidget(self.open_folder_button, 0, 0)
        agrid.addWidget(self.print_button, 0, 1)
        agrid.addWidget(self.checklist_button, 1, 0)
        agrid.addWidget(self.mail_button, 1, 1)
        agrid.addWidget(self.mailto_button, 2, 0, 1, 2)
        col.addWidget(actions)
        self.sends_label = QLabel()
        self.sends_label.setWordWrap(True)
        col.addWidget(self.sends_label)
        col.addStretch(1)

        self.preview = PdfPreview()
        # The left column scrolls on its own so a long result text never squeezes the buttons.
        left_scroll = QScrollArea()
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setWidget(left)
        left_scroll.setMinimumWidth(340)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left_scroll)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 620])
        splitter.setChildrenCollapsible(False)
        self.layout_.addWidget(splitter, 1)
        self._set_running(False)
        self._update_actions()

    # ---- hooks ----------------------------------------------------------------------------------
    def load(self) -> None:
        if self.result is None and self.job is None:
            self._recall_export()
        self.findings_changed()
        self._update_actions()

    def first_field(self):
        return self.export_button if self.export_button.isEnabled() else super().first_field()

    def _recall_export(self) -> None:
        """The document's last export (still on disk): print and mail work again after reopening."""
        from zscq_desktop.ui import export_record

        session = self.session
        found = export_record.recall(session.document) if session is not None else None
        if found is None:
            return
        self.result, meta = found
        self.result_duplex = bool(meta.get("duplex"))
        names = "\n".join(f"· {p.name}" for p in self.result.files)
        self.status_label.setText(f"上次导出（{meta.get('time', '')}）到 {self.result.volume.parent}：\n{names}\n"
                                  f"申报材料共 {self.result.pages} 页，版本标记 {self.result.stamp}。")
        QTimer.singleShot(15, self, lambda: self._show_preview(self.result.volume))

    def findings_changed(self) -> None:
        session = self.session
        running = self.job is not None
        if session is None:
            self.blocking_label.setText("请先新建或打开一份申报。")
            self.export_button.setEnabled(False)
            return
        blocking = session.blocking()
        text = html.escape(counts_text(session.findings()))  # the same count as the review page
        if blocking:
            text = text.replace(f"共有 {len(blocking)} 处错误", f"还有 <b>{len(blocking)}</b> 个错误", 1)
        self.blocking_label.setText(f"{text}<a href=\"review\">查看检查结果</a>")
        self.export_button.setEnabled(not blocking and not running)
        self._mark_stale()

    # ---- export -----------------------------------------------------------------------------------
    def output_dir(self) -> Path:
        return Path(self.folder_edit.text().strip() or str(default_output_dir())).expanduser()

    def is_busy(self) -> bool:
        """True while an export runs (the window asks before closing)."""
        return self.job is not None

    def start_export(self) -> jobs.Job | None:
        """Start the export in the background; returns the job (None when refused)."""
        session = self.session
        if session is None or self.job is not None:
            return None
        session.save_now()
        session.refresh_findings()
        findings = session.findings()
        if any(f.blocking for f in findings):
            self.findings_changed()
            return None
        out_dir = self.output_dir()
        if not out_dir.is_absolute():
            dialogs.inform(self, "导出", "请选择一个完整的输出文件夹路径（例如 C:\\Users\\…\\Documents\\申报材料）。")
            return None
        loaded, call, duplex, cache = session.loaded(), session.call, self.duplex_box.isChecked(), session.derived_cache
        system_fonts = self.print_fonts()
        settings.put(settings.EXPORT_FOLDER, str(out_dir))
        settings.put(settings.DUPLEX, duplex)
        if SYSTEM_FONTS_OFFERED:
            settings.put(settings.PRINT_FONTS, system_fonts or "")

        def work(progress: Callable[[float, str], None], cancelled: Callable[[], bool]) -> Any:
            from zscq_desktop.volume.export import export

            with jobs.paused_gc():  # a full collection mid-export would stall the window (see paused_gc)
                result = export(loaded, call, out_dir, duplex=duplex, findings=findings, progress=progress,
                                cancel=cancelled, cache=cache, system_fonts=system_fonts)
            try:  # read here, not on the GUI thread: a volume with scans is tens of MB
                volume = result.volume.read_bytes()
            except OSError:
                volume = None
            return result, volume

        self.result = None
        self.result_duplex = duplex
        self.preview.clear()
        self.status_label.setText("")
        self.progress.setValue(0)
        self.progress_label.setText("准备导出……")
        self.job = jobs.run_job(work, parent=self)
        self.job.progress.connect(self._on_progress)
        self.job.succeeded.connect(self._on_success)
        self.job.failed.connect(self._on_failure)
        self._set_running(True)
        return self.job

    def cancel_export(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText("正在取消……")

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        if text:
            self.progress_label.setText(text)

    def _on_success(self, outcome: tuple[Any, bytes | None]) -> None:
        result, volume = outcome
        self.job = None
        self._set_running(False)
        self.result = result
        if self.session is not None:
            from zscq_desktop.ui import export_record

            export_record.remember(self.session.document, result, self.result_duplex)
        self.progress.setValue(1000)
        self.progress_label.setText("导出完成。")
        names = "\n".join(f"· {p.name}" for p in result.files)
        notes = "".join(f"\n{f.severity.label}：{f.message}" for f in result.findings)
        self.status_label.setText(f"已导出到 {result.volume.parent}：\n{names}\n"
                                  f"申报材料共 {result.pages} 页，版本标记 {result.stamp}。{notes}")
        self._update_actions()
        self.findings_changed()
        if self.print_button.isEnabled() and self.isVisible():
            self.print_button.setFocus()  # the export button was disabled while running: the next step
        # Loading the preview parses the PDF (5–15 ms for 230 pages): do it a moment later, in an
        # event-loop pass of its own, so the labels above repaint first and no single step stalls
        # the window (a 0 ms timer would run in the same pass as this slot).  The page is the
        # timer's context: closed meanwhile, nothing runs.
        QTimer.singleShot(15, self, lambda: self._show_preview(volume if volume is not None else result.volume))

    def _show_preview(self, pdf: bytes | Path) -> None:
        if self.result is None:
            return
        if not self.preview.load(pdf):
            self.status_label.setText(self.status_label.text() + "\n（预览无法显示，可用“打开文件夹”查看文件。）")

    def _on_failure(self, exc: BaseException) -> None:
        from zscq_desktop.volume.export import ExportBlocked, ExportCancelled, ExportError

        self.job = None
        self._set_running(False)
        self.progress.setValue(0)
        if not isinstance(exc, (ExportBlocked, ExportCancelled, ExportError, ImportError)):
            log.error("export failed", exc_info=exc)
        message = export_message(exc)
        self.progress_label.setText("")
        self.status_label.setText(message)
        self._update_actions()
        self.findings_changed()
        if not isinstance(exc, ExportCancelled):
            dialogs.inform(self, "导出未完成", message, warning=True)

    def print_fonts(self) -> str | bool:
        """The fonts chosen for the generated pages: False (bundled), "song" or "fangsong"."""
        value = self.fonts_combo.currentData() if SYSTEM_FONTS_OFFERED else ""
        return value or False

    def _set_running(self, running: bool) -> None:
        for w in (self.progress, self.cancel_button, self.progress_label):
            w.setVisible(running or (w is self.progress_label and bool(self.progress_label.text())))
        self.cancel_button.setEnabled(running)
        for option in (self.folder_edit, self.folder_button, self.duplex_box, self.fonts_combo):
            option.setEnabled(not running)
        session = self.session
        self.export_button.setEnabled(not running and session is not None and not session.blocking())
        self.export_button.setText("正在导出……" if running else "导出申报材料")

    # ---- after the export ---------------------------------------------------------------------------
    def _update_actions(self) -> None:
        have = self.result is not None and self.job is None
        for b in (self.open_folder_button, self.print_button, self.checklist_button):
            b.setEnabled(have)
        has_zip = have and getattr(self.result, "zip", None) is not None
        self.mail_button.setEnabled(has_zip)
        self.mailto_button.setEnabled(has_zip)
        session = self.session
        sends = list(session.submission.sends) if session is not None else []
        if sends:
            last = sends[-1]
            self.sends_label.setText(f"已发送 {len(sends)} 次；最近一次：{last.get('time', '')} 发往 {last.get('to', '')}。")
        else:
            self.sends_label.setText("")

    def _mark_stale(self) -> None:
        session = self.session
        if self.result is None or session is None or self.job is not None:
            return
        if version_stamp(session.submission.to_dict()) != self.result.stamp:
            self.progress_label.setText("导出之后内容又有修改，请重新导出，以免纸质版与电子版不一致。")
            self.progress_label.setVisible(True)

    def _choose_folder(self) -> None:
        folder = choose_folder(self, self.output_dir())
        if folder is not None:
            self.folder_edit.setText(str(folder))

    def _go_review(self, _link: str = "") -> None:
        self.window_.goto(flow.REVIEW)

    def _file(self, name_start: str) -> Path | None:
        if self.result is None:
            return None
        return next((p for p in self.result.files if p.name.startswith(name_start)), None)

    def _open(self, path: Path | None, advice: str = OPEN_ADVICE) -> bool:
        """Open `path` with the system; on failure say what to do and offer 打开文件夹. True when the
        system reported that a program opened it."""
        if path is None or not path.exists():
            dialogs.inform(self, "文件不存在", "找不到导出的文件，可能已被移动或删除。请重新导出。", warning=True)
            return False
        if open_url(QUrl.fromLocalFile(str(path))):
            return True
        if path.is_dir():
            self._folder_failed(path)
        else:
            self._offer_folder(f"系统没有可以打开《{path.name}》的程序，文件没有打开。{advice}", path.parent)
        return False

    def _offer_folder(self, text: str, folder: Path) -> None:
        """Report a failed open and offer 打开文件夹, so the file can be opened by hand."""
        choice = dialogs.choose(self, "无法打开", f"{text}\n\n文件位于：{folder}", ["打开文件夹"], cancel="关闭")
        if choice == 0 and not open_url(QUrl.fromLocalFile(str(folder))):
            self._folder_failed(folder)

    def _folder_failed(self, folder: Path) -> None:
        QApplication.clipboard().setText(str(folder))
        dialogs.inform(self, "无法打开文件夹", f"系统没有打开文件夹：\n{folder}\n\n此路径已复制到剪贴板，"
                       "可粘贴到文件管理器（资源管理器）的地址栏中打开。", warning=True)

    def open_folder(self) -> bool:
        return self.result is not None and self._open(self.result.volume.parent)

    def print_volume(self) -> None:
        """Hand the volume to the system PDF viewer (see the module docstring) and say how to print it."""
        if self.result is None or not self._open(self.result.volume, PRINT_ADVICE):
            return
        duplex = ("本次导出按双面打印排版：请在打印设置中选择“双面打印（长边翻转）”，"
                  "否则各部分不会从右页开始，装订后页面顺序不对。" if self.result_duplex else
                  "本次导出按单面打印排版：请在打印设置中选择单面打印。")
        dialogs.inform(self, "打印申报材料", f"已交给系统的 PDF 阅读器打开《{self.result.volume.name}》。"
                       f"请在阅读器中选择“打印”（Ctrl+P），纸张 A4、缩放选“实际大小”（100%）。\n{duplex}\n"
                       "如果没有出现阅读器窗口，请用“打开文件夹”找到该文件，右键用 PDF 阅读器打开后打印。")

    def open_checklist(self) -> None:
        self._open(self._file("打印与报送清单"), PRINT_ADVICE)

    def send_mail(self) -> None:
        if self.result is None or self.result.zip is None or self.session is None:
            return
        from zscq_desktop.ui.mail_dialog import MailDialog

        dialog = MailDialog(self.session, self.result.zip, self)
        dialog.exec()
        self._update_actions()

    def open_mail_client(self) -> None:
        if self.result is None or self.result.zip is None:
            return
        from zscq_desktop.mail.message import mailto_note
        from zscq_desktop.mail.service import MailError, mailto_url

        try:
            url = mailto_url(self.result.zip, to=self.call.submit_email)
        except MailError as exc:
            dialogs.inform(self, "无法生成邮件", str(exc), warning=True)
            return
        if not open_url(QUrl(url)):
            self._offer_folder("没有找到系统默认的邮件程序，邮件没有打开。请使用“发送电子邮件…”从您的邮箱直接发送，"
                               f"或在邮箱网页中新建邮件，收件人 {self.call.submit_email}，并添加压缩包"
                               f"《{self.result.zip.name}》为附件。", self.result.zip.parent)
            return
        self.open_folder()  # so the zip can be dragged into the new mail
        dialogs.inform(self, "在邮件客户端中发送",
                       "已请系统的默认邮件程序新建邮件，并填好收件人、主题和正文。如果没有出现新邮件窗口，说明这台电脑"
                       "没有设置默认邮件程序：请使用“发送电子邮件…”，或在邮箱网页中新建邮件。\n"
                       f"{mailto_note(self.result.zip)}")
