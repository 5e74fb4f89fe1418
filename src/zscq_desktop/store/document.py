"""The `.zscq` document: one SQLite file per submission, saved on every edit.

Tables (see `store.schema` for versions and migrations): ``meta``; ``submission`` (two rows taking
turns: the current save — the higher revision — and the previous one, each with the submission
JSON, its SHA-256 and a revision counter; a text that fails its hash is refused, never exported,
and the previous save offered); ``blobs`` (attachment bytes keyed by SHA-256, so the same
file attached twice is stored once); ``derived`` ((sha256, kind) → bytes + JSON metadata: the
normalised A4 PDF of an attachment, cached so export only assembles).

Durability: rollback journal with ``synchronous=FULL``. A commit empties the journal after the
database was fsynced, so a process killed (or a power cut) at any point leaves either the previous or
the new state, and the next opening rolls a half-written save back. We prefer this to WAL because
the document then stays ONE self-contained file whenever it is closed — users copy, e-mail and put
drafts on USB sticks and network shares, where a forgotten ``-wal`` file would silently lose the last
edits and WAL's shared memory does not work. FULL rather than NORMAL because in rollback mode NORMAL
may corrupt the file on power loss; a save only rewrites the pages of the submission row, so the
fsyncs are nearly the whole cost: ``bench/bench_autosave.py`` measured a median of 1.3 ms (p95
1.6 ms) with 50 MB of blobs and a 256 kB submission on the 2-core development machine. A save whose
JSON did not change writes nothing.

``journal_mode=TRUNCATE``, not DELETE: with DELETE every autosave creates ``x.zscq-journal`` and
deletes it again, which a sync client (OneDrive, 坚果云, a network share's offline files) sees as a
new file to upload — it may copy it half-written, and on Windows it may hold it open so that SQLite's
delete fails and the save with it. TRUNCATE creates the journal once and empties it at each commit:
no file appears or disappears per save, and an empty journal is never "hot". `bench/bench_journal.py`
counts the file events per save (DELETE: 1 create + 1 delete per save; TRUNCATE: none after the
first). The empty journal is removed when the document is closed (`opening.remove_empty_journal`).

Every file is untrusted input: the header is checked with plain reads before SQLite touches it, a
foreign or damaged file raises `DocumentError` and is never written to.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from zscq_desktop import __version__
from zscq_desktop.store import files, safe_read
from zscq_desktop.store.errors import (CLOSED, CONFLICT, DAMAGED, EXISTS, FULL, LOCKED, MISSING, READONLY, TEXT_DAMAGED,
                                       DocumentError, damaged, from_sqlite)
from zscq_desktop.store.opening import (check_header, check_opened, check_writable, connect, recover_for_reading,
                                       remove_empty_journal)
from zscq_desktop.store.schema import APPLICATION_ID, SCHEMA_VERSION, migrate, text_hash
from zscq_desktop.system.replace import FileInUse, held_open

__all__ = ["Document", "DocumentError", "BUSY_TIMEOUT", "TEXT_DAMAGED"]

BUSY_TIMEOUT = 3.0  # seconds to wait for another process's save before reporting the file as in use


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _encode(submission: dict[str, Any]) -> str:
    """The stored JSON: the submission dict without the JSON form's attachment paths."""
    if not isinstance(submission, dict):
        raise TypeError("submission must be a dict (Submission.to_dict())")
    d = dict(submission)
    if isinstance(d.get("attachments"), list):
        d["attachments"] = [{k: v for k, v in a.items() if k != "path"} if isinstance(a, dict) else a
                            for a in d["attachments"]]
    return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


