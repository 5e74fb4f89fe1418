"""Temporary folders that an antivirus holds on to (issue 9 item 5): removal is retried and logged,
never raised over a result that succeeded; staging folders stay out of sight and are swept later."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from zscq_desktop.attachments.common import Context
from zscq_desktop.attachments.office import Converter, convert_to_pdf
from zscq_desktop.system import tempdirs


def _held(calls: list[str], fail_times: int = 10**6):
    real = shutil.rmtree

    def rmtree(path, *a, **kw):
        calls.append(str(path))
        if len(calls) <= fail_times:
            raise PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", str(path))
        return real(path, *a, **kw)

    return rmtree


def test_removal_is_retried_then_logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    calls: list[str] = []
    monkeypatch.setattr(shutil, "rmtree", _held(calls, fail_times=2))
    assert tempdirs.remove_tree(folder, delay=0) and not folder.exists() and len(calls) == 3
    folder.mkdir()
    calls.clear()
    monkeypatch.setattr(shutil, "rmtree", _held(calls))
    with caplog.at_level(logging.WARNING, logger="zscq_desktop.system.tempdirs"):
        assert tempdirs.remove_tree(folder, retries=3, delay=0) is False
    assert len(calls) == 3 and folder.exists() and "not removed" in caplog.text


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for soffice")
def test_conversion_survives_a_temporary_folder_that_cannot_be_removed(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = tmp_path / "converted.pdf"
    pdf.write_bytes(b"%PDF-1.4 stand-in\n%%EOF\n")
    fake = tmp_path / "soffice"
    fake.write_text('#!/bin/sh\nwhile [ $# -gt 1 ]; do [ "$1" = --outdir ] && out="$2"; shift; done\n'
                    f'cp "{pdf}" "$out/input.pdf"\n')
    fake.chmod(0o755)
    monkeypatch.setattr(tempdirs, "RETRY_DELAY", 0.0)
    calls: list[str] = []
    monkeypatch.setattr(shutil, "rmtree", _held(calls))  # the scanner never lets go
    try:
        assert convert_to_pdf(b"PK\x03\x04", ".docx", Context("说明.docx"), Converter("soffice", str(fake))) == pdf.read_bytes()
        assert calls and all("zscq-office-" in c for c in calls)
    finally:
        monkeypatch.undo()
        for c in set(calls):
            shutil.rmtree(c, ignore_errors=True)


def test_export_survives_a_staging_folder_that_cannot_be_removed(tmp_path: Path, call,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from zscq_desktop.core.sample import write_sample
    from zscq_desktop.docio import load_json
    from zscq_desktop.volume.export import STAGING_PREFIX, export

    write_sample(call, "creation-pilot", tmp_path / "s.json")
    out = tmp_path / "导出"
    monkeypatch.setattr(tempdirs, "RETRY_DELAY", 0.0)
    calls: list[str] = []
    monkeypatch.setattr(shutil, "rmtree", _held(calls))
    result = export(load_json(tmp_path / "s.json"), call, out)
    monkeypatch.undo()
    assert all(p.is_file() and p.parent == out for p in result.files) and len(result.files) == 5
    left = [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]
    assert len(left) == 1 and left[0].name.startswith(".")  # hidden (a dot here, the attribute on Windows)
    old = time.time() - 2 * 24 * 3600
    os.utime(left[0], (old, old))
    export(load_json(tmp_path / "s.json"), call, out)  # the next export sweeps the old leftover
    assert not [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]


def test_sweep_keeps_recent_and_foreign_folders(tmp_path: Path) -> None:
    recent = tmp_path / ".zscq-export-recent"
    recent.mkdir()
    other = tmp_path / "mine"
    other.mkdir()
    old = time.time() - 3 * 24 * 3600
    os.utime(other, (old, old))
    assert tempdirs.sweep(tmp_path, ".zscq-export-") == 0
    assert recent.exists() and other.exists()
