"""Call packs (`.zscqcall`): one file that carries a call folder from its author to every user.

A pack is a zip of the folder's data files plus `manifest.json` (id, title, issuer, version, created
and the sha256 of each file). Installing one reads it under zip limits, accepts only plain data file
names (nothing outside the pack, no folders, nothing executable: the app only ever parses TOML), checks
the hashes, validates the folder with `call check`, and copies it into the user's `calls/` folder.
A pack whose submission address, e-mail or issuer differs from the built-in calls' needs an explicit
confirmation: that is where a forged pack would send people's applications.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from zscq_desktop.call import registry
from zscq_desktop.call.validate import Problem, check_folder
from zscq_desktop.system.tempdirs import temporary_folder

PACK_SUFFIX = ".zscqcall"
PACK_FORMAT = "zscq-call-pack"
MANIFEST = registry.MANIFEST
DATA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.(toml|md|txt)$")

# A pack's own, tighter limits (on top of package.ziplimits): a call folder is a few text files of some 100 KB.
MAX_MEMBERS = 64
MAX_MEMBER_BYTES = 4 * 1024 * 1024
MAX_TOTAL_BYTES = 16 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for members above 64 KB


class PackError(ValueError):
    """The pack cannot be made or read; the message says why, in Chinese."""


def zip_limit_problems(zf: zipfile.ZipFile, label: str) -> list[str]:
    """Reasons the archive breaks the limits, or []: first the program's zip bounds for every zip it
    reads (`package.ziplimits`, from the directory, before anything is inflated), then the tighter ones
    of a call pack (a few small text files)."""
    from zscq_desktop.package.ziplimits import ZipLimitError, check_listing

    try:
        infos = check_listing(zf, label)
    except ZipLimitError as exc:
        return [str(exc)]
    if len(infos) > MAX_MEMBERS:
        return [f"{label} 含 {len(infos)} 个文件，超过数据包上限 {MAX_MEMBERS}"]
    out, total = [], 0
    for i in infos:
        total += i.file_size
        if i.file_size > MAX_MEMBER_BYTES:
            out.append(f"{i.filename}: 解压后 {i.file_size} 字节，超过单个文件上限 {MAX_MEMBER_BYTES}")
        elif i.file_size > 65536 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            out.append(f"{i.filename}: 压缩比异常（{i.file_size // max(i.compress_size, 1)}:1），疑似压缩炸弹")
    if total > MAX_TOTAL_BYTES:
        out.append(f"{label} 解压后共 {total} 字节，超过上限 {MAX_TOTAL_BYTES}")
    return out


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, never more than the limit even if its header lies about the size."""
    from zscq_desktop.package.ziplimits import ZipLimitError, read_member

    try:
        return read_member(zf, info, MAX_MEMBER_BYTES)
    except ZipLimitError as exc:
        raise PackError(f"{info.filename}: {exc}") from None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_pack(folder: Path, out: Path, created: datetime | None = None) -> dict:
    """Validate `folder` and write it as a pack at `out`; returns the manifest. Raises `PackError`."""
    problems = check_folder(folder)
    if problems:
        raise PackError("数据有误，未打包：\n" + "\n".join(str(p) for p in problems))
    from zscq_desktop.call.loader import load_call_folder

    call = load_call_folder(folder)
    names = sorted(p.name for p in folder.iterdir() if p.is_file() and DATA_NAME.match(p.name) and p.name != MANIFEST)
    files = {n: (folder / n).read_bytes() for n in names}
    manifest = {
        "format": PACK_FORMAT, "format_version": 1, "id": call.id, "title": call.title, "issuer": call.issuer,
        "version": call.version, "deadline": call.deadline.isoformat(),
        "created": (created or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "files": {n: _sha256(b) for n, b in files.items()},
    }
    if out.suffix.lower() != PACK_SUFFIX:
        raise PackError(f"数据包文件名须以 {PACK_SUFFIX} 结尾：{out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        for n, b in files.items():
            zf.writestr(n, b)
    from zscq_desktop.store.files import atomic_write

    atomic_write(out, buf.getvalue())
    return manifest


@dataclass
class PackPreview:
    """What installing a pack would do, shown before anything is written."""

    path: Path
    manifest: dict = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # any → refused
    id: str = ""
    title: str = ""
    issuer: str = ""
    deadline: str = ""
    submit_email: str = ""
    address: str = ""
    version: int = 0
    installed_version: int | None = None
    warnings: list[str] = field(default_factory=list)  # each needs the user's confirmation

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings)


def _refuse(preview: PackPreview, reason: str, file: str = "", key: str = "") -> PackPreview:
    line = 0
    if key and file in preview.files:
        from zscq_desktop.call.textpos import KeyLines

        line = KeyLines(preview.files[file].decode("utf-8", "replace")).line(key)
    preview.problems.append(Problem(file or preview.path.name, line, key, reason))
    return preview


def read_pack(path: Path) -> PackPreview:
    """Read and validate a pack without installing it."""
    preview = PackPreview(path)
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        return _refuse(preview, "文件不存在")
    except (zipfile.BadZipFile, OSError, ValueError):
        return _refuse(preview, "不是有效的申报年度数据包（.zscqcall 应为 zip 格式）")
    with zf:
        for reason in zip_limit_problems(zf, path.name):
            _refuse(preview, reason)
        if preview.problems:
            return preview
        for info in zf.infolist():
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or ":" in name:
                _refuse(preview, f"“{name}”指向数据包之外，拒绝安装")
            elif info.is_dir() or "/" in name or "\\" in name:
                _refuse(preview, f"“{name}”：数据包只能包含数据文件，不能有文件夹")
            elif name != MANIFEST and not DATA_NAME.match(name):
                _refuse(preview, f"“{name}”不是数据文件（只接受 .toml、.md、.txt），拒绝安装")
        if preview.problems:
            return preview
        try:
            for info in zf.infolist():
                preview.files[info.filename] = _read_member(zf, info)
        except PackError as exc:
            return _refuse(preview, str(exc))
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            return _refuse(preview, f"数据包已损坏：{exc}")
    raw = preview.files.pop(MANIFEST, None)
    if raw is None:
        return _refuse(preview, f"缺少 {MANIFEST}（请用 `zscq-desktop call pack` 打包）")
    try:
        manifest = json.loads(raw.decode("utf-8"))
        assert isinstance(manifest, dict) and manifest.get("format") == PACK_FORMAT
        listed = manifest["files"]
        assert isinstance(listed, dict)
    except (ValueError, AssertionError, KeyError, UnicodeDecodeError):
        return _refuse(preview, f"{MANIFEST} 不是有效的清单", MANIFEST)
    preview.manifest = manifest
    for name, data in preview.files.items():
        if name not in listed:
            _refuse(preview, "文件未列入清单", name)
        elif _sha256(data) != listed[name]:
            _refuse(preview, "sha256 与清单不符（文件在打包后被改动）", name)
    for name in listed:
        if name not in preview.files:
            _refuse(preview, "清单列出的文件不在数据包中", name)
    if preview.problems:
        return preview
    with temporary_folder("zscq-call-") as folder:  # a cleanup an antivirus blocks is logged, not raised
        for name, data in preview.files.items():
            (folder / name).write_bytes(data)
        preview.problems.extend(check_folder(folder))
        if preview.problems:
            return preview
        from zscq_desktop.call.loader import load_call_folder

        call = load_call_folder(folder)
    _describe(preview, call)
    return preview


def _describe(preview: PackPreview, call) -> None:
    preview.id, preview.title, preview.issuer = call.id, call.title, call.issuer
    preview.deadline = f"{call.deadline:%Y-%m-%d %H:%M}"
    preview.submit_email, preview.address = call.submit_email, str(call.submission.get("address", ""))
    preview.version = call.version
    if preview.manifest.get("id") != call.id:
        _refuse(preview, f"清单中的 id “{preview.manifest.get('id')}” 与 call.toml 中的 “{call.id}” 不一致", MANIFEST)
    if call.id in registry.builtin_ids():
        _refuse(preview, f"“{call.id}”是程序内置的申报年度，数据包不能替换它（请换一个 id）", "call.toml", "call.id")
    preview.installed_version = registry.installed_version(call.id)
    if preview.installed_version is not None:
        if call.version <= preview.installed_version:
            _refuse(preview, f"已安装“{call.id}”版本 {preview.installed_version}；只能用更高的版本替换"
                             f"（本数据包为版本 {call.version}）", "call.toml", "call.version")
        else:
            preview.warnings.append(f"将用版本 {call.version} 替换已安装的版本 {preview.installed_version}。")
    emails, addresses, issuers = registry.builtin_contacts()
    if call.submit_email.strip().lower() not in emails:
        preview.warnings.append(f"电子版发送邮箱“{call.submit_email}”与内置申报年度使用的"
                                f"（{'、'.join(sorted(emails))}）不同。请向发布单位核实后再安装。")
    if preview.address.strip() not in addresses:
        preview.warnings.append(f"纸质材料受理地址“{preview.address}”与内置申报年度使用的"
                                f"（{'、'.join(sorted(addresses))}）不同。请向发布单位核实。")
    if call.issuer.strip() not in issuers:
        preview.warnings.append(f"发布单位“{call.issuer}”与内置申报年度的（{'、'.join(sorted(issuers))}）不同。")


def install(preview: PackPreview) -> Path:
    """Install a read, unrefused pack into the user's calls folder (replacing an older version)."""
    if preview.refused:
        raise PackError("数据包有误，未安装")
    root = registry.installed_root()
    target = root / preview.id
    staging = Path(tempfile.mkdtemp(prefix=f".{preview.id}-", dir=root))
    for name, data in preview.files.items():
        (staging / name).write_bytes(data)
    (staging / MANIFEST).write_text(json.dumps(preview.manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    if target.exists():
        old = root / f".{preview.id}-old"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)
    from zscq_desktop.call.loader import load_call

    load_call.cache_clear()  # type: ignore[attr-defined]
    return target
