"""Small file-system helpers shared by the document and the user-data library: durable atomic
replacement, the checks made before a file is written, and SQLite URIs for any path."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import quote

SIDECARS = ("-journal", "-wal", "-shm")


def sidecar(path: Path, suffix: str) -> Path:
    """SQLite's companion file for `path` (e.g. ``x.zscq-journal``)."""
    return path.with_name(path.name + suffix)


def temp_beside(path: Path) -> Path:
    """A fresh hidden temporary name in the same folder, so `os.replace` onto `path` stays atomic."""
    return path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")


def sqlite_uri(path: Path, mode: str) -> str:
    """A ``file:`` URI SQLite accepts for an absolute path on POSIX, a drive path or a UNC path."""
    p = path.absolute().as_posix()
    if not p.startswith("/"):
        p = "/" + p  # "C:/x" → "/C:/x"; SQLite drops the slash before a drive letter on Windows
    return f"file://{quote(os.fsencode(p), safe='/:')}?mode={mode}"  # bytes: a name that is not UTF-8 too


def writable(path: Path) -> bool:
    """Whether we may write `path`: a folder by trying (`folder_accepts_files`), a file by its
    read-only flag. A file the user marked read-only counts as read-only even for
    root/Administrator, who the OS would let write it anyway."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    if stat.S_ISDIR(mode):
        return folder_accepts_files(path)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return False
    return os.access(path, os.W_OK)


def folder_accepts_files(folder: Path) -> bool:
    """Whether a new file can be created (and removed) in `folder`, found out by doing it.

    Never from the folder's mode bits: Explorer sets the read-only attribute on 桌面, 文档, the
    OneDrive root and every folder with a custom icon, Windows ignores that attribute for folders,
    yet CPython reports such a folder as mode 0o555. `os.access` is no better (it only reads the
    attribute on Windows, and ignores ACLs and network shares). A probe is the only honest answer.
    """
    probe = folder / f".zscq-probe-{os.getpid()}-{os.urandom(4).hex()}.tmp"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except OSError:
        return False
    os.close(fd)
    try:
        probe.unlink()
    except OSError:
        return False  # created but not removable (a drop box): our temporary names would pile up there
    return True


def fsync_file(path: Path) -> None:
    """Flush a finished file to the disk (read-write handle: Windows' FlushFileBuffers needs one)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on directories; the rename itself is still atomic
    finally:
        os.close(fd)


def remove_stale_sidecars(path: Path) -> None:
    """Delete journal files left beside a name we are about to (re)place: SQLite would otherwise
    replay a stranger's hot journal into our new file and corrupt it."""
    for suffix in SIDECARS:
        try:
            sidecar(path, suffix).unlink()
        except FileNotFoundError:
            pass


def place_new(tmp: Path, target: Path) -> None:
    """Move the finished `tmp` to `target` without ever replacing an existing `target`.

    Raises FileExistsError if `target` exists. A hard link is the atomic "rename unless exists"
    on POSIX and NTFS; where links are unsupported (FAT, some network shares) check-then-replace.
    """
    try:
        os.link(tmp, target)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise
    except OSError:
        if target.exists():
            tmp.unlink(missing_ok=True)
            raise FileExistsError(str(target)) from None
        os.replace(tmp, target)
        return
    tmp.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a crash leaves either the old or the new content."""
    tmp = temp_beside(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
