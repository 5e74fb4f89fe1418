"""The PyInstaller spec, the Inno Setup script and the Windows workflow stay consistent with the package.

Fast and static: no PyInstaller run (that is `python installer/build.py --smoke`, see installer/README.md).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
SRC = ROOT / "src" / "zscq_desktop"
sys.path.insert(0, str(INSTALLER))

import bundle_contents as bc  # noqa: E402

from zscq_desktop import __version__  # noqa: E402

ISS = (INSTALLER / "zscq-desktop.iss").read_text(encoding="utf-8")
SPEC = (INSTALLER / "zscq-desktop.spec").read_text(encoding="utf-8")
WORKFLOW = (ROOT / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8")


def iss_define(name: str) -> str:
    m = re.search(rf'^\s*#define {name} "([^"]*)"', ISS, re.MULTILINE)
    assert m, f"#define {name} missing from the .iss"
    return m.group(1)


def iss_setup(key: str) -> str:
    m = re.search(rf"^{key}=(.*)$", ISS, re.MULTILINE)
    assert m, f"[Setup] {key} missing"
    return m.group(1).strip()


def lazy_imports() -> set[str]:
    """`zscq_desktop` modules imported inside functions, or named as strings for importlib."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("zscq_desktop"):
                    found.add(node.module)
                    for alias in node.names:  # `from zscq_desktop.ui import jobs` imports a module
                        if (SRC.parent / node.module.replace(".", "/") / f"{alias.name}.py").is_file():
                            found.add(f"{node.module}.{alias.name}")
                elif isinstance(node, ast.Import):
                    found.update(a.name for a in node.names if a.name.startswith("zscq_desktop"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                m = re.fullmatch(r"(zscq_desktop(?:\.\w+)+)(?::\w+)?", node.value)
                if m:
                    found.add(m.group(1))
    return found


# ---- the spec and its lists ---------------------------------------------------------------------------
def test_spec_is_python_and_uses_the_shared_lists() -> None:
    ast.parse(SPEC)
    for use in ("bc.hidden_imports()", "bc.excludes(FULL)", "bc.keep(", "name=bc.APP", "bc.CLI_APP",
                "bc.QT_TRANSLATIONS", '"forms"', "bc.resource_datas(FULL)", "entry.py"):
        assert use in SPEC, use
    assert "contents_directory" not in SPEC  # the .iss relies on PyInstaller 6's default _internal/


def test_every_lazily_imported_module_is_a_hidden_import_and_exists() -> None:
    hidden = set(bc.hidden_imports())
    lazy = lazy_imports()
    assert "zscq_desktop.ui.app" in lazy and "zscq_desktop.ui.pages.export" in lazy  # the scan works
    assert not lazy - hidden, sorted(lazy - hidden)
    for name in lazy:
        assert importlib.util.find_spec(name) is not None, name


def test_hidden_imports_cover_the_packages_the_brief_names() -> None:
    hidden = set(bc.hidden_imports())
    for package in ("ui.pages", "ui.widgets", "render", "attachments", "volume", "package", "mail", "store", "core", "call"):
        folder = SRC / package.replace(".", "/")
        for py in folder.glob("*.py"):
            name = f"zscq_desktop.{package}" + ("" if py.stem == "__init__" else f".{py.stem}")
            assert name in hidden, name
    for name in ("zscq_desktop.ui.app", "zscq_desktop.ui.crash", "zscq_desktop.attachments.normalize",
                 "zscq_desktop.render.pdf_writer", "zscq_desktop.render.checklist", "zscq_desktop.render.glyphs",
                 "zscq_desktop.attachments.office", "zscq_desktop.cli", "PySide6.QtPdf", "PySide6.QtPdfWidgets",
                 "cryptography", "keyring.backends.Windows", "keyring.backends.macOS",
                 "keyring.backends.SecretService", "keyring.backends.kwallet", "keyring.backends.fail",
                 "keyring.backends.chainer", "keyring.backends.null"):
        assert name in hidden, name
    assert "zscq_desktop.__main__" not in hidden  # it calls sys.exit on import


def test_third_party_hidden_imports_exist() -> None:
    for name in bc.hidden_imports():
        if not name.startswith("zscq_desktop"):
            # an imported module may have no __spec__ (cryptography's); find_spec would raise
            assert name in sys.modules or importlib.util.find_spec(name) is not None, name


def test_no_qt_module_the_app_uses_is_excluded() -> None:
    used = set()
    for path in SRC.rglob("*.py"):
        used.update(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    assert used <= set(bc.QT_USED), used - set(bc.QT_USED)
    excluded = set(bc.excludes())
    assert not {f"PySide6.{m}" for m in used} & excluded
    assert bc.excludes(full=True) == []


@pytest.mark.parametrize("path, kept", [
    ("PySide6/Qt/lib/libQt6Pdf.so.6", True), ("PySide6/Qt/lib/libQt6PdfWidgets.so.6", True),
    ("PySide6/Qt6Pdf.dll", True), ("PySide6/Qt/lib/libQt6Widgets.so.6", True), ("PySide6/Qt/lib/libQt6DBus.so.6", True),
    ("PySide6/Qt/plugins/imageformats/libqpdf.so", True), ("PySide6\\plugins\\platforms\\qoffscreen.dll", True),
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", True), ("PySide6\\translations\\qt_zh_CN.qm", True),
    ("docx/templates/default.docx", True), ("forms/tianjin-2023/call.toml", True),
    ("resources/fonts/NotoSerifSC-Regular.ttf", True),
    ("PySide6/Qt/translations/qtbase_de.qm", False), ("PySide6/Qt/translations/qt_zh_TW.qm", False),
    ("PySide6/Qt/translations/qtdeclarative_zh_CN.qm", False), ("PySide6/Qt/lib/libQt6Quick.so.6", False),
    ("PySide6/Qt6Qml.dll", False), ("PySide6/opengl32sw.dll", False), ("PySide6/Qt/qml/QtQuick/x.so", False),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False), ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True), ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
    ("PySide6/Qt/plugins/platforms/libqwayland-egl.so", False), ("PySide6/Qt/lib/libQt6WaylandClient.so.6", False),
    ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False), ("PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
    ("PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so", True),
    ("PySide6/Qt/lib/libicudata.so.73", True), ("PySide6/Qt/lib/libQt6XcbQpa.so.6", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True), ("PySide6\\plugins\\platforms\\qwindows.dll", True),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True), ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
    ("PySide6\\plugins\\imageformats\\qgif.dll", False), ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False), ("PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
])
def test_keep_filter(path: str, kept: bool) -> None:
    assert bc.keep(path) is kept
    assert bc.keep(path, full=True)


