"""`DocumentError` and the translation of SQLite / OS failures into plain Chinese messages."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

# Stable values of `DocumentError.kind`, so the UI can react (offer read-only opening, "save as"…).
MISSING, DAMAGED, FOREIGN, NEWER, LOCKED, FULL, READONLY, CONFLICT, EXISTS, CLOSED, IO = (
    "missing", "damaged", "foreign", "newer", "locked", "full", "readonly", "conflict", "exists", "closed", "io")
# The submission text fails its hash but the previous save is intact (`DocumentError.previous`: when it was made).
TEXT_DAMAGED = "text_damaged"


class DocumentError(Exception):
    """A `.zscq` document cannot be opened or written; `str()` is a Chinese message for the user.

    `kind` is one of the module constants (``"damaged"``, ``"foreign"``, ``"newer"``, ``"locked"``,
    ``"full"``, ``"readonly"``, ``"conflict"``, ``"missing"``, ``"exists"``, ``"closed"``, ``"io"``).
    """

    def __init__(self, message: str, kind: str = IO, previous: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.previous = previous  # TEXT_DAMAGED: when the previous save (offered instead) was made


def damaged(path: Path, detail: str = "") -> DocumentError:
    extra = f"（{detail}）" if detail else ""
    return DocumentError(f"《{path.name}》已损坏，无法读取{extra}。文件未被改动；如有备份或导出的 JSON，请从备份恢复。", DAMAGED)


def from_sqlite(exc: BaseException, path: Path, action: str) -> DocumentError:
    """A `DocumentError` for a SQLite or OS exception raised while `action` (e.g. "保存") on `path`."""
    name = path.name
    code = getattr(exc, "sqlite_errorcode", None)
    code = None if code is None else code & 0xFF  # primary code (extended codes such as BUSY_RECOVERY fold in)
    text = str(exc).lower()
    # When a write fails the caller still holds the user's input: say so, it is what they worry about.
    keep = "" if action in _READS else "已输入的内容仍在程序中，不会丢失。"
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return DocumentError(f"磁盘空间不足，《{name}》{action}失败。请清理磁盘后重试；{keep}", FULL)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return DocumentError(f"《{name}》{action}失败：没有权限（文件或文件夹只读，或被其他程序占用）。{keep}", READONLY)
        return DocumentError(f"《{name}》{action}失败：{exc.strerror or exc}。{keep}", IO)
    if code == sqlite3.SQLITE_FULL or "disk is full" in text:
        return DocumentError(f"磁盘空间不足，《{name}》{action}失败。请清理磁盘后重试；{keep}", FULL)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
        return DocumentError(f"《{name}》正被其他程序占用（可能已在另一个窗口中打开），暂时无法{action}。"
                             f"请关闭占用它的程序后重试。{keep}", LOCKED)
    if (code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT) or "malformed" in text or "not a database" in text
            or "no such table" in text or "no such column" in text or "could not decode" in text):
        return damaged(path)
    if code == sqlite3.SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return DocumentError(f"《{name}》是只读的，无法{action}。请以只读方式查看，或“另存为”到可写的位置。{keep}", READONLY)
    if code == sqlite3.SQLITE_CANTOPEN or "unable to open" in text:
        return DocumentError(f"无法打开《{name}》：文件不存在、没有访问权限，或被其他程序独占。{keep}", IO)
    if code == sqlite3.SQLITE_IOERR or "disk i/o" in text:
        return DocumentError(f"《{name}》{action}时磁盘读写出错（U 盘已拔出或网络盘断开？）。{keep}"
                             f"{'请“另存为”到本机磁盘。' if keep else ''}", IO)
    # SQLite's own text is English and may quote the file's content: never shown, only its code.
    return DocumentError(f"《{name}》{action}失败（SQLite 错误 {code if code is not None else '未知'}）。{keep}", IO)


_READS = {"打开", "读取", "读取附件", "读取缓存", "检查", "恢复", "升级"}
