"""The parsed-font cache gives exactly what reportlab's own parse gives, and never trusts a bad file (issue 15)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from zscq_desktop.render import font_cache as C
from zscq_desktop.render import fonts as F
from zscq_desktop.resources import resource_path

SAMPLE = "天津市知识产权资助 ABC abc 123 ①㈠㎡ 《》，。“” ≒ 喆堃昇珺镕䶮"


def _same(a: Any, b: Any, where: str = "") -> None:
    """Equal values of exactly the same types, recursively (1 and 1.0 are not the same here)."""
    assert type(a) is type(b), f"{where}: {type(a)} vs {type(b)}"
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where
        if hasattr(a, "ustr"):
            assert a.ustr == b.ustr, where


def _state(face: TTFontFace) -> dict[str, Any]:
    for name in C.LAZY:  # build the lazy tables
        getattr(face, name)
    # attribute order is not behaviour; everything inside is compared in order
    return {k: v for k, v in sorted(vars(face).items()) if k not in ("_pdfScale", "_lazy_tables")}


@pytest.fixture
def font_copy(tmp_path: Path) -> Path:
    """A private copy of the heading face (so its time stamp can be changed)."""
    dst = tmp_path / "fonts" / F.HEADING_FILE
    dst.parent.mkdir()
    shutil.copyfile(resource_path("fonts", F.HEADING_FILE), dst)
    return dst


@pytest.mark.parametrize("filename", [F.BODY_FILE, F.HEADING_FILE, F.RARE_FILE, F.EXTB_FILE])
def test_a_cached_face_is_identical_to_a_fresh_parse(filename: str) -> None:
    path = resource_path("fonts", filename)
    fresh = TTFontFace(str(path))
    first = C.load_face(path)  # parses and writes the cache
    cached = C.load_face(path)
    assert type(first) is TTFontFace and type(cached) is C.CachedFace
    _same(_state(fresh), _state(first))
    _same(_state(fresh), _state(cached))
    for v in (0, 1, 250, 1000, 1234.5):
        assert cached._pdfScale(v) == fresh._pdfScale(v)


def test_a_cached_font_measures_and_reads_like_reportlabs_own() -> None:
    path = resource_path("fonts", F.BODY_FILE)
    C.tt_font("warm", path)
    cached = C.tt_font("CacheTest", path)
    plain = TTFont("CacheTest", str(path))
    assert type(cached.face) is C.CachedFace
    assert sorted(vars(cached)) == sorted(vars(plain))
    assert {k: v for k, v in vars(cached).items() if k not in ("face", "state", "encoding")} == \
        {k: v for k, v in vars(plain).items() if k not in ("face", "state", "encoding")}
    assert type(cached.encoding) is type(plain.encoding) and vars(cached.encoding) == vars(plain.encoding)
    assert cached.shapable == plain.shapable
    for size in (10.5, 12, 16):
        assert cached.stringWidth(SAMPLE, size) == plain.stringWidth(SAMPLE, size)
    assert [cached.face.getCharWidth(ord(c)) for c in SAMPLE] == [plain.face.getCharWidth(ord(c)) for c in SAMPLE]
    subset = [ord(c) for c in "天津市知识产权 ABC123"]
    assert cached.face.makeSubset(subset) == plain.face.makeSubset(subset)


_PDF_CHILD = r"""
import hashlib, io, sys
from reportlab import rl_config
rl_config.invariant = 1
from zscq_desktop.render import fonts as F, font_cache
if sys.argv[1] == "parse":
    font_cache._key = lambda path, subfont: None
fs = F.register_fonts()
text = sys.argv[2]
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate
buf = io.BytesIO()
style = ParagraphStyle("b", fontName=fs.body, fontSize=12, leading=18)
head = ParagraphStyle("h", fontName=fs.heading, fontSize=16, leading=22)
SimpleDocTemplate(buf).build([Paragraph(F.markup("项目实施方案", fs.heading, fs), head),
                              Paragraph(F.markup(text, fs.body, fs), style)])
