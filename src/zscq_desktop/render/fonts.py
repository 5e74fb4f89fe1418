"""The fonts the PDFs are set in: registration with reportlab, coverage checks, per-character fallback.

The bundled fonts live in ``resources/fonts/`` (built once by ``tools/build_fonts.py``; see
``resources/fonts/README.md``):

* body, a Song/Ming face: Noto Serif CJK SC Regular converted to TrueType outlines;
* headings, a Hei face: Noto Sans CJK SC Bold converted the same way (``<b>`` in a Paragraph set
  in the body font maps to it);
* fallbacks: Hanazono Mincho B (CJK Ext-B…F, e.g. 𠀀) and a small subset of Hanazono Mincho A
  (the few BMP characters Noto lacks).

reportlab never falls back to another font by itself: a character missing from the font is drawn
as the font's ``.notdef`` box or not at all.  :func:`font_runs` and :func:`markup` therefore split
text so each character is drawn with the first font that has it, and :func:`missing_chars` lists
the characters no font can draw, so the application can report them before printing.

No Qt here: this module is used by the headless renderer and the CLI too.
"""

from __future__ import annotations

import os
import sys
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase import ttfonts

from zscq_desktop.render import font_files
from zscq_desktop.render.font_cache import tt_font
from zscq_desktop.render.font_files import FontError as FontError  # raised here, defined there

# -- the bundled files and the reportlab names they are registered under ------------------------

BODY_FILE = "NotoSerifSC-Regular.ttf"
HEADING_FILE = "NotoSansSC-Bold.ttf"
EXTB_FILE = "HanaMinB.ttf"
RARE_FILE = "HanaMinA-Sub.ttf"

BODY = "NotoSerifSC"
HEADING = "NotoSansSC-Bold"
EXTB = "HanaMinB"
RARE = "HanaMinA"

#: (reportlab name, file under resources/fonts) of every bundled font, body first.
BUNDLED: tuple[tuple[str, str], ...] = (
    (BODY, BODY_FILE),
    (HEADING, HEADING_FILE),
    (EXTB, EXTB_FILE),
    (RARE, RARE_FILE),
)

# Windows system faces used with ``prefer_system=True``: (reportlab name, file, subfont index).
SYSTEM_SONG = ("SimSun", "simsun.ttc", 0)
SYSTEM_HEI = ("SimHei", "simhei.ttf", 0)
SYSTEM_FANGSONG = ("SimFang", "simfang.ttf", 0)
SYSTEM_SONG_EXTB = ("SimSun-ExtB", "simsunb.ttf", 0)


#: fallbacks registered only when a text has a character in their range. HanaMinB (31 MB read,
#: ≈ 0.1 s to parse, ≈ 0.045 s from the parsed-font cache) is needed only for CJK Ext-B…F
#: (planes 2–3): every other glyph it has, the body face has too. A bundle may ship it xz-compressed (``HanaMinB.ttf.xz``): it is then unpacked once
#: into the user cache folder on first need (render/font_files.py).
LAZY: dict[str, tuple[int, int]] = {EXTB: (0x20000, 0x3FFFF)}
PACKED = font_files.PACKED


@dataclass(frozen=True)
class FontSet:
    """reportlab names of the fonts a document is set in."""

    body: str
    heading: str
    fallbacks: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        """Body, heading and fallbacks, without repeats."""
        return tuple(dict.fromkeys((self.body, self.heading, *self.fallbacks)))


# -- ToUnicode beyond the BMP --------------------------------------------------------------------


