"""The `.zscq` file layout: its magic numbers, its schema versions and the steps between them.

A `.zscq` document is a SQLite database whose header carries our application id
(``PRAGMA application_id`` = ``0x5A534351``, the bytes "ZSCQ") and whose ``PRAGMA user_version``
is the schema version. A file without our id is not ours and is never written to; a file whose
version is above `SCHEMA_VERSION` comes from a newer program and is refused.

Schema history (each step in `MIGRATIONS` takes a file from version n-1 to n):

1. The first layout: ``meta`` (key/value), ``submission`` (one row: the submission JSON),
   ``blobs`` (attachment bytes keyed by SHA-256).
2. ``derived`` (normalised attachments keyed by SHA-256 and kind, with JSON metadata),
   ``blobs.size``, and a revision counter on the submission row, so that two windows editing
   the same file notice each other instead of silently overwriting.
3. ``submission.sha256``: the hash of the stored JSON text, checked on every load (a flipped byte
   is refused, not exported), and a second row: saves alternate between ids 1 and 2, the higher
   ``rev`` is current and the other is the previous save, offered when the current text fails
   its hash.

To change the layout: append a step, bump nothing else — `SCHEMA_VERSION` is ``len(MIGRATIONS)``.
A step runs inside the caller's transaction and must not commit.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from collections.abc import Callable
from pathlib import Path

APPLICATION_ID = 0x5A534351  # "ZSCQ"
SQLITE_MAGIC = b"SQLite format 3\x00"
FORMAT_NAME = "zscq-document"


def _v1(c: sqlite3.Connection) -> None:
    c.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    c.execute("CREATE TABLE submission (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, saved TEXT)")
    c.execute("CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)")
    c.execute("INSERT INTO meta (key, value) VALUES ('format', ?)", (FORMAT_NAME,))


def _v2(c: sqlite3.Connection) -> None:
    c.execute("CREATE TABLE derived (sha256 TEXT NOT NULL, kind TEXT NOT NULL, data BLOB NOT NULL, "
              "meta TEXT NOT NULL DEFAULT '{}', PRIMARY KEY (sha256, kind))")
    c.execute("ALTER TABLE blobs ADD COLUMN size INTEGER")
    c.execute("UPDATE blobs SET size = length(data)")
    c.execute("ALTER TABLE submission ADD COLUMN rev INTEGER NOT NULL DEFAULT 0")


def text_hash(raw: bytes) -> str:
    """The SHA-256 (hex) of a submission JSON text as stored (its UTF-8 bytes)."""
    return hashlib.sha256(raw).hexdigest()


def _v3(c: sqlite3.Connection) -> None:
    # Two rows taking turns (the higher rev is current, the other the previous save), each with the
    # hash of its text.
    # The table is rebuilt because its CHECK (id = 1) cannot be altered in place.
    c.execute("CREATE TABLE submission_v3 (id INTEGER PRIMARY KEY CHECK (id IN (1, 2)), json TEXT NOT NULL, "
              "saved TEXT, rev INTEGER NOT NULL DEFAULT 0, sha256 TEXT)")
    c.execute("INSERT INTO submission_v3 (id, json, saved, rev) SELECT id, json, saved, rev FROM submission WHERE id = 1")
    c.execute("DROP TABLE submission")
    c.execute("ALTER TABLE submission_v3 RENAME TO submission")
    # An older document gets its hash now, on its first writable opening (its text is trusted as is).
    for rowid, raw in c.execute("SELECT id, CAST(json AS BLOB) FROM submission").fetchall():
        c.execute("UPDATE submission SET sha256 = ? WHERE id = ?", (text_hash(bytes(raw)), rowid))


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(c: sqlite3.Connection, version: int) -> int:
    """Run the steps from `version` up to `SCHEMA_VERSION` inside the open transaction; returns the new version."""
    for step in range(version, SCHEMA_VERSION):
        MIGRATIONS[step](c)
    c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return SCHEMA_VERSION


class Header:
    """The fields of a SQLite file header we check before letting SQLite near the file."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.is_sqlite = raw[:16] == SQLITE_MAGIC and len(raw) >= 100
        if self.is_sqlite:
            size = struct.unpack(">H", raw[16:18])[0]
            self.page_size = 65536 if size == 1 else size
            change_counter, self.page_count = struct.unpack(">II", raw[24:32])
            valid_for = struct.unpack(">I", raw[92:96])[0]
            # The in-header page count is only trustworthy when written by SQLite ≥ 3.7.0 (counters equal).
            self.page_count_valid = change_counter == valid_for and self.page_count > 0
            self.user_version = struct.unpack(">I", raw[60:64])[0]
            self.application_id = struct.unpack(">I", raw[68:72])[0]
        else:
            self.page_size = self.page_count = self.user_version = self.application_id = 0
            self.page_count_valid = False

    @classmethod
    def read(cls, path: Path) -> "Header":
        with open(path, "rb") as f:
            return cls(f.read(100))

    def expected_size(self) -> int | None:
        """Bytes the file must have according to its header, or None when the header does not say."""
        return self.page_size * self.page_count if self.page_count_valid else None
