"""What goes into the frozen bundle: hidden imports, excluded Qt modules, kept Qt translations.

The spec (`zscq-desktop.spec`) and the static test (`tests/test_installer_static.py`) both read
these lists, so the test checks exactly what PyInstaller is given. No PyInstaller import here:
the test suite imports this module without PyInstaller doing anything.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "src" / "zscq_desktop"

APP = "zscq-desktop"  # the program (zscq-desktop.exe: a GUI executable on Windows), the .iss AppExe
# The same program as a console executable: on Windows a GUI executable has no stdout, so the command
# line (`zscq-desktop-cli.exe export …`, the smoke test) needs its own. Both share `_internal/`.
CLI_APP = "zscq-desktop-cli"

# keyring finds its backends through entry points at run time, so the import graph never sees them.
KEYRING_BACKENDS = [
    "keyring.backends.Windows", "keyring.backends.macOS", "keyring.backends.SecretService",
    "keyring.backends.kwallet", "keyring.backends.libsecret", "keyring.backends.fail",
    "keyring.backends.chainer", "keyring.backends.null",
]

# pypdf imports cryptography inside a try block (AES-encrypted attachments); name what it uses so a
# missing piece fails the build's analysis, not a user's attachment.
CRYPTOGRAPHY = [
    "cryptography", "cryptography.hazmat.primitives.ciphers.algorithms", "cryptography.hazmat.primitives.ciphers.base",
    "cryptography.hazmat.primitives.ciphers.modes", "cryptography.hazmat.primitives.padding",
    "cryptography.hazmat.decrepit.ciphers.algorithms", "pypdf._crypt_providers._cryptography",
]

# pikepdf (qpdf) is the PDF engine; its native module is loaded from the package's __init__, named
# here so a build without it fails at analysis, not on a user's first supporting PDF.
PIKEPDF = ["pikepdf", "pikepdf._core", "pikepdf._methods"]

# The Qt modules the application uses (the preview and page counts need QtPdf/QtPdfWidgets).
QT_USED = ["QtCore", "QtGui", "QtWidgets", "QtPdf", "QtPdfWidgets"]

# PySide6 modules the app never imports. Their Python bindings (and the Qt libraries only they pull
# in) stay out of the bundle.
EXCLUDED_QT = [
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender", "QtBluetooth",
    "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDBus", "QtDesigner", "QtGraphs", "QtHelp",
    "QtHttpServer", "QtLabsStyleKit", "QtLocation", "QtMultimedia", "QtMultimediaWidgets", "QtNetworkAuth",
    "QtNfc", "QtOpenGL", "QtOpenGLWidgets", "QtPositioning", "QtPrintSupport", "QtQml", "QtQmlFeatures",
    "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml",
    "QtSensors", "QtSerialBus", "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvg",
    "QtSvgWidgets", "QtTest", "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore",
    "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
]
# Test/build tools, and Pillow's AVIF codec (libavif ≈ 5 MB; attachments are PDF, JPEG, PNG, TIFF, BMP:
# Pillow skips a plugin it cannot import).
EXCLUDED_PYTHON = ["tkinter", "unittest", "pytest", "_pytest", "pytestqt", "numpy", "IPython", "pydoc_data",
                   "aiosmtpd", "fontTools", "PyInstaller", "PIL._avif", "PIL.AvifImagePlugin",
                   "lxml.objectify"]

# Qt's own Chinese strings (上一步/下一步/取消, the file dialogs). The Qt hooks copy every language.
QT_TRANSLATIONS = ["qtbase_zh_CN.qm", "qt_zh_CN.qm"]

# Collected binaries/data whose path matches this are dropped: Qt libraries and plugins only the
# excluded modules need (QML, Quick, 3D, Designer, Wayland compositors, …), Windows' software
# OpenGL fallback (opengl32sw.dll, ≈ 20 MB: a widgets app with a raster PDF view never asks for
# OpenGL), and every translation but zh_CN. The Qt libraries the kept modules link to (Gui, Widgets, Pdf, Network, DBus, ICU)
# do not match.
DROP_PATTERN = re.compile(
    r"(Qt6?(Quick|Qml|Lottie|Labs|WebEngine|3D|Multimedia|Charts|DataVis|Designer|Help|Location|Positioning|"
    r"Sensors|Bluetooth|Nfc|VirtualKeyboard|Sql|Test|UiTools|PdfQuick|ShaderTools|Graphs|WaylandCompositor|"
    r"OpenGLWidgets|SvgWidgets|Concurrent)"
    r"|opengl32sw\.dll$|/qml/|/qmltooling/|/sqldrivers/|/designer/|/wayland-graphics-integration-server/"
    # issue 15, each proven by the smoke test: embedded-Linux platforms and input (EGLFS, linuxfb, VNC,
    # Vulkan display, evdev/TUIO), network reachability and TLS back ends (the app makes no Qt network
    # connection; QtPdf links QtNetwork but loads no plugin), picture formats the UI never shows
    r"|/(egldeviceintegrations|generic|networkinformation|tls)/|EglFS|EglFsKms"
    r"|/platforms/(lib)?q(eglfs|linuxfb|minimalegl|vkkhrdisplay|vnc)\.(so|dll)$"
    r"|/imageformats/(lib)?q(gif|icns|tga|tiff|wbmp|webp)d?\.(so|dll)$"
    r"|translations/(?!(qtbase|qt)_zh_CN\.qm$))",
    re.IGNORECASE,
)


# Bundled files shipped xz-compressed; the program unpacks one into the user cache folder the first
# time it is needed (render/fonts.py reads `<name>.xz` when `<name>` is absent). Hanazono Mincho B
# (CJK Ext-B…F, 31 MB → 13 MB) is needed only for characters of planes 2–3, so most users never
# unpack it. The Noto faces stay as they are: every export needs them at once.
PACKED_FONTS = ["HanaMinB.ttf"]
PACKED_DIR = ROOT / "build" / "packed"


def packed(source: Path) -> Path:
    """`source` compressed with xz into build/packed/ (made again only when the source changed)."""
    import hashlib
    import lzma

    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    out = PACKED_DIR / (source.name + ".xz")
    stamp = out.with_name(out.name + ".sha256")
    if out.is_file() and stamp.is_file() and stamp.read_text() == digest:
        return out
    PACKED_DIR.mkdir(parents=True, exist_ok=True)
    out.write_bytes(lzma.compress(source.read_bytes(), preset=9 | lzma.PRESET_EXTREME))
    stamp.write_text(digest)
    return out


def resource_datas(full: bool = False) -> list[tuple[str, str]]:
    """The spec's datas for `resources/`: every file, the PACKED_FONTS as `.xz` (not in a `full` build)."""
    datas = []
    for path in sorted((ROOT / "resources").rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        dest = path.parent.relative_to(ROOT).as_posix()
        if path.name in PACKED_FONTS and not full:
            datas.append((str(packed(path)), dest))
        else:
            datas.append((str(path), dest))
    return datas


def package_modules() -> list[str]:
    """Every module of `zscq_desktop`, found from the source tree (nothing is imported).

    All of them go into hiddenimports: pages are imported by name (`ui.pages.PAGE_CLASSES`), and
    a module missing from a frozen build only shows when a user reaches it.
    """
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        elif parts[-1] == "__main__":
            continue
        names.append(".".join(parts))
    return names


def hidden_imports() -> list[str]:
    """The spec's hiddenimports."""
    return package_modules() + KEYRING_BACKENDS + CRYPTOGRAPHY + PIKEPDF + [f"PySide6.{m}" for m in QT_USED]


def excludes(full: bool = False) -> list[str]:
    """The spec's excludes; `full` (a measuring build) excludes nothing."""
    if full:
        return []
    return [f"PySide6.{m}" for m in EXCLUDED_QT] + EXCLUDED_PYTHON


def keep(toc_path: str, full: bool = False) -> bool:
    """False for a collected file the bundle does not need (see DROP_PATTERN)."""
    return full or not DROP_PATTERN.search(toc_path.replace("\\", "/"))
