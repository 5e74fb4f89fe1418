"""The checks made when a `.zscq` file is opened, in the order that keeps a foreign file untouched.

1. `check_header`: plain reads of the first 100 bytes — missing, empty, a zip/PDF/JSON picked by
   mistake, another program's SQLite database, a file from a newer program. Nothing is written and
   SQLite is not involved yet, so a foreign file cannot be modified by us.
2. `check_writable` (read-write opening) or `recover_for_reading` (read-only opening).
3. `connect`, then `check_opened`: the same facts again through SQLite (after it rolled back a save
   that was interrupted), the file length against the header, and the expected tables.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from zscq_desktop.store import files
from zscq_desktop.store.safe_read import kind_of
from zscq_desktop.store.errors import DAMAGED, FOREIGN, MISSING, NEWER, READONLY, DocumentError, damaged, from_sqlite
from zscq_desktop.store.schema import APPLICATION_ID, SCHEMA_VERSION, SQLITE_MAGIC, Header

JOURNAL_MODE = "TRUNCATE"  # measured by bench/bench_journal.py; why: document.py's module docstring
TABLES = {1: {"meta", "submission", "blobs"}, 2: {"meta", "submission", "blobs", "derived"},
          3: {"meta", "submission", "blobs", "derived"}}


def _foreign(path: Path, what: str) -> DocumentError:
    return DocumentError(f"《{path.name}》{what}，不是申报助手的申报文件（.zscq），无法打开。文件未被改动。", FOREIGN)


def _newer(path: Path, version: int) -> DocumentError:
    return DocumentError(f"《{path.name}》由更新版本的申报助手保存（文件格式第 {version} 版，本程序只支持到第 {SCHEMA_VERSION} 版），"
                         "请升级本程序后再打开。文件未被改动。", NEWER)


def check_header(path: Path) -> Header:
    """Recognise the file from its first bytes; raises `DocumentError` for anything but our document."""
    try:
        if not path.exists():
            raise DocumentError(f"找不到文件：{path}", MISSING)
        st = path.stat()
        what = kind_of(st.st_mode)
        if what:  # a FIFO would block the read below forever; a device could be endless
            raise _foreign(path, f"是{what}")
        size = st.st_size
        header = Header.read(path)
    except OSError as exc:
        raise from_sqlite(exc, path, "打开") from None
    raw = header.raw
    if size == 0:
        raise DocumentError(f"《{path.name}》是空文件（0 字节），可能在复制或下载时被中断。文件未被改动；请使用备份。", DAMAGED)
    if not header.is_sqlite:
        if raw.startswith(b"PK\x03\x04"):
            raise _foreign(path, "是一个 zip 压缩包（例如导出的邮件附件包）")
        if raw.startswith(b"%PDF"):
            raise _foreign(path, "是一个 PDF 文件")
        if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            raise _foreign(path, "似乎是 JSON 文件（申报数据 JSON 请以 .json 为扩展名打开）")
        if len(raw) < 100 and sqlite_prefix(raw):
            raise damaged(path, "文件不完整，可能被截断")
        raise _foreign(path, "的内容无法识别")
    if header.application_id != APPLICATION_ID:
        raise _foreign(path, "是其他程序的 SQLite 数据库")
    if header.user_version > SCHEMA_VERSION:
        raise _newer(path, header.user_version)
    _check_length(path, header, size)
    return header


def _check_length(path: Path, header: Header, size: int) -> None:
    """A file shorter than its header says was cut off (copy, download, full USB stick) — unless a
    save was interrupted, in which case the journal beside it restores the right length."""
    expected = header.expected_size()
    if expected is not None and size < expected and not journal_is_hot(files.sidecar(path, "-journal")):
        raise damaged(path, "文件不完整，可能在复制或下载时被截断")


def sqlite_prefix(raw: bytes) -> bool:
    """Whether `raw` is the start of a SQLite header (a file cut off inside its first 100 bytes)."""
    n = min(len(raw), len(SQLITE_MAGIC))
    return n > 0 and raw[:n] == SQLITE_MAGIC[:n]


def check_writable(path: Path) -> None:
    """A read-write opening needs the file AND its folder writable (the save journal lives beside it)."""
    if not files.writable(path):
        raise DocumentError(f"《{path.name}》是只读文件，不能在其中保存修改。可以以只读方式打开查看，"
                            "或“另存为”到其他位置后继续编辑。", READONLY)
    if not files.folder_accepts_files(path.parent):
        raise DocumentError(f"《{path.name}》所在的文件夹不可写入，无法安全保存（保存时要在同一文件夹中写临时日志）。"
                            "请把文件复制到可写的文件夹（如“文档”）后再打开，或以只读方式打开。", READONLY)


def recover_for_reading(path: Path) -> None:
    """Roll back a save interrupted by a crash before a read-only opening (SQLite cannot do that
    through a read-only connection). The rollback restores the last committed state; no user data
    is changed."""
    journal = files.sidecar(path, "-journal")
    if not journal_is_hot(journal):
        return
    if not (files.writable(path) and files.folder_accepts_files(path.parent)):
        raise DocumentError(f"《{path.name}》上次保存时被中断，需要在可写的位置打开一次才能恢复。请把它和同名的"
                            f"“{journal.name}”文件一起复制到可写的文件夹后再打开。", READONLY)
    conn = connect(path, readonly=False, timeout=3.0)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise from_sqlite(exc, path, "恢复") from None
    finally:
        conn.close()


def journal_is_hot(journal: Path) -> bool:
    """Whether a rollback journal may hold pages to restore. SQLite writes the journal's header with
    zeros until the journal is synced, and only then touches the database: a journal starting with a
    zero byte (or empty) is a harmless leftover that SQLite itself ignores."""
    try:
        with open(journal, "rb") as f:
            return f.read(1) not in (b"", b"\x00")
    except OSError:
        return False


def connect(path: Path, *, readonly: bool, timeout: float) -> sqlite3.Connection:
    """A connection in the project's settings; never creates a missing file (``mode=rw``/``ro``)."""
    try:
        conn = sqlite3.connect(files.sqlite_uri(path, "ro" if readonly else "rw"), uri=True, timeout=timeout,
                               isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise from_sqlite(exc, path, "打开") from None
    try:
        conn.execute("PRAGMA trusted_schema = OFF")  # the file is untrusted: no functions run from its schema
        conn.execute("PRAGMA cell_size_check = ON")  # detect damaged pages early instead of misreading them
        conn.execute("PRAGMA synchronous = FULL")  # see the module docstring of document.py
        if not readonly:  # per connection (only WAL is stored in the file); see document.py
            conn.execute(f"PRAGMA journal_mode = {JOURNAL_MODE}").fetchone()
    except sqlite3.Error as exc:
        conn.close()
        raise from_sqlite(exc, path, "打开") from None
    return conn


def check_opened(conn: sqlite3.Connection, path: Path) -> int:
    """Verify an opened file through SQLite; returns its schema version (≤ `SCHEMA_VERSION`)."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]  # first read: interrupted saves roll back here
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != APPLICATION_ID:
        raise _foreign(path, "是其他程序的 SQLite 数据库")
    if version > SCHEMA_VERSION:
        raise _newer(path, version)
    if version < 1:
        raise damaged(path, "文件结构不完整")
    _check_length(path, Header.read(path), path.stat().st_size)  # again, after SQLite's recovery
    objects = conn.execute("SELECT type, name FROM sqlite_master").fetchall()
    missing = TABLES.get(version, TABLES[SCHEMA_VERSION]) - {n for t, n in objects if t == "table"}
    if missing:
        raise damaged(path, "缺少数据表 " + "、".join(sorted(missing)))
    # We never create triggers or views: in a document they can only come from tampering, and a
    # trigger would run inside our own saves.
    odd = sorted(n for t, n in objects if t in ("trigger", "view"))
    if odd:
        raise damaged(path, "含有本程序不会创建的触发器或视图 " + "、".join(odd))
    return version


def remove_empty_journal(conn: sqlite3.Connection, path: Path) -> None:
    """Delete an empty (never hot) journal left by TRUNCATE mode when a document is closed, so a
    closed document is one file again. Only under an exclusive lock taken without waiting (no other
    connection is then inside a save); skipped when another window holds the file. On Windows the
    file is deleted after `conn` is closed (SQLite keeps it open until then) — a journal another
    process has open cannot be deleted there, which keeps that safe too. Never raises."""
    journal = files.sidecar(path, "-journal")
    try:
        if not journal.exists():
            conn.close()
            return
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute("BEGIN EXCLUSIVE")
    except sqlite3.Error:
        conn.close()
        return
    try:
        if os.name == "posix" and not journal_is_hot(journal):
            journal.unlink(missing_ok=True)
        conn.execute("ROLLBACK")
    except (OSError, sqlite3.Error):
        pass
    finally:
        conn.close()
    if os.name != "posix":
        try:
            if journal.stat().st_size == 0:
                journal.unlink()
        except OSError:
            pass
