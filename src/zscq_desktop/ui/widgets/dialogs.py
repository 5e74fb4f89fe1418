"""Every modal dialog of the wizard pages behind a small function, so tests can replace it.

Tests monkeypatch these functions (``dialogs.ask = lambda *a, **k: True``); the pages call them
through the module (``dialogs.ask(...)``), never by importing the names. The Qt dialog classes are
imported when a dialog opens: the window imports this module at start-up, before any dialog is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


def ask(parent: QWidget | None, title: str, text: str, *, ok: str = "确定", cancel: str = "取消") -> bool:
    """A yes/no question; True when the user chose `ok`."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton(ok, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(cancel, QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is yes


def choose(parent: QWidget | None, title: str, text: str, options: list[str], *, cancel: str = "取消") -> int | None:
    """A question with several answers; the index of the chosen option, None for `cancel` / Esc."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    buttons = [box.addButton(o, QMessageBox.ButtonRole.AcceptRole) for o in options]
    box.setEscapeButton(box.addButton(cancel, QMessageBox.ButtonRole.RejectRole))
    box.exec()
    clicked = box.clickedButton()
    return next((i for i, b in enumerate(buttons) if b is clicked), None)


def inform(parent: QWidget | None, title: str, text: str, *, warning: bool = False) -> None:
    """A message with one 确定 button (a warning icon for problems)."""
    from PySide6.QtWidgets import QMessageBox

    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, parent=parent)
    box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
    box.exec()


def get_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """One line of text, or None when cancelled."""
    from PySide6.QtWidgets import QInputDialog

    value, ok = QInputDialog.getText(parent, title, label, text=text)
    return value if ok else None


def open_file(parent: QWidget | None, title: str, folder: str, filter_: str) -> Path | None:
    from PySide6.QtWidgets import QFileDialog

    name, _ = QFileDialog.getOpenFileName(parent, title, folder, filter_)
    return Path(name) if name else None


def open_files(parent: QWidget | None, title: str, folder: str, filter_: str) -> list[Path]:
    from PySide6.QtWidgets import QFileDialog

    names, _ = QFileDialog.getOpenFileNames(parent, title, folder, filter_)
    return [Path(n) for n in names]


def save_file(parent: QWidget | None, title: str, suggested: str, filter_: str) -> Path | None:
    from PySide6.QtWidgets import QFileDialog

    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filter_)
    return Path(name) if name else None
