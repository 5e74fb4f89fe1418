"""Start-up stays light (issue 15): `zscq-desktop` paints its start page — the call list, the recent
files and the notice of a draft a killed program left open — without loading the export, PDF, Word,
image, mail or SQLite layers, the other wizard pages or the crash dialog. Each would fail here if an
import brought it back onto the start-up path. No timing is asserted: only which modules are loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Modules (and packages: everything under them) the first picture of the start page must not load.
HEAVY = (
    "reportlab", "pikepdf", "pypdf", "PIL", "docx", "lxml", "keyring", "sqlite3", "_sqlite3", "logging.handlers",
    "tomllib",  # the call data comes from its parsed copy once a start has read it (call.loader._parsed)
    "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtSvg", "PySide6.QtNetwork",
    "zscq_desktop.render", "zscq_desktop.volume", "zscq_desktop.attachments", "zscq_desktop.package",
    "zscq_desktop.mail", "zscq_desktop.checks", "zscq_desktop.docio", "zscq_desktop.store.document",
    "zscq_desktop.core.rules", "zscq_desktop.core.sample", "zscq_desktop.core.submission",
    "zscq_desktop.call.pack", "zscq_desktop.wordio.reader", "zscq_desktop.ui.session",
    "zscq_desktop.ui.crash_dialog", "zscq_desktop.ui.call_dialogs", "zscq_desktop.ui.preview",
    "zscq_desktop.ui.word_import_dialog", "zscq_desktop.ui.mail_dialog",
    *(f"zscq_desktop.ui.pages.{name}" for name in (
        "direction", "eligibility", "unit", "form", "plan", "attachments", "review", "export")),
)

# Not before the first picture either, though loaded right after it: the call model and its loader (the
# start page shows the call from the summary the loader recorded when it last checked the call's files).
BEFORE_PAINT = ("zscq_desktop.call.model", "zscq_desktop.call.loader", "decimal")

# A program killed while a draft was open: the next start must offer that draft (recent files and
# the recovery notice are what the start page reads from the user data folder).
KILLED_EDITOR = r"""
import os
from PySide6.QtWidgets import QApplication
from zscq_desktop.call import load_call
from zscq_desktop.store import recovery
from zscq_desktop.ui.session import Session
app = QApplication([])
s = Session.new(load_call())
s.edit("direction", "gi-protection")
s.edit("form.cover.project_name", "启动测试项目")
s.save_now()
recovery.mark_open(s.path)
print(s.path, flush=True)
os._exit(9)
"""

# The real entry point, as `zscq-desktop` runs it; once the window has painted its first picture, what
# is loaded is recorded, then (after the focus has been settled) what the start page shows.
START = r"""
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from zscq_desktop import cli
from zscq_desktop.core import flow
from zscq_desktop.ui import app as gui

seen = {}
show = gui.show_main_window


class FirstPicture(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, painted)
        return False


def painted():
    seen["modules"] = sorted(sys.modules)
    QTimer.singleShot(0, settled)


def settled():
    try:
        look()
    except Exception as exc:  # reported, never left to the crash dialog (which would wait for a click)
        seen["error"] = repr(exc)
    QApplication.instance().quit()


def look():
    page = window.current_page()
    seen["page"] = window.current_page_id
    seen["calls"] = page.calls_box.ids()
    seen["recent"] = [page.recent.item(i).text() for i in range(page.recent.count())]
    seen["recovered"] = [b.accessibleName() for b in page.recovered_buttons] if page.recovered_box.isVisibleTo(window) else []
    seen["directions"] = [page.sample_direction.itemData(i) for i in range(page.sample_direction.count())]
    focus = QApplication.focusWidget()
    seen["focus"] = focus.accessibleName() if focus is not None else None
    seen["other_pages_built"] = sorted(p for p in window._pages if p != flow.START)
    from PySide6.QtGui import QFontDatabase
    seen["fonts"] = [f for f in ("HanaMinA", "HanaMinB", "Noto Serif CJK SC") if f in QFontDatabase.families()]
    seen["after"] = sorted(sys.modules)


def show_main_window(path=None):
    global window
    window = show(path)
    window.installEventFilter(FirstPicture(window))
    return window


