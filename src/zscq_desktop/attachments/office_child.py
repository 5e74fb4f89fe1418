"""The child process that drives Word or WPS through COM (started by `office._com`).

    <our program> --office-child KIND PROGID SOURCE TARGET PIDFILE

Exit 0: TARGET (a PDF) was written; `office.EXIT_UNAVAILABLE` (3): the COM class could not be
created (the parent tries the next converter); 4: the document could not be converted. The parent
kills this process on timeout or 取消; COM starts the office server (WINWORD.EXE, wps.exe) outside our
process tree, so its new process ids are written to PIDFILE for the parent to kill as well.

Everything that could open a dialog is switched off: alerts (``DisplayAlerts = 0``), macros
(``AutomationSecurity = 3``, force-disable), format-conversion prompts (``ConfirmConversions``),
encoding prompts (``NoEncodingDialog``), and the password prompt — a dummy ``PasswordDocument`` makes
a protected file fail at once instead of asking. The COM objects are released before
``CoUninitialize`` (releasing them afterwards crashes or leaks the server).
"""

from __future__ import annotations

import csv
import gc
import io
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

from zscq_desktop.attachments.office import EXIT_UNAVAILABLE

log = logging.getLogger(__name__)

EXIT_FAILED = 4
SERVER_IMAGES = {"word": "WINWORD.EXE", "wps": "wps.exe"}
DUMMY_PASSWORD = "zscq-no-password"  # a wrong password fails at once; no password leaves Word asking
WD_EXPORT_PDF, WD_FORMAT_PDF, WD_ALERTS_NONE, MSO_SECURITY_FORCE_DISABLE = 17, 17, 0, 3


def server_pids(image: str) -> set[int]:
    """Process ids of running `image` (Windows ``tasklist``; ``/proc`` elsewhere, for the tests'
    stand-in server)."""
    if sys.platform != "win32":
        found = set()
        for comm in Path("/proc").glob("[0-9]*/comm"):
            try:
                if comm.read_text().strip() == image[:15]:
                    found.add(int(comm.parent.name))
            except (OSError, ValueError):
                continue
        return found
    from zscq_desktop.system import processes  # pragma: no cover - Windows only

    try:  # pragma: no cover
        out = subprocess.run(["tasklist", "/FI", f"IMAGENAME eq {image}", "/FO", "CSV", "/NH"], capture_output=True,
                             timeout=20, **{k: v for k, v in processes.launch_options().items() if k != "stdin"})
    except (OSError, subprocess.SubprocessError):  # pragma: no cover
        return set()
    text = out.stdout.decode("mbcs", "replace")  # pragma: no cover
    return {int(row[1]) for row in csv.reader(io.StringIO(text)) if len(row) > 1 and row[1].isdigit()}  # pragma: no cover


def _open(app: Any, src: str) -> Any:
    # Positional, because late-bound (dynamic) dispatch is the one comtypes mode that works in a frozen
    # app without generating wrapper modules: FileName, ConfirmConversions, ReadOnly, AddToRecentFiles,
    # PasswordDocument, PasswordTemplate, Revert, WritePasswordDocument, WritePasswordTemplate.
    return app.Documents.Open(src, False, True, False, DUMMY_PASSWORD, DUMMY_PASSWORD, False,
                              DUMMY_PASSWORD, DUMMY_PASSWORD)


def _export(doc: Any, target: str) -> None:
    try:
        doc.ExportAsFixedFormat(target, WD_EXPORT_PDF)  # OutputFileName, ExportFormat
    except AttributeError:  # older WPS: no ExportAsFixedFormat, but SaveAs with the PDF format
        doc.SaveAs(target, WD_FORMAT_PDF)


def convert(kind: str, progid: str, src: str, target: str, pid_file: Path) -> int:
    """Run one conversion; returns the exit code (see the module docstring)."""
    try:
        import comtypes  # type: ignore[import-not-found]
        import comtypes.client as client  # type: ignore[import-not-found]
    except ImportError as exc:
        log.warning("no COM support: %s", exc)
        return EXIT_UNAVAILABLE
    comtypes.CoInitialize()
    app = doc = None
    try:
        before = server_pids(SERVER_IMAGES.get(kind, ""))
        try:
            app = client.CreateObject(progid, dynamic=True)
        except Exception as exc:  # noqa: BLE001 - any COM failure means "not usable"
            log.warning("cannot create %s: %r", progid, exc)
            return EXIT_UNAVAILABLE
        started = server_pids(SERVER_IMAGES.get(kind, "")) - before
        pid_file.write_text(" ".join(map(str, sorted(started))), "ascii")
        try:
            app.Visible = False
            app.DisplayAlerts = WD_ALERTS_NONE
            try:
                app.AutomationSecurity = MSO_SECURITY_FORCE_DISABLE
            except Exception:  # noqa: BLE001 - WPS may lack it; macros stay off by its own default
                pass
            doc = _open(app, src)
            _export(doc, target)
            return 0
        except Exception as exc:  # noqa: BLE001
            log.warning("%s conversion failed: %r", kind, exc)
            return EXIT_FAILED
    finally:
        if doc is not None:
            _quietly(doc.Close, False)  # SaveChanges = False
        if app is not None:
            _quietly(app.Quit, False)
        doc = app = None  # release every COM reference…
        gc.collect()
        comtypes.CoUninitialize()  # …before uninitialising


def _quietly(method: Any, *args: Any) -> None:
    try:
        method(*args)
    except Exception:  # noqa: BLE001 - closing a server that is already gone
        pass


def main(argv: list[str]) -> int:
    """Entry point for ``--office-child KIND PROGID SOURCE TARGET PIDFILE``."""
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(levelname)s %(message)s")
    if len(argv) != 5:
        print("usage: --office-child KIND PROGID SOURCE TARGET PIDFILE")
        return 2
    kind, progid, src, target, pid_file = argv
    return convert(kind, progid, src, target, Path(pid_file))
