"""Session and shell: autosave to disk within a second, surviving the window; damaged files; 另存为."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt

from zscq_desktop.core import flow


def _on_disk(path: Path) -> dict:
    from zscq_desktop.store.document import Document

    with Document.open(path, readonly=True) as doc:
        return doc.load()


def test_new_draft_autosaves_within_a_second_and_survives_closing(window, qtbot, type_text):
    qtbot.mouseClick(window.page(flow.START).new_button, Qt.MouseButton.LeftButton)
    session = window.session
    assert session is not None and session.is_draft
    from zscq_desktop.store.profiles import drafts_dir

    assert session.path.parent == drafts_dir() and session.path.exists()
    assert window.current_page_id == flow.DIRECTION
    page = window.page(flow.DIRECTION)
    page.select("patent-navigation")
    qtbot.mouseClick(page.choose_button, Qt.MouseButton.LeftButton)
    assert session.submission.direction == "patent-navigation"
    assert window.current_page_id == flow.ELIGIBILITY

    window.goto(flow.UNIT)
    unit = window.page(flow.UNIT)
    edit = unit.rows["unit.name"].editor.edit
    started = time.monotonic()
    type_text(edit, "天津测试单位")
    assert "未保存" in window.windowTitle()
    qtbot.waitUntil(lambda: _on_disk(session.path)["unit"].get("name") == "天津测试单位", timeout=1000)
    assert time.monotonic() - started < 1.5
    qtbot.waitUntil(lambda: "已保存" in window.windowTitle(), timeout=1000)

    path = session.path
    qtbot.keyClicks(edit, "X")  # typed and the window closed at once: still on disk
    window.close()
    assert not path.exists()  # closed normally: the draft now carries the unit's name
    data = _on_disk(path.with_name("天津测试单位X.zscq"))
    assert data["unit"]["name"] == "天津测试单位X"
    assert data["direction"] == "patent-navigation"
    assert [r["key"] for r in data["plan"]["indicators"]]  # pre-filled with the direction's indicators


def test_reopen_restores_the_last_state(window, qtbot, tmp_path, dialogs_recorder):
    assert window.open_sample("creation-pilot")
    session = window.session
    session.edit("form.cover.project_name", "重新打开测试")
    dialogs_recorder.save_path = tmp_path / "我的申报"
    draft = session.path
    assert window.save()  # Ctrl+S on a draft asks where to keep it
    target = tmp_path / "我的申报.zscq"
    assert session.path == target and not session.is_draft and not draft.exists()
    assert window.windowTitle().startswith("我的申报.zscq")
    window.close()
    assert window.open_path(target)
    assert window.session.submission.get("form.cover.project_name") == "重新打开测试"
    assert len(window.session.submission.attachments) == 2
    from zscq_desktop.store.profiles import RecentFiles

    assert RecentFiles().list()[0] == target


def test_damaged_file_shows_message_and_is_not_modified(window, tmp_path, dialogs_recorder):
    bad = tmp_path / "损坏.zscq"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x13" * 3000)
    before = bad.read_bytes()
    assert not window.open_path(bad)
    title, text = dialogs_recorder.messages[-1]
    assert title == "无法打开文件" and "损坏.zscq" in text and "未被修改" in text
    assert bad.read_bytes() == before
    assert window.session is None

    foreign = tmp_path / "别的.zscq"
    foreign.write_text("这不是申报文件", encoding="utf-8")
    assert not window.open_path(foreign)
    assert "别的.zscq" in dialogs_recorder.messages[-1][1]


def test_open_file_dialog_and_json_import(window, qtbot, tmp_path, dialogs_recorder, call):
    from zscq_desktop.core.sample import write_sample

    write_sample(call, "innovation-culture", tmp_path / "示例.json")
    dialogs_recorder.open_path = tmp_path / "示例.json"
    assert window.open_file()
    # imported in the background: the window shows it is busy and refuses a second opening meanwhile
    assert window.opening is not None and window.busy_bar.isVisibleTo(window)
    assert not window.new_submission()
    qtbot.waitUntil(lambda: window.opening is None, timeout=30000)
    assert not window.busy_bar.isVisibleTo(window)
    s = window.session
    assert s.is_draft and s.submission.direction == "innovation-culture"
    assert len(s.submission.attachments) == 2 and all(s.document.has_blob(a.sha256) for a in s.submission.attachments)
    assert "form:work_base" in [window.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.nav.count())]


def test_about_dialog_lists_font_licences(window, qtbot):
    from zscq_desktop.ui.about import AboutDialog

    dlg = AboutDialog(window.call, window)
    qtbot.addWidget(dlg)
    tabs = dlg.findChild(__import__("PySide6.QtWidgets", fromlist=["QTabWidget"]).QTabWidget)
    texts = [tabs.widget(i).toPlainText() for i in range(tabs.count())]
    assert "版本" in texts[0]
    assert any("SIL OPEN FONT LICENSE" in t.upper() for t in texts[1:])


def test_chinese_qt_strings_and_geometry_remembered(window, qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    window.resize(780, 540)
    window.close()
    from zscq_desktop.ui.window import MainWindow

    again = MainWindow.create()
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (780, 540)


CRASHING_EDITOR = r"""
import os, sys, time
from PySide6.QtWidgets import QApplication
from zscq_desktop.call import load_call
from zscq_desktop.ui.session import Session
app = QApplication([])
s = Session.new(load_call())
s.edit("direction", "gi-protection")
s.edit("unit.name", "断电前输入的单位")
deadline = time.monotonic() + 1.0
while time.monotonic() < deadline:  # the event loop runs for a second, as it would while typing
    app.processEvents()
    time.sleep(0.01)
