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
    # issue 15: the Python binding only (1.3 MB; the QtPdf hook pulls it in). libQt6Network itself
    # stays: libQt6Pdf links it. The app opens no Qt network connection.
    "QtNetwork",
]
# Test/build tools, and Pillow's AVIF codec (libavif ≈ 5 MB; attachments are PDF, JPEG, PNG, TIFF, BMP:
# Pillow skips a plugin it cannot import).
EXCLUDED_PYTHON = ["tkinter", "unittest", "pytest", "_pytest", "pytestqt", "numpy", "IPython", "pydoc_data",
                   "aiosmtpd", "fontTools", "PyInstaller", "PIL._avif", "PIL.AvifImagePlugin",
                   "lxml.objectify", "lxml.html"]  # lxml.html: nothing imports it (python-docx, pikepdf use lxml.etree)

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
    # issue 15, Linux desktop integration the app does without, each proven by the smoke test: the
    # GTK3 platform theme (it needs the system's GTK3 anyway, which the bundle cannot ship; with it
    # went cairo, pango, gdk-pixbuf, gio… ≈ 8.5 MB, see orphans()), native Wayland (Qt then runs
    # through XWayland's xcb, as it does when the plugin is missing) and xcb's OpenGL integrations
    # (a widgets app with a raster PDF view draws without OpenGL)
    r"|/platformthemes/libqgtk3\.so$|/platforms/libqwayland[\w-]*\.so$|/wayland-[\w-]+/|Qt6Wayland|Qt6WlShell"
    r"|/xcbglintegrations/"
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


def orphans(binaries: list[tuple[str, str, str]], imports) -> set[str]:  # noqa: ANN001
    """Destination names of shared libraries that no kept binary needs any more, once DROP_PATTERN
    removed the plugins that pulled them in: top-level system libraries (``lib*.so*`` beside
    libpython) and Qt's own libraries (``PySide6/Qt/lib/libQt6*.so*``; Qt links them, it never
    loads one by name — plugins, which it does load by name, are never candidates).

    `imports(src)` gives the names of the libraries the binary at `src` loads, directly and
    indirectly (PyInstaller's ``bindepend.get_imports`` on Linux runs ldd, which lists all of them).
    Extension modules, Qt plugins and libraries in package folders (pillow.libs/, pikepdf.libs/)
    always stay.
    """
    def candidate(dest: str) -> bool:
        dest = dest.replace("\\", "/")
        top = "/" not in dest and dest.startswith("lib") and ".so" in dest and not dest.startswith("libpython")
        return top or bool(re.fullmatch(r"PySide6/Qt/lib/libQt6\w+\.so[.\d]*", dest))

    needed: set[str] = set()
    for dest, src, _kind in binaries:
        if not candidate(dest):
            needed.update(imports(src))
    return {dest for dest, _src, _kind in binaries
            if candidate(dest) and dest.replace("\\", "/").rsplit("/", 1)[-1] not in needed}


ICU_DATA = re.compile(r"(^|/)libicudata\.so\.\d+$")


def small_icu(binaries: list[tuple[str, str, str]], workdir: Path) -> list[tuple[str, str, str]]:
    """`binaries` with Qt's ICU data library replaced by the subset `installer/icu_subset.py` builds,
    once the subset answered every probed Qt call exactly like the original; unchanged (with a
    message) when this machine cannot build it.  A probe that differs stops the build."""
    import icu_subset

    out = []
    for dest, src, kind in binaries:
        if ICU_DATA.search(dest.replace("\\", "/")):
            if not icu_subset.available():
                print("bundle: ICU data kept whole (the subset needs Linux with nm, readelf and gcc)")
            else:
                workdir.mkdir(parents=True, exist_ok=True)
                small = workdir / Path(dest).name
                sizes = icu_subset.build(Path(src), small)
                differences = icu_subset.check(small)
                if differences:
                    raise SystemExit(f"ICU subset answers differently for: {differences}; widen icu_subset.KEEP")
                print(f"bundle: ICU data {sizes['before'] / 1e6:.1f} → {sizes['after'] / 1e6:.1f} MB "
                      f"({sizes['kept']} of {sizes['items']} items), Qt's answers unchanged")
                src = str(small)
        out.append((dest, src, kind))
    return out
