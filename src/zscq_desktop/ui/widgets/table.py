"""Table fields: a `QAbstractTableModel` over a list of row dicts and the editor around it
(add / remove / move-up / move-down rows; fixed-row tables such as the 2020–2022 yearly table
keep their rows and show the row labels)."""

from __future__ import annotations

import copy
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from zscq_desktop.call.model import Call, Column, Field
from zscq_desktop.ui.widgets.fields import FieldEditor, format_number, parse_amount, parse_int

NUMERIC = ("int", "amount")


def convert(column: Column, text: Any) -> Any:
    """The JSON value of what the user typed in a cell of `column` (None when empty)."""
    if text is None:
        return None
    if column.type in NUMERIC:
        # a number when it is one; otherwise what was typed, so the rules engine can say what is wrong
        number = parse_int(str(text)) if column.type == "int" else parse_amount(str(text))
        return number if number is not None else (str(text).strip() or None)
    text = str(text).strip()
    return text or None


class RowsModel(QAbstractTableModel):
    """Rows of a table field; `changed` fires after every user edit with the new rows."""

    changed = Signal()

    def __init__(self, columns: Sequence[Column], fixed_rows: Sequence[str] = (), read_only: Sequence[str] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.fixed_rows = list(fixed_rows)
        self.read_only = set(read_only)
        self.rows: list[dict[str, Any]] = []
        self.bad_cells: set[tuple[int, str]] = set()

    # ---- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            c = self.columns[section]
            return ("* " if c.required else "") + c.label
        if section < len(self.fixed_rows):
            return self.fixed_rows[section]
        return str(section + 1)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self.columns[index.column()]
        value = self.rows[index.row()].get(c.key)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return format_number(value) if c.type in NUMERIC else ("" if value is None else str(value))
        if role == Qt.ItemDataRole.TextAlignmentRole and c.type in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if (index.row(), c.key) in self.bad_cells:
                return QBrush(QColor("#fde7e4"))
            if c.key in self.read_only:
                return QBrush(QColor("#f1f3f5"))
        if role == Qt.ItemDataRole.ToolTipRole and c.type == "month":
            return "年-月，如 2023-01"
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and self.columns[index.column()].key not in self.read_only:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        c = self.columns[index.column()]
        new = convert(c, value)
        if self.rows[index.row()].get(c.key) == new:
            return False
        self.rows[index.row()][c.key] = new
        self.dataChanged.emit(index, index)
        self.changed.emit()
        return True

    # ---- rows ---------------------------------------------------------------------------------------
    def set_rows(self, rows: Any) -> None:
        self.beginResetModel()
        rows = [dict(r) for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
        while len(rows) < len(self.fixed_rows):
            rows.append({})
        self.rows = rows
        self.endResetModel()

    def value(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.rows)

    def add_row(self, at: int | None = None, row: dict | None = None) -> int:
        at = len(self.rows) if at is None else at
        self.beginInsertRows(QModelIndex(), at, at)
        self.rows.insert(at, dict(row or {}))
        self.endInsertRows()
        self.changed.emit()
        return at

    def remove_row(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            self.rows.pop(row)
            self.endRemoveRows()
            self.changed.emit()

    def move_row(self, row: int, delta: int) -> int:
        target = row + delta
        if not (0 <= row < len(self.rows) and 0 <= target < len(self.rows)):
            return row
        self.beginResetModel()
        self.rows.insert(target, self.rows.pop(row))
        self.endResetModel()
        self.changed.emit()
        return target

    def set_bad_cells(self, cells: set[tuple[int, str]]) -> None:
        if cells != self.bad_cells:
            self.bad_cells = cells
            if self.rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1))


class TableView(QTableView):
    def __init__(self, model: RowsModel) -> None:
        super().__init__()
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.setTabKeyNavigation(True)
        self.setWordWrap(True)
        header = self.horizontalHeader()
        all_short = all(c.type in NUMERIC + ("month", "date") for c in model.columns)
        for i, c in enumerate(model.columns):
            short = (c.type in NUMERIC + ("month", "date") or (c.max_chars or 99) <= 10) and not all_short
            mode = QHeaderView.ResizeMode.ResizeToContents if short else QHeaderView.ResizeMode.Stretch
            header.setSectionResizeMode(i, mode)
        self.verticalHeader().setDefaultSectionSize(28)
        model.modelReset.connect(self.fit_height)
        model.rowsInserted.connect(self.fit_height)
        model.rowsRemoved.connect(self.fit_height)
        self.fit_height()

    def fit_height(self, *_args: object) -> None:
        """Tall enough for the rows (up to 10), so the page scrolls rather than the table."""
        rows = max(1, min(self.model().rowCount(), 10))
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + rows * 28 + 6)


class TableEditor(FieldEditor):
    """A table field (or any list of rows) with its row buttons."""

    def __init__(self, call: Call | None, spec: Field, direction_id: str | None = None, *,
                 read_only: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.model = RowsModel(spec.columns, spec.fixed_rows, read_only, self)
        self.view = TableView(self.model)
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.view)
        self.fixed = bool(spec.fixed_rows)
        if not self.fixed:
            buttons = QHBoxLayout()
            self.add_button = QPushButton("添加一行")
            self.remove_button = QPushButton("删除所选行")
            self.up_button = QPushButton("上移")
            self.down_button = QPushButton("下移")
            for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
                buttons.addWidget(b)
            buttons.addStretch(1)
            box.addLayout(buttons)
            self.add_button.clicked.connect(self.add_row)
            self.remove_button.clicked.connect(self.remove_selected)
            self.up_button.clicked.connect(lambda: self.move_selected(-1))
            self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.row.addLayout(box)
        self.model.changed.connect(self._emit)

    def current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    def add_row(self) -> None:
        if self.spec.max_rows is not None and len(self.model.rows) >= self.spec.max_rows:
            return
        at = self.model.add_row()
        self.view.setCurrentIndex(self.model.index(at, 0))
        self.view.setFocus()

    def remove_selected(self) -> None:
        row = self.current_row()
        if row >= 0:
            self.model.remove_row(row)

    def move_selected(self, delta: int) -> None:
        row = self.current_row()
        if row >= 0:
            col = max(self.view.currentIndex().column(), 0)
            target = self.model.move_row(row, delta)
            self.view.setCurrentIndex(self.model.index(target, col))

    def value(self) -> Any:
        return self.model.value()

    def set_value(self, value: Any) -> None:
        if value != self.model.rows:
            self.model.set_rows(value or [])

    def focus_target(self) -> QWidget:
        return self.view

    def focus_cell(self, row: int, key: str = "") -> None:
        col = next((i for i, c in enumerate(self.model.columns) if c.key == key), 0)
        if 0 <= row < self.model.rowCount():
            index = self.model.index(row, col)
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)
        self.view.setFocus()

    def show_bad(self, paths: list[str], prefix: str) -> None:
        """Tint the cells named by finding paths such as ``prefix[2].target``."""
        import re

        cells: set[tuple[int, str]] = set()
        for p in paths:
            m = re.match(re.escape(prefix) + r"\[(\d+)\](?:\.(\w+))?", p)
            if m:
                row = int(m.group(1))
                keys = [m.group(2)] if m.group(2) else [c.key for c in self.model.columns]
                cells.update((row, k) for k in keys)
        self.model.set_bad_cells(cells)
