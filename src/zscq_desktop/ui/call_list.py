"""The start page's list of calls (open ones first, then closed ones) with the import and compare buttons.

Apart from `ui.call_dialogs` so that the start page, shown at start-up, does not load the pack reader
and the dialogs; the buttons call the window's commands, which load them on first use.
"""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from zscq_desktop.call.registry import CallEntry, list_calls

CALL_ROLE = Qt.ItemDataRole.UserRole


def call_line(e: CallEntry, now: datetime | None = None) -> str:
    """One line of the start page's call list."""
    state = "申报中" if e.open else "已截止"
    src = "" if e.source == "builtin" else "　·　已安装"
    return f"{e.title}　·　{state}　·　截止 {e.deadline:%Y-%m-%d %H:%M}　·　{e.issuer}{src}"


class CallListBox(QGroupBox):
    """The start page's list of calls: open ones first, then closed ones; import and compare buttons."""

    def __init__(self, window: QWidget) -> None:
        super().__init__("申报年度（申报中的在前）")
        self.window_ = window
        self.list = QListWidget()
        self.import_button = QPushButton("导入申报年度数据…")
        self.diff_button = QPushButton("年度对比…")
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.diff_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.import_button.clicked.connect(lambda: window.import_call_pack())
        self.diff_button.clicked.connect(lambda: window.show_call_diff())
        self.load()

    def load(self) -> None:
        self.list.clear()
        now = datetime.now(timezone.utc)
        calls = list_calls(now)
        for e in calls:
            item = QListWidgetItem(call_line(e, now))
            item.setData(CALL_ROLE, e.id)
            if not e.open:
                item.setForeground(Qt.GlobalColor.darkGray)
            self.list.addItem(item)
        self.diff_button.setEnabled(len(calls) > 1)
        # as tall as its rows (up to five), so the recent files below keep their room at 768 px
        row = self.list.sizeHintForRow(0) if calls else 20
        self.list.setFixedHeight(min(max(len(calls), 1), 5) * row + 2 * self.list.frameWidth() + 4)

    def ids(self) -> list[str]:
        return [self.list.item(i).data(CALL_ROLE) for i in range(self.list.count())]