print(s.path, flush=True)
os._exit(9)  # killed: no close(), no cleanup
"""


def test_process_killed_after_typing_loses_nothing(window, tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", CRASHING_EDITOR], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 9, proc.stderr
    path = Path(proc.stdout.strip())
    start = window.page(flow.START)
    start.load()
    listed = [start.recent.item(i).data(Qt.ItemDataRole.UserRole) for i in range(start.recent.count())]
    assert str(path) in listed  # the draft is offered again on the start page
    assert "草稿" in start.recent.item(listed.index(str(path))).text()
    assert window.open_path(path)
    assert window.session.submission.unit["name"] == "断电前输入的单位"
    assert window.session.submission.direction == "gi-protection"


def test_blank_new_draft_leaves_nothing_behind(window, qtbot):
    assert window.new_submission()
    path = window.session.path
    assert path.exists()
    window.close()
    assert not path.exists()
    from zscq_desktop.store.profiles import RecentFiles

    assert path not in RecentFiles().list()


RUN_APP = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from zscq_desktop.ui import app as app_module

def finish():
    win = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow")
    print("TITLE", win.windowTitle(), "PAGE", win.current_page_id, flush=True)
    win.close()
    QApplication.quit()

app_module.make_app()  # the timer needs the application; run() reuses it
QTimer.singleShot(1500, finish)
sys.exit(app_module.run(Path(sys.argv[1])))
"""


def test_run_opens_a_file_and_logs(tmp_path, call):
    """`zscq-desktop gui FILE`: the real entry point in its own process."""
    import os
    import subprocess
    import sys

    from zscq_desktop.core.sample import write_sample

    write_sample(call, "creation-pilot", tmp_path / "示例.json")
    user = tmp_path / "user"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ZSCQ_USER_DIR=str(user))
    proc = subprocess.run([sys.executable, "-c", RUN_APP, str(tmp_path / "示例.json")], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "TITLE 高质量知识产权创造试点项目（示例）（草稿）" in proc.stdout and "PAGE review" in proc.stdout
    log = (user / "logs" / "zscq-desktop.log").read_text(encoding="utf-8")
    assert "starting" in log


DISK_FULL_GUI = r"""
import json, os, sys
from PySide6.QtWidgets import QApplication
from zscq_desktop.call import load_call
from zscq_desktop.ui.session import Session, SessionError
app = QApplication([])
s = Session.new(load_call())
failures = []
s.save_failed.connect(failures.append)
s.edit("unit.name", "磁盘满之前")
s.save_now()
result = {"saved_first": not s.dirty}
try:
    for i in range(20):  # attachments until the disk is full
        s.add_attachment_bytes(os.urandom(400_000), f"扫描件{i}.pdf", "other")
    result["attach_error"] = ""
except SessionError as exc:
    result["attach_error"] = str(exc)
s.edit("unit.name", "磁盘满之后仍在内存中")
s.save_now()
result.update(failures=failures, dirty=s.dirty, in_memory=s.submission.unit["name"])
print(json.dumps(result, ensure_ascii=False), flush=True)
os._exit(0)
"""


def test_full_disk_gives_a_chinese_message_and_keeps_the_text(tmp_path):
    """A real ENOSPC on a 1 MB tmpfs (skipped where a private mount namespace is not allowed)."""
    import json
    import os
    import shutil
    import subprocess
    import sys

    import pytest

    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("unshare -rm (user + mount namespace) is not available")
    folder = tmp_path / "small-disk"
    folder.mkdir()
    script = f'mount -t tmpfs -o size=1m tmpfs "$1" && ZSCQ_USER_DIR="$1" exec "{sys.executable}" -c "$2"'
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", str(folder), DISK_FULL_GUI], capture_output=True,
                          timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8"))
    if proc.returncode and b"mount" in proc.stderr:
        pytest.skip(f"tmpfs cannot be mounted here: {proc.stderr.decode(errors='replace')}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    result = json.loads(proc.stdout.decode("utf-8").strip().splitlines()[-1])
    assert result["saved_first"]
    assert "无法保存附件" in result["attach_error"] and "磁盘空间不足" in result["attach_error"], result
    assert result["in_memory"] == "磁盘满之后仍在内存中"
    # either the small edit still fitted, or the user was told and the edit is kept for a retry
    assert (not result["dirty"]) or (result["failures"] and "自动保存失败" in result["failures"][0])


def test_save_as_while_normalising_caches_into_the_new_document(window, tmp_path):
    from zscq_desktop.core.sample import example_attachments
    from zscq_desktop.ui import jobs

    assert window.new_submission()
    s = window.session
    _c, _t, name, data = example_attachments()[0]
    s.add_attachment_bytes(data, name, "qualification")
    assert s.normalize_pending() == 1  # its result is delivered on the next event-loop pass…
    s.save_as(tmp_path / "另存.zscq")  # …after the document changed under it
    assert jobs.wait_idle(60)
    assert s.path == tmp_path / "另存.zscq"
    assert s.attachment_state(0)[0] == "ok" and s.submission.attachments[0].pages == 1
    assert s.normalized_pdf(0)  # cached in the new document, so the thumbnail and export reuse it
