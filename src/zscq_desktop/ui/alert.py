"""A message box usable before any window exists (the windowed program's replacement for stderr)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox


def show_error(title: str, message: str) -> None:
    """Show `message` in a modal error box, creating the QApplication if there is none yet."""
    app = QApplication.instance() or QApplication([])  # noqa: F841 - must live while the box is shown
    QMessageBox.critical(None, title, message)
