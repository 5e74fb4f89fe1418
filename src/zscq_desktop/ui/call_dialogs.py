"""Dialogs for yearly calls: importing a call pack, comparing two calls (the start page's call list is
`ui.call_list`, re-exported here).

The import dialog shows what the pack is and, plainly, where applications made with it would be sent;
when that differs from the built-in calls the user must tick a box saying they checked it with the
issuer before 安装 is enabled. Nothing is installed unless the user presses 安装.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QListWidget, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from zscq_desktop.call.registry import list_calls
from zscq_desktop.ui.call_list import CALL_ROLE, CallListBox, call_line  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from zscq_desktop.call.pack import PackPreview

WARN_STYLE = "color: #b3261e; font-weight: bold;"


class CallImportDialog(QDialog):
    """Shows a read pack: its facts, its problems (then only 关闭) or its warnings (then a confirmation)."""

    def __init__(self, preview: PackPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle("导入申报年度数据")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.buttons = QDialogButtonBox()
        self.install_button = self.buttons.addButton("安装", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消" if not preview.refused else "关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.confirm_box = QCheckBox("我已向发布单位核实上述受理地址、邮箱和发布单位，确认安装")
        if preview.refused:
            head = QLabel(f"《{preview.path.name}》未通过检查，不能安装：")
            head.setStyleSheet(WARN_STYLE)
            layout.addWidget(head)
            self.problems = QListWidget()
            for p in preview.problems:
                self.problems.addItem(str(p))
            layout.addWidget(self.problems, 1)
            self.install_button.setEnabled(False)
            self.confirm_box.hide()
        else:
            from zscq_desktop.cli_calls import describe_preview

            facts = QLabel("<br>".join(html.escape(line) for line in describe_preview(preview)))
            facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(facts)
            self.warning_label = QLabel("<br>".join("⚠ " + html.escape(w) for w in preview.warnings))
            self.warning_label.setWordWrap(True)
            self.warning_label.setStyleSheet(WARN_STYLE)
            self.warning_label.setVisible(bool(preview.warnings))
            layout.addWidget(self.warning_label)
            layout.addWidget(QLabel("数据包只含数据文件（不含任何程序），安装后可在“新建申报”时选择该年度。"))
            self.confirm_box.setVisible(preview.needs_confirmation)
            self.install_button.setEnabled(not preview.needs_confirmation)
            self.confirm_box.toggled.connect(self.install_button.setEnabled)
        layout.addWidget(self.confirm_box)
        layout.addWidget(self.buttons)


class CallDiffDialog(QDialog):
    """年度对比: two calls side by side, one row per difference."""

    def __init__(self, parent: QWidget | None = None, a: str | None = None, b: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("申报年度对比")
        self.resize(900, 560)
        calls = sorted(list_calls(), key=lambda e: e.deadline)  # oldest first
        self.a_combo, self.b_combo = QComboBox(), QComboBox()
        for e in calls:
            for combo in (self.a_combo, self.b_combo):
                combo.addItem(f"{e.title}（{e.id}）", e.id)
        ids = [e.id for e in calls]
        self.a_combo.setCurrentIndex(ids.index(a) if a in ids else max(len(ids) - 2, 0))
        self.b_combo.setCurrentIndex(ids.index(b) if b in ids else len(ids) - 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("原年度："))
        row.addWidget(self.a_combo, 1)
        row.addWidget(QLabel("→ 新年度："))
        row.addWidget(self.b_combo, 1)
        self.summary = QLabel()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["区域", "项目", "原年度", "新年度"])
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 200)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.a_combo.currentIndexChanged.connect(self.refresh)
        self.b_combo.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self, *_: object) -> None:
        from zscq_desktop.call import load_call
        from zscq_desktop.call.diff import diff_calls

        a_id, b_id = self.a_combo.currentData(), self.b_combo.currentData()
        self.table.setRowCount(0)
        if not a_id or not b_id:
            self.summary.setText("没有可对比的申报年度。")
            return
        changes = diff_calls(load_call(a_id), load_call(b_id))
        self.summary.setText(f"共 {len(changes)} 处变化。" if changes else "两个年度没有差别。")
        for c in changes:
            r = self.table.rowCount()
            self.table.insertRow(r)
            for col, text in enumerate((c.area, c.item, c.old or "（无）", c.new or "（无）")):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, col, item)
        self.table.resizeRowsToContents()

    def rows(self) -> list[tuple[str, ...]]:
        return [tuple(self.table.item(r, c).text() for c in range(4)) for r in range(self.table.rowCount())]


def recipient_note(call, to: str) -> tuple[str, bool]:
    """The send dialog's line under 收件人: where the copy goes, and whether that needs a second look
    (not the call's address, or a call whose address differs from the built-in calls')."""
    from zscq_desktop.call.registry import builtin_contacts

    to = to.strip()
    lines = [f"电子版将发送至：{to or '（未填写）'}；《{call.title}》规定的邮箱：{call.submit_email}（{call.issuer}）。"]
    warn = False
    if to.lower() != call.submit_email.strip().lower():
        lines.append("⚠ 收件人与申报指南规定的邮箱不同，请核实后再发送。")
        warn = True
    emails = builtin_contacts()[0]
    if call.submit_email.strip().lower() not in emails:
        lines.append(f"⚠ 该年度数据规定的邮箱与程序内置年度使用的（{'、'.join(sorted(emails))}）不同，"
                     "请向发布单位核实。")
        warn = True
    return "\n".join(lines), warn
