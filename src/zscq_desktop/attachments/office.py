"""Office documents (Word, Excel, PowerPoint, WPS, OpenDocument) → PDF, when a converter is installed.

Converters, in this order (the first that is installed and handles the file's type):

1. **Microsoft Word** (Windows; .doc .docx .rtf .odt), found by its COM registration
   (``HKEY_CLASSES_ROOT\\Word.Application\\CLSID`` and that class's ``LocalServer32``), never by
   whether a Python COM module imports — that is true on every Windows and made a WPS-only PC pick
   Word and fail on every file;
2. **WPS Office** (Windows; .doc .docx .wps .rtf) through its own automation (``KWPS.Application``,
   ``WPS.Application`` in older versions), which mirrors Word's object model;
3. **LibreOffice** (every platform, every office type): ``soffice --headless --convert-to pdf`` with a
   throw-away user profile, so it neither touches the user's own settings nor collides with a
   running instance.

A registered COM class that cannot be started (a broken or unlicensed installation) passes the file
to the next converter. Word and WPS are driven from a child process (`office_child`, our own
executable started with ``--office-child``): a COM call blocks, and a hidden dialog (password,
activation, safe mode) would otherwise hold a worker thread and WINWORD.EXE forever. The timeout and
取消 kill the child, its process tree, and the office server process the child reports. The
converted PDF then goes through the PDF normaliser like any other PDF.

``ZSCQ_OFFICE`` overrides the lookup: ``none`` (no converter; what a machine without office
software sees), ``word`` or ``wps`` (only that one), or the path of an ``soffice`` executable.

No Qt here.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from zscq_desktop.attachments.common import Context, Problem
from zscq_desktop.system import processes, tempdirs

log = logging.getLogger(__name__)

WORD_SUFFIXES = (".doc", ".docx", ".wps", ".odt", ".rtf")
OFFICE_SUFFIXES = WORD_SUFFIXES + (".xls", ".xlsx", ".et", ".ods", ".ppt", ".pptx", ".dps", ".odp")
ENV = "ZSCQ_OFFICE"
CHILD_FLAG = "--office-child"  # cli.main hands such a command line to office_child.main
#: COM classes per converter, in the order tried
PROGIDS = {"word": ("Word.Application",), "wps": ("KWPS.Application", "WPS.Application")}
#: what each COM converter opens well (WPS's own .wps is not Word's; spreadsheets go to LibreOffice)
COM_SUFFIXES = {"word": (".doc", ".docx", ".rtf", ".odt"), "wps": (".doc", ".docx", ".wps", ".rtf")}
EXIT_UNAVAILABLE = 3  # office_child: the COM class could not be created → try the next converter
Registry = Callable[[str], "str | None"]  # ProgID → CLSID of a registered local server, or None


@dataclass(frozen=True)
class Converter:
    kind: str  # "word" | "wps" | "soffice"
    path: str = ""  # the soffice executable
    progid: str = ""  # the registered COM class (word, wps)

    def handles(self, suffix: str) -> bool:
        suffix = suffix.lower()
        return suffix in OFFICE_SUFFIXES if self.kind == "soffice" else suffix in COM_SUFFIXES[self.kind]


def registered_clsid(progid: str) -> str | None:
    """The CLSID of `progid` when it is registered with a local server (Windows registry), else None."""
    if sys.platform != "win32":
        return None
    import winreg  # pragma: no cover - Windows only

    try:  # pragma: no cover
        clsid = winreg.QueryValue(winreg.HKEY_CLASSES_ROOT, progid + "\\CLSID")
    except OSError:  # pragma: no cover
        return None
    for view in (0, winreg.KEY_WOW64_64KEY, winreg.KEY_WOW64_32KEY):  # pragma: no cover
        try:
            winreg.CloseKey(winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, f"CLSID\\{clsid}\\LocalServer32", 0,
                                           winreg.KEY_READ | view))
            return clsid
        except OSError:
            continue
    return None  # pragma: no cover


def find_converters(environ: Mapping[str, str] | None = None, registry: Registry | None = None) -> list[Converter]:
    """Every usable converter, in the order tried (see the module docstring)."""
    env = os.environ if environ is None else environ
    lookup = registered_clsid if registry is None else registry
    forced = env.get(ENV, "").strip()
    if forced.lower() in ("none", "off", "0"):
        return []
    if forced and forced.lower() not in PROGIDS:
        return [Converter("soffice", forced)] if Path(forced).is_file() else []
    found: list[Converter] = []
    for kind, progids in PROGIDS.items():
        if forced and forced.lower() != kind:
            continue
        progid = next((p for p in progids if lookup(p)), None)
        if progid:
            found.append(Converter(kind, progid=progid))
    if not forced:
        soffice = _find_soffice()
        if soffice:
            found.append(Converter("soffice", soffice))
    return found


def find_converter(environ: Mapping[str, str] | None = None, suffix: str | None = None,
                   registry: Registry | None = None) -> Converter | None:
    """The first converter for `suffix` (for any office file when None), or None when none is installed."""
    return next((c for c in find_converters(environ, registry) if suffix is None or c.handles(suffix)), None)


def _find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((str(c) for c in _standard_places() if c.is_file()), None)


def _standard_places() -> list[Path]:
    if sys.platform == "win32":
        roots = [os.environ.get(k) for k in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")]
        return [Path(r) / "LibreOffice" / "program" / "soffice.exe" for r in roots if r]
    if sys.platform == "darwin":
        return [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")]
    return [Path("/usr/lib/libreoffice/program/soffice"), Path("/opt/libreoffice/program/soffice")]


def not_installed(ctx: Context) -> Problem:
    return Problem("attachment.office.no_converter",
                   f"{ctx.label}是 Office/WPS 文档，本机未找到 Word 或 LibreOffice（也没有可用的 WPS），无法自动转换。"
                   "请用 Word 或 WPS 打开它，选择“另存为”（或“输出为 PDF”）保存为 PDF，再添加这个 PDF 文件。")


class _Unavailable(Exception):
    """The converter is registered but cannot be started: the next one is tried."""


def convert_to_pdf(data: bytes, suffix: str, ctx: Context, converter: Converter | None = None, *,
                   registry: Registry | None = None) -> bytes:
    """Convert an office document to PDF bytes; raises :class:`Problem` (or ``Cancelled``)."""
    candidates = [converter] if converter is not None else \
        [c for c in find_converters(registry=registry) if c.handles(suffix)]
    if not candidates:
        raise not_installed(ctx)
    # Removal of this folder never raises (an antivirus may hold a file in it): a finished
    # conversion is returned even when the folder has to be left for later.
    with tempdirs.temporary_folder("zscq-office-") as tmp:
        src = tmp / f"input{suffix}"
        src.write_bytes(data)
        for conv in candidates:
            out = tmp / conv.kind
            out.mkdir()
            try:
                if conv.kind == "soffice":
                    _soffice(conv.path, src, out, tmp / "profile", ctx)
                else:
                    _com(conv, src, out / "input.pdf", ctx)
            except _Unavailable:
                log.warning("%s (%s) is registered but cannot be started; trying the next converter",
                            conv.kind, conv.progid)
                continue
            result = out / "input.pdf"
            if not result.is_file() or result.stat().st_size == 0:
                raise _failed(ctx)
            return result.read_bytes()
    raise not_installed(ctx)


def child_command(args: list[str]) -> list[str]:
    """Our own program started with `args` (the frozen executable, or ``python -m zscq_desktop``)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "zscq_desktop", *args]


