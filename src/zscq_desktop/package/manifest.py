"""The package manifest (``manifest.json``) and the submission data put into the zip.

The manifest lets the agency — and ``zscq-desktop verify`` — check that the e-mailed zip is
complete and unchanged, and match it to the three paper copies by the version stamp. Field names
are a stable contract (the mail module builds the subject and body from them):

``format`` ("zscq-package"), ``version`` (1), ``call_id``, ``call_title``, ``direction_id``,
``direction_name``, ``unit_name``, ``stamp``, ``created`` (ISO 8601 with offset), ``app_version``,
``volume_name``, ``volume_pages``, ``submission`` ("submission.json"), ``files``: a list of
``{name, size, sha256}`` for every member except ``manifest.json`` itself, and
``volume_recompressed``: null, or what was done to the volume copy to fit the size budget.

No local path may enter the zip: :func:`clean_submission` drops ``path`` keys and reduces any
absolute path in the bookkeeping parts (meta, send records) to its file name.

No Qt here.
"""

from __future__ import annotations

import copy
import errno
import io
import json
import re
import zipfile
from pathlib import Path, PureWindowsPath
from typing import Any

import pikepdf

from zscq_desktop import __version__
from zscq_desktop.package.ziplimits import ZipLimitError, open_zip, read_member

FORMAT = "zscq-package"
VERSION = 1
MANIFEST_NAME = "manifest.json"
SUBMISSION_NAME = "submission.json"
REQUIRED = ("format", "version", "call_id", "direction_id", "stamp", "created", "volume_name", "volume_pages",
            "submission", "files")
MAX_MANIFEST_BYTES = 1024 * 1024  # a manifest is a few KB; refuse a zip bomb posing as one

_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\|/|~)")


class PackageError(OSError):
    """A package could not be written or read. ``str()`` is a plain Chinese message.

    An ``OSError`` so that the export's disk-error handling (errno ENOSPC → “磁盘空间不足…”) applies.
    """

    def __str__(self) -> str:
        return self.strerror or super().__str__()


def clean_submission(submission: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``submission`` that carries no local file path."""
    data = copy.deepcopy(submission)

    def drop_paths(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("path", None)
            for v in node.values():
                drop_paths(v)
        elif isinstance(node, list):
            for v in node:
                drop_paths(v)

    def basenames(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: basenames(v) for k, v in node.items()}
        if isinstance(node, list):
            return [basenames(v) for v in node]
        if isinstance(node, str) and _ABSOLUTE.match(node):
            return PureWindowsPath(node).name  # handles both / and \ separators
        return node

    drop_paths(data)
    for key in ("meta", "sends"):  # bookkeeping, not content: the version stamp ignores it
        if key in data:
            data[key] = basenames(data[key])
    return data


def json_bytes(data: Any) -> bytes:
    """Readable UTF-8 JSON (Chinese kept as characters), as written into the zip."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def pdf_pages(data: bytes | Path) -> int:
    """Page count of a PDF (bytes or a file); ``ValueError`` (Chinese message) when it cannot be read."""
    try:
        with pikepdf.open(io.BytesIO(data) if isinstance(data, bytes) else data) as pdf:
            return len(pdf.pages)
    except (pikepdf.PdfError, ValueError, OSError, KeyError, TypeError) as exc:
        raise ValueError(f"PDF 文件无法读取：{exc}") from None


def build_manifest(info: Any, files: list[dict[str, Any]], *, volume_pages: int,
                   volume_recompressed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest dict for a package (``info`` is a :class:`~zscq_desktop.package.zipper.PackageInfo`)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "call_id": info.call_id,
        "call_title": info.call_title,
        "direction_id": info.direction_id,
        "direction_name": info.direction_name,
        "unit_name": info.unit_name,
        "stamp": info.stamp,
        "created": (info.created if info.created.tzinfo else info.created.astimezone()).isoformat(timespec="seconds"),
        "app_version": __version__,
        "volume_name": info.volume_name,
        "volume_pages": volume_pages,
        "submission": SUBMISSION_NAME,
        "files": files,
        "volume_recompressed": volume_recompressed,
    }


def parse_manifest(data: bytes) -> dict[str, Any]:
    """Decode and check the shape of a manifest; ``PackageError`` with a Chinese message if wrong."""
    try:
        m = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PackageError(errno.EINVAL, "压缩包中的 manifest.json 已损坏，无法读取。") from None
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise PackageError(errno.EINVAL, "压缩包中的 manifest.json 不是本软件生成的清单。")
    if not isinstance(m.get("version"), int) or m["version"] > VERSION:
        raise PackageError(errno.EINVAL, "压缩包由更新版本的软件生成，请升级本软件后再校验。")
    missing = [k for k in REQUIRED if k not in m]
    if missing:
        raise PackageError(errno.EINVAL, f"压缩包中的 manifest.json 缺少字段：{', '.join(missing)}。")
    files = m["files"]
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("size"), int)
            and isinstance(f.get("sha256"), str) for f in files):
        raise PackageError(errno.EINVAL, "压缩包中的 manifest.json 的文件列表格式错误。")
    return m


def read_manifest(zip_path: Path) -> dict[str, Any]:
    """The manifest of the package at ``zip_path``.

    Raises:
        PackageError: the file is missing, not a zip, damaged, or has no valid manifest.
    """
    try:
        with open_zip(Path(zip_path)) as zf:
            info = zf.getinfo(MANIFEST_NAME)
            try:
                data = read_member(zf, info, MAX_MANIFEST_BYTES)
            except ZipLimitError:
                raise PackageError(errno.EINVAL, "压缩包中的 manifest.json 大小异常，拒绝读取。") from None
    except FileNotFoundError:
        raise PackageError(errno.ENOENT, f"找不到文件：{zip_path}") from None
    except KeyError:
        raise PackageError(errno.EINVAL, f"《{Path(zip_path).name}》中没有 manifest.json，不是本软件生成的电子版压缩包。") from None
    except ZipLimitError as exc:
        raise PackageError(errno.EINVAL, str(exc)) from None
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, NotImplementedError, ValueError):
        raise PackageError(errno.EINVAL, f"《{Path(zip_path).name}》不是完整的 zip 压缩包（文件可能已损坏或未下载完整）。") from None
    except PackageError:
        raise
    except OSError as exc:
        raise PackageError(exc.errno or errno.EIO, f"无法读取《{Path(zip_path).name}》：{exc.strerror or exc}") from None
    return parse_manifest(data)
