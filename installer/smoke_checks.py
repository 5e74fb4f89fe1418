"""The checks of the frozen-app smoke test (`smoke_test.py`): bundle layout, PDF, DOCX and zip.

Each check raises :class:`SmokeFailure` with a message that says what is wrong and where.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import Any

import bundle_contents as bc

WINDOWS = os.name == "nt"
ROOT = bc.ROOT


class SmokeFailure(AssertionError):
    """One expectation of the smoke test did not hold."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


# ---- the bundle folder ------------------------------------------------------------------------------
def qt_file(kind: str, name: str) -> str:
    """The file name of a Qt library/plugin/binding on this platform."""
    if kind == "lib":
        return f"{name}.dll" if WINDOWS else f"lib{name}.so.6"
    if kind == "plugin":
        return f"{name}.dll" if WINDOWS else f"lib{name}.so"
    return f"{name}.pyd" if WINDOWS else f"{name}.abi3.so"  # a PySide6 binding


def check_bundle(bundle: Path, exe: Path) -> None:
    """Data folders, fonts, icons, Qt pieces and hidden imports are where the frozen app looks."""
    internal = bundle / "_internal"
    check(internal.is_dir(), f"no _internal folder in {bundle} (PyInstaller ≥ 6 one-folder layout expected)")
    for folder in ("forms", "resources"):
        want = sorted(p.relative_to(ROOT / folder).as_posix() + (".xz" if p.name in bc.PACKED_FONTS else "")
                      for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        have = sorted(p.relative_to(internal / folder).as_posix() for p in (internal / folder).rglob("*")
                      if p.is_file())
        check(want == have, f"{folder}/ differs from the source: missing {sorted(set(want) - set(have))}, "
                            f"extra {sorted(set(have) - set(want))}")
    fonts = sorted((internal / "resources" / "fonts").glob("*.tt[fc]"))
    check(len(fonts) >= 2, f"bundled fonts: {fonts}")
    import lzma

    for name in bc.PACKED_FONTS:  # packed fonts unpack to the source file, byte for byte
        check(lzma.decompress((internal / "resources" / "fonts" / f"{name}.xz").read_bytes())
              == (ROOT / "resources" / "fonts" / name).read_bytes(), f"{name}.xz does not unpack to {name}")
    for icon in ("app.ico", "document.ico", "app-256.png"):
        check((internal / "resources" / "icons" / icon).is_file(), f"icon missing: resources/icons/{icon}")

    files = {p.name: p for p in internal.rglob("*") if p.is_file() or p.is_symlink()}
    needed = [qt_file("lib", n) for n in ("Qt6Core", "Qt6Gui", "Qt6Widgets", "Qt6Pdf", "Qt6PdfWidgets")]
    needed += [qt_file("plugin", "qoffscreen"), qt_file("plugin", "qwindows" if WINDOWS else "qxcb"),
               qt_file("plugin", "qpdf"), qt_file("plugin", "qjpeg")]
    needed += [qt_file("binding", n) for n in ("QtCore", "QtGui", "QtWidgets", "QtPdf", "QtPdfWidgets")]
    needed += bc.QT_TRANSLATIONS
    missing = [n for n in needed if n not in files]
    check(not missing, f"Qt files missing from the bundle: {missing}")
    qms = sorted(n for n in files if n.endswith(".qm"))
    check(qms == sorted(bc.QT_TRANSLATIONS), f"Qt translations other than zh_CN were bundled: {qms}")
    unwanted = [n for n in files if re.match(r"(lib)?Qt6?(Quick|Qml|WebEngine|3D|Designer)", n)]
    check(not unwanted, f"excluded Qt modules were bundled: {unwanted[:10]}")

    from PyInstaller.archive.readers import CArchiveReader

    pyz = set(CArchiveReader(str(exe)).open_embedded_archive("PYZ.pyz").toc)
    def extension(module: str) -> bool:  # a native module (pikepdf._core) is a file beside the PYZ
        *package, name = module.split(".")
        return any(internal.joinpath(*package).glob(f"{name}.*.so")) or any(internal.joinpath(*package).glob(f"{name}*.pyd"))

    absent = [m for m in bc.hidden_imports() if m not in pyz and not m.startswith("PySide6.") and not extension(m)]
    check(not absent, f"hidden imports missing from the PYZ archive: {absent}")


# ---- documents ------------------------------------------------------------------------------------------
def _fonts(resources: Any, seen: set[int]) -> list[Any]:
    """Every font dictionary reachable from a resource dictionary (form XObjects included)."""
    found: list[Any] = []
    if resources is None:
        return found
    resources = resources.get_object()
    if id(resources) in seen:
        return found
    seen.add(id(resources))
    for ref in (resources.get("/Font") or {}).values():
        found.append(ref.get_object())
    for ref in (resources.get("/XObject") or {}).values():
        xobj = ref.get_object()
        if xobj.get("/Subtype") == "/Form":
            found.extend(_fonts(xobj.get("/Resources"), seen))
    return found


def font_names(path: Path) -> set[str]:
    """The /BaseFont of every font the pages of the PDF at `path` use."""
    from pypdf import PdfReader

    seen: set[int] = set()
    return {str(f.get("/BaseFont")) for page in PdfReader(path).pages for f in _fonts(page.get("/Resources"), seen)}


def font_embedded(font: Any) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are drawn by the font's own content streams
    desc = font.get("/FontDescriptor")
    if desc is None and "/DescendantFonts" in font:
        desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
    return desc is not None and any(k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def check_pdf(path: Path, cover_text: str | None) -> int:
    """The PDF opens, every font on every page is embedded, the first page names `cover_text`."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    pages = len(reader.pages)
    check(pages >= 1, f"{path.name} has no pages")
    seen: set[int] = set()
    fonts = [f for page in reader.pages for f in _fonts(page.get("/Resources"), seen)]
    check(bool(fonts), f"{path.name} uses no font at all (text drawn as images?)")
    bad = sorted({str(f.get("/BaseFont")) for f in fonts if not font_embedded(f)})
    check(not bad, f"fonts not embedded in {path.name}: {bad}")
    if cover_text is not None:
        check(pages >= 8, f"{path.name}: only {pages} pages for a complete sample")
        text = re.sub(r"\s+", "", reader.pages[0].extract_text())
        check(cover_text in text, f"the cover of {path.name} does not name {cover_text}: {text[:200]!r}")
    return pages


def check_docx(path: Path, text: str) -> None:
    """A real DOCX (a zip with word/document.xml) that names `text`."""
    check(zipfile.is_zipfile(path), f"{path.name} is not a DOCX (zip) file")
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    check(text in re.sub(r"<[^>]+>", "", xml), f"{path.name} does not contain {text}")


def check_zip(path: Path, volume_name: str) -> list[str]:
    """The e-mail zip: readable, CRCs right, the volume and a manifest inside, UTF-8 flagged names."""
    with zipfile.ZipFile(path) as z:
        check(z.testzip() is None, f"{path.name}: a member has a bad CRC")
        infos = z.infolist()
    names = [i.filename for i in infos]
    check("manifest.json" in names, f"{path.name} has no manifest.json: {names}")
    check(any(n.rsplit("/", 1)[-1] == volume_name for n in names), f"{path.name} lacks {volume_name}: {names}")
    unflagged = [i.filename for i in infos if not i.filename.isascii() and not i.flag_bits & 0x800]
    check(not unflagged, f"names without the UTF-8 flag (garbled in some unzip tools): {unflagged}")
    return names
