"""``zscq-desktop verify ZIP``: is an e-mail zip complete, unchanged and self-consistent?

Checks, each failure one error finding (never an exception, whatever the file holds):

* the file is a readable zip with a valid ``manifest.json``;
* every member listed in the manifest is present, intact (CRC) and has the listed size and
  SHA-256; no member is missing and none is extra;
* the volume PDF has the manifest's page count, and its version stamp — in the metadata
  (``/ZSCQStamp``, subject, keywords) and as the text "版本 XXXXXXXX" on the first numbered page —
  is the manifest's;
* ``submission.json`` hashes to the same version stamp (:func:`core.stamp.version_stamp`) and names
  the same call and direction.

An empty list means the package is intact. No Qt here.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from zscq_desktop.core.findings import Finding, error
from zscq_desktop.core.stamp import version_stamp
from zscq_desktop.package.manifest import MANIFEST_NAME, MAX_MANIFEST_BYTES, PackageError, parse_manifest
from zscq_desktop.package.ziplimits import (ZipLimitError, casefold_duplicates, digest, member_name, open_zip,
                                            read_member)

STAMP_TEXT = re.compile(r"版\s*本\s*([0-9A-Fa-f]{8})\b")
PAGE_NUMBER = re.compile(r"—\s*(\d+)\s*—")
SCAN_PAGES = 40  # the first numbered page comes after the cover and contents
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError,
                RuntimeError)  # RuntimeError: an encrypted member


def verify_package(path: Path) -> list[Finding]:
    """Check the package at ``path``; an empty list means it is intact."""
    name = Path(path).name
    broken = [error("package.unreadable", f"《{name}》不是完整的 zip 压缩包（文件可能已损坏、被截断或未下载完整）。")]
    try:
        zf = open_zip(Path(path), name)
    except FileNotFoundError:
        return [error("package.unreadable", f"找不到文件：{path}")]
    except ZipLimitError as exc:
        return [error("package.limits", str(exc))]
    except _READ_ERRORS:
        return broken
    if not _ends_with_own_directory(Path(path), zf):
        # A cut-off package can still "open": zipfile finds the end record of a zip stored inside
        # it (a DOCX is a zip) and treats everything before as a self-extractor prefix.
        zf.close()
        return broken
    with zf:
        return _verify(zf, name)


def _ends_with_own_directory(path: Path, zf: zipfile.ZipFile) -> bool:
    """Whether the archive is the whole file: no prefix before it and no comment after its end record
    (our packages have neither)."""
    first = min((i.header_offset for i in zf.infolist()), default=0)
    if first != 0 or zf.comment:
        return False
    with open(path, "rb") as fh:
        fh.seek(-22, os.SEEK_END)
        return fh.read(4) == b"PK\x05\x06"


def _verify(zf: zipfile.ZipFile, zip_name: str) -> list[Finding]:
    out: list[Finding] = []
    members = {member_name(i): i for i in zf.infolist()}
    if len(members) != len(zf.infolist()) or casefold_duplicates(members):
        out.append(error("package.member_extra", "压缩包中有重名的文件（不区分大小写），可能被改动过。"))
    if MANIFEST_NAME not in members:
        return out + [error("package.no_manifest", f"《{zip_name}》中没有 manifest.json，不是本软件生成的电子版压缩包，无法校验。")]
    try:
        manifest = parse_manifest(read_member(zf, members[MANIFEST_NAME], MAX_MANIFEST_BYTES))
    except ZipLimitError:
        return out + [error("package.manifest", "压缩包中的 manifest.json 大小异常。")]
    except PackageError as exc:
        return out + [error("package.manifest", str(exc))]
    except _READ_ERRORS:
        return out + [error("package.member_corrupt", "压缩包中的 manifest.json 已损坏（校验失败），压缩包可能被截断或改动过。")]

    keep = {manifest.get("volume_name"), manifest.get("submission")}
    kept: dict[str, bytes] = {}
    listed: set[str] = set()
    for entry in manifest["files"]:
        fname = entry["name"]
        listed.add(fname)
        info = members.get(fname)
        if info is None:
            out.append(error("package.member_missing", f"压缩包中缺少文件《{fname}》。"))
            continue
        try:
            size, sha, data = digest(zf, info, fname in keep)
        except ZipLimitError as exc:
            out.append(error("package.limits", str(exc)))
            continue
        except _READ_ERRORS:
            out.append(error("package.member_corrupt", f"压缩包中的《{fname}》已损坏（解压校验失败），压缩包可能被截断或改动过。"))
            continue
        if size != entry["size"] or sha != entry["sha256"].lower():
            out.append(error("package.member_changed", f"《{fname}》的内容与清单记录不一致（SHA-256 不同），文件已被改动。"))
        if data is not None:
            kept[fname] = data
    for extra in sorted(set(members) - listed - {MANIFEST_NAME}):
        out.append(error("package.member_extra", f"压缩包中多出清单未列出的文件《{extra}》。"))

    if manifest["volume_name"] not in listed:
        out.append(error("package.volume_missing", "清单中没有列出申报材料 PDF。"))
    elif manifest["volume_name"] in kept:
        out += _check_volume(kept[manifest["volume_name"]], manifest)
    if manifest["submission"] not in listed:
        out.append(error("package.submission_missing", "清单中没有列出申报数据 submission.json。"))
    elif manifest["submission"] in kept:
        out += _check_submission(kept[manifest["submission"]], manifest)
    return out


def _stamps_in(text: str) -> set[str]:
    return {m.upper() for m in STAMP_TEXT.findall(text or "")}


def _check_volume(data: bytes, manifest: dict[str, Any]) -> list[Finding]:
    name, stamp = manifest["volume_name"], str(manifest["stamp"]).upper()
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = len(reader.pages)
        meta = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        return [error("package.volume_unreadable", f"申报材料 PDF《{name}》无法打开，文件已损坏。")]
    out: list[Finding] = []
    if pages != manifest["volume_pages"]:
        out.append(error("package.volume_pages",
                         f"申报材料 PDF 有 {pages} 页，清单记录为 {manifest['volume_pages']} 页，两者不一致。"))
    found: set[str] = set()
    for key in ("/ZSCQStamp", "/Subject", "/Keywords"):
        value = meta.get(key)
        if value is None:
            continue
        value = str(value)
        found |= {value.strip().upper()} if key == "/ZSCQStamp" else _stamps_in(value)
    if not found:
        out.append(error("package.volume_stamp", f"申报材料 PDF《{name}》的文件属性中没有版本标识。"))
    elif found != {stamp}:
        out.append(error("package.volume_stamp",
                         f"申报材料 PDF 文件属性中的版本标识（{'、'.join(sorted(found))}）与清单（{stamp}）不一致。"))
    page_stamps = _first_numbered_page_stamps(reader)
    if page_stamps is None:
        out.append(error("package.volume_stamp", f"申报材料 PDF《{name}》的页面上找不到“版本 {stamp}”字样。"))
    elif page_stamps != {stamp}:
        out.append(error("package.volume_stamp",
                         f"申报材料 PDF 页面上的版本标识（{'、'.join(sorted(page_stamps))}）与清单（{stamp}）不一致。"))
    return out


def _first_numbered_page_stamps(reader: PdfReader) -> set[str] | None:
    """Stamps printed on the first page that carries a page number ("— 1 —"), or on the first
    stamped page when no numbered page is found early on; None when no page shows a stamp."""
    first_stamped: set[str] | None = None
    for page in list(reader.pages)[:SCAN_PAGES]:
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - pypdf raises many types on damaged content; treat as no text
            continue
        stamps = _stamps_in(text)
        if stamps and PAGE_NUMBER.search(text):
            return stamps
        if stamps and first_stamped is None:
            first_stamped = stamps
    return first_stamped


def _check_submission(data: bytes, manifest: dict[str, Any]) -> list[Finding]:
    name = manifest["submission"]
    try:
        sub = json.loads(data.decode("utf-8"))
        if not isinstance(sub, dict):
            raise ValueError
    except (UnicodeDecodeError, ValueError):
        return [error("package.submission_unreadable", f"申报数据《{name}》不是有效的 JSON 文件。")]
    out: list[Finding] = []
    stamp = version_stamp(sub)
    if stamp != str(manifest["stamp"]).upper():
        out.append(error("package.submission_stamp",
                         f"申报数据的版本标识（{stamp}）与清单和申报材料上的版本标识（{manifest['stamp']}）不一致，"
                         "数据与纸质材料不是同一版本。"))
    if sub.get("direction") != manifest["direction_id"] or sub.get("call") != manifest["call_id"]:
        out.append(error("package.submission_mismatch",
                         f"申报数据的年度/方向（{sub.get('call')}/{sub.get('direction')}）与清单"
                         f"（{manifest['call_id']}/{manifest['direction_id']}）不一致。"))
    return out
