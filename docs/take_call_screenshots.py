"""Screenshots for the README's "yearly call is data" section: the start page listing two calls, the
import dialog of a pack and the 年度对比 dialog.

    Xvfb :18 -screen 0 1366x768x24 &  DISPLAY=:18 QT_QPA_PLATFORM=xcb python docs/take_call_screenshots.py

Works in a throw-away user folder: `call new` makes next year's call from the built-in one (a cap and a
form field changed), `call pack` packs it, and the pack is installed; a second pack from another office
is shown in the import dialog (not installed). Writes ``docs/screenshots/calls/*.png``.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _make_pack(work: Path, new_id: str, other_office: bool) -> Path:
    from zscq_desktop.call.registry import list_calls
    from zscq_desktop.cli import main

    base = list_calls()[-1].id  # the oldest call, the one every next year starts from
    folder = work / new_id
    assert main(["call", "new", new_id, "--from", base, "--out", str(folder)]) == 0
    call_toml = folder / "call.toml"
    _edit(call_toml, "cap_wan = 10\n", "cap_wan = 12\n")
    _edit(call_toml, "max_funded = 50\n", "max_funded = 60\n")
    form = next(f for f in sorted(folder.glob("form-*.toml")) if 'key = "experience"' in f.read_text(encoding="utf-8"))
    _edit(form, "max_chars = 5000\n", "max_chars = 3000\n")  # a form field's limit changes
    if other_office:
        text = call_toml.read_text(encoding="utf-8")
        text = re.sub(r'submit_email = "[^"]*"', 'submit_email = "apply@example.org"', text)
        text = re.sub(r'\naddress = "[^"]*"', '\naddress = "示例区示例路1号"', text)
        call_toml.write_text(text, encoding="utf-8")
    out = work / f"{new_id}.zscqcall"
    assert main(["call", "pack", str(folder), "-o", str(out)]) == 0
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=HERE / "screenshots" / "calls")
    p.add_argument("--year", type=int, default=2027, help="the year of the next call (its deadline must lie ahead)")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="zscq-call-shots-"))
    os.environ["ZSCQ_USER_DIR"] = str(work / "user")
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

    from PySide6.QtCore import QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "qsettings"))

    from zscq_desktop.call.pack import install, read_pack
    from zscq_desktop.ui.app import make_app

    next_id = f"next-{args.year}"
    install(read_pack(_make_pack(work, next_id, other_office=False)))
    other = _make_pack(work, f"district-{args.year}", other_office=True)

    app = make_app()
    from zscq_desktop.ui.call_dialogs import CallDiffDialog, CallImportDialog
    from zscq_desktop.ui.window import MainWindow

    window = MainWindow.create()
    assert window is not None
    window.resize(1366, 740)
    window.show()
    _shoot(app, window, args.out / "start-two-calls.png")
    dialog = CallImportDialog(read_pack(other), window)
    dialog.show()
    _shoot(app, dialog, args.out / "import-dialog.png")
    dialog.close()
    diff = CallDiffDialog(window)
    diff.resize(1100, 640)
    diff.show()
    _shoot(app, diff, args.out / "differences.png")
    diff.close()
    window.close()
    return 0


def _shoot(app, widget, path: Path) -> None:
    import time

    end = time.perf_counter() + 0.5
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)
    on_screen = os.environ.get("QT_QPA_PLATFORM", "xcb") == "xcb"
    shot = app.primaryScreen().grabWindow(0) if on_screen else widget.window().grab()
    shot.save(str(path))
    print(path)


if __name__ == "__main__":
    raise SystemExit(main())
