"""Replace a set of files all or nothing, and tell "open in another program" from "no permission".

On Windows ``os.replace`` onto a file that Acrobat, WPS or Word holds open raises PermissionError
(winerror 32, sharing violation, or 5, access denied, when the holder did not allow deletion). An
export replaces the volume, the DOCX files, the checklist and the zip: if the third is open, the
first two must not already be new — paper and e-mail would then differ. So every existing target is
first moved aside (the rename fails exactly when the file is held open), and only when all moved
are the new files put in place; any failure moves the old ones back.
"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION = 5, 32, 33


class FileInUse(PermissionError):
    """`path` is open in another program; `str()` names it in Chinese (`action` says what to redo)."""

    def __init__(self, path: Path, action: str = "重新导出") -> None:
        super().__init__(errno.EACCES, f"《{path.name}》正在被其他程序打开，请关闭后{action}。", str(path))
        self.path = path

    def __str__(self) -> str:
        return str(self.strerror)


class ReadOnlyTarget(PermissionError):
    """`path` carries the read-only flag, so it cannot be replaced; `str()` names it in Chinese."""

    def __init__(self, path: Path, action: str = "重新导出") -> None:
        super().__init__(errno.EACCES, f"《{path.name}》是只读文件，没有权限替换它。请取消它的只读属性（文件属性中）"
                                       f"或换一个文件夹后{action}。", str(path))
        self.path = path

    def __str__(self) -> str:
        return str(self.strerror)


def refusal(exc: OSError, target: Path, action: str = "重新导出") -> OSError:
    """The error to report when replacing the existing `target` failed with `exc`: `FileInUse`,
    `ReadOnlyTarget`, or `exc` itself (a folder problem, a full disk…)."""
    if held_open(exc, target):
        return FileInUse(target, action)
    from zscq_desktop.store.files import writable

    if isinstance(exc, PermissionError) and target.is_file() and not writable(target):
        return ReadOnlyTarget(target, action)
    return exc


def held_open(exc: OSError, path: Path) -> bool:
    """Whether `exc`, raised while writing or replacing the existing `path`, means another program
    holds `path` open — rather than a real permission problem (read-only file, locked-down folder).

    winerror 32/33 always mean "in use". winerror 5 (and, off Windows, EACCES/EPERM) mean either;
    it is "in use" when the file is not read-only-flagged and its folder accepts new files.
    """
    code = getattr(exc, "winerror", None)
    if code in (ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION):
        return True
    if code == ERROR_ACCESS_DENIED or (code is None and exc.errno in (errno.EACCES, errno.EPERM)):
        from zscq_desktop.store.files import folder_accepts_files, writable  # store imports this module

        try:
            return path.is_file() and writable(path) and folder_accepts_files(path.parent)
        except OSError:
            return False
    return False


def _probe(target: Path) -> None:
    """Open an existing target for writing without changing it: on Windows this already fails
    with a sharing violation when another program holds the file open."""
    try:
        with open(target, "r+b"):
            pass
    except FileNotFoundError:
        pass


def replace_all(moves: list[tuple[Path, Path]], aside: Path, *, action: str = "重新导出") -> None:
    """Move each finished ``source`` onto its ``target`` — all of them, or none.

    `aside` is a folder on the targets' volume where the previous targets are parked (and then
    left: the caller deletes it). Raises `FileInUse` naming the first target held open,
    `ReadOnlyTarget` for one marked read-only, or the OSError of another failure; in both cases every previous target is back in place, unchanged.
    """
    for _, target in moves:
        try:
            _probe(target)
        except OSError as exc:
            raise refusal(exc, target, action) from None
    parked: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for n, (_, target) in enumerate(moves):
            if target.exists():
                backup = aside / f"previous-{n}-{target.name}"
                try:
                    os.replace(target, backup)
                except OSError as exc:
                    raise refusal(exc, target, action) from None
                parked.append((backup, target))
        for source, target in moves:
            os.replace(source, target)
            placed.append(target)
    except BaseException:
        _undo(placed, parked)
        raise


def _undo(placed: list[Path], parked: list[tuple[Path, Path]]) -> None:
    for target in placed:
        try:
            target.unlink()
        except OSError:
            log.warning("could not remove the new %s while rolling back", target, exc_info=True)
    for backup, target in reversed(parked):
        try:
            os.replace(backup, target)
        except OSError:  # practically impossible: we just renamed it away from this very name
            log.error("could not restore %s from %s", target, backup, exc_info=True)
