"""Undo of a 100-row paste into 经费支出明细, in the real window (offscreen).

    python bench/bench_undo.py [--runs 20] [--json]

A new creation-pilot draft is opened in the main window, the 五、经费预算 page is shown, a 100-row
tab/newline block (item, 资助, 自筹, 测算依据) is put on the clipboard and pasted with Ctrl+V into the
expenses table. Then, ``--runs`` times: Ctrl+Z (the paste is taken back), Ctrl+Y (it is redone).
Each is timed from the key press until the window has handled it — the model changed, the page
reloaded and the table repainted (``processEvents``). The findings are recomputed on their own
debounce timer afterwards; that time is reported apart. Target: undo ≤ 50 ms (issue 12).

No numbers are asserted anywhere; this script only measures and prints.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

ROWS = 100


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["ZSCQ_USER_DIR"] = tempfile.mkdtemp(prefix="zscq-bench-undo-")
    from PySide6.QtCore import QMimeData, QStandardPaths, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    QStandardPaths.setTestModeEnabled(True)
    from zscq_desktop.ui.app import make_app
    from zscq_desktop.ui.window import MainWindow

    app = make_app()
    window = MainWindow.create()
    window.resize(1366, 740)
    window.show()
    window.new_submission()
    window.session.edit("direction", "creation-pilot")
    window.goto("form:budget")
    table = window.page("form:budget").rows["form.budget.expenses"].editor
    app.processEvents()
    mime = QMimeData()
    mime.setText("".join(f"科目{i}\t{i % 7 + 0.25}\t{i % 3}\t测算依据第{i}行\r\n" for i in range(ROWS)))
    QApplication.clipboard().setMimeData(mime)
    table.view.setFocus()
    ctrl = Qt.KeyboardModifier.ControlModifier

    def timed(key) -> float:
        started = time.perf_counter()
        QTest.keyClick(table.view, key, ctrl)
        app.processEvents()
        return (time.perf_counter() - started) * 1000

    paste_ms = timed(Qt.Key.Key_V)
    assert len(window.session.submission.get("form.budget.expenses")) == ROWS
    undo, redo, findings = [], [], []
    for _ in range(args.runs):
        undo.append(timed(Qt.Key.Key_Z))
        assert not window.session.submission.get("form.budget.expenses")
        started = time.perf_counter()
        window.session.refresh_findings()
        findings.append((time.perf_counter() - started) * 1000)
        redo.append(timed(Qt.Key.Key_Y))
        assert len(window.session.submission.get("form.budget.expenses")) == ROWS
    window.close()
    window.deleteLater()
    app.processEvents()

    def stats(values: list[float]) -> dict[str, float]:
        values = sorted(values)
        return {"median": round(statistics.median(values), 1),
                "p95": round(values[min(len(values) - 1, int(len(values) * 0.95))], 1),
                "max": round(values[-1], 1)}

    result = {"rows": ROWS, "runs": args.runs, "paste_ms": round(paste_ms, 1), "undo_ms": stats(undo),
              "redo_ms": stats(redo), "findings_after_undo_ms": stats(findings), "target_undo_ms": 50}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(f"paste of {ROWS} rows: {result['paste_ms']} ms")
        for key in ("undo_ms", "redo_ms", "findings_after_undo_ms"):
            s = result[key]
            print(f"{key:24s} median {s['median']} ms, p95 {s['p95']} ms, max {s['max']} ms")
    sys.stdout.flush()
    os._exit(0)  # skip the interpreter's teardown of the Qt objects (PySide6 may crash there)


if __name__ == "__main__":
    sys.exit(main())
