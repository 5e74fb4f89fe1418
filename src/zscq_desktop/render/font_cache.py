"""reportlab fonts without parsing them in every process: the parsed tables cached in the user cache.

``TTFont(name, path)`` reads the whole TrueType file and walks its ``cmap``, ``hmtx`` and ``loca``
tables in Python — for the two Noto faces a fixed ≈ 0.085 s of every export process (0.22 s under
cProfile), for Hanazono Mincho B more.  :func:`tt_font` gives the same ``TTFont`` from a cache file
written after the first parse: the font file is still read (its bytes are embedded in the PDF), its
tables are not walked again.

The cache file is a plain format, not pickle: a magic line, a JSON header with the face's scalar
attributes, then the big integer tables as raw arrays, then a SHA-256 of everything before.  Nothing
in it is ever executed.  It is used only when

* its name and header carry the same key: the font file's resolved path, size and modification
  time, the subfont index, reportlab's version, this program's version and the format number;
* its checksum is right (a truncated or damaged file), and it decodes to the expected shape;
* the table directory it holds equals the one read from the font file now (so a font replaced with
  the same size and time is noticed through the tables' own checksums); and
* the glyph numbers and offsets are in range for that font.

Anything else — a missing, stale, corrupt or hostile file, a read-only or full cache folder — falls
back to parsing the font as before; a cache problem never stops an export.  Worst case, a crafted
file that passes all checks can only give wrong metrics for that font, in the user's own folder.
"""

from __future__ import annotations

import array
import gc
import hashlib
import itertools
import json
import operator
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace, TTFontParser

log = logging.getLogger(__name__)

FORMAT = 1
MAGIC = b"ZSCQ-TTF-CACHE\n"
SUFFIX = ".ttfcache"
#: lists/dicts with more items than this go into the binary part as arrays
ARRAY_MIN = 64
#: a cache file larger than this is not read (HanaMinB's is ≈ 3 MB)
MAX_BYTES = 64 * 1024 * 1024
_DIGEST = 32


class _Unsupported(Exception):
    """A face attribute this format cannot store: the face is then not cached."""


def cache_folder() -> Path:
    """``<user cache>/fonts/parsed``."""
    from zscq_desktop.resources import user_cache_dir

    return user_cache_dir() / "fonts" / "parsed"


def _key(path: Path, subfont: int) -> tuple[str, Path] | None:
    """(key, cache file) for the font at `path`; None when the file cannot be examined."""
    from zscq_desktop import __version__

    try:
        real = path.resolve()
        st = real.stat()
    except OSError:
        return None
    text = "\0".join(map(str, (FORMAT, __version__, reportlab.Version, sys.byteorder, real, st.st_size,
                               st.st_mtime_ns, subfont)))
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return key, cache_folder() / f"{real.stem}-{subfont}-{key[:16]}{SUFFIX}"


# -- encoding ----------------------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.arrays: list[array.array] = []

    def _array(self, values: list[Any]) -> dict[str, Any]:
        if all(type(v) is int for v in values):
            if values and (min(values) < -(1 << 63) or max(values) >= 1 << 63):
                raise _Unsupported("integer out of range")
            self.arrays.append(array.array("q", values))
            return {"q": len(self.arrays) - 1}
        if all(type(v) is float for v in values):
            self.arrays.append(array.array("d", values))
            return {"d": len(self.arrays) - 1}
        if all(type(v) in (int, float) for v in values):  # ints and floats mixed (scaled widths)
            if any(type(v) is int and abs(v) > 1 << 53 for v in values):
                raise _Unsupported("integer too large for a mixed column")
            self.arrays.append(array.array("d", [float(v) for v in values]))
            self.arrays.append(array.array("b", [type(v) is float for v in values]))
            return {"m": [len(self.arrays) - 2, len(self.arrays) - 1]}
        raise _Unsupported("not a numeric list")

    def enc(self, v: Any) -> Any:
        t = type(v)
        if v is None or t is bool or t is str or t is int:
            return v
        if t is float:
            return {"f": v.hex()}
        if t is TTFNameBytes:
            return {"n": [bytes(v).hex(), v.ustr]}
        if t is bytes:
            return {"b": v.hex()}
        if t is tuple:
            return {"t": [self.enc(x) for x in v]}
        if t is list:
            if len(v) > ARRAY_MIN:
                if all(type(x) in (int, float) for x in v):
                    return {"a": self._array(v)}
                if all(type(x) is tuple and len(x) == 2 for x in v):  # hmetrics: (advance, lsb)
                    return {"a2": [self._array([x[0] for x in v]), self._array([x[1] for x in v])]}
            return [self.enc(x) for x in v]
        if t is dict:
            if len(v) > ARRAY_MIN and all(type(k) is int for k in v):
                vals = list(v.values())
                if all(type(x) in (int, float) for x in vals):  # charToGlyph, charWidths
                    return {"di": [self._array(list(v)), self._array(vals)]}
                if all(type(x) is list for x in vals):  # glyphToChar: glyph → [code, …]
                    return {"dl": [self._array(list(v)), self._array([len(x) for x in vals]),
                                   self._array([c for x in vals for c in x])]}
            return {"d": [[self.enc(k), self.enc(x)] for k, x in v.items()]}
        raise _Unsupported(t.__name__)


