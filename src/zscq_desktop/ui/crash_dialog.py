"""The crash dialog of `ui.crash`: two Chinese sentences, 复制详细信息 / 显示详细信息 / 继续使用 / 退出程序.

Loaded when the first uncaught error is shown (`crash.show_dialog`), not at start-up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QStyle,
                               QVBoxLayout, QWidget)

from zscq_desktop.ui.crash import ADVICE, CONTINUE, QUIT, CrashReport


def copy_details(report: CrashReport) -> None:
    """Put the crash details on the system clipboard."""
    QGuiApplication.clipboard().setText(report.details)


class CrashDialog(QDialog):
    """The short Chinese crash dialog with 复制详细信息 / 继续使用 / 退出程序."""

    def __init__(self, report: CrashReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.choice = CONTINUE
        self.setWindowTitle("程序错误")
        self.setModal(True)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        text = QLabel(f"<b>{report.summary}</b><br><br>{ADVICE}<br>{report.log_path or '（日志无法写入）'}")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(report.details)
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        self.details.setMinimumHeight(180)

        self.copy_button = QPushButton("复制详细信息")
        self.show_button = QPushButton("显示详细信息")
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self._toggle_details)
        self.copy_button.clicked.connect(self._copy)
        buttons = QDialogButtonBox()
        self.continue_button = buttons.addButton("继续使用", QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = buttons.addButton("退出程序", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.accept)
        self.quit_button.clicked.connect(self._quit)

        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(text, 1)
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addWidget(self.show_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addLayout(row)
        self.setMinimumWidth(520)

    def _copy(self) -> None:
        copy_details(self.report)
        self.copy_button.setText("已复制")

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.show_button.setText("隐藏详细信息" if shown else "显示详细信息")
        self.adjustSize()

    def _quit(self) -> None:
        self.choice = QUIT
        self.accept()
