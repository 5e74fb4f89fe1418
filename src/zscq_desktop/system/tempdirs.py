"""Temporary folders that never cost the user a result.

On Windows an antivirus scanner (or the search indexer, or a preview handler) often holds a file we
just wrote for a moment, so deleting a temporary folder can fail with PermissionError. A conversion
or export that succeeded must not be thrown away for that: removal is retried a few times, then
logged and left for the next run (``sweep``). Staging folders that have to live in the user's own
folder (an atomic rename needs the same volume) start with a dot and are hidden on Windows.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

FILE_ATTRIBUTE_HIDDEN = 0x2
RETRIES = 4
RETRY_DELAY = 0.25  # seconds, doubled each time: a scanner usually lets go within a second


def hide(path: Path) -> None:
    """Give `path` the hidden attribute on Windows (a leading dot already hides it elsewhere)."""
    if sys.platform != "win32":
        return
    import ctypes  # pragma: no cover - Windows only

    if not ctypes.windll.kernel32.SetFileAttributesW(str(path), FILE_ATTRIBUTE_HIDDEN):  # pragma: no cover
        log.info("could not hide %s", path)


def remove_tree(path: Path, *, retries: int = RETRIES, delay: float = RETRY_DELAY) -> bool:
    """Delete a temporary folder, retrying while another program holds a file in it.

    Never raises: returns False (and logs) when the folder is still there after the retries.
    """
    for attempt in range(retries):
        try:
            shutil.rmtree(path)
            return True
        except FileNotFoundError:
            return True
        except OSError as exc:
            if attempt == retries - 1:
                log.warning("temporary folder %s not removed (%s); left for a later clean-up", path, exc)
                return False
            time.sleep(delay * 2 ** attempt)
    return False


def staging_dir(folder: Path, prefix: str) -> Path:
    """A fresh hidden folder inside `folder` (same volume, so its files can be renamed into place)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=folder))
    hide(path)
    return path


@contextmanager
def temporary_folder(prefix: str, folder: Path | None = None, *, retries: int = RETRIES,
                     delay: float = RETRY_DELAY) -> Iterator[Path]:
    """A temporary folder (in the system's temp folder, or hidden inside `folder`) removed on exit
    with `remove_tree`: a failed removal is logged, never raised over the block's own result."""
    path = staging_dir(folder, prefix) if folder is not None else Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        remove_tree(path, retries=retries, delay=delay)


def sweep(folder: Path, prefix: str, *, older_than: float = 24 * 3600) -> int:
    """Remove leftovers named `prefix`* in `folder` older than `older_than` seconds (a previous
    run's folder an antivirus held); returns how many went. Never raises."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    now = time.time()
    for entry in entries:
        try:
            if entry.name.startswith(prefix) and entry.is_dir(follow_symlinks=False) and \
                    now - entry.stat(follow_symlinks=False).st_mtime > older_than:
                removed += remove_tree(Path(entry.path), retries=1)
        except OSError:
            continue
    return removed
