"""One undo history: text widgets give Ctrl+Z / Ctrl+Y (and Ctrl+Shift+Z) to the window.

A QLineEdit or QPlainTextEdit keeps its own undo history and claims the undo keys before any window
shortcut sees them (it accepts the ShortcutOverride event). `route_undo_keys(widget)` turns the
widget's own history off where Qt allows it and lets the keys through to the window's 撤销/重做
actions, which undo the document's last merged typing step (`ui.undo`). A key press that still
arrives (no window action, e.g. a widget shown alone) is swallowed, so a text box never undoes
behind the document's back.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit, QWidget

_REDO_Y = QKeySequence("Ctrl+Y")


def is_undo_key(event: QKeyEvent) -> bool:
    """Ctrl+Z, Ctrl+Y or Ctrl+Shift+Z (the platform's undo and redo keys)."""
    if event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo):
        return True
    combo = event.keyCombination()
    return QKeySequence(combo) == _REDO_Y or (
        combo.key() == Qt.Key.Key_Z and combo.keyboardModifiers() == (Qt.KeyboardModifier.ControlModifier
                                                                      | Qt.KeyboardModifier.ShiftModifier))


class _UndoKeys(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 — Qt API
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(event, QKeyEvent) \
                and is_undo_key(event):
            event.ignore()  # not claimed: the window's 撤销/重做 shortcut fires
            return True
        return False


_FILTER = _UndoKeys()
W = TypeVar("W", bound=QWidget)


def route_undo_keys(widget: W) -> W:
    """Turn off `widget`'s own undo history and route the undo keys to the window; returns it."""
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        widget.setUndoRedoEnabled(False)
    elif isinstance(widget, QLineEdit):
        pass  # QLineEdit's history cannot be turned off: the filter keeps its keys away from it
    widget.installEventFilter(_FILTER)
    return widget
