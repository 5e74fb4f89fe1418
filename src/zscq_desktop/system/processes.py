"""Starting other programs (LibreOffice, the Office converter child, taskkill) from the app.

A PyInstaller build changes its own process for its own sake: the bootloader points the Windows
DLL search path at the bundle (``SetDllDirectoryW(_MEIPASS)``), and puts the bundle first in
``PATH`` (PySide6's runtime hook) and, on Linux, in ``LD_LIBRARY_PATH``. A program started from it
would then load *our* Qt, ICU or OpenSSL instead of its own and crash or misbehave (PyInstaller's
documentation says to undo this before starting other programs). Every launch goes through
`popen`, which starts the child with `child_env()` and, on Windows, with the DLL search path reset
for the moment of the launch. From source (not frozen) the environment is passed on unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

IS_WINDOWS = sys.platform == "win32"
LIBRARY_PATH_VARS = ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "DYLD_FRAMEWORK_PATH", "LIBPATH")
PATH_VARS = ("PATH", "QT_PLUGIN_PATH", "QML2_IMPORT_PATH") + LIBRARY_PATH_VARS
_dll_lock = threading.Lock()


def frozen_dir() -> str | None:
    """The bundle's folder (``sys._MEIPASS``) in a PyInstaller build, else None."""
    return getattr(sys, "_MEIPASS", None) if getattr(sys, "frozen", False) else None


def inside(entry: str, root: str) -> bool:
    """Whether the path `entry` is `root` or inside it (case-insensitive where the OS is)."""
    e, r = os.path.normcase(os.path.abspath(entry)), os.path.normcase(os.path.abspath(root))
    return e == r or e.startswith(r.rstrip("\\/") + os.sep)


def child_env(environ: Mapping[str, str] | None = None, *, bundle: str | None = None) -> dict[str, str]:
    """The environment for a child process: the user's own, without what the frozen app added.

    `bundle` is the frozen app's folder (default `frozen_dir()`); None means "not frozen" and the
    environment is returned unchanged. Library paths are restored from the ``*_ORIG`` copies the
    bootloader keeps (or dropped when there was none); every list entry inside the bundle is removed
    from ``PATH`` and the other search paths; PyInstaller's private ``_PYI_*``/``_MEIPASS2``
    variables go, and ``PYINSTALLER_RESET_ENVIRONMENT=1`` makes our own executable, started as a
    child, a fresh instance.
    """
    env = dict(os.environ if environ is None else environ)
    bundle = frozen_dir() if bundle is None else bundle
    if not bundle:
        return env
    for var in LIBRARY_PATH_VARS:
        original = env.pop(var + "_ORIG", None)
        if original is not None:
            env[var] = original
        else:
            env.pop(var, None)
    for var in PATH_VARS:
        key = next((k for k in env if k.upper() == var), None)  # Windows keeps "Path"
        if key is None:
            continue
        kept = [e for e in env[key].split(os.pathsep) if e and not inside(e, bundle)]
        if kept:
            env[key] = os.pathsep.join(kept)
        else:
            del env[key]
    for key in [k for k in env if k.startswith("_PYI_") or k == "_MEIPASS2"]:
        del env[key]
    env["PYINSTALLER_RESET_ENVIRONMENT"] = "1"
    return env


@contextmanager
def default_dll_search_path() -> Iterator[None]:
    """On Windows, the standard DLL search order for the duration (``SetDllDirectoryW(None)``),
    restored afterwards: our own later DLL loads may still need the bundle's folder."""
    if not IS_WINDOWS:
        yield
        return
    import ctypes  # pragma: no cover - Windows only

    k32 = ctypes.windll.kernel32  # pragma: no cover
    with _dll_lock:  # pragma: no cover
        buf = ctypes.create_unicode_buffer(32768)
        n = k32.GetDllDirectoryW(len(buf), buf)
        k32.SetDllDirectoryW(None)
        try:
            yield
        finally:
            if n:
                k32.SetDllDirectoryW(buf.value)


def launch_options(**kwargs: Any) -> dict[str, Any]:
    """`subprocess` keyword arguments for a background child: the clean environment (extra
    variables in ``env`` are added to it), no console window and its own process group (so the
    whole tree can be stopped), stdin closed."""
    extra = kwargs.pop("env", None) or {}
    options: dict[str, Any] = {"env": {**child_env(), **extra}, "stdin": subprocess.DEVNULL}
    if IS_WINDOWS:  # pragma: no cover
        options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "CREATE_NO_WINDOW", 0)
    else:
        options["start_new_session"] = True
    options.update(kwargs)
    return options


def popen(cmd: Sequence[str], **kwargs: Any) -> subprocess.Popen:
    """Start `cmd` the one way the app starts programs (see the module docstring)."""
    with default_dll_search_path():
        return subprocess.Popen(list(cmd), **launch_options(**kwargs))


def run(cmd: Sequence[str], *, timeout: float = 30.0, **kwargs: Any) -> int | None:
    """Run `cmd` like `popen` and wait (at most `timeout` seconds, then it is killed); its exit
    code, None when it could not start or was killed. Output is discarded."""
    try:
        proc = popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    except OSError:
        return None
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None
