"""Field editors generated from the form definitions: the right widget for each field type.

`make_editor(call, field, direction_id)` returns a `FieldEditor`: a widget with `value()`,
`set_value(v)` (no signal), an `edited(object)` signal carrying the new value on every user edit,
and `focus_target()` for the review page's links. `FieldRow` adds the label, the help text and the
inline error text under the editor. Values have the submission's JSON types: str, int, float
(万元), "YYYY-MM-DD", "YYYY-MM", list[str], bool, list[dict] for tables; None when empty.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QRegularExpression, Qt, Signal
from PySide6.QtGui import QPainter, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCalendarWidget, QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QLayout, QLineEdit, QPlainTextEdit,
    QSizePolicy, QToolButton, QVBoxLayout, QWidget,
)

from zscq_desktop.call.model import Call, Field
from zscq_desktop.core.validators import (
    canonical_date, canonical_month, check_credit_code, normalize_ascii, normalize_code,
)
from zscq_desktop.ui.undo_keys import route_undo_keys

LONG_TEXT = 1000  # textareas allowing this many characters or more get the list / paragraph tools
# [0-9], never \d; full-width digits and point (typed in a Chinese IME) are accepted and normalised
INT_RE = QRegularExpression(r"^[0-9０-９]{0,9}$")
AMOUNT_RE = QRegularExpression(r"^[0-9０-９]{0,9}([.．][0-9０-９]{0,4})?$")
ASCII_KINDS = ("int", "amount", "credit_code", "postcode", "phone", "email")


def parse_int(text: str) -> int | None:
    text = normalize_ascii(text)
    return int(text) if text.isascii() and text.isdigit() else None


def parse_amount(text: str) -> float | int | None:
    text = normalize_ascii(text).rstrip(".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and "." not in text else value


def format_number(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FieldEditor(QWidget):
    """Base of every field editor."""

    edited = Signal(object)

    def __init__(self, spec: Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def focus_target(self) -> QWidget:
        return self

    def _emit(self, *_args: object) -> None:
        self.edited.emit(self.value())


class LineEditor(FieldEditor):
    """text / phone / email / postcode / int / amount / credit_code: one line."""

    def __init__(self, spec: Field, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.edit = route_undo_keys(QLineEdit())
        self.row.addWidget(self.edit, 1)
        self.suffix = QLabel()
        self.status = QLabel()
        kind = spec.type
        if kind == "int":
            self.edit.setValidator(QRegularExpressionValidator(INT_RE, self))
            self.edit.setMaximumWidth(160)
        elif kind == "amount":
            self.edit.setValidator(QRegularExpressionValidator(AMOUNT_RE, self))
            self.edit.setMaximumWidth(160)
            self.edit.setPlaceholderText("0.00")
        elif kind == "credit_code":
            self.edit.setMaxLength(18)
            self.edit.setFixedWidth(self.edit.fontMetrics().horizontalAdvance("W" * 18) + 16)
            self.edit.setPlaceholderText("18位，见营业执照")
            self.edit.textEdited.connect(self._upper)
        elif kind == "postcode":
            self.edit.setMaxLength(6)
            self.edit.setMaximumWidth(120)
        elif kind == "phone":
            self.edit.setMaximumWidth(260)
            self.edit.setPlaceholderText("如 022-55550123 或手机号")
        elif kind == "email":
            self.edit.setMaximumWidth(320)
        unit = spec.unit or ("万元" if kind == "amount" else "")
        if unit:
            self.suffix.setText(unit)
            self.row.addWidget(self.suffix)
        if kind in ("int", "amount", "credit_code", "postcode", "phone", "email"):
            self.edit.setMinimumWidth(max(self.edit.minimumWidth(), 120))
            self.row.addWidget(self.status, 1)
            self.row.setStretch(0, 0)
        else:
            self.edit.setMaximumWidth(760)
        if spec.max_chars:
            self.status.setText(f"0/{spec.max_chars}")
            self.row.addWidget(self.status)
            self.row.addStretch(1)
        self.edit.textEdited.connect(self._changed)

    def _upper(self, text: str) -> None:
        if text != text.upper():
            pos = self.edit.cursorPosition()
            self.edit.setText(text.upper())
            self.edit.setCursorPosition(pos)

    def _changed(self, *_args: object) -> None:
        self._update_status()
        self._emit()

    def _update_status(self) -> None:
        text = self.edit.text()
        if self.spec.type == "credit_code":
            if not text:
                self.status.setText("")
            else:
                reason = check_credit_code(text)
                self.status.setText("✓ 校验位正确" if reason is None else reason)
                self.status.setStyleSheet("color:#1b7f3b" if reason is None else "color:#b3261e")
                self.status.setWordWrap(True)
        elif self.spec.max_chars:
            n = len(text)
            self.status.setText(f"{n}/{self.spec.max_chars}")
            self.status.setStyleSheet("color:#b3261e" if n > self.spec.max_chars else "color:#667")

    def value(self) -> Any:
        text = self.edit.text()
        if self.spec.type == "int":
            return parse_int(text)
        if self.spec.type == "amount":
            return parse_amount(text)
        if self.spec.type == "credit_code":
            text = normalize_code(text)
        elif self.spec.type in ASCII_KINDS:
            text = normalize_ascii(text)  # '０２２－２３５１９１４５' is stored as '022-23519145'
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        self.edit.setText(format_number(value) if self.spec.type in ("int", "amount") else ("" if value is None else str(value)))
        self._update_status()

    def focus_target(self) -> QWidget:
        return self.edit


class TextAreaEditor(FieldEditor):
    """textarea: several lines with a character counter against `max_chars`."""

    def __init__(self, spec: Field, parent: QWidget | None = None, min_height: int = 90, *,
                 tools: bool | None = None) -> None:
        super().__init__(spec, parent)
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        self.edit = route_undo_keys(QPlainTextEdit())
        self.tools = None
        if tools if tools is not None else (spec.max_chars or LONG_TEXT) >= LONG_TEXT:
            from zscq_desktop.ui.widgets.text_tools import TextTools

            self.tools = TextTools(self.edit)  # list / paragraph buttons and the print hint
            box.addWidget(self.tools)
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(min_height)
        self.edit.setMaximumHeight(int(min_height * 1.8))  # the page scrolls, not a giant box
        self.counter = QLabel()
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.counter.setObjectName("fieldHelp")
        box.addWidget(self.edit)
        box.addWidget(self.counter)
        self.row.addLayout(box)
        self.edit.textChanged.connect(self._changed)
        self._loading = False
        self._count()

    def _count(self) -> None:
        n = len(self.edit.toPlainText())
        limit = self.spec.max_chars
        self.counter.setText(f"已输入 {n} 字" + (f"，最多 {limit} 字" if limit else ""))
        self.counter.setStyleSheet("color:#b3261e" if limit and n > limit else "")

    def _changed(self) -> None:
        self._count()
        if not self._loading:
            self._emit()

    def value(self) -> Any:
        text = self.edit.toPlainText()
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            if self.edit.toPlainText() != (value or ""):
                self.edit.setPlainText("" if value is None else str(value))
        finally:
            self._loading = False
        self._count()

    def focus_target(self) -> QWidget:
        return self.edit


class DateEditor(FieldEditor):
    """date and month: typed the way people write them, or picked in a calendar.

    Accepts 2023-05-20, 2023/5/20, 2023.5.20, 2023年5月20日, 20230520 (months: 2023-06, 2023/6,
    2023.6, 2023年6月), full-width digits too (`core.validators.canonical_date` / `canonical_month`).
    The value is stored canonically (``YYYY-MM-DD`` / ``YYYY-MM``) and shown back in that one style
    when the user leaves the field; what cannot be read is kept as typed, so the finding can say what
    is wrong. An empty field stays empty: opening the calendar writes nothing until a day is picked.
    """

    def __init__(self, spec: Field, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.month = spec.type == "month"
        self.edit = route_undo_keys(QLineEdit())
        y = date.today().year  # examples in this year: no year is written into the code
        self.edit.setPlaceholderText(f"如 {y}-06 或 {y}年6月" if self.month else f"如 {y}-05-20 或 {y}年5月20日")
        self.edit.setMaximumWidth(200)
        self.calendar_button = QToolButton()
        self.calendar_button.setText("日历…")
        self.calendar_button.setToolTip("在日历中选择")
        self.calendar_button.setAccessibleName("在日历中选择" + spec.label)
        self.row.addWidget(self.edit)
        self.row.addWidget(self.calendar_button)
        self.row.addStretch(1)
        self.edit.textEdited.connect(self._emit)
        self.edit.editingFinished.connect(self._tidy)
        self.calendar_button.clicked.connect(self.open_calendar)
        self.popup: QCalendarWidget | None = None

    def canonical(self, text: str) -> str | None:
        return canonical_month(text) if self.month else canonical_date(text)

    def value(self) -> Any:
        text = self.edit.text().strip()
        return (self.canonical(text) or text) if text else None

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        self.edit.setText(self.canonical(text) or text)

    def _tidy(self) -> None:
        """Leaving the field: show what was understood in the one style (2023-05-20)."""
        text = self.edit.text().strip()
        shown = self.canonical(text) or text
        if shown != self.edit.text():
            self.edit.setText(shown)

    def open_calendar(self) -> None:
        """A calendar under the field, at the field's date (or this month); only a click writes."""
        popup = self.popup = QCalendarWidget(self)
        popup.setWindowFlags(Qt.WindowType.Popup)
        popup.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        text = self.value() or ""
        current = QDate.fromString(text + ("-01" if self.month else ""), "yyyy-MM-dd")
        if current.isValid():
            popup.setSelectedDate(current)
        else:
            today = QDate.currentDate()
            popup.setCurrentPage(today.year(), today.month())
        popup.clicked.connect(self._picked)
        popup.activated.connect(self._picked)
        popup.move(self.edit.mapToGlobal(self.edit.rect().bottomLeft()))
        popup.show()
        popup.setFocus()

    def _picked(self, day: QDate) -> None:
        self.edit.setText(day.toString("yyyy-MM" if self.month else "yyyy-MM-dd"))
        if self.popup is not None:
            self.popup.close()
            self.popup = None
        self.edit.setFocus()
        self._emit()

    def focus_target(self) -> QWidget:
        return self.edit


