"""Where the command line keeps normalised attachments and renderings between exports.

A `.zscq` carries its own cache (the ``derived`` table, the one the app fills when files are
attached): `DocumentCache` reads it and writes new entries back **only** to that table, in short
transactions with a short busy timeout (entries are gathered and written together, at most
`FLUSH_BYTES` at a time and at the end: one commit — one fsync — instead of one per file). The submission row and its revision are never
written, so a window with the same file open sees no foreign save. Writing is skipped — reading
still works — when the file is read-only, its folder is not writable, another program holds it
locked, or it has an older file format (bringing it up to date is the app's job, on opening).

A `.json` input gets `FolderCache`: a size-bounded folder in the user's cache folder, keyed by the
SHA-256 of each supporting file (renderings by part, checked against their content key), oldest
entries dropped first. ``--no-cache`` uses neither.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any, Callable

from zscq_desktop.resources import user_cache_dir

log = logging.getLogger(__name__)

RENDERED = "rendered"  # the derived-data "sha256" under which the last rendering of each part is kept
FLUSH_BYTES = 32 * 1024 * 1024  # entries held before they are written in one transaction
WRITE_TIMEOUT = 1.0  # seconds a cache write waits for another process's save before giving up
FOLDER_CACHE_BYTES = 512 * 1024 * 1024  # ≈ the normalised files of 5 reference submissions (issue 15)
_SAFE = re.compile(r"^[0-9A-Za-z_.-]{1,80}$")


def reuse_rendering(cache: Any, part: str, key: Any, make: Callable[[], bytes]) -> bytes:
    """`make()`, or its last result kept in `cache` under `part` while `key` — everything the result
    depends on — and the program version are unchanged.

    One entry per part (replaced, never accumulated). An export without an edit then lays nothing
    out again: form and plan (PDF and Word), contents, page overlays, checklist. A cache that cannot
    be written (read-only document, full disk) only costs time.
    """
    import hashlib

    from zscq_desktop import __version__

    digest = hashlib.sha256(repr((key, __version__)).encode("utf-8")).hexdigest()
    hit = cache.get_derived(RENDERED, part) if cache is not None else None
    if hit is not None and hit[1].get("key") == digest:
        return hit[0]
    data = make()
    if cache is not None:
        try:
            cache.put_derived(RENDERED, part, data, {"key": digest})
        except Exception:
            log.warning("could not cache the rendered %s", part, exc_info=True)
    return data


def _user_version(path: Path) -> int | None:
    """The schema version stored in an SQLite file's header (bytes 60–63), without opening it."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return None
    return int.from_bytes(head[60:64], "big") if len(head) == 64 else None


