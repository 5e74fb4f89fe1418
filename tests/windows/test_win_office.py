"""Office conversion that cannot hang the app (issue 9 item 3), with a stand-in COM module.

Word and WPS are found by their COM registration (a stand-in registry here), never by whether a
Python COM module imports; the conversion runs in a child process (our own program with
``--office-child``) that the timeout and 取消 kill, together with the office server it started.
The child imports the stand-in ``comtypes`` from tests/windows/fakecom.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from zscq_desktop.attachments import office
from zscq_desktop.attachments.common import Cancelled, Context, Limits, Problem
from zscq_desktop.attachments.office import Converter, convert_to_pdf, find_converter, find_converters

FAKECOM = Path(__file__).parent / "fakecom"
WORD = {"Word.Application": "{000209FF-0000-0000-C000-000000000046}"}
WPS = {"KWPS.Application": "{000209FF-0000-4B30-A977-D214852036FF}"}


def _no_soffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(office, "_standard_places", lambda: [])


def test_converter_order_word_wps_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office, "_find_soffice", lambda: "/usr/bin/soffice")
    found = find_converters({}, registry={**WORD, **WPS}.get)
    assert [c.kind for c in found] == ["word", "wps", "soffice"]
    assert find_converter({}, ".docx", {**WORD, **WPS}.get).kind == "word"
    assert find_converter({}, ".wps", {**WORD, **WPS}.get).kind == "wps"  # WPS's own format
    assert find_converter({}, ".xlsx", {**WORD, **WPS}.get).kind == "soffice"  # spreadsheets
    assert find_converter({}, ".docx", WPS.get) == Converter("wps", progid="KWPS.Application")
    assert find_converter({}, ".docx", {"WPS.Application": "{x}"}.get).progid == "WPS.Application"  # older WPS
    assert [c.kind for c in find_converters({"ZSCQ_OFFICE": "wps"}, {**WORD, **WPS}.get)] == ["wps"]


def test_word_is_not_assumed_because_a_com_module_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    """A WPS-only PC: comtypes imports, but Word is not registered."""
    _no_soffice(monkeypatch)
    monkeypatch.syspath_prepend(str(FAKECOM))
    __import__("comtypes")  # importable…
    assert [c.kind for c in find_converters({}, registry=WPS.get)] == ["wps"]  # …yet no Word
    assert find_converters({}, registry={}.get) == []


def test_none_found_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_soffice(monkeypatch)
    monkeypatch.setattr(office, "registered_clsid", lambda progid: None)
    assert find_converter({}) is None
    with pytest.raises(Problem) as info:
        convert_to_pdf(b"PK\x03\x04", ".docx", Context("说明.docx"))
    assert info.value.code == "attachment.office.no_converter"
    assert "未找到 Word 或 LibreOffice" in info.value.message and "《说明.docx》" in info.value.message


@pytest.fixture
def fake_com(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, minimal_pdf: bytes):
    """Configure the stand-in COM module for the child; returns (set behaviour, read the log)."""
    log = tmp_path / "com.log"
    pdf = tmp_path / "converted.pdf"
    pdf.write_bytes(minimal_pdf)
    server = tmp_path / "WINWORD.EXE"  # a stand-in office server: `sleep` under Word's image name
    server.symlink_to(shutil.which("sleep"))
    src = str(Path(office.__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(FAKECOM), src, os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("ZSCQ_FAKE_COM_LOG", str(log))
    monkeypatch.setenv("ZSCQ_FAKE_COM_PDF", str(pdf))
    monkeypatch.setenv("ZSCQ_FAKE_COM_SERVER", str(server))
    _no_soffice(monkeypatch)

    def configure(behaviour: dict[str, str]) -> None:
        monkeypatch.setenv("ZSCQ_FAKE_COM", json.dumps(behaviour))

    return configure, lambda: log.read_text("utf-8").splitlines() if log.exists() else []


@pytest.fixture
def minimal_pdf() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(100, 700, "converted")
    c.showPage()
    c.save()
    return buf.getvalue()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie left for init to reap is gone for every purpose


def test_word_converts_in_a_child_with_dialogs_suppressed(fake_com, minimal_pdf: bytes) -> None:
    configure, events = fake_com
    configure({"Word.Application": "ok"})
    pdf = convert_to_pdf(b"PK\x03\x04 docx", ".docx", Context("说明.docx"), Converter("word", progid="Word.Application"))
    assert pdf == minimal_pdf
    log = events()
    assert "create Word.Application dynamic=True" in log
    assert "set DisplayAlerts=0" in log and "set Visible=False" in log and "set AutomationSecurity=3" in log
    opened = json.loads(next(e for e in log if e.startswith("open "))[5:])
    # ConfirmConversions False, ReadOnly True, AddToRecentFiles False, a dummy PasswordDocument
    assert opened[:3] == [False, True, False] and opened[3] == "zscq-no-password"
    assert log.index("close False") < log.index("quit False") < len(log) - 1
    assert log[-1] == "CoUninitialize live="  # every COM object released before CoUninitialize


def test_failing_conversion_is_a_clear_error(fake_com) -> None:
    configure, events = fake_com
    configure({"Word.Application": "raise"})
    with pytest.raises(Problem) as info:
        convert_to_pdf(b"x", ".doc", Context("加密.doc"), Converter("word", progid="Word.Application"))
    assert info.value.code == "attachment.office.failed" and "《加密.doc》" in info.value.message
    assert events()[-1] == "CoUninitialize live="


def test_unusable_word_falls_back_to_wps(fake_com, minimal_pdf: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    configure, events = fake_com
    configure({"Word.Application": "unavailable", "KWPS.Application": "ok"})
    monkeypatch.setattr(office, "registered_clsid", {**WORD, **WPS}.get)
    assert convert_to_pdf(b"x", ".docx", Context("说明.docx")) == minimal_pdf
    assert [e for e in events() if e.startswith("create")] == [
        "create Word.Application dynamic=True", "create KWPS.Application dynamic=True"]


def test_blocked_word_is_killed_at_the_timeout(fake_com, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configure, events = fake_com
    configure({"Word.Application": "block"})
    with pytest.raises(Problem) as info:
        convert_to_pdf(b"x", ".docx", Context("说明.docx", limits=Limits(office_timeout=3.0)),
                       Converter("word", progid="Word.Application"))
    assert info.value.code == "attachment.office.timeout"
    assert any(e.startswith("open ") for e in events())  # it really was stuck inside Documents.Open
    _assert_server_killed(tmp_path, events)


def _assert_server_killed(tmp_path: Path, events) -> None:
    import time

    for _ in range(200):  # SIGKILL is delivered asynchronously: give the kernel up to 10 s
        if not any(_is_our_server(p, tmp_path) for p in Path("/proc").glob("[0-9]*")):
            return
        time.sleep(0.05)
    raise AssertionError(f"the stand-in WINWORD.EXE survived {events()}")


def _is_our_server(proc: Path, tmp_path: Path) -> bool:
    try:
        return str(tmp_path / "WINWORD.EXE") in (proc / "cmdline").read_bytes().decode(errors="replace") \
            and _alive(int(proc.name))
    except OSError:
        return False


def test_cancel_kills_a_blocked_word(fake_com, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configure, events = fake_com
    configure({"Word.Application": "block"})
    seen_open = []

    def cancel() -> bool:  # 取消 pressed once Word is stuck
        seen_open.append(any(e.startswith("open ") for e in events()))
        return seen_open[-1]

    with pytest.raises(Cancelled):
        convert_to_pdf(b"x", ".docx", Context("说明.docx", cancel=cancel, limits=Limits(office_timeout=600)),
                       Converter("word", progid="Word.Application"))
    assert seen_open[-1]
    _assert_server_killed(tmp_path, events)
