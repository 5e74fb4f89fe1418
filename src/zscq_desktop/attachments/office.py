"""Office documents (Word, Excel, PowerPoint, WPS, OpenDocument) → PDF, when a converter is installed.

Converters, in order: LibreOffice (``soffice --headless --convert-to pdf`` with a throw-away user
profile, so it neither touches the user's own LibreOffice settings nor collides with a running
instance), then — on Windows only, and only when ``comtypes`` or ``pywin32`` is importable —
Microsoft Word for word-processing files.  The converted PDF then goes through the PDF normaliser
like any other PDF.

``ZSCQ_OFFICE`` overrides the lookup: ``none`` (no converter; what a machine without office
software sees) or the path of an ``soffice`` executable.

No Qt here.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from zscq_desktop.attachments.common import Context, Problem

log = logging.getLogger(__name__)

WORD_SUFFIXES = (".doc", ".docx", ".wps", ".odt", ".rtf")
OFFICE_SUFFIXES = WORD_SUFFIXES + (".xls", ".xlsx", ".et", ".ods", ".ppt", ".pptx", ".dps", ".odp")
ENV = "ZSCQ_OFFICE"


@dataclass(frozen=True)
class Converter:
    kind: str  # "soffice" | "word"
    path: str = ""


def find_converter(environ: dict[str, str] | None = None) -> Converter | None:
    """The office converter to use, or None when none is installed (see the module docstring)."""
    env = os.environ if environ is None else environ
    forced = env.get(ENV, "").strip()
    if forced.lower() in ("none", "off", "0"):
        return None
    if forced:
        return Converter("soffice", forced) if Path(forced).is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Converter("soffice", found)
    for candidate in _standard_places():
        if candidate.is_file():
            return Converter("soffice", str(candidate))
    if sys.platform == "win32" and _word_available():
        return Converter("word")
    return None


def _standard_places() -> list[Path]:
    if sys.platform == "win32":
        roots = [os.environ.get(k) for k in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")]
        return [Path(r) / "LibreOffice" / "program" / "soffice.exe" for r in roots if r]
    if sys.platform == "darwin":
        return [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")]
    return [Path("/usr/lib/libreoffice/program/soffice"), Path("/opt/libreoffice/program/soffice")]


def _word_available() -> bool:  # pragma: no cover - Windows only
    import importlib.util

    return any(importlib.util.find_spec(m) is not None for m in ("comtypes", "win32com"))


def not_installed(ctx: Context) -> Problem:
    return Problem("attachment.office.no_converter",
                   f"{ctx.label}是 Office/WPS 文档，本机没有可用于转换的 LibreOffice 或 Word。"
                   "请用 Word 或 WPS 打开它，选择“另存为”（或“输出为 PDF”）保存为 PDF，再添加这个 PDF 文件。")


def convert_to_pdf(data: bytes, suffix: str, ctx: Context, converter: Converter | None = None) -> bytes:
    """Convert an office document to PDF bytes; raises :class:`Problem` (or ``Cancelled``)."""
    conv = converter if converter is not None else find_converter()
    if conv is None:
        raise not_installed(ctx)
    with tempfile.TemporaryDirectory(prefix="zscq-office-") as tmp:
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        out.mkdir()
        if conv.kind == "word":  # pragma: no cover - Windows only
            _word(src, out / "input.pdf", ctx)
        else:
            _soffice(conv.path, src, out, Path(tmp) / "profile", ctx)
        result = out / "input.pdf"
        if not result.is_file() or result.stat().st_size == 0:
            raise _failed(ctx)
        return result.read_bytes()


def _soffice(exe: str, src: Path, out: Path, profile: Path, ctx: Context) -> None:
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--nologo",
           "--nodefault", "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out), str(src)]
    kwargs: dict = {"stderr": subprocess.STDOUT, "stdin": subprocess.DEVNULL}
    if getattr(sys, "frozen", False):  # a PyInstaller build: give soffice the system's libraries back
        env = dict(os.environ)
        if "LD_LIBRARY_PATH_ORIG" in env:
            env["LD_LIBRARY_PATH"] = env["LD_LIBRARY_PATH_ORIG"]
        else:
            env.pop("LD_LIBRARY_PATH", None)
        kwargs["env"] = env
    if sys.platform == "win32":  # pragma: no cover
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP | getattr(subprocess, "CREATE_NO_WINDOW", 0)
    else:
        kwargs["start_new_session"] = True  # soffice starts soffice.bin: kill the whole group on timeout
    # output to a file, not a pipe: a stray grandchild holding a pipe open would block reading it
    log_path = profile.parent / "soffice.log"
    with open(log_path, "wb") as log_file:
        try:
            proc = subprocess.Popen(cmd, stdout=log_file, **kwargs)
        except OSError as exc:
            log.warning("cannot start %s: %s", exe, exc)
            raise Problem("attachment.office.failed",
                          f"无法启动 LibreOffice 转换{ctx.label}（{exc.strerror or exc}）。"
                          "请用 Word 或 WPS 将它另存为 PDF，再添加这个 PDF 文件。") from None
        _wait(proc, ctx)
    output = log_path.read_text("utf-8", "replace")
    if proc.returncode != 0:
        log.info("soffice exit %s: %s", proc.returncode, output[-500:])
        raise _failed(ctx)


def _wait(proc: subprocess.Popen, ctx: Context) -> None:
    """Wait for the converter, polling cancel; stop it (and its children) on timeout or cancel."""
    deadline = time.monotonic() + ctx.limits.office_timeout
    try:
        while True:
            try:
                proc.wait(timeout=0.2)
                return
            except subprocess.TimeoutExpired:
                if time.monotonic() > deadline:
                    raise Problem("attachment.office.timeout",
                                  f"转换{ctx.label}超过 {ctx.limits.office_timeout:g} 秒仍未完成，已停止。"
                                  "请用 Word 或 WPS 将它另存为 PDF，再添加这个 PDF 文件。") from None
                ctx.check()
    finally:
        if proc.poll() is None:
            _kill(proc)


def _kill(proc: subprocess.Popen) -> None:
    try:
        if sys.platform == "win32":  # pragma: no cover - the whole tree: soffice.exe starts soffice.bin
            subprocess.run(["taskkill", "/T", "/F", "/PID", str(proc.pid)], capture_output=True, timeout=30,
                           creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except (OSError, subprocess.SubprocessError):
        pass
    proc.wait()


def _word(src: Path, target: Path, ctx: Context) -> None:  # pragma: no cover - Windows only
    """Save ``src`` as PDF through Word's COM interface (wdExportFormatPDF = 17).

    A COM call blocks: the cancel hook and the timeout are not polled while Word works.
    """
    if src.suffix.lower() not in WORD_SUFFIXES:
        raise not_installed(ctx)
    try:
        try:  # COM must be initialised in this (worker) thread
            import comtypes  # type: ignore[import-not-found]
            import comtypes.client as cc  # type: ignore[import-not-found]

            comtypes.CoInitialize()
            done = comtypes.CoUninitialize
            word = cc.CreateObject("Word.Application")
        except ImportError:
            import pythoncom  # type: ignore[import-not-found]
            import win32com.client as wc  # type: ignore[import-not-found]

            pythoncom.CoInitialize()
            done = pythoncom.CoUninitialize
            word = wc.DispatchEx("Word.Application")
    except Exception as exc:
        log.warning("Word is not usable: %r", exc)
        raise _failed(ctx) from None
    try:
        word.Visible = False
        word.DisplayAlerts = 0
        try:
            doc = word.Documents.Open(str(src), ReadOnly=True, AddToRecentFiles=False)
            try:
                doc.ExportAsFixedFormat(str(target), 17)
            finally:
                doc.Close(False)
        finally:
            word.Quit()
    except Exception as exc:
        log.warning("Word conversion failed: %r", exc)
        raise _failed(ctx) from None
    finally:
        done()


def _failed(ctx: Context) -> Problem:
    return Problem("attachment.office.failed",
                   f"{ctx.label}无法转换为 PDF（文件可能已损坏或设置了密码）。"
                   "请用 Word 或 WPS 打开它，另存为 PDF，再添加这个 PDF 文件。")
