"""Programs started from the frozen app get the user's environment and DLL search path back
(issue 9 item 7). The frozen state (``sys.frozen``, ``sys._MEIPASS``) and, for the DLL search path,
Windows' kernel32 are simulated."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zscq_desktop.attachments.common import Context, Problem
from zscq_desktop.attachments.office import Converter, convert_to_pdf
from zscq_desktop.system import processes

BUNDLE = os.path.abspath("/opt/zscq-desktop/_internal")


def test_child_env_removes_what_the_bundle_added() -> None:
    env = {
        "PATH": os.pathsep.join([BUNDLE, os.path.join(BUNDLE, "PySide6"), "/usr/bin", "/bin"]),
        "LD_LIBRARY_PATH": BUNDLE, "LD_LIBRARY_PATH_ORIG": "/opt/lib",
        "DYLD_LIBRARY_PATH": BUNDLE,  # no _ORIG: the user had none
        "QT_PLUGIN_PATH": os.path.join(BUNDLE, "PySide6", "plugins"),
        "_PYI_APPLICATION_HOME_DIR": BUNDLE, "_MEIPASS2": BUNDLE, "HOME": "/home/u", "LANG": "zh_CN.UTF-8",
    }
    clean = processes.child_env(env, bundle=BUNDLE)
    assert clean["PATH"] == os.pathsep.join(["/usr/bin", "/bin"])
    assert clean["LD_LIBRARY_PATH"] == "/opt/lib" and "LD_LIBRARY_PATH_ORIG" not in clean
    assert "DYLD_LIBRARY_PATH" not in clean and "QT_PLUGIN_PATH" not in clean
    assert not [k for k in clean if k.startswith("_PYI_") or k == "_MEIPASS2"]
    assert clean["PYINSTALLER_RESET_ENVIRONMENT"] == "1"
    assert clean["HOME"] == "/home/u" and clean["LANG"] == "zh_CN.UTF-8"
    assert processes.child_env(env, bundle="") == env  # from source: unchanged


def test_windows_path_key_and_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows spells it "Path" and compares folders case-insensitively."""
    monkeypatch.setattr(os.path, "normcase", lambda p: p.lower())
    env = {"Path": os.pathsep.join([BUNDLE.upper(), "/Windows/System32"])}
    assert processes.child_env(env, bundle=BUNDLE)["Path"] == "/Windows/System32"


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", BUNDLE, raising=False)
    monkeypatch.setenv("PATH", os.pathsep.join([BUNDLE, os.environ["PATH"]]))
    monkeypatch.setenv("LD_LIBRARY_PATH", BUNDLE)
    monkeypatch.delenv("LD_LIBRARY_PATH_ORIG", raising=False)


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for soffice")
def test_soffice_from_the_frozen_app_gets_a_clean_environment(frozen, tmp_path: Path) -> None:
    seen = tmp_path / "env.txt"
    fake = tmp_path / "soffice"
    fake.write_text(f'#!/bin/sh\nenv > "{seen}"\nexit 1\n')
    fake.chmod(0o755)
    with pytest.raises(Problem):
        convert_to_pdf(b"PK\x03\x04", ".docx", Context("说明.docx"), Converter("soffice", str(fake)))
    env = dict(line.split("=", 1) for line in seen.read_text().splitlines() if "=" in line)
    assert BUNDLE not in env.get("PATH", "") and "LD_LIBRARY_PATH" not in env
    assert env.get("PYINSTALLER_RESET_ENVIRONMENT") == "1"


def test_com_child_is_started_through_the_same_helper(frozen, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[list[str], dict]] = []

    class NoStart(subprocess.Popen):
        def __init__(self, cmd, **kwargs):  # noqa: D107 - record instead of starting
            started.append((cmd, kwargs))
            raise OSError(2, "not started in this test")

    monkeypatch.setattr(subprocess, "Popen", NoStart)
    with pytest.raises(Problem):
        convert_to_pdf(b"x", ".docx", Context("说明.docx"), Converter("word", progid="Word.Application"))
    (cmd, kwargs), = started
    assert cmd[0] == sys.executable and cmd[1] == "--office-child"  # frozen: our own executable
    assert BUNDLE not in kwargs["env"]["PATH"] and kwargs["stdin"] == subprocess.DEVNULL


def test_dll_search_path_is_reset_for_the_launch_and_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, object]] = []

    class Kernel32:
        def GetDllDirectoryW(self, size, buf):  # noqa: N802 - the Win32 names
            buf.value = BUNDLE
            return len(BUNDLE)

        def SetDllDirectoryW(self, path):  # noqa: N802
            calls.append(("SetDllDirectoryW", path))
            return 1

    class WinDLL:
        kernel32 = Kernel32()

    monkeypatch.setattr(processes, "IS_WINDOWS", True)
    monkeypatch.setattr(ctypes, "windll", WinDLL(), raising=False)
    monkeypatch.setattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200, raising=False)
    launched: list[list[tuple[str, object]]] = []

    class Recorder:
        def __init__(self, cmd, **kwargs):
            launched.append(list(calls))
            self.kwargs = kwargs

    monkeypatch.setattr(subprocess, "Popen", Recorder)
    proc = processes.popen(["soffice.exe", "--version"])
    assert launched == [[("SetDllDirectoryW", None)]]  # reset when the child was created…
    assert calls == [("SetDllDirectoryW", None), ("SetDllDirectoryW", BUNDLE)]  # …and restored after
    assert proc.kwargs["creationflags"] & 0x200 and "start_new_session" not in proc.kwargs


def test_the_default_viewer_starts_with_the_standard_dll_search_path(monkeypatch: pytest.MonkeyPatch, qtbot) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    from zscq_desktop.ui.pages import export as export_page

    calls: list[object] = []

    class Kernel32:
        def GetDllDirectoryW(self, size, buf):  # noqa: N802
            buf.value = BUNDLE
            return len(BUNDLE)

        def SetDllDirectoryW(self, path):  # noqa: N802
            calls.append(path)
            return 1

    class WinDLL:
        kernel32 = Kernel32()

    monkeypatch.setattr(processes, "IS_WINDOWS", True)
    monkeypatch.setattr(ctypes, "windll", WinDLL(), raising=False)
    seen: list[list[object]] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: seen.append(list(calls)) or True))
    assert export_page.open_url(QUrl.fromLocalFile("/tmp/申报材料.pdf"))
    assert seen == [[None]] and calls == [None, BUNDLE]