class DocumentCache:
    """The derived-data cache of the `.zscq` at `path`, for one export from the command line."""

    def __init__(self, path: Path) -> None:
        from zscq_desktop.store.document import Document, DocumentError
        from zscq_desktop.store.schema import SCHEMA_VERSION

        self.path = Path(path)
        self._reader: Document | None = None
        self._writer: Document | None = None
        self._write_ok = _user_version(self.path) == SCHEMA_VERSION
        self.written = 0  # entries written back (for the tests and the log)
        self._pending: dict[tuple[str, str], tuple[bytes, dict]] = {}
        self._pending_bytes = 0
        try:
            self._reader = Document.open(self.path, readonly=True)
        except DocumentError as exc:
            log.info("document cache not readable: %s", exc)
            self._write_ok = False

    def get_derived(self, sha256: str, kind: str) -> tuple[bytes, dict] | None:
        from zscq_desktop.store.document import DocumentError

        if (sha256, kind) in self._pending:
            return self._pending[(sha256, kind)]
        if self._reader is None:
            return None
        try:
            return self._reader.get_derived(sha256, kind)
        except DocumentError as exc:  # locked for longer than the busy timeout: compute it instead
            log.info("document cache read skipped: %s", exc)
            return None

    def has_derived(self, sha256: str, kind: str) -> bool:
        """Whether an entry is there, without reading it (see `volume.export.Normalizing`)."""
        from zscq_desktop.store.document import DocumentError

        if (sha256, kind) in self._pending:
            return True
        try:
            return self._reader is not None and self._reader.has_derived(sha256, kind)
        except DocumentError:
            return False

    def put_derived(self, sha256: str, kind: str, data: bytes, meta: dict) -> None:
        if not self._write_ok:
            return
        self._pending[(sha256, kind)] = (bytes(data), meta)
        self._pending_bytes += len(data)
        if self._pending_bytes >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write the gathered entries in one transaction; a failure only stops caching."""
        from zscq_desktop.store.document import Document, DocumentError

        entries = [(sha, kind, data, meta) for (sha, kind), (data, meta) in self._pending.items()]
        self._pending, self._pending_bytes = {}, 0
        if not entries or not self._write_ok:
            return
        try:
            if self._writer is None:
                self._writer = Document.open(self.path, timeout=WRITE_TIMEOUT)
            self._writer.put_derived_many(entries)
            self.written += len(entries)
        except DocumentError as exc:  # read-only, locked, full disk: the cache only saves time
            log.info("document cache not written (%s); later entries are not tried", exc)
            self._write_ok = False

    def close(self) -> None:
        try:
            self.flush()
        finally:
            for doc in (self._writer, self._reader):
                if doc is not None:
                    doc.close()
            self._reader = self._writer = None

    def __enter__(self) -> "DocumentCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FolderCache:
    """Derived data in files under `root` (one file per entry), at most `limit` bytes in all."""

    def __init__(self, root: Path | None = None, limit: int = FOLDER_CACHE_BYTES) -> None:
        self.root = (root or user_cache_dir()) / "derived"
        self.limit = limit
        self.written = 0

    def _file(self, sha256: str, kind: str) -> Path | None:
        if not (_SAFE.match(sha256) and _SAFE.match(kind)):
            return None
        return self.root / f"{sha256}.{kind}"

    def has_derived(self, sha256: str, kind: str) -> bool:
        """Whether an entry file is there, without reading it (a damaged one still reads as a miss)."""
        file = self._file(sha256, kind)
        return file is not None and file.is_file()

    def get_derived(self, sha256: str, kind: str) -> tuple[bytes, dict] | None:
        file = self._file(sha256, kind)
        if file is None:
            return None
        try:
            raw = file.read_bytes()
        except OSError:
            return None
        if not raw or len(raw) < 4:
            return None
        n = int.from_bytes(raw[:4], "big")
        try:
            meta = json.loads(raw[4:4 + n].decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None  # a damaged entry is a miss
        if not isinstance(meta, dict) or meta.get("_length") != len(raw) - 4 - n:
            return None  # cut short (a crash while writing, a full disk)
        try:
            os.utime(file)  # recently used: evicted last
        except OSError:
            pass
        meta.pop("_length")
        return raw[4 + n:], meta

    def put_derived(self, sha256: str, kind: str, data: bytes, meta: dict) -> None:
        file = self._file(sha256, kind)
        head = json.dumps({**meta, "_length": len(data)}, ensure_ascii=False).encode("utf-8")
        size = 4 + len(head) + len(data)
        if file is None or size > self.limit:
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._evict(self.limit - size)
            tmp = file.with_name(file.name + f".{os.getpid()}.tmp")
            with open(tmp, "wb") as f:
                f.write(len(head).to_bytes(4, "big") + head)
                f.write(data)
            os.replace(tmp, file)
            self.written += 1
        except OSError as exc:  # a full or read-only disk: the cache only saves time
            log.info("folder cache not written: %s", exc)

    def _evict(self, room: int) -> None:
        """Drop the least recently used entries until at most `room` bytes remain."""
        entries = []
        for p in self.root.iterdir():
            try:
                st = p.stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, p))
        total = sum(size for _, size, _ in entries)
        for _, size, p in sorted(entries):
            if total <= room:
                break
            p.unlink(missing_ok=True)
            total -= size

    def close(self) -> None:
        pass

    def __enter__(self) -> "FolderCache":
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def cache_for(path: Path, *, enabled: bool = True) -> DocumentCache | FolderCache | None:
    """The cache an export of the file at `path` uses from the command line (None: `--no-cache`)."""
    if not enabled:
        return None
    if path.suffix.lower() == ".json":
        return FolderCache()
    return DocumentCache(path)