def utf16_hex(code: int) -> str:
    """A code point as the UTF-16BE hex string a ToUnicode CMap wants: ``4E2D``, or for a
    character above U+FFFF its surrogate pair (``D842DFB7`` for U+20BB7)."""
    return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ``makeToUnicodeCMap`` with correct entries for every plane.

    reportlab writes ``<%04X>``, i.e. ``<20BB7>`` for 𠮷: five hex digits are no UTF-16 string, so
    viewers copy and search a wrong character.  Same CMap otherwise, so BMP output is unchanged.
    """
    head = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
            f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
            f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange", "<00> <%02X>" % (len(subset) - 1),
            "endcodespacerange", f"{len(subset)} beginbfchar"]
    tail = ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(head + ["<%02X> <%s>" % (i, utf16_hex(v)) for i, v in enumerate(subset)] + tail)


# TTFont.addObjects looks the function up in its module at call time
ttfonts.makeToUnicodeCMap = to_unicode_cmap


# -- registration ----------------------------------------------------------------------------------

_lock = threading.RLock()
_cache: dict[bool | str, FontSet] = {}
_pending: set[str] = set()  # lazy fallbacks named in a FontSet, registered on first need


def _register(name: str, source: Path | bytes, subfont: int = 0) -> None:
    """Register the font in `source` (a file, or the bytes of a font unpacked in memory) as `name`;
    its parsed tables come from the font cache when valid (render/font_cache.py)."""
    if name in pdfmetrics.getRegisteredFontNames():
        return
    try:
        font = tt_font(name, source, subfont)
    except Exception as exc:  # reportlab raises TTFError, OSError, struct errors...
        where = source if isinstance(source, Path) else name
        raise FontError(f"无法读取字体 {where}：{exc}") from exc
    pdfmetrics.registerFont(font)


def _family(normal: str, bold: str) -> None:
    """Map a family's four styles: regular/italic to ``normal``, bold/bold-italic to ``bold``."""
    pdfmetrics.registerFontFamily(normal, normal=normal, bold=bold, italic=normal, boldItalic=bold)
    # registerFontFamily does not map the bold face's own name; keep ``<b>`` inside it harmless.
    for b in (0, 1):
        for i in (0, 1):
            addMapping(bold, b, i, bold)


def _windows_fonts_dir() -> Path:
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


def _system_face(spec: tuple[str, str, int]) -> str | None:
    """Register a Windows system face if its file exists and reads; return its name or None."""
    name, filename, index = spec
    path = _windows_fonts_dir() / filename
    if not path.is_file():
        return None
    try:
        _register(name, path, index)
    except FontError:
        return None
    return name


def _bundled_file(name: str) -> Path:
    """The font file of a bundled face, or its packed copy; FontError when neither is there."""
    return font_files.source(dict(BUNDLED)[name])


def _bundled(name: str) -> str:
    path = _bundled_file(name)
    _register(name, font_files.unpacked(path) if path.name.endswith(font_files.PACKED) else path)
    return name


def _lazy(name: str) -> str:
    """A bundled fallback named now and registered by `coverage` when a text first needs it."""
    _bundled_file(name)  # an incomplete installation still fails early
    if name not in pdfmetrics.getRegisteredFontNames():
        _pending.add(name)
    return name


def needed(font: str, chars: Iterable[str]) -> bool:
    """False for a lazy fallback none of `chars` falls in the range of (it need not be loaded)."""
    span = LAZY.get(font)
    return span is None or any(span[0] <= ord(c) <= span[1] for c in chars)


def _build(prefer_system: bool | str) -> FontSet:
    body = heading = None
    fallbacks: list[str] = []
    if prefer_system and sys.platform == "win32":
        fangsong = _system_face(SYSTEM_FANGSONG)
        body = fangsong if prefer_system == "fangsong" and fangsong else _system_face(SYSTEM_SONG)
        heading = _system_face(SYSTEM_HEI)
        extb = _system_face(SYSTEM_SONG_EXTB)
        if body is not None:
            # 宋体 has GBK and Ext-A only: the bundled Song face covers the newer BMP ideographs.
            fallbacks.append(_bundled(BODY))
        if extb is not None:
            fallbacks.append(extb)
    body = body or _bundled(BODY)
    heading = heading or _bundled(HEADING)
    fallbacks += [_lazy(EXTB), _bundled(RARE)]
    _family(body, heading)
    _family(heading, heading)
    for fb in fallbacks:
        if fb != body:
            _family(fb, fb)
    return FontSet(body=body, heading=heading, fallbacks=tuple(dict.fromkeys(f for f in fallbacks if f != body)))


def register_fonts(prefer_system: bool | str = False) -> FontSet:
    """Register the fonts with reportlab (once per process) and return their names.

    With ``prefer_system=True`` (or ``"song"``) on Windows the system's 宋体/黑体 (``simsun.ttc``,
    ``simhei.ttf``) are used when present, with ``"fangsong"`` the body is 仿宋 (``simfang.ttf``)
    instead; each is replaced by the bundled face when missing, and elsewhere the bundled fonts
    are used.  Raises :class:`FontError` when a bundled font file is missing.
    """
    key: bool | str = "fangsong" if prefer_system == "fangsong" else bool(prefer_system)
    with _lock:
        fs = _cache.get(key)
        if fs is None:
            fs = _cache[key] = _build(key)
        return fs


