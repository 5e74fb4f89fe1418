"""文件 → 从 Word 导入修改…: the differences between a Word file and the open document, field by field.

Old and new text side by side with a character-level diff, tracked changes (修订) taken either all
accepted or as before them, comments (批注) as reminders to tick off, edits that cannot be imported
listed. What the user accepts goes into the document as one undoable step (`Session.one_step`),
and the rules run again. Dropping a .docx/.doc/.wps on the window (anywhere but the attachments
page, which attaches dropped files) opens the same dialog.
"""

from __future__ import annotations

import contextlib
import html
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QRadioButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget)

from zscq_desktop.wordio import diff as d
from zscq_desktop.wordio.importer import Import, OtherDocument, compare, read_word_file, settable
from zscq_desktop.wordio.marks import ID_KEY
from zscq_desktop.wordio.read import WordError
from zscq_desktop.ui.widgets import dialogs

KIND_TEXT = {d.CHANGED: "修改", d.ADDED: "新增", d.REMOVED: "删除", d.CONFLICT: "冲突"}
STEP_TEXT = "从 Word 导入修改"


def shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, dict):
        return "；".join(f"{v}" for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def diff_html(old: Any, new: Any) -> str:
    """The character-level diff of two texts as HTML: deletions struck through red, insertions green."""
    out = []
    for op, text in d.char_diff(shown(old), shown(new)):
        t = html.escape(text).replace("\n", "<br>")
        if op == "=":
            out.append(t)
        elif op == "-":
            out.append(f'<span style="color:#b3261e;text-decoration:line-through">{t}</span>')
        else:
            out.append(f'<span style="color:#1b7f3b;background:#e3f5e8;text-decoration:underline">{t}</span>')
    return "".join(out)


class WordImportDialog(QDialog):
    """The differences of one Word file; `accepted_assignments()` after `exec()` gives what to set."""

    def __init__(self, result: Import, targets: list[tuple[str, str]] | None = None,
                 parent: QWidget | None = None, current: Any = None) -> None:
        super().__init__(parent)
        self.found = result  # (not `result`: that is QDialog.result())
        self.current = current  # path → the app's value (to compare a re-mapped text with)
        self.setWindowTitle(f"从 Word 导入修改 — {result.name}")
        self.resize(980, 640)
        lay = QVBoxLayout(self)
        notes = result.notes or ["以下是 Word 文件与程序中内容的差异。勾选要导入的项，确认后作为一步写入（可用“撤销”退回）。"]
        self.notes = QLabel("\n".join(notes))
        self.notes.setWordWrap(True)
        self.notes.setObjectName("intro")
        lay.addWidget(self.notes)

        tracked = any(x.tracked for x in result.differences)
        choice = QHBoxLayout()
        self.accept_changes = QRadioButton("修订：全部接受（采用修改后的文字）")
        self.accept_changes.setChecked(True)
        self.before_changes = QRadioButton("修订：全部拒绝（采用修订前的文字）")
        for b in (self.accept_changes, self.before_changes):
            b.setVisible(tracked)
            b.toggled.connect(self._show_detail)
            choice.addWidget(b)
        choice.addStretch(1)
        lay.addLayout(choice)

        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(len(result.differences), 5 if result.foreign else 4)
        heads = ["导入", "字段", "类别", "新内容"] + (["对应到"] if result.foreign else [])
        self.table.setHorizontalHeaderLabels(heads)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.targets = targets or []
        for i, x in enumerate(result.differences):
            check = QTableWidgetItem()
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            check.setCheckState(Qt.CheckState.Unchecked if x.kind == d.CONFLICT else Qt.CheckState.Checked)
            self.table.setItem(i, 0, check)
            label = x.label + ("（含修订）" if x.tracked else "") + ("（有批注）" if x.comments else "")
            self.table.setItem(i, 1, QTableWidgetItem(label))
            self.table.setItem(i, 2, QTableWidgetItem(KIND_TEXT.get(x.kind, x.kind)))
            self.table.setItem(i, 3, QTableWidgetItem(shown(x.new).replace("\n", " ")[:80]))
            if result.foreign and not x.table and self.targets:
                combo = QComboBox()
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                combo.setMinimumContentsLength(10)  # task titles are long: the list drops down wide enough
                combo.addItems([t for t, _ in self.targets])
                paths = [p for _, p in self.targets]
                if x.path in paths:
                    combo.setCurrentIndex(paths.index(x.path))
                combo.currentIndexChanged.connect(lambda k, row=i: self._retarget(row, k))
                self.table.setCellWidget(i, 4, combo)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(1, min(340, max(200, self.table.columnWidth(1))))
        self.table.setColumnWidth(3, 300 if result.foreign else 520)  # long texts: the whole one is below
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.currentCellChanged.connect(lambda *_: self._show_detail())
        split.addWidget(self.table)
        self.detail = QTextBrowser()
        split.addWidget(self.detail)

        lower = QWidget()
        low = QHBoxLayout(lower)
        low.setContentsMargins(0, 0, 0, 0)
        box = QVBoxLayout()
        box.addWidget(QLabel("批注（提醒，处理后打勾；批注不会打印）："))
        self.reminders = QListWidget()
        for x in result.differences:
            for c in x.comments:
                self._reminder(f"{x.label}：{c}")
        for c in result.reminders:
            self._reminder(c)
        box.addWidget(self.reminders)
        low.addLayout(box, 1)
        box = QVBoxLayout()
        box.addWidget(QLabel("未导入（不是可导入的字段，或无法导入的内容）："))
        self.not_imported = QListWidget()
        self.not_imported.addItems(result.not_imported or ["（无）"])
        box.addWidget(self.not_imported)
        low.addLayout(box, 1)
        split.addWidget(lower)
        split.setSizes([300, 160, 140])
        lay.addWidget(split, 1)

        buttons = QDialogButtonBox()
        self.all_button = QPushButton("全部接受")
        self.chosen_button = QPushButton("导入勾选的项")
        cancel = QPushButton("取消")
        buttons.addButton(self.all_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.chosen_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        self.all_button.clicked.connect(self.accept_all)
        self.chosen_button.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        self.all_button.setEnabled(bool(result.differences))
        self.chosen_button.setEnabled(bool(result.differences))
        lay.addWidget(buttons)
        if result.differences:
            self.table.setCurrentCell(0, 1)
        self._show_detail()

    def _reminder(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        self.reminders.addItem(item)

    def _retarget(self, row: int, k: int) -> None:
        """The user maps this text to another field: compare it with that field's current value."""
        x = self.found.differences[row]
        x.path = self.targets[k][1]
        x.label = f"{self.targets[k][0]} ←{x.label.split('←', 1)[-1]}"
        if self.current is not None:
            x.old = x.app = self.current(x.path)
        cast(QTableWidgetItem, self.table.item(row, 1)).setText(x.label)
        self._show_detail()

    def accept_all(self) -> None:
        for i in range(self.table.rowCount()):
            cast(QTableWidgetItem, self.table.item(i, 0)).setCheckState(Qt.CheckState.Checked)
        self.accept()

    def use_before(self) -> bool:
        return self.before_changes.isChecked()

    def accepted_rows(self) -> set[int]:
        return {i for i in range(self.table.rowCount())
                if cast(QTableWidgetItem, self.table.item(i, 0)).checkState() == Qt.CheckState.Checked}

    def accepted_assignments(self) -> list[tuple[str, Any]]:
        return self.found.assignments(self.accepted_rows(), self.use_before())

    def _show_detail(self) -> None:
        row = self.table.currentRow()
        if not (0 <= row < len(self.found.differences)):
            self.detail.setHtml("<p>Word 文件与程序中的内容一致，没有可导入的差异。</p>")
            return
        x = self.found.differences[row]
        new = x.value(self.use_before())
        parts = [f"<p><b>{html.escape(x.label)}</b>　<span style='color:#667'>{html.escape(x.path)}</span>　"
                 f"{KIND_TEXT.get(x.kind, x.kind)}</p>"]
        if x.kind == d.CONFLICT:
            parts.append("<p style='color:#b3261e'>冲突：导出之后程序中也改过这一项。勾选“导入”采用 Word 中的内容，"
                         "否则保留程序中的内容。</p>")
            parts.append(f"<p>导出时：{html.escape(shown(x.old))}<br>程序中现为：{html.escape(shown(x.app))}"
                         f"<br>Word 中：{html.escape(shown(new))}</p>")
        elif x.kind in (d.ADDED, d.REMOVED) or not isinstance(new, str) or not isinstance(x.old, str):
            parts.append(f"<p>原：{html.escape(shown(x.old))}<br>新：{html.escape(shown(new))}</p>")
        else:
            parts.append(f"<p>{diff_html(x.old, new)}</p>")
        if x.tracked:
            other = x.before if not self.use_before() else x.new
            which = "修订前" if not self.use_before() else "修订全部接受后"
            parts.append(f"<p style='color:#667'>{which}：{html.escape(shown(other))}</p>")
        for c in x.comments:
            parts.append(f"<p style='background:#fff6db'>批注：{html.escape(c)}</p>")
        self.detail.setHtml("".join(parts))


# -- the window's side: menu entry, drop, applying ---------------------------------------------------

def apply_to_session(session: Any, result: Import, assignments: list[tuple[str, Any]]) -> None:
    """Set the values through the session as ONE undoable step, then run the rules again."""
    step = getattr(session, "one_step", None)
    with step(STEP_TEXT) if step else contextlib.nullcontext():
        for path, value in assignments:
            session.edit(path, value)
    if assignments and result.marks and result.marks.doc_id and not session.submission.meta.get(ID_KEY):
        session.submission.meta[ID_KEY] = result.marks.doc_id  # kept out of the stamp and of the undo steps
    session.refresh_findings()


def run_import(window: Any, path: Path | None = None) -> bool:
    """Ask for a Word file (unless given), compare it with the open document, show the differences and
    apply what the user accepts. True when something was imported."""
    session = getattr(window, "session", None)
    if session is None:
        dialogs.inform(window, STEP_TEXT, "请先打开或新建一份申报，再导入 Word 文件中的修改。")
        return False
    if session.readonly:
        dialogs.inform(window, STEP_TEXT, "这份申报以只读方式打开，不能导入修改。请先“另存为”可编辑的副本。")
        return False
    if path is None:
        path = dialogs.open_file(window, "选择修改过的 Word 文件", "", "Word 文件 (*.docx *.doc *.wps)")
        if path is None:
            return False
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = _compare(window, path, session)
    finally:
        QGuiApplication.restoreOverrideCursor()
    if result is None:
        return False
    if not result.differences and not result.not_imported:
        dialogs.inform(window, STEP_TEXT, f"《{path.name}》与程序中的内容一致，没有需要导入的修改。")
        return False
    targets = None
    if result.foreign:
        from zscq_desktop.wordio.match import targets as all_targets

        targets = all_targets(session.call, session.submission.direction)
    dlg = WordImportDialog(result, targets, window, current=session.submission.get)
    if not show_dialog(dlg):
        return False
    changes = settable(session.submission, dlg.accepted_assignments())
    if not changes:
        return False
    apply_to_session(session, result, changes)
    paths = [p for p, _ in changes]
    found = [f for f in session.findings() if any(f.path == p or f.path.startswith((p + ".", p + "[")) for p in paths)]
    extra = f"其中 {len(found)} 项有检查提示，请到“检查”页查看。" if found else ""
    dialogs.inform(window, STEP_TEXT, f"已导入 {len(changes)} 处修改（可用“撤销”一步退回）。{extra}")
    return True


def show_dialog(dlg: WordImportDialog) -> bool:
    """Run the dialog (tests replace this)."""
    return dlg.exec() == QDialog.DialogCode.Accepted


def _compare(window: Any, path: Path, session: Any) -> Import | None:
    try:
        data = read_word_file(path)
        try:
            return compare(data, session.call, session.submission, name=path.name)
        except OtherDocument as exc:
            if not dialogs.ask(window, STEP_TEXT, f"{str(exc).split('如确实')[0]}\n\n仍要比较并导入吗？",
                               ok="仍然导入"):
                return None
            return compare(data, session.call, session.submission, name=path.name, force=True)
    except WordError as exc:
        dialogs.inform(window, STEP_TEXT, str(exc), warning=True)
        return None


# the menu entry and the drop filter live in ui/word_import_menu.py, so that starting the program does
# not import the Word reader (python-docx, pypdf via package/): about 0.3 s of the start-up
from zscq_desktop.ui.word_import_menu import WORD_SUFFIXES, install, word_files  # noqa: E402

__all__ = ["WordImportDialog", "run_import", "install", "apply_to_session", "word_files", "WORD_SUFFIXES"]
