"""The zip as the real export writes it (sample → export → verify), and a tampered copy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pkg_helpers import member

from zscq_desktop.cli import main as cli_main
from zscq_desktop.core.sample import write_sample
from zscq_desktop.docio import load_json
from zscq_desktop.package import read_manifest, verify_package


@pytest.fixture(scope="module")
def exported(tmp_path_factory, call):
    from zscq_desktop.volume.export import export

    folder = tmp_path_factory.mktemp("export")
    write_sample(call, "creation-pilot", folder / "示例.json")
    result = export(load_json(folder / "示例.json"), call, folder / "导出")
    return result


def test_export_writes_a_zip_that_verifies(exported, call):
    assert exported.zip is not None and exported.zip.name == "2023天津知识产权资助-高质量知识产权创造试点-天津示例科技有限公司.zip"
    assert verify_package(exported.zip) == []
    m = read_manifest(exported.zip)
    assert m["stamp"] == exported.stamp and m["volume_pages"] == exported.pages
    assert m["volume_name"] == exported.volume.name
    on_disk = {p.name: p.read_bytes() for p in exported.files if p != exported.zip and "打印与报送清单" not in p.name}
    with zipfile.ZipFile(exported.zip) as zf:
        # only what the agency receives: the print checklist stays with the applicant
        assert sorted(zf.namelist()) == sorted([*on_disk, "manifest.json", "submission.json"])
        for name, data in on_disk.items():  # under budget: every file exactly as written beside it
            assert zf.read(name) == data
    sub = json.loads(member(exported.zip, "submission.json"))
    assert all("path" not in a for a in sub["attachments"]) and len(sub["attachments"]) == 2


def test_export_zip_lists_in_unzip(exported):
    if shutil.which("unzip") is None:
        pytest.skip("unzip is not installed")
    out = subprocess.run(["unzip", "-l", str(exported.zip)], capture_output=True, check=True,
                         env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}).stdout.decode("utf-8")
    assert exported.volume.name in out


def test_tampered_export_fails_verify(exported, tmp_path, capsys):
    bad = tmp_path / exported.zip.name
    with zipfile.ZipFile(exported.zip) as zin, zipfile.ZipFile(bad, "w") as zout:
        for zi in zin.infolist():
            data = zin.read(zi)
            if zi.filename == exported.volume.name:
                mid = len(data) // 2  # one flipped byte (metadata may sit in a compressed object stream)
                data = data[:mid] + bytes([data[mid] ^ 1]) + data[mid + 1:]
            zout.writestr(zi, data)
    assert cli_main(["verify", str(bad)]) == 1
    assert "已被改动" in capsys.readouterr().out
    assert cli_main(["verify", str(exported.zip)]) == 0


def test_small_budget_through_export(call, tmp_path):
    from zscq_desktop.volume.export import export

    write_sample(call, "creation-pilot", tmp_path / "s.json")
    result = export(load_json(tmp_path / "s.json"), call, tmp_path / "out", budget_bytes=50 * 1024)
    codes = [f.code for f in result.findings]
    assert codes[-1] == "package.over_budget" and set(codes) <= {"package.recompressed", "package.over_budget"}
    assert verify_package(result.zip) == []
    assert Path(result.volume).read_bytes() != b""  # the printed volume is still there