from pypdf import PdfReader
got = "".join(p.extract_text() for p in PdfReader(io.BytesIO(buf.getvalue())).pages)
from zscq_desktop.render.font_cache import CachedFace
from reportlab.pdfbase import pdfmetrics
kinds = sorted({type(pdfmetrics.getFont(n).face).__name__ for n in (fs.body, fs.heading)})
print(hashlib.sha256(buf.getvalue()).hexdigest(), ",".join(kinds))
sys.stdout.buffer.write(got.encode("utf-8"))
"""


def test_the_same_pdf_with_and_without_the_cache(tmp_path: Path) -> None:
    env = dict(os.environ, ZSCQ_USER_DIR=str(tmp_path / "user"))
    text = SAMPLE + " 生僻字\U00020000𠮷"

    def run(mode: str) -> tuple[str, str, str]:
        r = subprocess.run([sys.executable, "-c", _PDF_CHILD, mode, text], capture_output=True, env=env, timeout=300)
        assert r.returncode == 0, r.stderr.decode("utf-8", "replace")[-3000:]
        first, _, rest = r.stdout.partition(b"\n")
        digest, kinds = first.decode().split()
        return digest, kinds, rest.decode("utf-8")

    parsed = run("parse")
    run("cache")  # writes the cache
    cached = run("cache")
    assert parsed[1] == "TTFontFace" and cached[1] == "CachedFace"
    assert cached[0] == parsed[0]  # byte-identical PDF
    for ch in "项目实施方案天津市知识产权≒喆\U00020000𠮷":
        assert ch in cached[2]


def test_a_changed_font_file_is_parsed_again_and_the_old_entry_removed(font_copy: Path) -> None:
    C.load_face(font_copy)
    assert type(C.load_face(font_copy)) is C.CachedFace
    old = list(C.cache_folder().glob("*" + C.SUFFIX))
    assert len(old) == 1
    st = font_copy.stat()
    os.utime(font_copy, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert type(C.load_face(font_copy)) is TTFontFace  # stale: a new key
    new = list(C.cache_folder().glob("*" + C.SUFFIX))
    assert len(new) == 1 and new != old
    assert type(C.load_face(font_copy)) is C.CachedFace


def test_another_reportlab_version_or_program_version_means_a_new_parse(font_copy: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    C.load_face(font_copy)
    assert type(C.load_face(font_copy)) is C.CachedFace
    monkeypatch.setattr(C.reportlab, "Version", "0.0.1")
    assert type(C.load_face(font_copy)) is TTFontFace
    monkeypatch.setattr("zscq_desktop.__version__", "99.0")
    assert type(C.load_face(font_copy)) is TTFontFace


def _only_cache_file() -> Path:
    files = list(C.cache_folder().glob("*" + C.SUFFIX))
    assert len(files) == 1
    return files[0]


def _resealed(body: bytes) -> bytes:
    return body + hashlib.sha256(body).digest()


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "garbage", "huge_count", "foreign_tables",
                                    "glyph_out_of_range", "offsets_backwards"])
def test_a_bad_cache_file_is_ignored_and_the_font_parsed(font_copy: Path, damage: str) -> None:
    fresh = TTFontFace(str(font_copy))
    C.load_face(font_copy)
    cache = _only_cache_file()
    blob = cache.read_bytes()
    key = C._key(font_copy, 0)[0]
    if damage == "truncated":
        blob = blob[: len(blob) // 2]
    elif damage == "flipped":
        mid = len(blob) // 2
        blob = blob[:mid] + bytes([blob[mid] ^ 0xFF]) + blob[mid + 1:]
    elif damage == "empty":
        blob = b""
    elif damage == "garbage":
        blob = os.urandom(5000)
    elif damage == "huge_count":  # a checksummed header claiming more data than there is
        start = len(C.MAGIC) + 4
        n = int.from_bytes(blob[len(C.MAGIC):start], "little")
        head = json.loads(blob[start:start + n])
        head["arrays"][0][1] *= 1000
        new = json.dumps(head).encode("ascii")
        blob = _resealed(C.MAGIC + len(new).to_bytes(4, "little") + new + blob[start + n:-32])
    else:
        # well-formed, right key and checksum, but not this font: must fail the consistency checks
        face = TTFontFace(str(font_copy))
        if damage == "foreign_tables":
            face.table = dict(face.table)
            face.table["cmap"] = {**face.table["cmap"], "checksum": face.table["cmap"]["checksum"] ^ 1}
        elif damage == "glyph_out_of_range":
            face.charToGlyph = {**face.charToGlyph, 0x4E00: face.numGlyphs + 5}
        else:
            face.glyphPos = list(face.glyphPos)
            face.glyphPos[10], face.glyphPos[11] = face.glyphPos[11] + 1, face.glyphPos[10]
        blob = C._encode(face, key)
    cache.write_bytes(blob)
    face = C.load_face(font_copy)  # no exception
    assert type(face) is TTFontFace
    _same(_state(fresh), _state(face))
    assert type(C.load_face(font_copy)) is C.CachedFace  # the parse wrote a good entry again


def test_a_cache_folder_that_cannot_be_written_only_costs_the_parse(font_copy: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setattr(C, "cache_folder", lambda: blocker / "parsed")  # mkdir fails, even as root
    assert type(C.load_face(font_copy)) is TTFontFace
    assert type(C.load_face(font_copy)) is TTFontFace
    assert blocker.read_text() == "x"


def test_registering_twice_in_fresh_processes_uses_the_cache(tmp_path: Path) -> None:
    env = dict(os.environ, ZSCQ_USER_DIR=str(tmp_path / "user"))
    child = ("from zscq_desktop.render import fonts as F; from reportlab.pdfbase import pdfmetrics; "
             "fs = F.register_fonts(); print(type(pdfmetrics.getFont(fs.body).face).__name__)")
    out = [subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, env=env, timeout=300)
           for _ in range(2)]
    assert [o.stdout.strip() for o in out] == ["TTFontFace", "CachedFace"], [o.stderr[-2000:] for o in out]
    assert sorted(p.name.split("-0-")[0] for p in (tmp_path / "user" / "cache" / "fonts" / "parsed").iterdir()) == \
        ["HanaMinA-Sub", "NotoSansSC-Bold", "NotoSerifSC-Regular"]


def test_the_cache_format_holds_no_code() -> None:
    """The cache is read with json and array only: no pickle/marshal/eval anywhere in the module."""
    source = Path(C.__file__).read_text(encoding="utf-8")
    for word in ("pickle", "marshal", "eval(", "exec(", "shelve"):
        assert word not in source.replace("not pickle", "")


def test_fonts_given_as_bytes_are_parsed_not_cached() -> None:
    data = resource_path("fonts", F.RARE_FILE).read_bytes()
    font = C.tt_font("FromBytes", data)
    assert type(font.face) is TTFontFace
    assert font.face.charToGlyph == TTFontFace(io.BytesIO(data)).charToGlyph
    assert not C.cache_folder().exists()


def test_lazy_tables_are_built_once_when_threads_race() -> None:
    import threading

    path = resource_path("fonts", F.BODY_FILE)
    C.load_face(path)
    face = C.load_face(path)
    assert type(face) is C.CachedFace and "glyphPos" not in vars(face)
    got: list[Any] = []
    barrier = threading.Barrier(8)

    def touch() -> None:
        barrier.wait()
        got.append((face.glyphPos, face.hmetrics, face.glyphToChar))

    threads = [threading.Thread(target=touch) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and all(g[0] is got[0][0] and g[1] is got[0][1] and g[2] is got[0][2] for g in got)
    assert face.glyphPos == TTFontFace(str(path)).glyphPos
    with pytest.raises(AttributeError):
        face.no_such_attribute  # noqa: B018
