"""Autosave with a ceiling (issue 12 item 6): continuous typing cannot postpone the save; a killed
program's draft is offered on the start page with one click; drafts are named after the project."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from zscq_desktop.core import flow


def _cover_page(window):
    return next(s.id for s in window._specs if s.section == "cover")


def test_continuous_typing_is_saved_while_it_goes_on(window, qtbot, type_text):
    assert window.new_submission()
    session = window.session
    session.edit("direction", "creation-pilot")
    window.goto(_cover_page(window))
    edit = window.current_page().rows["form.cover.project_name"].editor.edit
    saved_during_typing: list[str] = []
    session.saved_changed.connect(
        lambda ok: ok and saved_during_typing.append(session.submission.get("form.cover.project_name") or ""))
    text = "专利导航服务能力提升项目" * 3
    for ch in text:  # one character every 60 ms for ≈ 2 s: the debounce alone would never fire
        type_text(edit, ch)
        qtbot.wait(60)
        if saved_during_typing:
            break
    assert saved_during_typing, "nothing reached the disk while typing went on"
    assert edit.text().startswith(saved_during_typing[0]) and saved_during_typing[0]


CRASHING_WINDOW = r"""
import os, sys, time
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from zscq_desktop.ui.app import make_app
from zscq_desktop.ui.window import MainWindow
app = make_app()
w = MainWindow.create()
w.show()
w.new_submission()
w.session.edit("direction", "creation-pilot")
w.goto(next(s.id for s in w._specs if s.section == "cover"))
edit = w.current_page().rows["form.cover.project_name"].editor.edit
edit.setFocus()
for ch in "滨海新区知识产权服务中心建设项目一期工程":  # 1.2 s of typing, never a 0.5 s pause
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(edit, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))
    end = time.monotonic() + 0.06
    while time.monotonic() < end:  # the user keeps typing: never a pause of 0.5 s
        app.processEvents()
        time.sleep(0.005)
print(w.session.path, flush=True)
os._exit(9)  # killed mid-typing: no close, no cleanup
"""


@pytest.mark.skipif(sys.platform == "win32", reason="kills a child process the POSIX way")
def test_killed_while_typing_start_page_offers_the_recovered_draft(window, qtbot):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", CRASHING_WINDOW], env=env, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 9, proc.stderr
    path = Path(proc.stdout.strip().splitlines()[-1])
    start = window.page(flow.START)
    start.load()
    assert start.recovered_box.isVisibleTo(window)
    notice = " ".join(lbl.text() for lbl in start.recovered_box.findChildren(type(start.banner)))
    assert "上次程序没有正常退出" in notice
    assert "已恢复草稿《滨" in notice  # named after the project typed before the kill (not 新申报-…)
    assert len(start.recovered_buttons) == 1
    qtbot.mouseClick(start.recovered_buttons[0], Qt.MouseButton.LeftButton)
    assert window.session is not None and window.session.path == path
    assert window.session.submission.get("form.cover.project_name").startswith("滨")
    window.goto(flow.START)
    assert not start.recovered_box.isVisibleTo(window)  # opened: no longer offered


def test_a_normally_closed_draft_is_not_offered_and_is_named_after_the_project(window, qtbot):
    from zscq_desktop.store.profiles import drafts_dir

    assert window.new_submission()
    window.session.edit("direction", "creation-pilot")
    window.session.edit("unit.name", "天津某某科技有限公司")
    old = window.session.path
    assert old.name.startswith("新申报-")
    window.session.edit("form.cover.project_name", "专利导航/项目:一期")
    window.set_session(None)
    named = drafts_dir() / "专利导航项目一期.zscq"  # what a file name cannot hold is left out
    assert not old.exists() and named.is_file(), sorted(p.name for p in drafts_dir().iterdir())
    start = window.page(flow.START)
    start.load()
    assert not start.recovered_box.isVisibleTo(window)
    texts = [start.recent.item(i).text() for i in range(start.recent.count())]
    assert any(t.startswith("专利导航/项目:一期") for t in texts), texts
    assert window.open_path(named)
    assert window.session.submission.get("form.cover.project_name") == "专利导航/项目:一期"
