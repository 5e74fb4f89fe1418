"""Start the desktop application: `run(path)` is what `zscq-desktop` (no arguments) and
`zscq-desktop gui [FILE]` call.

Start-up does only what the first page needs: the QApplication (names for QSettings, high-DPI
rounding), Qt's own zh_CN translations (so 确定/取消 and the file dialogs are Chinese), the bundled
CJK fonts registered with Qt (Chinese renders even on a machine without a CJK system font), a
rotating log file in the user log folder with Qt's messages routed into it, then the window.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from pathlib import Path

from PySide6.QtCore import (
    QByteArray, QLibraryInfo, QLocale, QObject, QSize, Qt, QTimer, QTranslator, Signal, qInstallMessageHandler, QtMsgType,
)
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from zscq_desktop import __version__

log = logging.getLogger(__name__)
APP_NAME = "zscq-desktop"
DISPLAY_NAME = "知识产权资助申报助手"
UI_FALLBACK_FAMILY = "Noto Serif CJK SC"
UI_FALLBACK_FILE = "NotoSerifSC-Regular.ttf"  # the bundled file of UI_FALLBACK_FAMILY


def log_dir() -> Path:
    """The user log folder: ``$ZSCQ_USER_DIR/logs`` (tests, portable use) or the platform's; created."""
    env = os.environ.get("ZSCQ_USER_DIR")
    if env:
        path = Path(env) / "logs"
    else:
        import platformdirs

        path = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


class RotatingLog(logging.FileHandler):
    """A log file that moves to ``.1`` … ``.<backups>`` when a record would take it past `max_bytes`.

    What `logging.handlers.RotatingFileHandler` does for a UTF-8 file, without importing
    `logging.handlers` (sockets, pickle, queues: ≈ 5 ms of start-up for a feature we do not use).
    """

    def __init__(self, file: Path, max_bytes: int, backups: int) -> None:
        super().__init__(file, mode="a", encoding="utf-8")
        self.max_bytes, self.backups = max_bytes, backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None and self._too_big(record):
                self._rotate()
        except Exception:  # noqa: BLE001 — e.g. another window holds the file on Windows: report, keep logging
            self.handleError(record)
        super().emit(record)  # reopens the file if the rotation left it closed

    def _too_big(self, record: logging.LogRecord) -> bool:
        self.stream.seek(0, 2)  # append mode: the end is where the next record goes
        return self.stream.tell() > 0 and self.stream.tell() + len(self.format(record)) + 1 > self.max_bytes

    def _rotate(self) -> None:
        self.stream.close()
        self.stream = None  # type: ignore[assignment]
        base = self.baseFilename
        for i in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{base}.{i}"):
                os.replace(f"{base}.{i}", f"{base}.{i + 1}")
        if self.backups > 0:
            os.replace(base, f"{base}.1")
        self.stream = self._open()


