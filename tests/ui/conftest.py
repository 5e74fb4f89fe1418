"""GUI test setup: offscreen Qt, test-mode standard paths, QSettings in a temporary folder, jobs run
inline, dialogs replaced by recorders (see `ui.widgets.dialogs`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _qt_settings_isolated(tmp_path_factory: pytest.TempPathFactory):
    from PySide6.QtCore import QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path_factory.mktemp("qsettings")))
    yield


class DialogRecorder:
    """Stands in for `ui.widgets.dialogs`: records messages, answers questions with `answer`."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        self.answer = True
        self.choice: int | None = 0  # what `dialogs.choose` answers (None = cancel)
        self.open_path: Path | None = None
        self.save_path: Path | None = None
        self.files: list[Path] = []
        self.text: str | None = None

    def install(self, monkeypatch: pytest.MonkeyPatch) -> "DialogRecorder":
        from zscq_desktop.ui.widgets import dialogs

        monkeypatch.setattr(dialogs, "inform", lambda parent, title, text, **k: self.messages.append((title, text)))
        monkeypatch.setattr(dialogs, "ask", lambda parent, title, text, **k: (self.messages.append((title, text)), self.answer)[1])
        monkeypatch.setattr(dialogs, "choose",
                            lambda parent, title, text, options, **k: (self.messages.append((title, text)), self.choice)[1])
        monkeypatch.setattr(dialogs, "open_file", lambda *a, **k: self.open_path)
        monkeypatch.setattr(dialogs, "open_files", lambda *a, **k: list(self.files))
        monkeypatch.setattr(dialogs, "save_file", lambda *a, **k: self.save_path)
        monkeypatch.setattr(dialogs, "get_text", lambda *a, **k: self.text)
        return self


@pytest.fixture
def dialogs_recorder(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    return DialogRecorder().install(monkeypatch)


@pytest.fixture
def window(qtbot, dialogs_recorder):
    """The main window at 1366×768, jobs inline; closed (and its session saved) afterwards."""
    from zscq_desktop.ui import jobs
    from zscq_desktop.ui.app import make_app
    from zscq_desktop.ui.window import MainWindow

    make_app()
    jobs.set_synchronous(True)
    w = MainWindow.create()
    assert w is not None
    qtbot.addWidget(w)
    w.resize(1366, 740)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitActive(w)
    yield w
    if w.session is not None:
        w.close()
    jobs.wait_idle(30)
    jobs.set_synchronous(False)


@pytest.fixture
def new_draft(window, qtbot):
    """`new_draft(direction)`: 新建 on the start page, then the direction chosen; returns the session."""
    from PySide6.QtCore import Qt

    from zscq_desktop.core import flow

    def make(direction: str = "creation-pilot"):
        qtbot.mouseClick(window.page(flow.START).new_button, Qt.MouseButton.LeftButton)
        page = window.page(flow.DIRECTION)
        assert page.select(direction)
        qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
        return window.session

    return make


@pytest.fixture
def type_text():
    """`type_text(widget, text)`: see `_type_text`."""
    return _type_text


def _type_text(widget, text: str) -> None:
    """Type `text` into `widget` as key events, one character each (QTest.keyClicks only handles
    ASCII; a Chinese input method delivers committed characters like this)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))