class _Reader:
    def __init__(self, arrays: list[array.array]) -> None:
        self.arrays = arrays

    def _array(self, ref: dict[str, Any]) -> list[Any]:
        (kind, idx), = ref.items()
        if kind in ("q", "d"):
            return self.arrays[idx].tolist()
        if kind == "m":
            vals, flags = self.arrays[idx[0]], self.arrays[idx[1]]
            if len(vals) != len(flags):
                raise ValueError("mixed column lengths differ")
            return [v if f else int(v) for v, f in zip(vals, flags)]
        raise ValueError(kind)

    def raw(self, ref: dict[str, Any]) -> array.array:
        """The stored array behind a plain numeric list `ref` (for checks without building the list)."""
        (kind, x), = ref.items()
        if kind == "a":
            (kind, x), = x.items()
        if kind == "a2":
            (kind, x), = x[0].items()
        if kind not in ("q", "d") and kind != "m":
            raise ValueError(kind)
        return self.arrays[x[0] if kind == "m" else x]

    def dec(self, v: Any) -> Any:
        if v is None or isinstance(v, (bool, str, int)):
            return v
        if isinstance(v, list):
            return [self.dec(x) for x in v]
        (kind, x), = v.items()
        if kind == "n":
            name = bytes.__new__(TTFNameBytes, bytes.fromhex(x[0]))
            name.ustr = str(x[1])
            return name
        if kind == "f":
            return float.fromhex(x)
        if kind == "b":
            return bytes.fromhex(x)
        if kind == "t":
            return tuple(self.dec(i) for i in x)
        if kind == "a":
            return self._array(x)
        if kind == "a2":
            a, b = self._array(x[0]), self._array(x[1])
            if len(a) != len(b):
                raise ValueError("column lengths differ")
            return list(zip(a, b))
        if kind == "di":
            keys, vals = self._array(x[0]), self._array(x[1])
            if len(keys) != len(vals):
                raise ValueError("key/value lengths differ")
            return dict(zip(keys, vals))
        if kind == "dl":
            keys, lens, flat = self._array(x[0]), self._array(x[1]), self._array(x[2])
            if len(keys) != len(lens) or sum(lens) != len(flat) or min(lens, default=0) < 0:
                raise ValueError("glyph lists do not add up")
            nxt = iter(flat).__next__  # most glyphs have one character: no slicing for those
            return dict(zip(keys, [[nxt()] if n == 1 else [nxt() for _ in range(n)] for n in lens]))
        if kind == "d":
            return {self.dec(k): self.dec(i) for k, i in x}
        raise ValueError(f"unknown tag {kind!r}")


#: face tables only PDF embedding (makeSubset) or shaping read: built from the arrays on first use
LAZY = ("glyphToChar", "hmetrics", "glyphPos")
_lazy_lock = threading.Lock()


