"""Screenshots of every page of the wizard at 1366×768, for docs/ and the README.

    xvfb-run -a -s "-screen 0 1366x768x24" python docs/take_screenshots.py [--out docs/screenshots]

Runs the real application on the X server (xcb, as users see it; ``QT_QPA_PLATFORM=offscreen``
works too) in a throw-away user folder: the start page, then the creation-pilot sample opened and
every page of the navigation in order, a real export with its preview, the e-mail and crash
dialogs, and the Word import dialog.  Each file is named ``NN-<page id>.png`` (the Word import:
``word-import-*.png``); ``docs/README.md`` lists them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
W, H = 1366, 768


def _settle(app, seconds: float = 0.3) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)


def _shoot(app, widget, path: Path) -> None:
    _settle(app)
    screen = app.primaryScreen()
    # the whole screen, so a dialog shows over the window exactly as the user sees it
    shot = screen.grabWindow(0) if os.environ.get("QT_QPA_PLATFORM", "xcb") == "xcb" else widget.window().grab()
    shot.save(str(path))
    print(path)


def _file_id(page_id: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", page_id.lower()).strip("-")


def _word_import_shots(app, window, files: list[Path], work: Path, out: Path) -> None:
    """文件 → 从 Word 导入修改…: the exported 申报书 edited as a colleague would (the tests' editing
    helper: text, a table cell, a row, a tracked change, a comment, a label), one field changed in
    the app too (a conflict), and a plan typed by hand in Word."""
    sys.path.insert(0, str(HERE.parent / "tests" / "wordio"))
    from wordedit import Edit, hand_written_plan

    from zscq_desktop.ui import word_import_dialog as wid

    form = next(f for f in files if f.name.startswith("申报书") and f.suffix == ".docx")
    e = Edit(form)
    e.set_text("unit.address", "天津市南开区新址路1号")
    e.set_text("unit.bank", "Word 中改的开户行")
    e.set_cell("form.team.members", 2, 2, "高级工程师")
    e.add_row("form.team.members", 3, ["4", "孙示例", "工程师", "本科/计算机", "数据分析"])
    e.track("form.content.benefits", "并在项目结束后三年内持续跟踪专利运用效果。")
    e.comment("unit.address", "请核对新地址（已搬迁）")
    e.replace_frame("通讯地址", "通信地址")
    e.save()
    window.session.edit("unit.bank", "程序中改过的开户行")
    plan = work / "去年手写的实施方案.docx"
    hand_written_plan(plan)
    for name, path, select in (("word-import-tracked", form, "form.content.benefits"),
                               ("word-import-conflict", form, "unit.bank"),
                               ("word-import-foreign", plan, "plan.sections.background")):
        def show(dlg, name=name, select=select) -> bool:
            dlg.show()
            dlg.move(window.geometry().center() - dlg.rect().center())
            for i, x in enumerate(dlg.found.differences):
                if x.path == select:
                    dlg.table.setCurrentCell(i, 1)
            _shoot(app, dlg, out / f"{name}.png")
            dlg.close()
            return False

        wid.show_dialog = show
        wid.run_import(window, path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=HERE / "screenshots")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        old.unlink()
    work = Path(tempfile.mkdtemp(prefix="zscq-shots-"))
    os.environ["ZSCQ_USER_DIR"] = str(work / "user")
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

    from PySide6.QtCore import QSettings, QStandardPaths, QTimer

    # never the real settings of whoever runs this, nor those left by a benchmark or test
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    from zscq_desktop.core import flow
    from zscq_desktop.ui import crash, jobs
    from zscq_desktop.ui.app import make_app
    from zscq_desktop.ui.pages import export as export_page
    from zscq_desktop.ui.widgets import dialogs
    from zscq_desktop.ui.window import MainWindow

    app = make_app()
    dialogs.inform = lambda *a, **k: print("dialog:", a[1:3], file=sys.stderr)
    export_page.open_url = lambda url: True
    window = MainWindow.create()
    if window is None:
        return 2
    window.setGeometry(0, 0, W, H)
    window.show()
    n = 0

    def shot(name: str, widget=None) -> None:
        nonlocal n
        n += 1
        _shoot(app, widget or window, args.out / f"{n:02d}-{name}.png")

    shot("start")
    assert window.open_sample("creation-pilot")
    assert jobs.wait_idle(120)
    window.session.refresh_findings()
    for spec in flow.pages(window.call, window.session.submission):
        if spec.id in (flow.START, flow.EXPORT):
            continue
        window.goto(spec.id)
        _settle(app, 0.5 if spec.id == flow.ATTACHMENTS else 0.2)
        shot(_file_id(spec.id))

    window.goto(flow.EXPORT)
    page = window.current_page()
    page.folder_edit.setText(str(work / "文档" / "申报材料"))
    shot("export-before")
    page.start_export()
    deadline = time.perf_counter() + 300
    while page.job is not None and time.perf_counter() < deadline:
        _settle(app, 0.05)
    _settle(app, 1.0)  # the preview renders its first page in the background
    shot("export-done")

    if page.result is not None and page.result.zip is not None:
        from zscq_desktop.ui.mail_dialog import MailDialog

        dialog = MailDialog(window.session, page.result.zip, window)
        dialog.account_edit.setText("zhangsan@163.com")
        dialog._account_done()
        dialog.show()
        dialog.move(window.geometry().center() - dialog.rect().center())
        shot("mail-dialog", dialog)
        dialog.close()

    report = crash.CrashReport(crash.SUMMARY, "Traceback (most recent call last):\n  …\nRuntimeError: 示例错误",
                               crash.log_dir() / "crash-20230520-101500.log", RuntimeError)
    crash_dialog = crash.CrashDialog(report, window)
    crash_dialog.show()
    crash_dialog.move(window.geometry().center() - crash_dialog.rect().center())
    shot("crash-dialog", crash_dialog)
    crash_dialog.close()

    if page.result is not None:
        _word_import_shots(app, window, page.result.files, work, args.out)

    # a fresh draft: the review page full of errors (long messages wrap inside the window)
    assert window.new_submission()
    window.session.edit("direction", "creation-pilot")
    window.session.edit("unit.name", "天津示例新材料科技有限公司")
    window.goto(flow.REVIEW)
    shot("review-errors")

    QTimer.singleShot(0, window.close)
    _settle(app, 0.2)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