# ---- icons, entry, version -----------------------------------------------------------------------------
def test_icons_exist_and_are_real_icons() -> None:
    from PIL import Image

    for name in ("app.ico", "document.ico"):
        path = ROOT / "resources" / "icons" / name
        assert path.read_bytes()[:4] == b"\0\0\1\0", name
        with Image.open(path) as im:
            sizes = im.info["sizes"]
        assert (16, 16) in sizes and (256, 256) in sizes and (32, 32) in sizes, (name, sizes)
    assert "resources" in SPEC and '"app.ico"' in SPEC
    assert (INSTALLER / iss_setup("SetupIconFile").replace("\\", "/")).resolve().is_file()


def test_entry_runs_the_cli() -> None:
    tree = ast.parse((INSTALLER / "entry.py").read_text(encoding="utf-8"))
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert any(n.module == "zscq_desktop.cli" and n.names[0].name == "main" for n in imports)


def load_build_script():
    """installer/build.py under its own name (a plain `import build` could find PyPA's `build`)."""
    spec = importlib.util.spec_from_file_location("zscq_installer_build", INSTALLER / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_version_resource(tmp_path: Path) -> None:
    build = load_build_script()

    assert build.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert build.version_tuple("1.2.3rc1") == (1, 2, 3, 0)
    text = build.write_version_info(tmp_path / "v.txt").read_text(encoding="utf-8")
    # PyInstaller evaluates the file as one Python expression VSVersionInfo(...)
    tree = ast.parse(text, mode="eval")
    assert isinstance(tree.body, ast.Call) and tree.body.func.id == "VSVersionInfo"  # type: ignore[attr-defined]
    ffi = tree.body.keywords[0].value  # type: ignore[attr-defined]
    versions = {k.arg: ast.literal_eval(k.value) for k in ffi.keywords if k.arg in ("filevers", "prodvers")}
    assert versions == {"filevers": build.version_tuple(__version__), "prodvers": build.version_tuple(__version__)}
    strings = {c.args[0].value: c.args[1].value for c in ast.walk(tree)
               if isinstance(c, ast.Call) and getattr(c.func, "id", "") == "StringStruct"}
    assert strings["FileVersion"] == strings["ProductVersion"] == __version__
    assert strings["ProductName"] == "天津市知识产权资助项目申报助手"


# ---- the Inno Setup script -------------------------------------------------------------------------------
def test_iss_matches_the_bundle() -> None:
    assert iss_define("AppExe") == bc.APP + ".exe"
    assert iss_define("AppVersion") == __version__  # the default when /DAppVersion is not given
    assert re.search(r'^Source: "\.\.\\dist\\' + re.escape(bc.APP) + r'\\\*"', ISS, re.MULTILINE)
    assert iss_setup("OutputDir") == r"..\dist"
    # the document icon, where PyInstaller 6 puts data (checked against a Linux build: _internal/)
    m = re.search(r'DefaultIcon"; .*ValueData: "\{app\}\\_internal\\(.+?)"', ISS)
    assert m and (ROOT / m.group(1).replace("\\", "/")).is_file(), m
    # the open command starts the GUI with the file, a command the CLI has
    m = re.search(r'shell\\open\\command"; .*ValueData: """\{app\}\\\{#AppExe\}"" (\w+) ""%1"""', ISS)
    assert m and m.group(1) == "gui"
    from zscq_desktop.cli import build_parser

    args = build_parser().parse_args([m.group(1), "x.zscq"])
    assert args.file == "x.zscq"


def test_iss_open_with_has_an_open_command() -> None:
    """打开方式 → 申报助手 needs Applications\\<exe>\\shell\\open\\command (issue 9 item 4)."""
    key = r'Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\shell\open\command"; '
    line = next((ln for ln in ISS.splitlines() if ln.startswith(key)), None)
    assert line, "Applications\\zscq-desktop.exe\\shell\\open\\command missing"
    value = re.search(r'ValueData: "(.*)"$', line).group(1).replace('""', '"')
    assert value.startswith('"{app}\\{#AppExe}" ')
    words = [w.strip('"') for w in value.split()[1:]]
    assert words[-1] == "%1"
    from zscq_desktop import cli

    parser = cli.build_parser()
    args = parser.parse_args(cli.route([*words[:-1], "x.zscq"], cli.commands(parser)))
    assert args.command == "gui" and args.file == "x.zscq"


def test_iss_per_user_chinese_and_keeps_drafts() -> None:
    assert iss_setup("PrivilegesRequired") == "lowest"
    assert iss_setup("DefaultDirName").startswith("{autopf}")
    assert iss_setup("ChangesAssociations") == "yes"
    assert "ChineseSimplified.isl" in ISS
    assert re.search(r"^Root: HKA; Subkey: \"Software\\Classes\\\.zscq\"", ISS, re.MULTILINE)
    assert "HKLM" not in ISS and "HKCU" not in ISS.split("[Registry]")[1]  # HKA follows the install mode
    assert re.search(r'^Name: "\{autoprograms\}', ISS, re.MULTILINE)
    assert re.search(r'^Name: "\{autodesktop\}.*Tasks: desktopicon', ISS, re.MULTILINE)
    # nothing of the user's is deleted: no [UninstallDelete] pointing outside {app}
    code = [ln for ln in ISS.splitlines() if not ln.lstrip().startswith(";")]
    assert not any("[UninstallDelete]" in ln for ln in code)
    assert not any(re.search(r"\{(localappdata|userappdata|commonappdata|userdocs)\}", ln) and "Type:" in ln
                   for ln in code)
    # an upgrade must not mix old libraries in
    assert re.search(r'^\[InstallDelete\]\s*\n(?:;.*\n)*Type: filesandordirs; Name: "\{app\}\\_internal"', ISS,
                     re.MULTILINE)


# ---- the workflow ------------------------------------------------------------------------------------------
def test_workflow_builds_tests_smokes_installs_and_uploads() -> None:
    steps = ["pip install -e \".[test,build]\"", "python -m pytest", "python installer/build.py",
             "python installer/smoke_test.py dist/" + bc.APP, "installer\\zscq-desktop.iss", "/VERYSILENT",
             "unins000.exe", "actions/upload-artifact"]
    positions = [WORKFLOW.find(s) for s in steps]
    assert all(p >= 0 for p in positions), dict(zip(steps, positions))
    assert positions == sorted(positions)  # in this order
    setup_name = iss_setup("OutputBaseFilename").replace("{#AppVersion}", "*")
    assert f"dist/{setup_name}.exe" in WORKFLOW
    assert "runs-on: windows-latest" in WORKFLOW


def test_workflow_proves_the_windows_items_on_a_real_windows() -> None:
    """Issue 9 item 10: a real converter, the user's Documents folder, and checks for items 1-4."""
    steps = ["python installer/smoke_test.py dist/" + bc.APP, "choco install libreoffice-fresh",
             "--office real --work-in", "python installer/windows_checks.py dist/" + bc.APP, "installer\\zscq-desktop.iss"]
    positions = [WORKFLOW.find(s) for s in steps]
    assert all(p >= 0 for p in positions), dict(zip(steps, positions))
    assert positions == sorted(positions)
    assert WORKFLOW.count("GetFolderPath('MyDocuments')") >= 2  # both passes use the user's own Documents
    # the translation is pinned to the compiler's release tag, never a moving branch
    assert "jrsoftware/issrc/$tag/" in WORKFLOW and '$tag = "is-"' in WORKFLOW
    assert not re.search(r"issrc/(main|master)/", WORKFLOW)
    checks = (INSTALLER / "windows_checks.py").read_text(encoding="utf-8")
    ast.parse(checks)
    for needle in ('"attrib", "+r"', "Document.open(target)",  # item 1
                   "CreateFileW", "正在被其他程序打开", "digests(out) == before",  # item 2
                   'registered_clsid("Word.Application")', 'import_module("comtypes")',  # item 3
                   "run(gui, str(sample)", "找不到文件",  # item 4
                   "GetConsoleOutputCP"):  # item 6
        assert needle in checks, needle
    smoke = (INSTALLER / "smoke_test.py").read_text(encoding="utf-8")
    assert '"--office"' in smoke and '"--work-in"' in smoke and "def office_step" in smoke


# ---- issue 15: what the lighter bundle leaves out -------------------------------------------------------
def test_orphaned_system_libraries_are_found_through_what_the_kept_binaries_load() -> None:
    binaries = [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/q/libqxcb.so", "BINARY"),
        ("PySide6/QtGui.abi3.so", "/q/QtGui.abi3.so", "EXTENSION"),
        ("libxcb-icccm.so.4", "/s/libxcb-icccm.so.4", "BINARY"),  # needed by the xcb plugin
        ("libfreetype.so.6", "/s/libfreetype.so.6", "BINARY"),  # needed indirectly (ldd lists it)
        ("libcairo.so.2", "/s/libcairo.so.2", "BINARY"),  # only the dropped GTK3 theme needed it
        ("libpython3.11.so.1.0", "/s/libpython3.11.so.1.0", "BINARY"),  # loaded by the bootloader
        ("pillow.libs/libwebp-1.so.7", "/p/libwebp-1.so.7", "BINARY"),  # package folder: always kept
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/q/libQt6Gui.so.6", "BINARY"),  # linked by the binding
        ("PySide6/Qt/lib/libQt6OpenGL.so.6", "/q/libQt6OpenGL.so.6", "BINARY"),  # only Wayland needed it
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", "/q/libqsvgicon.so", "BINARY"),  # plugin: kept
    ]
    loads = {"/q/libqxcb.so": {"libxcb-icccm.so.4", "libfreetype.so.6", "libQt6Gui.so.6"},
             "/q/QtGui.abi3.so": {"libfreetype.so.6", "libQt6Gui.so.6"}, "/s/libpython3.11.so.1.0": set(),
             "/p/libwebp-1.so.7": set(), "/q/libqsvgicon.so": {"libQt6Gui.so.6"}}
    assert bc.orphans(binaries, lambda src: loads.get(src, set())) == {"libcairo.so.2", "PySide6/Qt/lib/libQt6OpenGL.so.6"}
    assert "bc.orphans(a.binaries" in SPEC and "bc.small_icu(a.binaries" in SPEC


def test_excluded_python_modules_are_not_imported_by_the_app() -> None:
    for name in ("lxml.html", "lxml.objectify", "fontTools"):
        assert name in bc.EXCLUDED_PYTHON
        pattern = re.compile(rf"^\s*(from|import)\s+{re.escape(name)}\b", re.MULTILINE)
        assert not any(pattern.search(p.read_text(encoding="utf-8")) for p in SRC.rglob("*.py")), name


def test_an_icu_package_is_rebuilt_item_for_item() -> None:
    import struct

    import icu_subset

    header = struct.pack("<HBB", 32, 0xDA, 0x27) + struct.pack("<HHBBBB", 20, 0, 0, 0, 2, 0) + b"CmnD" + bytes(8)
    header += bytes(32 - len(header))
    items = [("icudt73l/zz.res", b"z" * 5), ("icudt73l/coll/root.res", b"r" * 40), ("icudt73l/a.cnv", b"a" * 17)]
    full = icu_subset.package(header, items)
    head, back = icu_subset.items(full)
    assert head == header
    # names sorted bytewise as ICU's binary search wants, data intact (padding to 16 bytes aside)
    assert [n for n, _ in back] == sorted(n for n, _ in items)
    assert {n: d.rstrip(b"\0") for n, d in back} == dict(items)
    assert all(icu_subset.KEEP.match(n) for n in ("coll/zh.res", "coll/ucadata.icu", "zh_Hans_CN.res",
                                                   "zone/zh.res", "gb18030.cnv", "cnvalias.icu", "zoneinfo64.res"))
    assert not any(icu_subset.KEEP.match(n) for n in ("brkitr/cjdict.dict", "unames.icu", "de.res", "coll/ko.res",
                                                       "translit/root.res", "curr/zh.res", "ibm-37_P100-1995.cnv"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PySide6 ships ICU on Linux only")
def test_qt_answers_the_same_with_the_icu_subset(tmp_path: Path) -> None:
    """The subset built from the installed PySide6's ICU: collation (pinyin order, numeric mode),
    locale case mapping, the Chinese converters and time-zone names are what the full data gives."""
    import icu_subset

    if not icu_subset.available():
        pytest.skip("needs nm, readelf and gcc")
    import PySide6

    lib = next((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    out = tmp_path / lib.name
    sizes = icu_subset.build(lib, out)
    assert sizes["after"] < sizes["before"] / 4
    assert icu_subset.check(out) == []
    # the probe really ran with the subset: a converter the subset leaves out is gone there only
    full, small = icu_subset._probe(None), icu_subset._probe(out)
    assert small[icu_subset.EXPECTED_FEWER] < full[icu_subset.EXPECTED_FEWER]
    pinyin = [n for n in small["sort zh_CN False"] if n in ("阿", "李四", "王五", "张三")]
    assert pinyin == ["阿", "李四", "王五", "张三"]  # a, li, wang, zhang: the zh collation data is there
    assert small["sort zh_CN False"] == full["sort zh_CN False"]
