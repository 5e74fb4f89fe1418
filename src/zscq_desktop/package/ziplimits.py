"""Bounds for every zip the program reads (verify, send, call packs): a hostile zip is refused from its
directory, before a single byte is decompressed.

A zip's central directory states each member's sizes, and Python's ``zipfile`` never hands out more
than the stated uncompressed size (and checks the CRC at the end), so bounding the stated sizes bounds
the work: a 1.2 MB "zip bomb" that inflates to gigabytes is refused in milliseconds instead of running
for minutes. The limits are far above what an export writes (a handful of members, the volume PDF at
most a few hundred MB) and the ratio limit only applies to members large enough to matter.

Names: a zip written by a Chinese archiver (WinRAR, 360压缩, Bandizip on a Chinese Windows) stores GBK
names without the UTF-8 flag; ``zipfile`` decodes those as cp437 (mojibake). :func:`member_name`
gives the name the user sees in Explorer (DESIGN §9): the Info-ZIP Unicode Path extra field when
present and valid, else GBK for a non-ASCII name without the flag.

Hashes are computed streaming (:func:`digest`), one chunk in memory at a time.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO

MAX_MEMBERS = 100
MAX_MEMBER_BYTES = 250 * 1024 * 1024  # uncompressed, per member
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # uncompressed, all members together
MAX_RATIO = 200  # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024  # small members (a JSON of spaces) may compress better without harm
CHUNK = 1024 * 1024
UTF8_FLAG = 0x800
UNICODE_PATH_EXTRA = 0x7075


class ZipLimitError(ValueError):
    """A zip outside the bounds; ``str()`` is a Chinese message naming the zip (and the member)."""


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n} 字节"


def _unicode_path(info: zipfile.ZipInfo) -> str | None:
    """The UTF-8 name of an Info-ZIP Unicode Path extra field whose CRC matches the header name."""
    extra, raw = info.extra, _raw_name(info)
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[i:i + 4])
        body = extra[i + 4:i + 4 + size]
        if tag == UNICODE_PATH_EXTRA and len(body) >= 5 and body[0] == 1:
            if raw is None or struct.unpack("<I", body[1:5])[0] == zlib.crc32(raw):
                try:
                    return body[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
        i += 4 + size
    return None


def _raw_name(info: zipfile.ZipInfo) -> bytes | None:
    """The name's bytes as stored in the directory (``None`` when they cannot be recovered)."""
    try:
        if info.flag_bits & UTF8_FLAG:
            return info.orig_filename.encode("utf-8")
        return info.orig_filename.encode("cp437")
    except UnicodeEncodeError:
        return None


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as Explorer shows it: UTF-8 when flagged, the Unicode Path extra field when
    present, GBK for other non-ASCII names (``zipfile`` decoded them as cp437); ``\\`` made ``/``."""
    name = info.filename
    if not info.flag_bits & UTF8_FLAG and not name.isascii():
        name = _unicode_path(info) or _gbk(info) or name
    return name.replace("\\", "/")


def _gbk(info: zipfile.ZipInfo) -> str | None:
    raw = _raw_name(info)
    if raw is None:
        return None
    try:
        return raw.decode("gbk")
    except UnicodeDecodeError:
        return None


def check_listing(zf: zipfile.ZipFile, zip_name: str) -> list[zipfile.ZipInfo]:
    """The members of `zf` after checking its directory against the limits; raises `ZipLimitError`."""
    infos = zf.infolist()
    label = f"压缩包《{zip_name}》"
    if len(infos) > MAX_MEMBERS:
        raise ZipLimitError(f"{label}中有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS} 个，不是本软件生成的电子版压缩包，未解压。")
    total = 0
    for info in infos:
        name = member_name(info)
        if info.file_size > MAX_MEMBER_BYTES:
            raise ZipLimitError(f"{label}中的《{name}》解压后有 {_mb(info.file_size)}，超过单个文件 "
                                f"{_mb(MAX_MEMBER_BYTES)} 的上限，未解压。")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ZipLimitError(f"{label}中的《{name}》压缩比异常（{_mb(info.compress_size)} 解压后为 "
                                f"{_mb(info.file_size)}），可能是恶意构造的“压缩炸弹”，未解压。")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise ZipLimitError(f"{label}解压后共有 {_mb(total)}，超过上限 {_mb(MAX_TOTAL_BYTES)}，未解压。")
    return infos


def open_zip(source: Path | IO[bytes], zip_name: str | None = None) -> zipfile.ZipFile:
    """Open a zip and check its directory (`check_listing`); the caller closes it.

    Raises `ZipLimitError` for a zip outside the bounds and ``zipfile.BadZipFile`` (and the other
    errors of ``zipfile.ZipFile``) for one that is not a zip.
    """
    zf = zipfile.ZipFile(source)
    try:
        check_listing(zf, zip_name or (Path(source).name if isinstance(source, (str, Path)) else "压缩包"))
    except BaseException:
        zf.close()
        raise
    return zf


def digest(zf: zipfile.ZipFile, info: zipfile.ZipInfo, keep: bool = False) -> tuple[int, str, bytes | None]:
    """Size and SHA-256 of a member read in chunks (CRC checked at the end by ``zipfile``); its bytes
    too when `keep`. Never more than the member's stated size, which `check_listing` bounded."""
    h = hashlib.sha256()
    size = 0
    kept = io.BytesIO() if keep else None
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
            if size > MAX_MEMBER_BYTES:
                raise ZipLimitError(f"压缩包中的《{member_name(info)}》解压后超过 {_mb(MAX_MEMBER_BYTES)}，未继续解压。")
            if kept is not None:
                kept.write(chunk)
    return size, h.hexdigest(), kept.getvalue() if kept is not None else None


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The bytes of a small member (a manifest, a JSON), refused beyond `limit` before reading."""
    if info.file_size > limit:
        raise ZipLimitError(f"压缩包中的《{member_name(info)}》大小异常（{_mb(info.file_size)}），未解压。")
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ZipLimitError(f"压缩包中的《{member_name(info)}》大小异常，未解压。")
    return data


def casefold_duplicates(names: Iterable[str]) -> list[str]:
    """Names that clash with an earlier one ignoring case (NTFS keeps only one of ``A.pdf``/``a.pdf``)."""
    seen: set[str] = set()
    clashes = []
    for n in names:
        key = n.casefold()
        if key in seen:
            clashes.append(n)
        seen.add(key)
    return clashes