def _com(conv: Converter, src: Path, target: Path, ctx: Context) -> None:
    """Convert through Word's or WPS's automation in a child process that can be killed."""
    pid_file = target.parent / "server.pid"
    log_path = target.parent / "child.log"
    cmd = child_command([CHILD_FLAG, conv.kind, conv.progid, str(src), str(target), str(pid_file)])
    with open(log_path, "wb") as log_file:
        try:
            proc = processes.popen(cmd, stdout=log_file, stderr=subprocess.STDOUT)
        except OSError as exc:
            log.warning("cannot start the converter child: %s", exc)
            raise _Unavailable() from None
        _wait(proc, ctx, pid_file)
    if proc.returncode == EXIT_UNAVAILABLE:
        raise _Unavailable()
    if proc.returncode != 0:
        log.info("%s conversion exit %s: %s", conv.kind, proc.returncode, log_path.read_text("utf-8", "replace")[-500:])
        raise _failed(ctx)


def _soffice(exe: str, src: Path, out: Path, profile: Path, ctx: Context) -> None:
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--nologo",
           "--nodefault", "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out), str(src)]
    # output to a file, not a pipe: a stray grandchild holding a pipe open would block reading it
    log_path = profile.parent / "soffice.log"
    with open(log_path, "wb") as log_file:
        try:
            proc = processes.popen(cmd, stdout=log_file, stderr=subprocess.STDOUT)
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


def _wait(proc: subprocess.Popen, ctx: Context, pid_file: Path | None = None) -> None:
    """Wait for the converter, polling cancel; stop it (its children, and the office server process
    it reported in `pid_file`) on timeout or cancel."""
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
            _kill_servers(pid_file)


def _kill(proc: subprocess.Popen) -> None:
    try:
        if sys.platform == "win32":  # pragma: no cover - the whole tree: soffice.exe starts soffice.bin
            processes.run(["taskkill", "/T", "/F", "/PID", str(proc.pid)])
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except (OSError, subprocess.SubprocessError):
        pass
    proc.wait()


def _kill_servers(pid_file: Path | None) -> None:
    """Kill the WINWORD.EXE / wps.exe the child started: COM starts it outside the child's tree."""
    if pid_file is None:
        return
    try:
        pids = [int(p) for p in pid_file.read_text("ascii").split()]
    except (OSError, ValueError):
        return
    for pid in pids:
        try:
            if sys.platform == "win32":  # pragma: no cover
                processes.run(["taskkill", "/T", "/F", "/PID", str(pid)])
            else:
                os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _failed(ctx: Context) -> Problem:
    return Problem("attachment.office.failed",
                   f"{ctx.label}无法转换为 PDF（文件可能已损坏或设置了密码）。"
                   "请用 Word 或 WPS 打开它，另存为 PDF，再添加这个 PDF 文件。")