def setup_logging() -> Path | None:
    """A rotating log file (1 MB × 3) in the user log folder; returns its path (None if unwritable)."""
    root = logging.getLogger()
    if any(getattr(h, "_zscq", False) for h in root.handlers):
        return None
    try:
        file = log_dir() / "zscq-desktop.log"
        handler = RotatingLog(file, max_bytes=1_000_000, backups=3)
    except OSError:
        return None  # a read-only profile must not stop the application
    handler._zscq = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    qt_log = logging.getLogger("qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def qt_handler(kind: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), message)

    qInstallMessageHandler(qt_handler)
    return file


def install_translations(app: QApplication) -> list[QTranslator]:
    """Load Qt's own Chinese strings (qtbase_zh_CN.qm shipped with PySide6)."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    loaded = []
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        t = QTranslator(app)
        if t.load(name, folder):
            app.installTranslator(t)
            loaded.append(t)
    if not loaded:
        log.warning("Qt zh_CN translations not found in %s", folder)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    return loaded


def register_fonts(app: QApplication, *, later: bool = False) -> list[str]:
    """Register the bundled CJK fonts with Qt; without a system CJK font, use them for the UI.

    ``later=False`` (start-up) registers only what the first page needs: nothing when the system
    has a CJK font, else the UI fallback font. ``later=True`` registers the others (the Ext-B
    fallbacks, the bold face) — `show_main_window` calls it right after the first paint: Qt reads
    each font file when it is added (≈ 3 ms for the four), and the start page needs none of them.
    """
    from zscq_desktop.resources import ResourceError, resource_path

    try:
        folder = resource_path("fonts")
    except ResourceError:
        return []
    files = sorted(folder.glob("*.ttf"))
    if later:
        done = getattr(app, "_zscq_fonts", set())
        # A font the bundle ships only packed (``HanaMinB.ttf.xz``, issue 15) is unpacked in the background
        names = {f.name for f in files}
        packed = [p for p in sorted(folder.glob("*.ttf.xz")) if p.name[:-3] not in names | done]
        if packed:
            unpack_fonts(app, packed)
        return _add_fonts([f for f in files if f.name not in done])
    had_cjk = bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    if had_cjk:
        app._zscq_fonts = set()  # type: ignore[attr-defined]
        return []
    ui = [f for f in files if f.name == UI_FALLBACK_FILE] or files  # an unknown set: all of them now
    families = _add_fonts(ui)
    app._zscq_fonts = {f.name for f in ui}  # type: ignore[attr-defined]
    if UI_FALLBACK_FAMILY in families:
        font = QFont(app.font())
        font.setFamilies([font.family(), UI_FALLBACK_FAMILY])
        app.setFont(font)
    return families


class _FontUnpacker(QObject):
    """Unpacks packed bundled fonts in a Python thread; each is registered with Qt on the GUI thread."""

    ready = Signal(object, str)  # the unpacked file (Path) or its bytes, the font's file name
    registered = Signal(str, list)  # the font's file name, the families Qt found in it ([] if none)

    def __init__(self, app: QApplication, packed: list[Path]) -> None:
        super().__init__(app)
        self.app = app
        self.ready.connect(self._register, Qt.ConnectionType.QueuedConnection)
        self.thread = threading.Thread(target=self._unpack, args=(packed,), name="font-unpack", daemon=True)

    def _unpack(self, packed: list[Path]) -> None:
        for path in packed:
            try:
                from zscq_desktop.render.font_files import unpacked

                self.ready.emit(unpacked(path), path.name[:-3])  # ≈ 0.3 s for the 31 MB Ext-B font
            except Exception:  # noqa: BLE001 — a damaged font only costs its rare characters: log, go on
                log.exception("bundled font %s cannot be unpacked", path.name)

    def _register(self, font: Path | bytes, name: str) -> None:
        fid = (QFontDatabase.addApplicationFont(str(font)) if isinstance(font, Path)
               else QFontDatabase.addApplicationFontFromData(QByteArray(font)))
        families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
        if families:
            getattr(self.app, "_zscq_fonts", set()).add(name)
        else:
            log.warning("Qt cannot use the bundled font %s", name)
        self.registered.emit(name, families)


def unpack_fonts(app: QApplication, packed: list[Path]) -> _FontUnpacker:
    """Unpack the packed fonts `packed` (``*.ttf.xz``) in the background and register each with Qt
    as soon as it is ready: the GUI thread never waits for the unpacking; a damaged font is logged."""
    worker = _FontUnpacker(app, packed)
    app._zscq_font_unpacker = worker  # type: ignore[attr-defined]  # kept alive while it works
    worker.thread.start()
    return worker


def _add_fonts(files: list[Path]) -> list[str]:
    families: list[str] = []
    for file in files:
        fid = QFontDatabase.addApplicationFont(str(file))
        if fid >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(fid))
    return families


def app_icon() -> QIcon:
    from zscq_desktop.resources import ResourceError, resource_path

    icon = QIcon()
    try:
        for size in (16, 24, 32, 48, 64, 128, 256):
            p = resource_path("icons", f"app-{size}.png")
            if p.exists():
                icon.addFile(str(p), QSize(size, size))  # the size given: Qt need not read the file to learn it
    except ResourceError:
        pass
    return icon


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication with names, high-DPI policy, translations and fonts (reused if it exists)."""
    from zscq_desktop.ui import jobs

    # First, before any signal is emitted: PySide6 6.12 leaks references to True/None on every
    # emit and slot call; the guard must not depend on which module happened to import jobs first.
    jobs.guard_pyside_refcounts()
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    if not getattr(app, "_zscq_ready", False):
        app._zscq_translators = install_translations(app)  # type: ignore[attr-defined]
        register_fonts(app)
        app._zscq_ready = True  # type: ignore[attr-defined]
    return app


def run(path: Path | None = None) -> int:
    """Open the main window (and `path`, a .zscq or submission .json, if given); returns the exit code."""
    logfile = setup_logging()
    app = make_app()
    log.info("zscq-desktop %s starting (log %s)", __version__, logfile)
    try:
        from zscq_desktop.ui.crash import install_crash_handler

        install_crash_handler(APP_NAME)
    except ImportError:
        log.warning("crash handler not available: uncaught errors will not show the Chinese dialog")
    window = show_main_window(path)
    if window is None:
        return 2
    if os.environ.get("ZSCQ_QUIT_AFTER_SHOWN"):
        # For the frozen-app smoke test: prove that a page was really shown, then leave cleanly.
        QTimer.singleShot(0, lambda: (log.info("first page shown: %s", window.current_page_id), app.quit()))
    return app.exec()


def show_main_window(path: Path | None = None):
    """Create and show the main window (opening `path` if given), then freeze the start-up objects.

    `gc.freeze()` moves everything alive now (modules, the call data, widgets) out of the garbage
    collector's generations: a later full collection scans far fewer objects (measured GUI stalls
    during an export: 75–140 ms → 25–35 ms). Collecting is then switched on (`cli.cmd_gui` turns it
    off for the start-up; the few hundred unreachable objects start-up leaves — 359 measured, a
    few tens of kB — are frozen with the rest instead of a ≈ 20 ms full collection before the first
    paint). Returns the window, or None when it cannot start.
    """
    from zscq_desktop.ui.window import MainWindow

    window = MainWindow.create()
    if window is None:
        return None
    window.show()
    # Keyboard users start typing on the start page at once: the focus goes to its first field with
    # the page's Tab order, right after the window's first paint (`MainWindow.settle_focus`).
    window.focus_first_field_when_shown()
    app = QApplication.instance()
    if isinstance(app, QApplication):
        window.after_first_paint(lambda: register_fonts(app, later=True))
    if path is not None:
        window.open_path(Path(path))
    gc.freeze()
    gc.enable()
    return window
