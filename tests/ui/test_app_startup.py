"""Start-up: the PySide6 refcount guard is applied by `make_app` itself, and the objects alive once
the window is shown are frozen out of the garbage collector's generations."""

from __future__ import annotations

import gc


def test_make_app_applies_the_refcount_guard_first(qtbot):
    from zscq_desktop.ui import app, jobs

    saved = jobs._guarded
    jobs._guarded = None  # as if nothing had imported and guarded yet
    try:
        app.make_app()
        # make_app ran the probe again (a None here means it relied on import order)
        assert jobs._guarded is not None
    finally:
        if jobs._guarded is None:
            jobs._guarded = saved


def test_show_main_window_freezes_startup_objects(qtbot, dialogs_recorder, monkeypatch):
    from zscq_desktop.ui import app, jobs

    app.make_app()
    jobs.set_synchronous(True)
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    window = app.show_main_window()
    try:
        assert window is not None and window.isVisible()
        assert gc.get_freeze_count() > 1000  # the modules, call data and widgets alive at start-up
    finally:
        gc.unfreeze()
        window.close()
        window.deleteLater()
        jobs.set_synchronous(False)


def test_real_entry_point_shows_a_page_and_quits_when_asked(tmp_path, call):
    """`zscq-desktop gui FILE` in its own process, as the frozen-app smoke test runs it."""
    import os
    import subprocess
    import sys

    from zscq_desktop.core.sample import write_sample

    write_sample(call, "public-service", tmp_path / "示例.json")
    user = tmp_path / "user"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ZSCQ_USER_DIR=str(user), ZSCQ_QUIT_AFTER_SHOWN="1")
    proc = subprocess.run([sys.executable, "-m", "zscq_desktop", "gui", str(tmp_path / "示例.json")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    log = (user / "logs" / "zscq-desktop.log").read_text(encoding="utf-8")
    assert "starting" in log and "first page shown:" in log
    assert "crash handler not available" not in log
