"""文件 → 从 Word 导入修改… and Word files dropped on the window: the entry points of the Word import.

Kept apart from :mod:`ui.word_import_dialog` so that building the window imports only Qt: the dialog,
the Word reader (python-docx, lxml) and the zip checks load on the first import a user starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QDropEvent

WORD_SUFFIXES = (".docx", ".doc", ".wps")


def run_import(window: Any, path: Path | None = None) -> bool:
    """Start the Word import (the dialog module is loaded here, on first use)."""
    from zscq_desktop.ui.word_import_dialog import run_import as run

    return run(window, path)


def word_files(mime: Any) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls()
            if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in WORD_SUFFIXES]


class _DropFilter(QObject):
    """Word files dropped on the window (the attachments page takes its own drops before us)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 — Qt API
        if event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            drag = cast(QDropEvent, event)
            if word_files(drag.mimeData()):
                drag.acceptProposedAction()
                return True
        elif event.type() == QEvent.Type.Drop:
            drop = cast(QDropEvent, event)
            files = word_files(drop.mimeData())
            if files:
                drop.acceptProposedAction()
                run_import(self.window, files[0])
                return True
        return False


def install(window: Any) -> QAction:
    """Add 文件 → 从 Word 导入修改… (after 另存为) and accept Word files dropped on the window."""
    action = QAction("从 Word 导入修改(&W)…", window)
    action.triggered.connect(lambda: run_import(window))
    anchor = getattr(window, "save_as_action", None)
    menu = window.menuBar().actions()[0].menu()
    actions = menu.actions()
    after = actions.index(anchor) + 1 if anchor in actions else len(actions)
    menu.insertAction(actions[after] if after < len(actions) else None, action)
    window.word_import_action = action
    window.setAcceptDrops(True)
    window._word_drop = _DropFilter(window)
    window.installEventFilter(window._word_drop)
    return action