class CachedFace(TTFontFace):
    """A ``TTFontFace`` restored from the cache.  Its ``LAZY`` tables are built on first access
    (a process that only measures text never builds them); then they are ordinary attributes."""

    def __getattr__(self, name: str) -> Any:
        pending = self.__dict__.get("_lazy_tables")
        build = pending.get(name) if pending else None
        if build is None:
            raise AttributeError(name)
        with _lazy_lock:  # two threads writing PDFs in the same font build the table once
            if name not in self.__dict__:
                self.__dict__[name] = build()
                pending.pop(name, None)
            return self.__dict__[name]


def _encode(face: TTFontFace, key: str) -> bytes:
    state = {k: v for k, v in vars(face).items() if k not in ("_ttf_data", "filename", "_pdfScale")}
    w = _Writer()
    attrs = {k: w.enc(v) for k, v in state.items()}
    arrays = [[a.typecode, len(a)] for a in w.arrays]
    header = json.dumps({"key": key, "attrs": attrs, "arrays": arrays}, ensure_ascii=True,
                        separators=(",", ":")).encode("ascii")
    body = MAGIC + len(header).to_bytes(4, "little") + header + b"".join(a.tobytes() for a in w.arrays)
    return body + hashlib.sha256(body).digest()


def _decode(blob: bytes, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(eager attributes, {lazy attribute: zero-argument builder}) from a cache file's bytes."""
    if len(blob) < len(MAGIC) + 4 + _DIGEST or not blob.startswith(MAGIC):
        raise ValueError("not a font cache file")
    view = memoryview(blob)
    body, digest = view[:-_DIGEST], view[-_DIGEST:]
    if hashlib.sha256(body).digest() != digest:
        raise ValueError("checksum mismatch")
    pos = len(MAGIC)
    n = int.from_bytes(body[pos:pos + 4], "little")
    pos += 4
    head = json.loads(bytes(body[pos:pos + n]).decode("ascii"))
    pos += n
    if head.get("key") != key:
        raise ValueError("stale key")
    arrays: list[array.array] = []
    for typecode, count in head["arrays"]:
        if typecode not in ("q", "d", "b") or not isinstance(count, int) or count < 0:
            raise ValueError("bad array")
        a = array.array(typecode)
        size = a.itemsize * count
        if pos + size > len(body):
            raise ValueError("truncated arrays")
        a.frombytes(body[pos:pos + size])
        pos += size
        arrays.append(a)
    if pos != len(body):
        raise ValueError("trailing bytes")
    reader = _Reader(arrays)
    attrs = head["attrs"]
    state = {str(k): reader.dec(v) for k, v in attrs.items() if k not in LAZY}
    lazy = {k: (lambda v=attrs[k]: reader.dec(v)) for k in LAZY if k in attrs}
    # what the checks need of the lazy tables, without building them
    state["_sizes"] = {k: len(reader.raw(attrs[k])) for k in ("hmetrics", "glyphPos") if k in attrs}
    state["_glyph_pos"] = reader.raw(attrs["glyphPos"]) if "glyphPos" in attrs else None
    return state, lazy


def _scale(units_per_em: int):  # noqa: ANN202 - as reportlab's extractInfo builds it
    if units_per_em == 1000:
        return lambda x: x
    mult = 1000 / units_per_em
    return lambda x: x * mult


def _check(state: dict[str, Any], data: bytes, path: Path, subfont: int) -> None:
    """Raise ValueError unless `state` fits the font file's bytes `data` (see the module docstring)."""
    probe = TTFontParser.__new__(TTFontParser)
    probe._ttf_data = data  # readFile keeps bytes it already has
    TTFontParser.__init__(probe, str(path), validate=0, subfontIndex=subfont)
    for attr in ("table", "tables", "version", "numTables"):
        if state.get(attr) != getattr(probe, attr):
            raise ValueError(f"{attr} differs from the font file")
    n = state["numGlyphs"]
    if type(n) is not int or n <= 0:
        raise ValueError("numGlyphs")
    if state["_sizes"] != {"hmetrics": n, "glyphPos": n + 1}:
        raise ValueError("table lengths")
    c2g = state["charToGlyph"]
    if not isinstance(c2g, dict) or (c2g and (min(c2g.values()) < 0 or max(c2g.values()) >= n)):
        raise ValueError("glyph out of range")
    gp = state["_glyph_pos"]
    glyf = probe.table.get("glyf", {}).get("length", 0)
    if gp.typecode != "q" or gp[0] < 0 or gp[-1] > glyf or any(map(operator.gt, gp, itertools.islice(gp, 1, None))):
        raise ValueError("glyph offsets")
    if not isinstance(state["charWidths"], dict):
        raise ValueError("charWidths")


def _face_from_cache(path: Path, subfont: int, data: bytes, key: str, cache: Path) -> TTFontFace | None:
    try:
        with open(cache, "rb") as f:
            blob = f.read(MAX_BYTES + 1)
    except OSError:
        return None
    try:
        if len(blob) > MAX_BYTES:
            raise ValueError("too large")
        gc_was_on = gc.isenabled()
        gc.disable()  # ≈ 150 000 new objects, none cyclic: the collector would only walk them
        try:
            state, lazy = _decode(blob, key)
        finally:
            if gc_was_on:
                gc.enable()
        _check(state, data, path, subfont)
        del state["_sizes"], state["_glyph_pos"]
        face = CachedFace.__new__(CachedFace)
        vars(face).update(state)
        face._lazy_tables = lazy
        face._ttf_data = data
        face.filename = str(path)
        face._pdfScale = _scale(state["unitsPerEm"])
        return face
    except Exception as exc:  # noqa: BLE001 - any defect of the cache only means parsing the font again
        log.info("font cache %s not used: %s", cache, exc)
        return None


def _store(face: TTFontFace, key: str, cache: Path) -> None:
    """Write the cache file atomically; remove older cache files of the same font (best effort)."""
    try:
        blob = _encode(face, key)
    except _Unsupported as exc:
        log.info("font %s not cached: %s", face.filename, exc)
        return
    tmp: str | None = None
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{cache.name}.", suffix=".part", dir=cache.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
        os.replace(tmp, cache)
        tmp = None
        prefix = cache.name[: -len(SUFFIX) - 16]  # "<stem>-<subfont>-"
        for old in cache.parent.glob(f"{prefix}*{SUFFIX}"):
            if old != cache:
                old.unlink(missing_ok=True)
    except OSError as exc:  # read-only or full cache folder: the next process parses again
        log.info("font cache %s not written: %s", cache, exc)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def load_face(path: Path, subfont: int = 0, *, use_cache: bool = True) -> TTFontFace:
    """The parsed face of the TrueType file at `path`, from the cache when it is valid.

    Raises what reportlab raises for an unreadable font (as ``TTFontFace(path)`` does).
    """
    keyed = _key(path, subfont) if use_cache else None
    if keyed is None:
        return TTFontFace(str(path), subfontIndex=subfont)
    key, cache = keyed
    with open(path, "rb") as f:
        data = f.read()
    face = _face_from_cache(path, subfont, data, key, cache)
    if face is not None:
        return face
    face = TTFontFace.__new__(TTFontFace)
    face._ttf_data = data  # parsed from the bytes already read (readFile keeps them)
    face.filename = str(path)  # what readFile would have set
    TTFontFace.__init__(face, str(path), subfontIndex=subfont)
    _store(face, key, cache)
    return face


def tt_font(name: str, source: Path | bytes, subfont: int = 0) -> TTFont:
    """``reportlab.pdfbase.ttfonts.TTFont(name, source)``, its face from the cache when valid.

    `source` is a font file, or the font's bytes (then parsed, not cached).
    """
    if isinstance(source, (bytes, bytearray)):
        import io

        return TTFont(name, io.BytesIO(bytes(source)), subfontIndex=subfont)
    face = load_face(Path(source), subfont)
    # TTFont.__init__ without its parse (reportlab 4.x/5.x); tests compare every attribute with a
    # TTFont made the ordinary way, so a reportlab that changes the constructor is noticed.
    font = TTFont.__new__(TTFont)
    font.fontName = name
    font.face = face
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(ttfonts.fnmatch(name, g) for g in ttfonts.unShapedFontGlob)
    return font
