"""Which documents are open in a running program, so the next start can tell a crash from a quit.

Each window marks the document it opens (`mark_open`) and unmarks it when it closes it normally
(`mark_closed`). A mark left by a process that no longer runs means that program crashed or was
killed with the document open: `recovered()` lists those documents (what autosave put on disk is
all there is, at most a second behind), and the start page offers them with one click. The marks
live in ``open.json`` in the user data folder, written atomically like the other library files.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

from zscq_desktop.store.jsonstore import JsonStore
from zscq_desktop.store.profiles import DraftIndex, _norm, user_data_dir

__all__ = ["Recovered", "mark_open", "mark_closed", "recovered", "dismiss", "open_elsewhere"]


class Recovered(dict):
    """One document left open by a program that ended abnormally: ``path``, ``name`` (the project,
    else the unit, else the file name) and ``saved`` (local time of the last autosave, HH:MM)."""


def _store() -> JsonStore:
    return JsonStore(user_data_dir() / "open.json", "zscq-open", "open")


def mark_open(path: Path) -> None:
    """Record that this process has `path` open."""
    full = os.path.abspath(os.fspath(path))
    _store().update(lambda marks: marks.__setitem__(_norm(full), {"path": full, "pid": os.getpid()}))


def mark_closed(path: Path) -> None:
    """This process closed `path` normally (also used when the user dismisses a recovery notice)."""
    _store().update(lambda marks: marks.pop(_norm(path), None))


dismiss = mark_closed


def open_elsewhere(path: Path) -> bool:
    """Whether another running program of this user has `path` open in a window (the command line's
    `import` then keeps its hands off the file)."""
    mark = _store().read()["open"].get(_norm(os.path.abspath(os.fspath(path))))
    pid = mark.get("pid") if isinstance(mark, dict) else None
    return isinstance(pid, int) and pid != os.getpid() and _alive(pid)


def _alive(pid: int) -> bool:
    """Whether process `pid` still runs (False for a crashed or killed program)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ok = ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return bool(ok) and code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def recovered() -> list[Recovered]:
    """Documents a program that is no longer running left open (newest first), which still exist."""
    marks = _store().read()["open"]
    out: list[Recovered] = []
    index = DraftIndex()
    for key, mark in marks.items():
        if not isinstance(mark, dict):
            continue
        path = Path(str(mark.get("path", "")))
        pid = mark.get("pid")
        if not isinstance(pid, int) or _alive(pid) or not path.is_file():
            continue
        entry = index.entry(path) or {}
        name = entry.get("project") or entry.get("unit") or path.stem
        mtime = path.stat().st_mtime
        out.append(Recovered(path=path, name=name, saved=datetime.fromtimestamp(mtime).strftime("%H:%M"),
                             mtime=mtime))
    gone = [k for k, m in marks.items() if not (isinstance(m, dict) and Path(str(m.get("path", ""))).is_file())]
    if gone:
        _store().update(lambda marks: [marks.pop(k, None) for k in gone])
    out.sort(key=lambda r: r["mtime"], reverse=True)
    return out
