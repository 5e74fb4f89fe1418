"""A small JSON file in the user data folder: atomic writes, damaged files set aside, never a crash.

The library files (unit profiles, draft index, recent files) are conveniences: if one is damaged
(a crash of an older version, a sync tool, a hand edit) it is renamed ``<name>.bad`` for later
inspection and the program continues with an empty one.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zscq_desktop.store import files

log = logging.getLogger(__name__)
_LOCK = threading.RLock()  # one writer at a time within the process (read-modify-write)


class LibraryError(Exception):
    """A library file could not be written; the message is Chinese."""


class JsonStore:
    """One JSON object ``{"format": name, "version": n, key: {...}}`` kept at `path`."""

    def __init__(self, path: Path, fmt: str, key: str, kind: type = dict, version: int = 1) -> None:
        self.path, self.fmt, self.key, self.kind, self.version = path, fmt, key, kind, version

    def _empty(self) -> dict[str, Any]:
        return {"format": self.fmt, "version": self.version, self.key: self.kind()}

    def read(self) -> dict[str, Any]:
        """The whole document; an empty one when missing, unreadable or damaged (damaged → ``.bad``)."""
        with _LOCK:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return self._empty()
            except OSError as exc:
                log.warning("cannot read %s: %s", self.path, exc)
                return self._empty()
            try:
                data = json.loads(raw.decode("utf-8"))
                if not (isinstance(data, dict) and data.get("format") == self.fmt
                        and isinstance(data.get(self.key), self.kind)):
                    raise ValueError("unexpected structure")
            except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                self._set_aside(exc)
                return self._empty()
            return data

    def _set_aside(self, why: Exception) -> None:
        bad = self.path.with_name(self.path.name + ".bad")
        try:
            os.replace(self.path, bad)
            log.warning("damaged %s set aside as %s: %s", self.path, bad.name, why)
        except OSError as exc:
            log.warning("damaged %s could not be set aside: %s", self.path, exc)

    def write(self, data: dict[str, Any]) -> None:
        with _LOCK:
            data["version"] = max(int(data.get("version") or 0), self.version)  # never downgrade a newer file
            self.path.parent.mkdir(parents=True, exist_ok=True)
            files.atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))

    def update(self, change: Callable[[Any], Any], *, quiet: bool = True) -> Any:
        """Read, let `change` modify the ``key`` part in place, write back; returns what `change` returned.

        Unknown top-level keys (from a newer program) are kept. With `quiet` a failed write is only
        logged — bookkeeping (recent files, the draft index) must never stop the user's work;
        otherwise it raises `LibraryError`.
        """
        with _LOCK:
            data = self.read()
            result = change(data[self.key])
            try:
                self.write(data)
            except OSError as exc:
                log.warning("cannot write %s: %s", self.path, exc)
                if not quiet:
                    raise LibraryError(f"无法写入用户资料文件“{self.path}”：{exc.strerror or exc}") from None
            return result