# -- coverage --------------------------------------------------------------------------------------

_coverage_cache: dict[str, frozenset[str]] = {}
_STANDARD = frozenset(bytes(range(0x20, 0x100)).decode("cp1252", errors="ignore"))


def coverage(font: str) -> frozenset[str]:
    """The characters (as one-character strings) a registered font has a glyph for."""
    cov = _coverage_cache.get(font)
    if cov is None:
        if font in _pending:
            with _lock:
                if font in _pending:
                    _bundled(font)
                    _pending.discard(font)
        f = pdfmetrics.getFont(font)
        face = getattr(f, "face", None)
        c2g = getattr(face, "charToGlyph", None)
        if isinstance(c2g, dict):
            cov = frozenset(chr(cp) for cp, gid in c2g.items() if gid)
        else:  # a standard Type 1 font: WinAnsi
            cov = _STANDARD
        _coverage_cache[font] = cov
    return cov


def _ignorable(ch: str) -> bool:
    """Whitespace and control/format characters: never reported missing, never force a font switch."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


def missing_chars(text: str, fonts: FontSet) -> list[str]:
    """Characters of ``text`` that neither the body font nor any fallback has, in order of first
    appearance, each once; whitespace and control characters are ignored."""
    extra = set(text).difference(coverage(fonts.body))
    for fb in fonts.fallbacks:
        if not extra:
            break
        if needed(fb, extra):
            extra.difference_update(coverage(fb))
    found = [c for c in extra if not _ignorable(c)]
    found.sort(key=text.index)
    return found


def _chain(font: str, fonts: FontSet) -> tuple[str, ...]:
    """The fonts tried for a character, in order: ``font``, the body font, the fallbacks."""
    return tuple(dict.fromkeys((font, fonts.body, *fonts.fallbacks)))


def font_runs(text: str, font: str, fonts: FontSet) -> list[tuple[str, str]]:
    """Split ``text`` into ``(font name, substring)`` runs so each character is drawn with the first
    font that has it: ``font`` itself, then the body font, then the fallbacks.

    Characters no font has stay in ``font`` (they show its missing-glyph box; see
    :func:`missing_chars`).  Whitespace and control characters stay in the run they are in unless
    only another font has them.  Empty text gives no runs.
    """
    if not text:
        return []
    main = coverage(font)
    extra = set(text).difference(main)
    if not extra or all(map(_ignorable, extra)):
        return [(font, text)]
    chain = tuple(f for f in _chain(font, fonts) if f == font or needed(f, extra))
    covs = [coverage(f) for f in chain]
    assign: dict[str, str | None] = {}
    for c in extra:
        having = [f for f, cov in zip(chain, covs) if c in cov]
        if _ignorable(c) and (not having or len(having) == len(chain)):
            assign[c] = None  # sticks to the current run
        else:
            assign[c] = having[0] if having else font
    for c in main.intersection(set(text)):
        if _ignorable(c) and all(c in cov for cov in covs):
            assign[c] = None
    runs: list[tuple[str, str]] = []
    cur: str | None = None
    start = 0
    get = assign.get
    for i, c in enumerate(text):
        f = get(c, font)
        if f is None or f == cur:
            continue
        if cur is None:
            cur = f  # leading sticky characters join the first run
            continue
        runs.append((cur, text[start:i]))
        start, cur = i, f
    runs.append((cur or font, text[start:]))
    return runs


def escape(text: str) -> str:
    """XML-escape text for a reportlab Paragraph."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def markup(text: str, font: str, fonts: FontSet) -> str:
    """Paragraph markup for ``text`` set in ``font``: escaped, with the runs that need a fallback
    wrapped in ``<font name="…">``.  Text the font draws entirely comes back just escaped."""
    main = coverage(font)
    extra = set(text).difference(main)
    if not extra or all(map(_ignorable, extra)):
        return escape(text)
    return "".join(
        escape(run) if name == font else f'<font name="{name}">{escape(run)}</font>'
        for name, run in font_runs(text, font, fonts)
    )
