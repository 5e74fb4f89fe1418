"""Where a bundled font's bytes come from: the ``.ttf`` itself, or a packed ``.ttf.xz`` unpacked once.

A bundle may ship a large font xz-compressed (the 31 MB Hanazono Mincho B: most users never need it,
and its 13 MB packed copy saves 18 MB of every installation).  The first time a text needs it, it is
unpacked into the user cache folder and reused afterwards.  The unpack is

* **verified**: size and SHA-256 of the unpacked font against ``resources/fonts/MANIFEST.json``
  (in git, checked against the source files by the tests), both when unpacking and when reusing a
  file found in the cache — a truncated, altered or foreign file there is never used;
* **atomic** and **safe with two processes at once**: each writer decompresses into its own
  temporary file beside the target and renames it over the target only when verified, so the final
  name only ever holds a complete font; two writers produce identical files and either rename wins;
* **never a dead end**: when the cache folder cannot be written (read-only, full disk, antivirus
  lock), the font is unpacked into memory for this process only, so a text that needs it still
  prints correctly; only a damaged packed file (an installation problem) gives a Chinese message.

No Qt here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import lzma
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from zscq_desktop.resources import resource_path

log = logging.getLogger(__name__)

PACKED = ".xz"
MANIFEST = "MANIFEST.json"
CHUNK = 1 << 20
#: a temporary file left by a process killed mid-unpack is removed after this long
STALE_PART_SECONDS = 24 * 3600


class FontError(RuntimeError):
    """A bundled font is missing or damaged (an incomplete or corrupted installation)."""


@dataclass(frozen=True)
class Entry:
    """What the manifest says a font file must be."""

    size: int
    sha256: str


def manifest(folder: Path | None = None) -> dict[str, Entry]:
    """``resources/fonts/MANIFEST.json``: file name → size and SHA-256 of every bundled font."""
    path = (folder or resource_path("fonts")) / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {name: Entry(int(e["size"]), str(e["sha256"]).lower()) for name, e in raw.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FontError(f"字体清单 {path} 缺失或无法读取（{exc}），安装可能不完整，请重新安装本程序。") from exc


def write_manifest(folder: Path) -> Path:
    """Write ``MANIFEST.json`` for the ``*.ttf`` files in `folder` (``tools/build_fonts.py`` calls it)."""
    entries = {}
    for path in sorted(folder.glob("*.ttf")):
        data = path.read_bytes()
        entries[path.name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    out = folder / MANIFEST
    out.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    return out


def source(filename: str) -> Path:
    """The bundled font file `filename`, or its packed copy ``<filename>.xz``; FontError when
    neither is there."""
    path = resource_path("fonts", filename)
    if path.is_file():
        return path
    packed = path.with_name(path.name + PACKED)
    if packed.is_file():
        return packed
    raise FontError(f"找不到字体文件 {path}，安装可能不完整，请重新安装本程序。")


def cache_folder() -> Path:
    """Where unpacked fonts are kept: ``<user cache>/fonts``."""
    from zscq_desktop.resources import user_cache_dir

    return user_cache_dir() / "fonts"


def _matches(path: Path, entry: Entry) -> bool:
    """Whether the file at `path` is exactly the font the manifest describes."""
    try:
        if path.stat().st_size != entry.size:
            return False
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == entry.sha256
    except OSError:
        return False


def _decompress(packed: Path, entry: Entry, out) -> None:  # noqa: ANN001 - a binary file object
    """Decompress `packed` into `out`, verifying size and SHA-256 against `entry`.

    Stops as soon as the output exceeds the expected size (a damaged or hostile archive cannot
    fill the disk).  Raises FontError when the archive is damaged or is not the expected font.
    """
    digest = hashlib.sha256()
    size = 0
    dec = lzma.LZMADecompressor()
    try:
        with open(packed, "rb") as src:
            while not dec.eof:
                if dec.needs_input:
                    data = src.read(CHUNK)
                    if not data:
                        break  # truncated archive
                else:
                    data = b""
                chunk = dec.decompress(data, max_length=CHUNK)
                size += len(chunk)
                if size > entry.size:
                    break
                digest.update(chunk)
                out.write(chunk)
    except lzma.LZMAError as exc:
        raise FontError(_damaged(packed, str(exc))) from exc
    if not dec.eof or size != entry.size or digest.hexdigest() != entry.sha256:
        raise FontError(_damaged(packed, "内容与字体清单不符"))


def _damaged(packed: Path, why: str) -> str:
    return f"字体压缩文件 {packed.name} 已损坏（{why}），无法使用其中的字体。请重新安装本程序。"


def _remove_stale_parts(folder: Path) -> None:
    """Remove temporary files a killed process left behind (best effort)."""
    now = time.time()
    try:
        for part in folder.glob(".*.part"):
            try:
                if now - part.stat().st_mtime > STALE_PART_SECONDS:
                    part.unlink()
            except OSError:
                pass
    except OSError:
        pass


def unpacked(packed: Path, folder: Path | None = None) -> Path | bytes:
    """The font packed in `packed` (``X.ttf.xz``): a verified file in the user cache folder, or —
    when that folder cannot be written — the verified font bytes for this process only.

    Raises FontError when the packed file or its manifest entry is missing or damaged.
    """
    name = packed.name[: -len(PACKED)]  # HanaMinB.ttf.xz → HanaMinB.ttf
    entry = manifest(packed.parent).get(name)
    if entry is None:
        raise FontError(f"字体清单中没有 {name}，安装可能不完整，请重新安装本程序。")
    folder = folder or cache_folder()
    stem, suffix = os.path.splitext(name)
    target = folder / f"{stem}-{entry.sha256[:16]}{suffix}"
    if _matches(target, entry):
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        log.warning("font cache folder %s not writable (%s): unpacking %s in memory", folder, exc, name)
        return _in_memory(packed, entry)
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as out:
                _decompress(packed, entry, out)
        except FontError:
            raise
        except OSError as exc:  # full disk, quota, antivirus
            log.warning("cannot unpack %s into %s (%s): unpacking in memory", name, folder, exc)
            return _in_memory(packed, entry)
        try:
            os.replace(tmp, target)  # only a complete, verified font ever has the final name
        except OSError as exc:
            # Windows refuses to replace a file another process has open: that process unpacked
            # the same font a moment ago, so the target is complete — check, and use it.
            if _matches(target, entry):
                return target
            log.warning("cannot move the unpacked %s into place (%s): using it from memory", name, exc)
            return _in_memory(packed, entry)
        _remove_stale_parts(folder)
        return target
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _in_memory(packed: Path, entry: Entry) -> bytes:
    """The verified font bytes, unpacked in memory (the cache folder cannot be used)."""
    import io

    out = io.BytesIO()
    try:
        _decompress(packed, entry, out)
    except OSError as exc:  # the packed file itself cannot be read
        raise FontError(f"无法读取字体压缩文件 {packed}（{exc}），安装可能不完整，请重新安装本程序。") from exc
    return out.getvalue()