class Document:
    """An open `.zscq` file. Thread-safe: one SQLite connection guarded by a lock.

    Use `Document.create` / `Document.open`, and `close()` (or a ``with`` block) when done.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, *, readonly: bool) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = conn
        self._readonly = readonly
        self._lock = threading.RLock()
        self._rev = 0
        self._last_text: str | None = None
        self._previous: tuple[bytes, int] | None = None  # read-only opening of the previous save

    # ---- opening ----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, submission: dict) -> "Document":
        """Create a new document at `path` holding `submission`; never overwrites an existing file."""
        path = Path(path).absolute()
        if path.exists():
            raise DocumentError(f"《{path.name}》已存在，不会覆盖它。请换一个文件名。", EXISTS)
        if not path.parent.is_dir():
            raise DocumentError(f"文件夹不存在：{path.parent}", MISSING)
        if not files.folder_accepts_files(path.parent):
            raise DocumentError(f"文件夹“{path.parent}”不可写入，无法在其中新建《{path.name}》。", READONLY)
        text = _encode(submission)
        tmp = files.temp_beside(path)
        try:
            # Built under a temporary name and moved into place when complete: a crash while
            # creating never leaves a half-made file under the user's name.
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # must precede the first table
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                migrate(conn, 0)
                now = _now()
                conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                                 [("created", now), ("app_version", __version__)])
                conn.execute("INSERT INTO submission (id, json, saved, rev, sha256) VALUES (1, ?, ?, 1, ?)",
                             (text, now, text_hash(text.encode("utf-8"))))
                conn.execute("COMMIT")
            finally:
                conn.close()
            files.fsync_file(tmp)
            files.remove_stale_sidecars(path)
            files.place_new(tmp, path)
            files.fsync_dir(path.parent)
        except FileExistsError:
            raise DocumentError(f"《{path.name}》已存在，不会覆盖它。请换一个文件名。", EXISTS) from None
        except (sqlite3.Error, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise from_sqlite(exc, path, "创建") from None
        return cls.open(path)

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False, timeout: float | None = None,
             use_previous: bool = False) -> "Document":
        """Open an existing document. A damaged, foreign or newer file raises `DocumentError` untouched.

        An older schema is migrated: in place when writable, in a private in-memory copy when
        `readonly`. `timeout` is how long to wait for another process's save (default `BUSY_TIMEOUT`).

        A submission text that fails its hash raises `DocumentError` of kind ``TEXT_DAMAGED`` when the
        previous save is intact (its `previous` says when it was made; ``DAMAGED`` when there is none).
        `use_previous` then opens with that save:
        written back as the current one when writable (the damaged text is kept in ``meta`` for
        inspection), only in memory when `readonly`.
        """
        path = Path(path).absolute()
        check_header(path)
        if not readonly:
            check_writable(path)
        else:
            recover_for_reading(path)
        conn = connect(path, readonly=readonly, timeout=BUSY_TIMEOUT if timeout is None else timeout)
        try:
            version = check_opened(conn, path)
            if version < SCHEMA_VERSION:
                conn = cls._migrate(conn, version, readonly, path)
            doc = cls(path, conn, readonly=readonly)
            if use_previous:
                doc._restore_previous()
            doc.load()  # proves the submission row is readable and intact and sets the revision
        except DocumentError:
            conn.close() if readonly else remove_empty_journal(conn, path)  # no journal left beside it
            raise
        except (sqlite3.Error, OSError) as exc:
            conn.close() if readonly else remove_empty_journal(conn, path)  # no journal left beside it
            raise from_sqlite(exc, path, "打开") from None
        return doc

    @staticmethod
    def _migrate(conn: sqlite3.Connection, version: int, readonly: bool, path: Path) -> sqlite3.Connection:
        if readonly:  # never write a file opened read-only: upgrade a copy in memory
            mem = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            conn.backup(mem)
            conn.close()
            conn = mem
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have upgraded the file while we waited for the write lock.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                conn.execute("COMMIT")
                return conn
            migrate(conn, version)
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('migrated', ?)",
                         (f"{version}→{SCHEMA_VERSION} {_now()} {__version__}",))
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # one transaction: the old file stays exactly as it was
            if readonly:
                conn.close()  # the in-memory copy; open() closes the file's own connection
            if isinstance(exc, sqlite3.Error):
                err = from_sqlite(exc, path, "升级")
                if err.kind in (FULL, LOCKED, READONLY):
                    raise err from None
                raise DocumentError(f"无法把《{path.name}》从文件格式第 {version} 版升级到第 {SCHEMA_VERSION} 版"
                                    f"（SQLite 错误 {getattr(exc, 'sqlite_errorcode', '未知')}）。"
                                    "文件未被改动；请把它发给技术支持。", DAMAGED) from None
            raise
        return conn

    # ---- plumbing ---------------------------------------------------------------------------
    @property
    def readonly(self) -> bool:
        return self._readonly

    @property
    def revision(self) -> int:
        """How many times the submission was saved (by anyone) when we last read or wrote it."""
        return self._rev

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise DocumentError(f"《{self.path.name}》已关闭。", CLOSED)
        return self._conn

    @contextmanager
    def _reading(self, action: str = "读取") -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._live()
            try:
                yield conn
            except (sqlite3.Error, OSError) as exc:
                raise from_sqlite(exc, self.path, action) from None

    @contextmanager
    def _writing(self, action: str = "保存") -> Iterator[sqlite3.Connection]:
        """One write transaction: all or nothing, errors as `DocumentError`."""
        with self._lock:
            conn = self._live()
            if self._readonly:
                raise DocumentError(f"《{self.path.name}》以只读方式打开，不能{action}。如需修改，请“另存为”一个副本。", READONLY)
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except (sqlite3.Error, OSError) as exc:
                self._rollback(conn)
                raise from_sqlite(exc, self.path, action) from None
            except BaseException:
                self._rollback(conn)
                raise

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite already rolled back (e.g. after SQLITE_FULL)

    # ---- the submission ---------------------------------------------------------------------
    # The two rows of ``submission`` take turns: a save writes the row that is not current, with the
    # next revision, so the row it supersedes stays as the previous save at no extra cost (the same
    # pages are written as with one row). The current row is the one with the higher revision.
    @staticmethod
    def _ids(c: sqlite3.Connection) -> list[tuple[int, int]]:
        """(id, rev) of the rows, current first."""
        return [(int(i), int(r or 0)) for i, r in c.execute("SELECT id, rev FROM submission ORDER BY rev DESC, id")]

    @staticmethod
    def _row(c: sqlite3.Connection, rowid: int) -> tuple[bytes, int, str | None, str] | None:
        """(text bytes, rev, stored hash, saved) of a submission row, read as bytes: a damaged text that
        is no longer UTF-8 fails its hash like any other change."""
        row = c.execute("SELECT CAST(json AS BLOB), rev, sha256, saved FROM submission WHERE id = ?", (rowid,)).fetchone()
        if row is None or row[0] is None:
            return None
        return bytes(row[0]), int(row[1] or 0), row[2], str(row[3] or "")

    def _intact_previous(self, c: sqlite3.Connection) -> tuple[int, tuple[bytes, int, str | None, str]] | None:
        """(id, row) of the previous save when its text matches its hash and parses."""
        ids = self._ids(c)
        if len(ids) < 2:
            return None
        prev = self._row(c, ids[1][0])
        if prev is None or prev[2] != text_hash(prev[0]):
            return None
        try:
            self._parse(prev[0])
        except DocumentError:
            return None
        return ids[1][0], prev

    def _parse(self, raw: bytes) -> dict:
        try:
            data = safe_read.parse_json(raw, f"《{self.path.name}》中的申报数据")
        except safe_read.ReadRefused:
            raise damaged(self.path, "申报数据无法解析") from None
        if not isinstance(data, dict):
            raise damaged(self.path, "申报数据格式不正确")
        return data

    def load(self) -> dict:
        """The stored submission dict (`Submission.to_dict()` form, attachments without ``path``).

        Raises `DocumentError` of kind ``TEXT_DAMAGED`` when the text no longer matches its hash."""
        with self._reading() as c:  # the lock is held until the revision is recorded
            if self._previous is not None:  # read-only opening with the previous save: kept in memory
                raw, rev = self._previous
            else:
                ids = self._ids(c)
                row = self._row(c, ids[0][0]) if ids else None
                if row is None:
                    raise damaged(self.path, "缺少申报数据")
                raw, rev, digest, _ = row
                if digest is not None and digest != text_hash(raw):
                    raise self._text_damaged(c)
            data = self._parse(raw)
            self._rev, self._last_text = rev, raw.decode("utf-8")
        return data

    def _text_damaged(self, c: sqlite3.Connection) -> DocumentError:
        found = self._intact_previous(c)
        head = (f"《{self.path.name}》中的申报数据与保存时记录的校验值不符，内容已被改动或损坏（例如磁盘或复制出错），"
                "为避免导出错误的内容，未使用这份数据。")
        if found is None:
            return DocumentError(head + "文件中没有可用的上一次保存的版本；如有备份或导出的 JSON，请从备份恢复。文件未被改动。",
                                 DAMAGED)
        saved = found[1][3]
        try:
            when = datetime.fromisoformat(saved).strftime("%Y-%m-%d %H:%M") + " 保存"
        except ValueError:
            when = "保存时间不详"
        return DocumentError(head + f"文件中保留了上一次保存的版本（{when}），可以改用它。文件未被改动。", TEXT_DAMAGED, saved)

    def _restore_previous(self) -> None:
        """Make the intact previous save the current submission (see `open`)."""
        with self._lock:
            with self._reading() as c:
                ids = self._ids(c)
                current = self._row(c, ids[0][0]) if ids else None
                if current is not None and current[2] is not None and current[2] == text_hash(current[0]):
                    return  # nothing to restore: the current text is intact
                found = self._intact_previous(c)
            if found is None:
                raise damaged(self.path, "申报数据与其校验值不符，且没有可用的上一次保存的版本")
            prev_id, prev = found
            if self._readonly:
                self._previous = (prev[0], prev[1])
                return
            with self._writing("恢复") as c:
                if current is not None:  # kept for inspection, never used
                    c.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('damaged_submission', ?)", (current[0],))
                c.execute("UPDATE submission SET rev = (SELECT max(rev) FROM submission) + 1, saved = ? WHERE id = ?",
                          (_now(), prev_id))

    def save(self, submission: dict, *, force: bool = False) -> None:
        """Store `submission` in one transaction (a no-op when nothing changed); the save it replaces
        stays as the previous one, offered should the current text ever fail its hash.

        Raises `DocumentError` with kind ``"conflict"`` when another window or process saved this
        file since we last read it, rather than silently overwriting its work; ``force=True``
        overwrites anyway (after the user chose to).
        """
        text = _encode(submission)
        with self._lock:
            self._live()
            if text == self._last_text and not force:
                return
            with self._writing() as c:
                ids = self._ids(c)
                if not ids:
                    raise damaged(self.path, "缺少申报数据")
                current, rev = ids[0]
                if not force and rev != self._rev:
                    raise DocumentError(
                        f"《{self.path.name}》已被另一个窗口或程序修改（可能同时打开了两次）。为避免互相覆盖，本次修改未写入该文件；"
                        "请用“另存为”保存当前内容，或关闭另一个窗口后重新打开。", CONFLICT)
                c.execute("INSERT OR REPLACE INTO submission (id, json, saved, rev, sha256) VALUES (?, ?, ?, ?, ?)",
                          (2 if current == 1 else 1, text, _now(), rev + 1, text_hash(text.encode("utf-8"))))
            self._rev, self._last_text = rev + 1, text
            self._previous = None

    # ---- attachment bytes -------------------------------------------------------------------
    def put_blob(self, data: bytes) -> str:
        """Store attachment bytes once; returns their SHA-256 (hex)."""
        data = bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            if self.has_blob(digest):
                return digest
            with self._writing("保存附件") as c:
                c.execute("INSERT OR IGNORE INTO blobs (sha256, data, size) VALUES (?, ?, ?)", (digest, data, len(data)))
        return digest

    def get_blob(self, sha256: str) -> bytes:
        """The bytes stored under `sha256`; KeyError when absent, `DocumentError` when damaged."""
        with self._reading("读取附件") as c:
            row = c.execute("SELECT data FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise KeyError(sha256)
        data = bytes(row[0])
        # The hash is the file's identity in the manifest and the e-mail; never hand out other bytes.
        if hashlib.sha256(data).hexdigest() != sha256:
            raise damaged(self.path, f"附件数据 {sha256[:12]}… 与其校验值不符")
        return data

    def has_blob(self, sha256: str) -> bool:
        with self._reading("读取附件") as c:
            return c.execute("SELECT 1 FROM blobs WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def blob_sizes(self) -> dict[str, int]:
        """SHA-256 → size in bytes of every stored blob."""
        with self._reading("读取附件") as c:
            return {s: int(n) for s, n in c.execute("SELECT sha256, size FROM blobs")}

    def prune_blobs(self, keep: Iterable[str]) -> int:
        """Drop the blobs (and their derived data) not in `keep`; returns how many blobs went."""
        keep = set(keep)
        with self._writing("清理附件") as c:
            drop = [(s,) for (s,) in c.execute("SELECT sha256 FROM blobs").fetchall() if s not in keep]
            c.executemany("DELETE FROM blobs WHERE sha256 = ?", drop)
            stale = [(s,) for (s,) in c.execute("SELECT DISTINCT sha256 FROM derived").fetchall() if s not in keep]
            c.executemany("DELETE FROM derived WHERE sha256 = ?", stale)
        if drop or stale:
            # Give the space back instead of keeping free pages. Outside the transaction because the
            # pragma frees one page per step and only executescript() steps a row-less statement to
            # the end; it is its own (all-or-nothing) transaction.
            with self._reading("清理附件") as c:
                c.executescript("PRAGMA incremental_vacuum;")
        return len(drop)

    # ---- derived data (normalised attachments) ----------------------------------------------
    def get_derived(self, sha256: str, kind: str) -> tuple[bytes, dict] | None:
        """Cached derived data for a blob, or None. A damaged metadata entry is a cache miss."""
        with self._reading("读取缓存") as c:
            row = c.execute("SELECT data, meta FROM derived WHERE sha256 = ? AND kind = ?", (sha256, kind)).fetchone()
        if row is None:
            return None
        try:
            meta = json.loads(row[1])
        except (TypeError, ValueError):
            return None
        return (bytes(row[0]), meta) if isinstance(meta, dict) else None

    def has_derived(self, sha256: str, kind: str) -> bool:
        """Whether an entry is there, without reading its data (a damaged one still reads as a miss)."""
        with self._reading("读取缓存") as c:
            row = c.execute("SELECT 1 FROM derived WHERE sha256 = ? AND kind = ?", (sha256, kind)).fetchone()
        return row is not None

    def put_derived(self, sha256: str, kind: str, data: bytes, meta: dict) -> None:
        self.put_derived_many([(sha256, kind, data, meta)])

    def put_derived_many(self, entries: list[tuple[str, str, bytes, dict]]) -> None:
        """Several cache entries in one transaction (one fsync instead of one per entry)."""
        with self._writing("保存缓存") as c:
            c.executemany("INSERT OR REPLACE INTO derived (sha256, kind, data, meta) VALUES (?, ?, ?, ?)",
                          [(sha, kind, bytes(data), json.dumps(meta, ensure_ascii=False))
                           for sha, kind, data, meta in entries])

    def verify(self) -> list[str]:
        """A full check (SQLite integrity plus every blob against its hash): problems in Chinese, [] if intact.

        Not done on every opening — it reads the whole file, which costs seconds for a large
        document on a slow disk; opening checks the header, the length and the tables instead.
        """
        problems: list[str] = []
        with self._reading("检查") as c:
            problems += [r[0] for r in c.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"]
            shas = [r[0] for r in c.execute("SELECT sha256 FROM blobs")]
        for sha in shas:
            try:
                self.get_blob(sha)
            except DocumentError:
                problems.append(f"附件数据 {sha[:12]}… 已损坏")
        return problems

    # ---- copies and closing -----------------------------------------------------------------
    def save_as(self, target: Path) -> None:
        """Write a consistent, independent copy of the whole document to `target` (atomically replaced).

        This document stays open on its own path; open `target` to continue there.
        """
        target = Path(target).absolute()
        try:
            same = target.exists() and target.samefile(self.path)
        except OSError:
            same = False
        if same or target == self.path:
            raise DocumentError("不能另存为正在编辑的同一个文件，请选择其他文件名。", EXISTS)
        if not target.parent.is_dir():
            raise DocumentError(f"文件夹不存在：{target.parent}", MISSING)
        tmp = files.temp_beside(target)
        with self._lock:
            conn = self._live()
            try:
                dst = sqlite3.connect(tmp, isolation_level=None)
                try:
                    conn.backup(dst)  # page-by-page snapshot under our lock: no save can interleave
                finally:
                    dst.close()
                files.fsync_file(tmp)
                files.remove_stale_sidecars(target)
                os.replace(tmp, target)
                files.fsync_dir(target.parent)
            except (sqlite3.Error, OSError) as exc:
                tmp.unlink(missing_ok=True)
                if isinstance(exc, OSError) and held_open(exc, target):  # open in another program (Windows)
                    raise DocumentError(str(FileInUse(target, "重新另存为")), LOCKED) from None
                raise from_sqlite(exc, target, "另存为") from None

    def close(self) -> None:
        """Close the file (idempotent)."""
        with self._lock:
            if self._conn is not None:
                if self._readonly:
                    self._conn.close()
                else:
                    remove_empty_journal(self._conn, self.path)
                self._conn = None

    def __enter__(self) -> "Document":
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Document {self.path}{' (只读)' if self._readonly else ''}>"
