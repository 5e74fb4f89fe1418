"""Table fields: a `QAbstractTableModel` over a list of row dicts and the editor around it
(add / remove / move-up / move-down rows; fixed-row tables such as the 2020–2022 yearly table
keep their rows and show the row labels).

The tables behave like a spreadsheet: a block of cells can be selected, copied out (tab text and
HTML) and pasted into from Excel, WPS or Word (`core.paste`; rows are added as needed, amounts
such as “1,200.50” or “5万” are read as numbers, dates and months in any common spelling are stored
canonically); Delete clears the selected cells, or removes the rows when whole rows are selected.
Every such action is one change of the rows, so one undo step. Money columns (万元) show their
exact total under the table (`core.validators.column_total`)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QEvent, QMimeData, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QHBoxLayout, QHeaderView, QPushButton, QStyledItemDelegate, QTableView,
    QVBoxLayout, QWidget,
)

from zscq_desktop.call.model import Call, Column, Field
from zscq_desktop.core import paste
from zscq_desktop.core.validators import canonical_date, canonical_month, column_total
from zscq_desktop.ui.undo_keys import route_undo_keys
from zscq_desktop.ui.undo_names import named_step
from zscq_desktop.ui.widgets.fields import FieldEditor, format_number

NUMERIC = ("int", "amount")


def is_money(column: Column, unit: str = "") -> bool:
    """A column in 万元 (its own label says so, or the whole table is in 万元)."""
    return column.type == "amount" and (unit == "万元" or "万元" in column.label or column.key.endswith("_wan"))


def convert(column: Column, text: Any, unit: str = "") -> Any:
    """The JSON value of what the user typed or pasted in a cell of `column` (None when empty).

    Numbers, dates and months are read forgivingly and stored canonically; what cannot be read is
    kept as typed, so the rules engine can say what is wrong with it (nothing typed is lost).
    """
    if text is None:
        return None
    text = str(text).strip()
    if not text:
        return None
    if column.type in NUMERIC:
        number = paste.parse_number(text, wan=is_money(column, unit), integer=column.type == "int")
        return number if number is not None else text
    if column.type == "month":
        return canonical_month(text) or text
    if column.type == "date":
        return canonical_date(text) or text
    return text


class RowsModel(QAbstractTableModel):
    """Rows of a table field; `changed` fires after every user edit with the new rows."""

    changed = Signal()

    def __init__(self, columns: Sequence[Column], fixed_rows: Sequence[str] = (), read_only: Sequence[str] = (),
                 parent: QWidget | None = None, *, unit: str = "", max_rows: int | None = None) -> None:
        super().__init__(parent)
        self.unit = unit
        self.max_rows = max_rows
        self.label = ""  # the field's label, for the names of undo steps
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
            return f"年-月，如 {date.today().year}-01"
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
        new = convert(c, value, self.unit)
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

    def paste_block(self, top: int, left: int, grid: paste.Grid, fill: set[tuple[int, int]] | None = None) -> int:
        """Write `grid` with its first cell at (`top`, `left`) as one change, adding rows as needed
        (not in fixed-row tables, not beyond `max_rows`); read-only columns keep their values.
        `fill`: cells to fill with a single pasted value (a value pasted onto a selection).
        Returns how many rows the block covered."""
        if fill is not None:
            cells = {(r, c): grid[0][0] for r, c in fill}
        else:
            cells = {(top + i, left + j): text for i, row in enumerate(grid) for j, text in enumerate(row)}
        limit = len(self.rows) if self.fixed_rows else (self.max_rows or 10 ** 6)
        cells = {k: v for k, v in cells.items() if k[0] < limit and k[1] < len(self.columns)}
        if not cells:
            return 0
        rows = copy.deepcopy(self.rows)
        last = max(r for r, _ in cells)
        while len(rows) <= last:
            rows.append({})
        for (r, c), text in cells.items():
            column = self.columns[c]
            if column.key not in self.read_only:
                rows[r][column.key] = convert(column, text, self.unit)
        for r in range(len(self.rows), len(rows)):
            rows[r] = {k: v for k, v in rows[r].items() if v is not None}
        return self._replace(rows) and (last - top + 1)

    def clear_cells(self, cells: set[tuple[int, int]]) -> None:
        rows = copy.deepcopy(self.rows)
        for r, c in cells:
            key = self.columns[c].key
            if key not in self.read_only and r < len(rows):
                rows[r].pop(key, None)
        self._replace(rows)

    def remove_rows(self, which: set[int]) -> None:
        """Remove several rows as one change."""
        self._replace([r for i, r in enumerate(self.rows) if i not in which])

    def block(self, cells: set[tuple[int, int]]) -> paste.Grid:
        """The text of the bounding block of `cells` (as shown), for the clipboard."""
        rows = sorted({r for r, _ in cells})
        cols = sorted({c for _, c in cells})
        return [[self.data(self.index(r, c)) if (r, c) in cells else "" for c in range(cols[0], cols[-1] + 1)]
                for r in range(rows[0], rows[-1] + 1)]

    def _replace(self, rows: list[dict[str, Any]]) -> bool:
        if rows == self.rows:
            return False
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()
        self.changed.emit()
        return True

    def set_bad_cells(self, cells: set[tuple[int, str]]) -> None:
        if cells != self.bad_cells:
            self.bad_cells = cells
            if self.rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1))


class CellDelegate(QStyledItemDelegate):
    """Cell editors hand the undo keys to the document's history (`ui.undo_keys`), and a block
    pasted while a cell is being edited goes into the table, not all into that one cell."""

    def createEditor(self, parent: QWidget, option: Any, index: Any) -> QWidget:  # noqa: N802 — Qt API
        return route_undo_keys(super().createEditor(parent, option, index))

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:  # noqa: N802 — Qt API
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.matches(QKeySequence.StandardKey.Paste) \
                and _clipboard_block() is not None:
            view = self.parent()
            self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)
            if isinstance(view, TableView):
                view.paste_clipboard()
            return True
        return super().eventFilter(editor, event)


def _clipboard_block() -> paste.Grid | None:
    """The clipboard as a block of cells when it holds more than one cell (HTML table or tab text)."""
    mime = QApplication.clipboard().mimeData()
    if mime is None:
        return None
    grid = paste.parse_html(mime.html()) if mime.hasHtml() else None
    if grid is None and mime.hasText():
        grid = paste.parse_text(mime.text())
    return grid if grid and (len(grid) > 1 or len(grid[0]) > 1) else None


class TableView(QTableView):
    """A spreadsheet-like view: block selection, copy, paste, Delete (see the module docstring)."""

    rows_deleted = Signal()

    def __init__(self, model: RowsModel) -> None:
        super().__init__()
        self.setModel(model)
        self.rows_model = model
        self.setItemDelegate(CellDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # as in a spreadsheet: moving around selects, typing (or F2, a double click) edits the cell
        triggers = QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed)
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

    def selected_cells(self) -> set[tuple[int, int]]:
        cells = {(i.row(), i.column()) for i in self.selectionModel().selectedIndexes()}
        current = self.currentIndex()
        if not cells and current.isValid():
            cells = {(current.row(), current.column())}
        return cells

    def whole_rows(self) -> set[int]:
        """The rows selected in full (row header clicked, or every cell of the row selected)."""
        cells = self.selected_cells()
        width = self.model().columnCount()
        return {r for r in {r for r, _ in cells} if all((r, c) in cells for c in range(width))}

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 — Qt API
        if self.state() != QAbstractItemView.State.EditingState:
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy_selection()
                return
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste_clipboard()
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
                self.delete_selection()
                return
        super().keyPressEvent(event)

    def copy_selection(self) -> None:
        cells = self.selected_cells()
        if not cells:
            return
        grid = self.rows_model.block(cells)
        mime = QMimeData()
        mime.setText(paste.to_text(grid))
        mime.setHtml(paste.to_html(grid))
        QApplication.clipboard().setMimeData(mime)

    def paste_clipboard(self) -> None:
        """Paste the clipboard's table (HTML from Excel/WPS/Word, else tab text) at the selection."""
        mime = QApplication.clipboard().mimeData()
        grid = _clipboard_block()
        if grid is None and mime is not None and mime.hasText():
            grid = paste.parse_text(mime.text())  # a single value
        cells = self.selected_cells()
        model = self.rows_model
        if not grid:
            return
        top = min((r for r, _ in cells), default=model.rowCount())
        left = min((c for _, c in cells), default=0)
        single = len(grid) == 1 and len(grid[0]) == 1 and len(cells) > 1
        what = f"{len(cells)} 格" if single else f"{len(grid)} 行"
        with named_step(f"粘贴 {what}" + (f"（{model.label}）" if model.label else "")):
            covered = model.paste_block(top, left, grid, fill=cells if single else None)
        if covered:
            height = 1 if single else covered
            width = 1 if single else max(len(r) for r in grid)
            self.setCurrentIndex(model.index(top, left))
            if not single:
                from PySide6.QtCore import QItemSelection, QItemSelectionModel

                right = min(left + width, model.columnCount()) - 1
                bottom = min(top + height, model.rowCount()) - 1
                self.selectionModel().select(QItemSelection(model.index(top, left), model.index(bottom, right)),
                                             QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def delete_selection(self) -> None:
        """Delete: whole rows selected → remove them (undoable, so no question); else clear the cells."""
        model = self.rows_model
        rows = self.whole_rows() if not model.fixed_rows else set()
        if rows:
            model.remove_rows(rows)
            self.rows_deleted.emit()
            if model.rowCount():
                self.setCurrentIndex(model.index(min(min(rows), model.rowCount() - 1), 0))
        else:
            with named_step("清除单元格" + (f"（{model.label}）" if model.label else "")):
                model.clear_cells(self.selected_cells())


class TotalsBar(QWidget):
    """合计 under a table: each money column's exact total, drawn under its column."""

    def __init__(self, view: TableView, unit: str = "") -> None:
        super().__init__()
        self.view = view
        model = view.rows_model
        self.keys = [(i, c.key) for i, c in enumerate(model.columns) if is_money(c, unit)]
        self.setFixedHeight(self.fontMetrics().height() + 8)
        for signal in (model.modelReset, model.dataChanged, model.rowsInserted, model.rowsRemoved):
            signal.connect(self.update)
        view.horizontalHeader().sectionResized.connect(self.update)
        view.horizontalHeader().geometriesChanged.connect(self.update)

    def totals(self) -> dict[str, str]:
        """Column key → its total as shown (two decimals, 万元)."""
        rows = self.view.rows_model.rows
        return {key: f"{column_total(rows, key):,.2f}" for _, key in self.keys}

    def paintEvent(self, _event: Any) -> None:  # noqa: N802 — Qt API
        p = QPainter(self)
        p.setPen(QColor("#1f3b5c"))
        font = p.font()
        font.setBold(True)
        p.setFont(font)
        offset = self.view.frameWidth() + self.view.verticalHeader().width()
        totals = self.totals()
        p.drawText(4, 0, max(offset - 6, 30), self.height(), int(Qt.AlignmentFlag.AlignVCenter), "合计")
        for col, key in self.keys:
            x = offset + self.view.columnViewportPosition(col)
            w = self.view.columnWidth(col)
            p.drawText(x, 0, w - 6, self.height(), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                       totals[key])
        p.end()


class TableEditor(FieldEditor):
    """A table field (or any list of rows) with its row buttons."""

    def __init__(self, call: Call | None, spec: Field, direction_id: str | None = None, *,
                 read_only: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.model = RowsModel(spec.columns, spec.fixed_rows, read_only, self, unit=spec.unit, max_rows=spec.max_rows)
        self.model.label = spec.label
        self.view = TableView(self.model)
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.view)
        self.totals: TotalsBar | None = None
        if any(is_money(c, spec.unit) for c in spec.columns):
            self.totals = TotalsBar(self.view, spec.unit)
            box.addWidget(self.totals)
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
        col = next((i for i, c in enumerate(self.model.columns) if c.key not in self.model.read_only), 0)
        index = self.model.index(at, col)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self.view.setFocus()
        self.view.edit(index)  # the caret is in the new row: typing goes there

    def remove_selected(self) -> None:
        """删除所选行: every row with a selected cell (undoable, so no question)."""
        rows = {r for r, _ in self.view.selected_cells()}
        if rows:
            self.model.remove_rows(rows)

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