class ChoiceEditor(FieldEditor):
    def __init__(self, spec: Field, choices: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.combo = QComboBox()
        self.open = spec.open  # an open choice: the choices are suggestions, free text is accepted
        if self.open:
            self.combo.setEditable(True)
            self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            line = self.combo.lineEdit()
            assert line is not None  # an editable combo always has its line edit
            line.setPlaceholderText("选择或输入")
            line.textEdited.connect(self._emit)
            self.combo.setToolTip(spec.open_note or spec.help)
        else:
            self.combo.addItem("请选择…", None)
        for c in choices:
            self.combo.addItem(c, c)
        if self.open:
            self.combo.setCurrentIndex(-1)  # empty until chosen or typed
        self.combo.setMinimumWidth(200)
        self.row.addWidget(self.combo)
        self.row.addStretch(1)
        self.combo.activated.connect(self._emit)

    def value(self) -> Any:
        if self.open:
            return self.combo.currentText().strip() or None
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        if self.open:
            self.combo.setCurrentIndex(self.combo.findData(value) if value else -1)
            self.combo.setEditText("" if value is None else str(value))
            return
        i = self.combo.findData(value) if value else 0
        if i < 0:  # a value from an older call or a typo: show it rather than hide it
            self.combo.addItem(f"{value}（不在可选范围内）", value)
            i = self.combo.count() - 1
        self.combo.setCurrentIndex(i)

    def focus_target(self) -> QWidget:
        return self.combo


class MultiChoiceEditor(FieldEditor):
    def __init__(self, spec: Field, choices: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes = []
        for i, c in enumerate(choices):
            box = QCheckBox(c)
            box.toggled.connect(self._emit)
            grid.addWidget(box, i // 3, i % 3)
            self.boxes.append(box)
        self.row.addLayout(grid)
        self.row.addStretch(1)

    def value(self) -> Any:
        return [b.text() for b in self.boxes if b.isChecked()]

    def set_value(self, value: Any) -> None:
        chosen = set(value or [])
        for b in self.boxes:
            b.blockSignals(True)
            b.setChecked(b.text() in chosen)
            b.blockSignals(False)

    def focus_target(self) -> QWidget:
        return self.boxes[0] if self.boxes else self


class BoolEditor(FieldEditor):
    def __init__(self, spec: Field, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.box = QCheckBox("是")
        self.row.addWidget(self.box)
        self.row.addStretch(1)
        self.box.toggled.connect(self._emit)

    def value(self) -> Any:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.blockSignals(True)
        self.box.setChecked(bool(value))
        self.box.blockSignals(False)

    def focus_target(self) -> QWidget:
        return self.box


def make_editor(call: Call, spec: Field, direction_id: str | None) -> FieldEditor:
    """The editor widget for a field definition."""
    kind = spec.type
    if kind == "table":
        from zscq_desktop.ui.widgets.table import TableEditor

        return TableEditor(call, spec, direction_id)
    if kind == "textarea":
        return TextAreaEditor(spec)
    if kind in ("date", "month"):
        return DateEditor(spec)
    if kind == "choice":
        return ChoiceEditor(spec, call.choices(spec, direction_id))
    if kind == "multichoice":
        return MultiChoiceEditor(spec, call.choices(spec, direction_id))
    if kind == "bool":
        return BoolEditor(spec)
    return LineEditor(spec)


class FieldMessage(QLabel):
    """The line under a field for its findings. Its one line is always reserved (also while hidden),
    so a message appearing or going never moves the controls below; a long message is cut with “…”
    and shown in full on hover."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("fieldError")
        self._full = ""
        self.setFixedHeight(self.fontMetrics().height() + 2)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)

    def setText(self, text: str) -> None:  # noqa: N802 — Qt API
        self._full = text
        self.setToolTip(text if text else "")
        super().setText(text.replace("\n", "　"))

    def full_text(self) -> str:
        return self._full

    def paintEvent(self, _event: object) -> None:  # noqa: N802 — Qt API
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        painter.end()


def error_label(layout: QLayout) -> QLabel:
    """The red line under a field where its findings are shown (`FieldMessage`: its space is kept)."""
    label = FieldMessage()
    label.hide()
    layout.addWidget(label)
    return label


# red frame; while focused the app's focus ring (ui.window STYLE) wins, so the focus stays visible
INVALID_FRAME = ("QLineEdit, QPlainTextEdit { border: 1px solid #b3261e; border-radius: 3px; }"
                 " QLineEdit:focus, QPlainTextEdit:focus { border: 2px solid #1f5fa8; }")


class FieldRow(QWidget):
    """Label, editor, help text and the inline error text of one field.

    A field's messages do not appear while the user is typing in it: new ones wait until the user
    leaves the field (or the page asks for a check, `show_findings(..., now=True)`); a message that
    no longer applies goes at once. The line under the field is reserved, so nothing below moves.
    """

    def __init__(self, call: Call, spec: Field, path: str, direction_id: str | None) -> None:
        super().__init__()
        self.spec = spec
        self.path = path
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)  # the reserved message line is the space below
        layout.setSpacing(2)
        label = spec.label + (f"（{spec.unit}）" if spec.unit and spec.type == "table" else "")
        self.label = QLabel(("<span style='color:#b3261e'>*</span> " if spec.required else "") + label)
        self.editor = make_editor(call, spec, direction_id)
        self.label.setBuddy(self.editor.focus_target())
        layout.addWidget(self.label)
        layout.addWidget(self.editor)
        if spec.help:
            help_label = QLabel(spec.help, objectName="fieldHelp")
            help_label.setWordWrap(True)
            layout.addWidget(help_label)
        self.error = error_label(layout)
        self._shown: list[str] = []
        self._pending: list[str] = []
        self._typing = False  # edited since the field got focus: new messages wait for focus-out
        self.editor.edited.connect(self._edited)
        self.editor.focus_target().installEventFilter(self)

    def _edited(self, *_args: object) -> None:
        self._typing = True

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt API
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.FocusOut and self._typing:
            self._typing = False
            self._display(self._pending)
        return False

    def show_findings(self, messages: list[str], now: bool = False) -> None:
        """Show these messages under the field (held back while the user is typing in it)."""
        self._pending = list(messages)
        target = self.editor.focus_target()
        typed = isinstance(target, (QLineEdit, QPlainTextEdit))  # a table commits cell by cell: at once
        if now or not typed or not self._typing or not target.hasFocus():
            self._typing = self._typing and not now
            self._display(messages)
        else:  # typing: only take away what no longer applies
            self._display([m for m in self._shown if m in messages])

    def _display(self, messages: list[str]) -> None:
        self._shown = list(messages)
        self.error.setText("\n".join(f"✗ {m}" for m in messages))
        self.error.setVisible(bool(messages))
        target = self.editor.focus_target()
        if isinstance(target, (QLineEdit, QPlainTextEdit)):
            target.setStyleSheet(INVALID_FRAME if messages else "")
