"""Console output that reads right on a Chinese Windows.

- **A real console** (cmd, PowerShell, Windows Terminal): CPython writes through the Unicode console
  API (WriteConsoleW) itself, so every character shows whatever the code page; nothing to change.
- **Redirected on Windows** (``> out.txt``, ``| findstr``, a PowerShell 5.1 pipe, a Python
  ``subprocess`` reading text): the deliberate choice is the console's output code page (cp936 on a
  Chinese Windows; the ANSI code page when no console is attached), with unencodable characters
  replaced by ``?``. That is what cmd, PowerShell 5.1 and Notepad's default reading expect; UTF-8
  there is mojibake. Whoever wants UTF-8 says so with ``PYTHONUTF8=1`` or ``PYTHONIOENCODING=utf-8``,
  which are honoured.
- **Elsewhere** (Linux, macOS): UTF-8.

Output never fails on a character the chosen encoding lacks (``errors="replace"``).
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

IS_WINDOWS = sys.platform == "win32"


def console_output_cp() -> int:
    """The attached console's output code page, else the ANSI code page (Windows; 0 elsewhere)."""
    if not IS_WINDOWS:
        return 0
    import ctypes  # pragma: no cover - Windows only

    k32 = ctypes.windll.kernel32  # pragma: no cover
    return int(k32.GetConsoleOutputCP() or k32.GetACP())  # pragma: no cover


def utf8_mode() -> bool:
    """Whether Python runs in UTF-8 mode (``-X utf8``, ``PYTHONUTF8=1``)."""
    return bool(sys.flags.utf8_mode)


def choose_encoding(stream: TextIO, *, windows: bool | None = None, environ: dict[str, str] | None = None,
                    code_page: int | None = None) -> str | None:
    """The encoding `stream` should use, or None to leave it (see the module docstring)."""
    windows = IS_WINDOWS if windows is None else windows
    env = os.environ if environ is None else environ
    if env.get("PYTHONIOENCODING") or env.get("PYTHONUTF8") == "1" or utf8_mode():
        return None  # the user's explicit choice, already applied by Python
    if not windows:
        return "utf-8"
    if _is_console(stream):
        return None  # the Unicode console API
    cp = console_output_cp() if code_page is None else code_page
    return "utf-8" if cp == 65001 else (f"cp{cp}" if cp else None)


def _is_console(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def configure_streams(streams: tuple[TextIO | None, ...] | None = None, **kwargs: object) -> None:
    """Set stdout and stderr (or `streams`) to the encoding `choose_encoding` picks, replacing what
    it cannot encode. A missing stream (the windowed program has none) is skipped."""
    for stream in (sys.stdout, sys.stderr) if streams is None else streams:
        if stream is None or not hasattr(stream, "reconfigure"):
            continue
        encoding = choose_encoding(stream, **kwargs)  # type: ignore[arg-type]
        try:
            if encoding is None:
                stream.reconfigure(errors="replace")
            else:
                stream.reconfigure(encoding=encoding, errors="replace")
        except (AttributeError, ValueError, LookupError):
            pass
