"""The crash handler: log first, then tell the user in two Chinese sentences.

After qutebrowser's and Picard's: an uncaught exception (in a slot, a timer, the main code or a
worker thread) is written to a log file in the user log folder, then a short dialog says that
something went wrong and that the user's work was autosaved, with a "复制详细信息" button that puts
the traceback on the clipboard for the support e-mail.  The handler never touches the open
document: every edit was already saved within a second, and writing to it from a half-broken
state is how data gets lost.

The dialog goes through the module-level :data:`ask` function, which tests replace. The dialog itself
(`ui.crash_dialog`, also reachable as ``crash.CrashDialog``) is imported when it is first shown: the
handler is installed at start-up, the dialog's widgets are not needed then.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
import threading
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, TextIO

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from zscq_desktop import __version__

log = logging.getLogger(__name__)

SUMMARY = "程序遇到意外错误，刚才的操作没有完成。您填写的内容已自动保存，不会丢失。"
ADVICE = ("可以继续使用；如果问题反复出现，请点击“复制详细信息”，把内容发给技术支持。"
          "详细记录已写入日志文件：")

# Choices the dialog returns.
CONTINUE = "continue"
QUIT = "quit"


@dataclass
class CrashReport:
    """What the dialog shows: the short summary, the full details, and where the log went."""

    summary: str
    details: str
    log_path: Path | None
    exc_type: type[BaseException]


def log_dir(app_name: str = "zscq-desktop") -> Path:
    """The user log folder: ``$ZSCQ_USER_DIR/logs`` (tests) or the platform's log folder; created."""
    env = os.environ.get("ZSCQ_USER_DIR")
    if env:
        path = Path(env) / "logs"
    else:
        import platformdirs

        path = Path(platformdirs.user_log_dir(app_name, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def show_dialog(report: CrashReport) -> str:
    """Show the crash dialog modally; returns :data:`CONTINUE` or :data:`QUIT`."""
    from zscq_desktop.ui.crash_dialog import CrashDialog

    dialog = CrashDialog(report, QApplication.activeWindow())
    dialog.exec()
    return dialog.choice


#: Replaceable by tests: called on the GUI thread with the report, returns CONTINUE or QUIT.
ask: Callable[[CrashReport], str] = show_dialog


class _Bridge(QObject):
    """Carries reports from worker threads to the GUI thread (widgets live only there)."""

    report = Signal(object)


class CrashHandler:
    """Installed hooks; :meth:`uninstall` puts the previous ones back (tests)."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        self.reports: list[CrashReport] = []
        self._showing = False
        self._prev_hook = sys.excepthook
        self._prev_thread_hook = threading.excepthook
        self._bridge = _Bridge()
        self._bridge.report.connect(self._present, Qt.ConnectionType.QueuedConnection)
        self._fault_file: TextIO | None = None

    def install(self, *, fault_log: bool = True) -> "CrashHandler":
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook
        if not fault_log:
            return self
        try:
            # Hard crashes (a segfault in a Qt plugin) leave at least a Python stack behind.
            self._fault_file = open(log_dir(self.app_name) / "faulthandler.log", "a", encoding="utf-8")
            faulthandler.enable(self._fault_file)
        except OSError as exc:
            log.warning("faulthandler log unavailable: %s", exc)
        return self

    def uninstall(self) -> None:
        sys.excepthook = self._prev_hook
        threading.excepthook = self._prev_thread_hook
        if self._fault_file is not None:
            faulthandler.disable()
            self._fault_file.close()
            self._fault_file = None

    # -- hooks -------------------------------------------------------------------------------
    def excepthook(self, exc_type: type[BaseException], exc: BaseException,
                   tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._prev_hook(exc_type, exc, tb)
            return
        report = self.record(exc_type, exc, tb)
        if QApplication.instance() is None:
            sys.__excepthook__(exc_type, exc, tb)
            return
        if threading.current_thread() is threading.main_thread():
            self._present(report)
        else:
            self._bridge.report.emit(report)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    # -- work --------------------------------------------------------------------------------
    def record(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
               ) -> CrashReport:
        """Log the exception to a new file in the log folder and build the report."""
        import platform

        text = "".join(traceback.format_exception(exc_type, exc, tb))
        details = "\n".join([
            f"{self.app_name} {__version__}",
            f"时间：{datetime.now().isoformat(timespec='seconds')}",
            f"系统：{platform.platform()}；Python {platform.python_version()}；{_qt_version()}",
            f"线程：{threading.current_thread().name}",
            "",
            text,
        ])
        log.critical("uncaught exception\n%s", text)
        path: Path | None
        try:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            path = log_dir(self.app_name) / f"crash-{stamp}.log"
            path.write_text(details, encoding="utf-8")
        except OSError as exc2:
            # A full disk must not turn one error into two: the dialog still shows the details.
            log.error("cannot write crash log: %s", exc2)
            path = None
        report = CrashReport(SUMMARY, details, path, exc_type)
        self.reports.append(report)
        return report

    def _present(self, report: CrashReport) -> None:
        if self._showing:
            # An error while the dialog is open (or from inside it) is logged, not stacked.
            return
        self._showing = True
        try:
            choice = ask(report)
        except Exception:  # noqa: BLE001 — the crash dialog itself must never crash the app
            log.exception("crash dialog failed")
            choice = CONTINUE
        finally:
            self._showing = False
        if choice == QUIT:
            app = QApplication.instance()
            if app is not None:
                app.exit(1)


def _qt_version() -> str:
    try:
        from PySide6 import __version__ as pyside

        return f"PySide6 {pyside}"
    except ImportError:  # pragma: no cover
        return "PySide6 ?"


_installed: CrashHandler | None = None


def install_crash_handler(app_name: str = "zscq-desktop", *, fault_log: bool = True) -> CrashHandler:
    """Install the hooks for the GUI (once; a second call returns the installed handler).

    Call it right after the ``QApplication`` is created.  ``fault_log`` also sends hard crashes
    (segfaults) to ``faulthandler.log`` in the log folder.  It also applies
    :func:`zscq_desktop.ui.jobs.guard_pyside_refcounts`, so the process is protected from
    PySide6 6.12's reference leaks before the first keystroke (else Python aborts after a few
    hundred edits on CPython 3.11).
    """
    global _installed
    from zscq_desktop.ui.jobs import guard_pyside_refcounts

    guard_pyside_refcounts()
    if _installed is None:
        _installed = CrashHandler(app_name).install(fault_log=fault_log)
    return _installed


def uninstall_crash_handler() -> None:
    """Remove the hooks again (tests)."""
    global _installed
    if _installed is not None:
        _installed.uninstall()
        _installed = None


def __getattr__(name: str) -> Any:
    """`CrashDialog` and `copy_details` live in `ui.crash_dialog` (loaded on first use)."""
    if name in ("CrashDialog", "copy_details"):
        from zscq_desktop.ui import crash_dialog

        return getattr(crash_dialog, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
