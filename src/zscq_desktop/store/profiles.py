"""The user-data library: where drafts live, saved unit profiles, the local draft index, recent files.

Everything is in the user data folder (``$ZSCQ_USER_DIR`` if set — the tests set it — otherwise
platformdirs' per-user data folder): ``drafts/`` for new submissions not yet saved elsewhere, and
three small JSON files written atomically (``profiles.json``, ``drafts.json``, ``recent.json``).
A damaged JSON file is set aside as ``.bad`` and the program carries on (see `store.jsonstore`).
"""

from __future__ import annotations

import copy
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import platformdirs

from zscq_desktop.core.filenames import safe_name
from zscq_desktop.store.jsonstore import JsonStore, LibraryError

__all__ = ["user_data_dir", "drafts_dir", "new_draft_path", "list_drafts", "discard_draft", "draft_title",
           "rename_draft", "ProfileLibrary", "DraftIndex", "RecentFiles", "LibraryError"]

RECENT_SHOWN = 10
RECENT_KEPT = 20  # keep a few more than shown, so a file on an unplugged USB stick comes back later


def user_data_dir() -> Path:
    """The per-user data folder (created)."""
    env = os.environ.get("ZSCQ_USER_DIR")
    folder = Path(env) if env else Path(platformdirs.user_data_dir("zscq-desktop", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def drafts_dir() -> Path:
    """Where new submissions live until the user saves them elsewhere (created)."""
    folder = user_data_dir() / "drafts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_draft_path(hint: str = "") -> Path:
    """A new, not yet existing ``*.zscq`` path in `drafts_dir()`, named after `hint` and the time."""
    stem = f"{safe_name(hint, 40, '新申报')}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    folder = drafts_dir()
    path, n = folder / f"{stem}.zscq", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.zscq"
    return path


def draft_title(submission: dict) -> str:
    """What a draft is called: the project name once known, else the unit's name, else ""."""
    form: dict = submission.get("form") if isinstance(submission.get("form"), dict) else {}  # type: ignore[assignment]
    cover: dict = form.get("cover") if isinstance(form.get("cover"), dict) else {}  # type: ignore[assignment]
    unit: dict = submission.get("unit") if isinstance(submission.get("unit"), dict) else {}  # type: ignore[assignment]
    return str(cover.get("project_name") or unit.get("name") or "").strip()


def rename_draft(path: Path, submission: dict) -> Path:
    """Give a closed draft the file name of its project (or unit) — ``项目名.zscq`` instead of
    ``新申报-20261130-021233.zscq`` — and follow it in the draft index and recent files. Only
    files in `drafts_dir()` are renamed; returns the (possibly unchanged) path."""
    path = Path(os.path.abspath(os.fspath(path)))
    title = draft_title(submission)
    if not title or _norm(path.parent) != _norm(drafts_dir()) or not path.is_file():
        return path
    stem = safe_name(title, 60, "新申报")
    if path.stem == stem or (path.stem.startswith(stem + "-") and path.stem[len(stem) + 1:].isdigit()):
        return path
    target, n = path.with_name(f"{stem}.zscq"), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{stem}-{n}.zscq")
    if any(path.with_name(path.name + s).exists() for s in ("-journal", "-wal")):
        return path  # a save was interrupted: the next opening must find the journal next to the file
    try:
        os.replace(path, target)
    except OSError:
        return path  # still open elsewhere (Windows) or not permitted: the old name is kept
    DraftIndex().forget(path)
    DraftIndex().record(target, submission)
    RecentFiles().replace(path, target)
    return target


def list_drafts() -> list[Path]:
    """The documents in `drafts_dir()`, most recently changed first (for "continue a draft")."""
    found = [(p.stat().st_mtime, p) for p in drafts_dir().glob("*.zscq") if p.is_file()]
    return [p for _, p in sorted(found, key=lambda t: t[0], reverse=True)]


def discard_draft(path: Path) -> bool:
    """Delete a draft from `drafts_dir()` (after it was saved elsewhere), with its journal files,
    and forget it in the draft index and recent files. Refuses (returns False) for any file outside
    the drafts folder: the user's own files are never deleted."""
    path = Path(os.path.abspath(os.fspath(path)))
    if _norm(path.parent) != _norm(drafts_dir()) or path.suffix.lower() != ".zscq":
        return False
    for p in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        p.unlink(missing_ok=True)
    DraftIndex().forget(path)
    RecentFiles().remove(path)
    return True


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _norm(path: Path | str) -> str:
    """A comparable form of a path (absolute, normalised, case-folded where the OS ignores case)."""
    return os.path.normcase(os.path.abspath(os.fspath(path)))


def _code(value: Any) -> str:
    return str(value or "").strip().upper()


# ---- unit profiles ---------------------------------------------------------------------------
class ProfileLibrary:
    """Saved unit profiles (the ``unit`` dict of a submission), reused across drafts.

    Keyed by 统一社会信用代码 when present, else by unit name.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._store = JsonStore((folder or user_data_dir()) / "profiles.json", "zscq-profiles", "profiles")

    @staticmethod
    def key_for(unit: dict) -> str:
        return _code(unit.get("credit_code")) or str(unit.get("name") or "").strip()

    def list(self) -> list[dict]:
        """All profiles, most recently saved first; each is the unit dict plus ``"_key"``."""
        entries = self._store.read()["profiles"]  # kept in saving order, newest last
        return [{**copy.deepcopy(e["unit"]), "_key": k} for k, e in reversed(entries.items())
                if isinstance(e, dict) and isinstance(e.get("unit"), dict)]

    def get(self, key: str) -> dict | None:
        """The unit dict saved under `key` (without ``_key``), or None."""
        entry = self._store.read()["profiles"].get(key)
        if not isinstance(entry, dict) or not isinstance(entry.get("unit"), dict):
            return None
        return copy.deepcopy(entry["unit"])

    def save(self, unit: dict) -> str:
        """Save (or replace) a profile; returns its key. Raises ValueError when it has neither
        credit code nor name, `LibraryError` when the file cannot be written."""
        clean = {k: copy.deepcopy(v) for k, v in unit.items() if k != "_key"}
        key = self.key_for(clean)
        if not key:
            raise ValueError("单位名称和统一社会信用代码都为空，无法保存为常用单位。")
        name = str(clean.get("name") or "").strip()

        def change(profiles: dict) -> None:
            # The same unit saved earlier by name only (before its code was known) is superseded.
            if key != name and name in profiles and not _code(profiles[name].get("unit", {}).get("credit_code")):
                del profiles[name]
            profiles.pop(key, None)  # re-inserted last: the order of the file is the order of saving
            profiles[key] = {"unit": clean, "saved": _now()}

        self._store.update(change, quiet=False)
        return key

    def delete(self, key: str) -> None:
        self._store.update(lambda profiles: profiles.pop(key, None), quiet=False)


# ---- the local draft index -------------------------------------------------------------------
class DraftIndex:
    """The submissions known on this machine, by unit credit code (for the "≤ 2 projects per unit" rule)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder
        self._store = JsonStore((folder or user_data_dir()) / "drafts.json", "zscq-drafts", "drafts")

    def record(self, path: Path, submission: dict) -> None:
        """Remember (or refresh) the draft at `path` with the facts the rule needs."""
        form = submission.get("form") if isinstance(submission.get("form"), dict) else {}
        cover = form.get("cover") if isinstance(form.get("cover"), dict) else {}
        unit = submission.get("unit") if isinstance(submission.get("unit"), dict) else {}
        meta = submission.get("meta") if isinstance(submission.get("meta"), dict) else {}
        entry = {
            "path": os.path.abspath(os.fspath(path)), "credit_code": _code(unit.get("credit_code")),
            "unit": str(unit.get("name") or ""), "call": str(submission.get("call") or ""),
            "direction": str(submission.get("direction") or ""), "project": str(cover.get("project_name") or ""),
            "modified": str(meta.get("modified") or _now()),
        }
        self._store.update(lambda drafts: drafts.__setitem__(_norm(path), entry))

    def drafts_for(self, credit_code: str, exclude: Path | None = None) -> list[dict]:
        """The unit's other drafts that still exist, newest first: dicts with "path", "direction",
        "call", "project", "modified" (and "unit", "credit_code")."""
        code = _code(credit_code)
        if not code:
            return []
        skip = _norm(exclude) if exclude is not None else None
        found, gone = [], []
        for key, e in self._store.read()["drafts"].items():
            if not isinstance(e, dict) or e.get("credit_code") != code or key == skip:
                continue
            if Path(e.get("path", "")).is_file():
                found.append(dict(e))
            elif key.startswith(_norm(drafts_dir() if self._folder is None else self._folder / "drafts")):
                gone.append(key)  # deleted from our own folder: forget it (a USB stick may come back)
        if gone:
            self._store.update(lambda drafts: [drafts.pop(k, None) for k in gone])
        found.sort(key=lambda e: e.get("modified", ""), reverse=True)
        return found

    def entry(self, path: Path) -> dict | None:
        """The recorded facts of the document at `path` ("project", "unit", …), or None."""
        e = self._store.read()["drafts"].get(_norm(path))
        return dict(e) if isinstance(e, dict) else None

    def forget(self, path: Path) -> None:
        self._store.update(lambda drafts: drafts.pop(_norm(path), None))


# ---- recent files ----------------------------------------------------------------------------
class RecentFiles:
    """The documents opened lately, most recent first."""

    def __init__(self, folder: Path | None = None) -> None:
        self._store = JsonStore((folder or user_data_dir()) / "recent.json", "zscq-recent", "files", kind=list)

    def list(self) -> list[Path]:
        """At most 10 recent files that still exist, most recent first."""
        out: list[Path] = []
        for p in self._store.read()["files"]:
            if isinstance(p, str) and Path(p).is_file():
                out.append(Path(p))
                if len(out) == RECENT_SHOWN:
                    break
        return out

    def add(self, path: Path) -> None:
        full = os.path.abspath(os.fspath(path))

        def change(items: list) -> None:
            items[:] = [full] + [p for p in items if isinstance(p, str) and _norm(p) != _norm(full)][:RECENT_KEPT - 1]

        self._store.update(change)

    def replace(self, old: Path, new: Path) -> None:
        """`old` was renamed to `new`: keep its place in the list."""
        full = os.path.abspath(os.fspath(new))

        def change(items: list) -> None:
            items[:] = [full if isinstance(p, str) and _norm(p) == _norm(old) else p for p in items]

        self._store.update(change)

    def remove(self, path: Path) -> None:
        def change(items: list) -> None:
            items[:] = [p for p in items if isinstance(p, str) and _norm(p) != _norm(path)]

        self._store.update(change)
