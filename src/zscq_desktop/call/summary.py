"""What the start page and the list of calls show of a call, without loading the call model (issue 15).

Loading a call (`call.loader`: the model's 15 dataclasses, every file checked) costs ≈ 25 ms of the
GUI's start-up, yet the start page shows only a call's titles, deadline, issuer and its directions'
names. Each time the loader has loaded and checked a folder it records that here (`remember`), in
the user cache, with a stamp of every file of the folder (name, size, modification time, file id,
CRC-32) taken before reading them. While the stamp still matches, `summary(folder)` gives the record
back without loading the model; a changed, missing or unreadable record means loading the call as
before, which checks the files and records them again. So only a folder that passed the loader's
checks is ever summarised, and never one that has changed since.
"""

from __future__ import annotations

import json
import os
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

FORMAT = 1  # of the record; a record of another format is not used


class DirectionInfo:
    """A direction as the start page shows it (the model's `Direction` has the same attributes)."""

    __slots__ = ("id", "name", "category", "form")

    def __init__(self, id: str, name: str, category: str, form: str) -> None:  # noqa: A002 — the model's name
        self.id, self.name, self.category, self.form = id, name, category, form


class CallSummary:
    """A checked call's identity, deadline, contact and directions (the attributes the model's `Call` has)."""

    __slots__ = ("id", "version", "year", "title", "short_title", "issuer", "guide_title", "deadline",
                 "submit_email", "address", "directions")

    def __init__(self, data: dict[str, Any]) -> None:
        self.id: str = _text(data, "id")
        self.version: int = _int(data, "version")
        self.year: int = _int(data, "year")
        for key in ("title", "short_title", "issuer", "guide_title", "submit_email", "address"):
            setattr(self, key, _text(data, key))
        self.deadline = datetime.fromisoformat(_text(data, "deadline"))
        if self.deadline.tzinfo is None:
            raise ValueError("deadline without a time zone")
        directions = data.get("directions")
        if not isinstance(directions, list) or not directions:
            raise ValueError("no directions")
        self.directions = tuple(DirectionInfo(*(_text(d, k) for k in ("id", "name", "category", "form")))
                                for d in directions if isinstance(d, dict))
        if len(self.directions) != len(directions):
            raise ValueError("a direction is not a table")


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str):
        raise ValueError(f"{key} is not text")
    return value


def _int(data: dict, key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{key} is not a whole number")
    return value


def of_call(call: Any) -> dict[str, Any]:
    """The record of a loaded `Call` (what `CallSummary` is built from)."""
    return {
        "id": call.id, "version": call.version, "year": call.year, "title": call.title,
        "short_title": call.short_title, "issuer": call.issuer, "guide_title": call.guide_title,
        "deadline": call.deadline.isoformat(), "submit_email": call.submit_email,
        "address": str(call.submission.get("address", "")),
        "directions": [{"id": d.id, "name": d.name, "category": d.category, "form": d.form} for d in call.directions],
    }


def folder_stamp(folder: Path) -> list | None:
    """What the folder's files are now: the program version, the folder and, for every file in it,
    name, size, modification time, file id and CRC-32; None when it cannot be read."""
    from zscq_desktop import __version__

    try:
        resolved = str(folder.resolve())
        files = []
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if not entry.is_file():
                continue
            with open(entry.path, "rb") as fh:
                raw = fh.read()
                st = os.fstat(fh.fileno())
            files.append([entry.name, st.st_size, st.st_mtime_ns, st.st_ino, zlib.crc32(raw)])
    except OSError:
        return None
    return [FORMAT, __version__, resolved, files]


def _record_path(folder: Path) -> Path | None:
    """Where the record of `folder` lives in the user cache (one file per folder); None without a cache."""
    try:
        from zscq_desktop.resources import user_cache_dir

        resolved = str(folder.resolve())
        return user_cache_dir() / "calls-parsed" / f"summary-{zlib.crc32(resolved.encode('utf-8')):08x}.json"
    except Exception:  # noqa: BLE001 — no usable user folder: no record, the call is loaded
        return None


def remember(folder: Path, stamp: list | None, call: Any) -> None:
    """Record the summary of `call`, just loaded and checked from `folder` whose files had `stamp` before
    they were read. Nothing is recorded without a stamp or a writable cache (the next start loads the call)."""
    path = _record_path(folder)
    if stamp is None or path is None:
        return
    try:
        text = json.dumps({"stamp": stamp, "call": of_call(call)}, ensure_ascii=False)
        from zscq_desktop.store.files import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text.encode("utf-8"))
    except (OSError, TypeError, ValueError):
        pass  # only costs loading the call at the next start


def summary(folder: Path) -> CallSummary | None:
    """The summary of the call in `folder` if it was loaded and checked unchanged since; else None."""
    path = _record_path(folder)
    if path is None:
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("stamp") != folder_stamp(folder):
        return None
    try:
        return CallSummary(stored.get("call"))  # type: ignore[arg-type]
    except (ValueError, TypeError, AttributeError):
        return None


def start_call(call_id: str | None = None) -> CallSummary | None:
    """The summary of the call the GUI starts with (`call_id`, else the default call), or None when
    it has to be loaded (never loaded, changed since, or no cache)."""
    from zscq_desktop.call.registry import call_folder, default_call_id

    return summary(call_folder(call_id or default_call_id()))