gui.show_main_window = show_main_window
rc = cli.main([])  # no argument, as the Start-menu shortcut starts it
print(json.dumps({"rc": rc, **seen}, ensure_ascii=False))
"""


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


@pytest.mark.skipif(sys.platform == "win32", reason="kills a child process the POSIX way")
def test_start_page_paints_without_the_heavy_layers(tmp_path: Path, call) -> None:
    user = tmp_path / "user"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ZSCQ_USER_DIR=str(user),
               XDG_CONFIG_HOME=str(tmp_path / "config"))  # QSettings of the child, not the user's
    killed = subprocess.run([sys.executable, "-c", KILLED_EDITOR], env=env, capture_output=True, text=True,
                            timeout=120)
    assert killed.returncode == 9, killed.stderr
    proc = subprocess.run([sys.executable, "-c", START], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "error" not in seen and seen["rc"] == 0 and seen["page"] == "start", seen

    assert _heavy(seen["modules"]) == []  # nothing heavy before the first picture …
    assert [m for m in BEFORE_PAINT if m in seen["modules"]] == []
    assert "zscq_desktop.call.model" in seen["after"]  # … the call is loaded (and checked) right after it
    assert _heavy(seen["after"]) == []  # … nor once the focus is on the page
    assert seen["other_pages_built"] == []  # the other pages are built when first visited

    # what the start page shows is complete and read from the data, not left for later
    assert seen["directions"] == [d.id for d in call.directions]
    assert call.id in seen["calls"]
    assert any("启动测试项目" in line for line in seen["recent"]), seen["recent"]
    assert seen["recovered"] == ["打开恢复的草稿《启动测试项目》"]
    assert seen["focus"] == "打开恢复的草稿《启动测试项目》"  # keyboard users start on the notice, at the top
    bundled = {p.name for p in (Path(__file__).resolve().parents[2] / "resources" / "fonts").glob("*.ttf")}
    expected = {"HanaMinA-Sub.ttf": "HanaMinA", "HanaMinB.ttf": "HanaMinB", "NotoSerifSC-Regular.ttf": "Noto Serif CJK SC"}
    # the bundled fonts Qt uses for rare characters are registered right after the first picture
    assert seen["fonts"] == [family for file, family in expected.items() if file in bundled]
    log = (user / "logs" / "zscq-desktop.log").read_text(encoding="utf-8")
    assert "starting" in log  # the log file is written from the first moment


def test_pages_not_shown_at_start_up_are_built_on_demand(window) -> None:
    from zscq_desktop.core import flow

    assert set(window._pages) == {flow.START}  # only the page on screen exists after start-up
    assert window.new_submission()
    review = window.page(flow.REVIEW)  # any page, built when asked for
    assert review is window.page(flow.REVIEW) and window.stack.indexOf(review) >= 0


def test_feature_scan_is_off_and_pyside_still_works() -> None:
    import shibokensupport.feature as feature  # type: ignore[import-not-found]

    from zscq_desktop.ui.feature_scan import skip_feature_scan

    assert skip_feature_scan()
    assert feature._mod_uses_pyside(sys.modules[__name__]) is False  # no source file is read any more
    from PySide6.QtCore import QObject, Signal

    class Probe(QObject):
        fired = Signal(str)

    got: list[str] = []
    probe = Probe()
    probe.fired.connect(got.append)
    probe.fired.emit("好")
    assert got == ["好"] and probe.objectName() == ""  # Qt names unchanged (no snake_case switching)


def test_no_argument_starts_the_wizard_as_the_parser_would() -> None:
    """`zscq-desktop` with no argument skips building the parser of every command: what it passes to
    the wizard must be exactly what that parser makes of an empty command line."""
    from zscq_desktop import cli

    parser = cli.build_parser()
    assert vars(cli.wizard_args()) == vars(parser.parse_args(cli.route([], cli.commands(parser))))


def test_log_file_rotates_at_its_size_and_keeps_three_old_files(tmp_path: Path) -> None:
    """The log handler that replaced `logging.handlers.RotatingFileHandler` (not imported at start-up)
    rotates the same way: ``.1`` is the newest old file, at most `backups` are kept, nothing is lost
    from the current file and no file grows past the limit."""
    import logging

    from zscq_desktop.ui.app import RotatingLog

    file = tmp_path / "app.log"
    handler = RotatingLog(file, max_bytes=200, backups=3)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("test.rotating")
    log.propagate = False
    log.addHandler(handler)
    try:
        for i in range(40):
            log.warning("第%02d条记录 %s", i, "x" * 20)  # 30 characters a line
    finally:
        log.removeHandler(handler)
        handler.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["app.log", "app.log.1", "app.log.2", "app.log.3"]
    assert all(len(p.read_text(encoding="utf-8")) <= 200 for p in tmp_path.iterdir())
    def numbers(name: str) -> list[int]:
        return [int(line[1:3]) for line in (tmp_path / name).read_text(encoding="utf-8").splitlines()]

    kept = numbers("app.log.3") + numbers("app.log.2") + numbers("app.log.1") + numbers("app.log")
    assert kept == list(range(kept[0], 40))  # oldest to newest without a gap, the last record included
