"""A document saved into a synced folder is warned about once, in the status bar (issue 9 item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zscq_desktop.system import locations


def test_the_window_shows_it_without_blocking(window, qtbot, tmp_path: Path, dialogs_recorder,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locations, "_checked", set())
    assert window.open_sample("creation-pilot")
    folder = tmp_path / "OneDrive"
    folder.mkdir()
    dialogs_recorder.save_path = folder / "申报.zscq"
    shown = len(dialogs_recorder.messages)
    assert window.save_as()
    qtbot.waitUntil(lambda: "OneDrive 同步文件夹" in window.statusBar().currentMessage())
    assert len(dialogs_recorder.messages) == shown  # no dialog
