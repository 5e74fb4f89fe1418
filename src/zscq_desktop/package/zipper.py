"""The e-mail zip: what the agency receives and nothing else.

Volume PDF, the DOCX files of form and plan, ``manifest.json`` and ``submission.json``.  The print
checklist is the applicant's own (it says it is not to be submitted), so the export leaves it out;
``verify`` still accepts older zips whose manifest lists it (every listed member is checked alike).

File names in the zip — chosen on evidence:
the names are stored as UTF-8 with general-purpose flag bit 11 set (APPNOTE 6.3.0), which is
Python's default, and every non-ASCII name also carries an Info-ZIP Unicode Path extra field
(0x7075) holding the same UTF-8 name. Measured here (Debian 12): with bit 11, Info-ZIP ``unzip``
6.0, ``7z`` 16.02, ``bsdtar`` 3.6 and Python's ``zipfile`` all list the Chinese names exactly;
Windows Explorer honours bit 11 since Windows 7, as do 7-Zip, WinRAR and macOS Archive Utility.
The classic alternative — GBK names without the flag plus a 0x7075 field — lists correctly in
unzip/7z/bsdtar too, but Python 3.11 shows mojibake (``╔Ω▒¿…``), and so would any non-Chinese
locale and tools that ignore 0x7075; GBK without the field breaks every tool but Chinese
Explorer. So UTF-8 + bit 11 it is. The extra 0x7075 field costs a few dozen bytes per member and
helps the odd tool that reads the Info-ZIP field but predates bit 11; every tool above accepts it.

Nothing in the zip names the user's machine: the timestamps are ``info.created`` (not the files'
mtimes), ``create_system`` is always 3 with mode 0644, no uid/gid or extended-timestamp extra
fields are written, no comment, member names are bare file names. The same input gives the same
bytes on every platform.

The zip is built in a temporary file in the output folder and moved into place with
``os.replace``: a full disk or a crash leaves no half-written zip. Over the size budget, the
volume copy inside the zip has its images recompressed (:mod:`.shrink`); the volume on disk, the
one that is printed, is never changed.

No Qt here.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import math
import os
import secrets
import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pikepdf

from zscq_desktop.core.filenames import safe_name
from zscq_desktop.core.findings import Finding, info as info_finding, warning
from zscq_desktop.core.stamp import version_stamp
from zscq_desktop.package.manifest import (MANIFEST_NAME, SUBMISSION_NAME, PackageError, build_manifest,
                                           clean_submission, json_bytes, pdf_pages, read_manifest)
from zscq_desktop.package.shrink import MIN_DPI, Cache as ShrinkCache, shrink_to_fit

__all__ = ["DEFAULT_BUDGET", "PackageError", "PackageInfo", "PackageResult", "build_package", "package_name",
           "read_manifest"]

log = logging.getLogger(__name__)
DEFAULT_BUDGET = 20 * 1024 * 1024
UNIX = 3  # create_system: fixed, whatever platform builds the zip
FILE_MODE = 0o100644  # regular file, rw-r--r--
UNICODE_PATH_EXTRA = 0x7075
RESERVED = {MANIFEST_NAME, SUBMISSION_NAME}


@dataclass
class PackageInfo:
    call_id: str
    call_title: str  # short title, e.g. "2023天津知识产权资助"
    direction_id: str
    direction_name: str
    unit_name: str
    stamp: str
    volume_name: str  # which of the files is the volume PDF
    created: datetime  # timezone-aware; also the members' timestamps


@dataclass
class PackageResult:
    path: Path
    size: int
    findings: list[Finding] = field(default_factory=list)
    size_before: int | None = None  # the size before recompression, when the budget forced one


def package_name(info: PackageInfo) -> str:
    """``<call short title>-<direction>-<unit>.zip``, safe as a file name on Windows, macOS and Linux."""
    parts = [safe_name(info.call_title, 40, "知识产权资助申报"), safe_name(info.direction_name, 30, info.direction_id),
             safe_name(info.unit_name, 40, "未填写单位")]
    return "-".join(parts) + ".zip"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _mb_up(n: int) -> str:
    return f"{math.ceil(n / (1024 * 1024) * 10) / 10:.1f} MB"


def _unicode_path_extra(name: str, header_name: bytes) -> bytes:
    """Info-ZIP Unicode Path extra field: version 1, CRC-32 of the header name, UTF-8 name."""
    body = struct.pack("<BI", 1, zlib.crc32(header_name)) + name.encode("utf-8")
    return struct.pack("<HH", UNICODE_PATH_EXTRA, len(body)) + body


PRECOMPRESSED = (".pdf", ".jpg", ".jpeg", ".png")


def _zinfo(name: str, created: datetime) -> zipfile.ZipInfo:
    # DOS timestamps cover 1980–2107 only
    stamp = max((1980, 1, 1, 0, 0, 0), min((2107, 12, 31, 23, 59, 58), tuple(created.timetuple()[:6])))
    zi = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    # PDF streams are already deflated and images JPEG: deflating them again costs ≈ 0.2 s per 10 MB
    # for a 1–2 % gain, so they are stored. DOCX stays deflated (small, and a stored DOCX would put a
    # second zip end record inside the package, which confuses tools reading a truncated copy).
    zi.compress_type = zipfile.ZIP_STORED if name.lower().endswith(PRECOMPRESSED) else zipfile.ZIP_DEFLATED
    zi.create_system = UNIX
    zi.external_attr = FILE_MODE << 16
    if not name.isascii():
        zi.extra = _unicode_path_extra(name, name.encode("utf-8"))  # the header name is UTF-8 (bit 11)
    return zi


def _check_names(files: list[tuple[str, Path]]) -> None:
    seen: set[str] = set()
    for name, _ in files:
        if (not name or name in (".", "..") or "/" in name or "\\" in name or name in RESERVED
                or name.casefold() in seen):  # NTFS keeps one of A.pdf / a.pdf
            raise ValueError(f"不能用作压缩包内文件名：{name!r}")
        seen.add(name.casefold())


CHUNK = 1 << 20  # members on disk are hashed and packed 1 MB at a time (issue 15: memory flat in size)


def _digest(data: bytes | Path) -> dict[str, Any]:
    """Size and SHA-256 of a member given as bytes or as a file (read piece by piece)."""
    if isinstance(data, bytes):
        return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    h, size = hashlib.sha256(), 0
    with open(data, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": h.hexdigest()}


def _write_zip(target: Path, members: list[tuple[str, bytes | Path]], info: PackageInfo, volume_pages: int,
               recompressed: dict[str, Any] | None, sync: bool = True) -> int:
    """Write the zip to ``target`` (overwriting it) and return its size; members on disk are streamed.
    Without `sync` the caller syncs it (`_sync`) if it is kept (a zip over budget is written again)."""
    files = [{"name": n, **_digest(d)} for n, d in members]
    manifest = build_manifest(info, files, volume_pages=volume_pages, volume_recompressed=recompressed)
    with open(target, "wb") as fh:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            zf.writestr(_zinfo(MANIFEST_NAME, info.created), json_bytes(manifest))
            for (name, data), meta in zip(members, files):
                if isinstance(data, bytes):
                    zf.writestr(_zinfo(name, info.created), data)
                    continue
                zinfo = _zinfo(name, info.created)
                zinfo.file_size = meta["size"]  # as writestr does: decides the same header (no zip64)
                with open(data, "rb") as src, zf.open(zinfo, "w") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
        fh.flush()
        if sync:
            os.fsync(fh.fileno())  # a full disk shows up here, before the zip replaces anything
        return fh.tell()


def _sync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _os_error(exc: OSError, out_dir: Path) -> PackageError:
    if exc.errno == errno.ENOSPC:
        msg = f"磁盘空间不足，无法在 {out_dir} 写入电子版压缩包。请清理磁盘或换一个文件夹后重试；已填写的内容不受影响。"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        msg = f"没有权限写入 {out_dir}，请换一个文件夹（例如“文档”）后重试。"
    elif isinstance(exc, FileNotFoundError) and exc.filename:
        msg = f"找不到要打包的文件：{Path(str(exc.filename)).name}"
    else:
        msg = f"写入电子版压缩包失败（{exc.strerror or exc}）：{out_dir}"
    return PackageError(exc.errno or errno.EIO, msg)


def build_package(out_dir: Path, *, files: list[tuple[str, Path]], submission: dict[str, Any], info: PackageInfo,
                  budget_bytes: int = DEFAULT_BUDGET, cache: ShrinkCache | None = None) -> PackageResult:
    """Build the e-mail zip in ``out_dir`` (replacing an older one of the same name).

    Args:
        out_dir: the export folder.
        files: (name in the zip, file on disk), in the order they should be listed; one of them is
            ``info.volume_name``.
        submission: the submission dict (``Submission.to_dict()`` form); written as
            ``submission.json`` without any local path.
        info: what the manifest and the zip's name say.
        budget_bytes: the largest zip an e-mail should carry; over it, the volume copy's images
            are recompressed (an INFO finding gives before/after sizes); still over, a WARNING
            with the user's options.
        cache: where re-encoded images are kept between exports (the document's derived data);
            a repeated export with the same images and budget re-encodes nothing.

    Raises:
        PackageError: the zip could not be written (disk full, no permission, a file vanished);
            nothing is left behind and an older zip of the same name is untouched.
        ValueError: ``files`` has unusable names or lacks the volume (a programming error).
    """
    _check_names(files)
    if info.volume_name not in {n for n, _ in files}:
        raise ValueError(f"要打包的文件中没有申报材料 PDF：{info.volume_name}")
    findings: list[Finding] = []
    sub = clean_submission(submission)
    if version_stamp(sub) != info.stamp:
        findings.append(warning("package.stamp_mismatch",
                                f"申报数据的版本标识（{version_stamp(sub)}）与申报材料上的版本标识（{info.stamp}）不一致，"
                                "请重新导出。"))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for _, path in files:
            path.stat()  # a missing file is named now, before anything is written
    except OSError as exc:
        raise _os_error(exc, out_dir) from None
    # streamed from disk, not read into memory (the export's staged files stay as they are meanwhile)
    contents: list[tuple[str, bytes | Path]] = [(name, path) for name, path in files]
    contents.append((SUBMISSION_NAME, json_bytes(sub)))
    volume_index = next(i for i, (n, _) in enumerate(contents) if n == info.volume_name)
    volume = contents[volume_index][1]
    try:
        pages = pdf_pages(volume)
    except ValueError as exc:
        raise ValueError(f"申报材料 PDF《{info.volume_name}》无法读取：{exc}") from None

    target = out_dir / package_name(info)
    # not mkstemp: its 0600 mode would make the zip unlike the other exported files (umask applies here)
    tmp = out_dir / f".zscq-package-{secrets.token_hex(6)}.zip.tmp"
    try:
        tmp.open("xb").close()
    except OSError as exc:
        raise _os_error(exc, out_dir) from None
    try:
        size = _write_zip(tmp, contents, info, pages, None, sync=False)
        size_before = None
        if size > budget_bytes:
            size_before = size
            size, found = _fit_budget(tmp, contents, volume_index, info, pages, budget_bytes, size, cache)
            findings.extend(found)
        if size_before is None or "package.recompressed" not in {f.code for f in findings}:
            _sync(tmp)  # the zip kept as first written (the shrunk one was synced as it was written)
        try:
            os.replace(tmp, target)
        except PermissionError:
            if not target.exists():
                raise
            raise PackageError(errno.EACCES, f"旧的电子版压缩包《{target.name}》正被其他程序（如解压软件、邮件客户端）打开，"
                                             "无法替换。请关闭该程序后重新导出。") from None
    except PackageError:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _os_error(exc, out_dir) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return PackageResult(target, size, findings, size_before)


def _meta_stamp(pdf: bytes | Path) -> str | None:
    try:
        with pikepdf.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf) as doc:
            meta = doc.docinfo
            return str(meta.get("/ZSCQStamp") or meta.get("/Subject") or "")
    except (pikepdf.PdfError, ValueError, OSError):
        return None


def _fit_budget(tmp: Path, contents: list[tuple[str, bytes | Path]], volume_index: int, info: PackageInfo,
                pages: int, budget: int, size: int, cache: ShrinkCache | None = None) -> tuple[int, list[Finding]]:
    """Recompress the volume copy once so that the zip fits; return the final size and findings."""
    original = contents[volume_index][1]  # bytes, or the file on disk (not read into memory)
    digest = _digest(original)
    others = size - digest["size"]  # the zip without the volume: the rest of the members and the zip's own bytes
    before, done = size, None
    shrunk_file = tmp.with_name(tmp.name[:-len(".zip.tmp")] + ".pdf.tmp")  # beside the zip, removed below
    try:
        try:  # one pass: the quality chosen from a sample, every image re-encoded once (issue 15)
            fit = shrink_to_fit(original, budget - others, min_dpi=MIN_DPI, to=shrunk_file, cache=cache)
        except Exception:  # noqa: BLE001 - odd PDF internals: keep the complete, unshrunk zip and warn below
            log.exception("recompressing the volume failed")
            fit = None
        shrunk = fit.result if fit else None
        level = fit.level if fit else None
        if (shrunk and level and shrunk.changed and shrunk.pages == pages and shrunk.path is not None
                and _meta_stamp(shrunk.path) == _meta_stamp(original)):
            members = list(contents)
            members[volume_index] = (info.volume_name, shrunk.path)  # streamed from disk like the others
            recompressed = {"original_size": digest["size"], "original_sha256": digest["sha256"],
                            "size": shrunk.size, "max_dpi": level.dpi, "jpeg_quality": level.quality,
                            "images": shrunk.changed,
                            "min_effective_dpi": round(shrunk.min_dpi, 1) if shrunk.min_dpi else None}
            size = _write_zip(tmp, members, info, pages, recompressed)
            done = level
    finally:
        shrunk_file.unlink(missing_ok=True)
    findings: list[Finding] = []
    if done is not None:
        findings.append(info_finding(
            "package.recompressed",
            f"电子版压缩包原为 {_mb(before)}，超过 {_mb(budget)} 的大小限制，已将压缩包内申报材料 PDF 中的扫描图片"
            f"重新压缩（按页面上的实际尺寸不低于 {MIN_DPI:.0f} dpi，页数和版本标识不变），压缩包现为 {_mb(size)}。"
            "打印用的申报材料 PDF 未作改动。"))
    if size > budget:
        over = _mb(size - budget) if size - budget >= 100 * 1024 else f"{(size - budget) / 1024:.0f} KB"
        if fit is not None and fit.unreachable:
            floor = _mb_up(others + fit.estimate)  # rounded up: a budget the user can take as it is
            findings.append(warning(
                "package.over_budget",
                f"电子版压缩包为 {_mb(size)}，超过 {_mb(budget)} 的大小限制（超出 {over}），邮箱可能拒收。"
                f"即使把其中的扫描图片压缩到清晰度下限（{MIN_DPI:.0f} dpi），压缩包估计仍有约 {floor}，"
                "同样超出，所以没有压缩图片：压缩包里的申报材料与打印版完全相同。可选办法："
                "① 先电话询问受理单位能否接收更大的邮件（能接收本压缩包的大小即可直接发送；若上限在 "
                f"{floor} 与 {_mb(size)} 之间，可用命令行 zscq-desktop export 加 --zip-budget-mb 把大小上限设为该值"
                "后重新导出，图片只压缩到刚好放得下）；"
                "② 分几封邮件发送（例如申报材料 PDF 单独一封，邮件主题注明“第1封/共2封”）；"
                "③ 扫描附件时改用 150–200 dpi、灰度，重新添加后再导出。压缩包已生成，内容完整。"))
        else:
            tried = "压缩图片后仍" if done is not None else "其中没有可以再压缩的图片，"
            findings.append(warning(
                "package.over_budget",
                f"电子版压缩包为 {_mb(size)}，{tried}超过 {_mb(budget)} 的大小限制（超出 {over}），邮箱可能拒收。可选办法："
                "① 先电话询问受理单位能否接收更大的邮件；② 分几封邮件发送（例如申报材料 PDF 单独一封，邮件主题注明“第1封/共2封”）；"
                "③ 扫描附件时改用 150–200 dpi、灰度，重新添加后再导出。压缩包已生成，内容完整。"))
    return size, findings
