"""Autosave ceiling under continuous typing: how long after a keystroke its character is on disk.

    python bench/bench_autosave_ceiling.py [--seconds 20] [--gap-ms 40:120] [--json]

Opens the real window offscreen, starts a new draft and types into the first section of the 实施方案 without ever pausing
long enough for the 0.5 s debounce (one character every 40–120 ms, random). Every
`Document.save()` is timestamped together with what it wrote; for each keystroke the latency is
the time until the first save that contains it. Target (issue 12 item 6): p99 ≤ 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time

from bench_autosave import percentile  # the script's folder is on sys.path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--gap-ms", default="40:120")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    lo, hi = (int(x) for x in args.gap_ms.split(":"))
    os.environ.setdefault("ZSCQ_USER_DIR", tempfile.mkdtemp(prefix="zscq-ceiling-"))

    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from zscq_desktop.ui.app import make_app
    from zscq_desktop.ui.window import MainWindow

    app = make_app()
    window = MainWindow.create()
    window.show()
    window.new_submission()
    session = window.session
    session.edit("direction", "creation-pilot")
    from zscq_desktop.core import flow

    window.goto(flow.PLAN)
    path, editor = next(iter(window.current_page().editors.items()))
    key = path.rsplit(".", 1)[1]
    edit = editor.edit
    edit.setFocus()

    saves: list[tuple[float, int]] = []  # (time, length of the project name written)
    real_save = session.document.save

    def timed_save(data: dict, **kw) -> None:
        real_save(data, **kw)
        text = ((data.get("plan") or {}).get("sections") or {}).get(key) or ""
        saves.append((time.monotonic(), len(text)))

    session.document.save = timed_save
    typed: list[float] = []  # keystroke k (1-based length) at typed[k-1]
    rng = random.Random(12)
    text = "知识产权服务能力提升项目"
    end = time.monotonic() + args.seconds
    i = 0
    while time.monotonic() < end:
        ch = text[i % len(text)]
        i += 1
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(edit, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))
        typed.append(time.monotonic())
        pause = time.monotonic() + rng.uniform(lo, hi) / 1000
        while time.monotonic() < pause:
            app.processEvents()
            time.sleep(0.002)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    latencies = []
    for k, t in enumerate(typed, start=1):
        first = next((ts for ts, n in saves if n >= k and ts >= t), None)
        if first is not None:
            latencies.append((first - t) * 1000)
    result = {"keystrokes": len(typed), "saves": len(saves), "median_ms": round(statistics.median(latencies), 1),
              "p99_ms": round(percentile(latencies, 0.99), 1), "max_ms": round(max(latencies), 1),
              "typing_s": round(typed[-1] - typed[0], 2)}
    window.close()
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['keystrokes']} keystrokes over {result['typing_s']} s, {result['saves']} saves; "
              f"keystroke → on disk: median {result['median_ms']} ms, p99 {result['p99_ms']} ms, "
              f"max {result['max_ms']} ms (target p99 ≤ 1000 ms)")


if __name__ == "__main__":
    main()
