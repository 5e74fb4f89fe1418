"""verify_package: an intact package passes; every kind of tampering is reported, never raised."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from pkg_helpers import infos, make_info, member, text_pdf, volume_pdf

from zscq_desktop.cli import main as cli_main
from zscq_desktop.core.findings import Severity
from zscq_desktop.package import verify_package


@pytest.fixture
def package(build, tmp_path) -> Path:
    return build(tmp_path / "out").path


def rewrite(src: Path, dst: Path, *, replace: dict[str, bytes] | None = None, drop: set[str] = frozenset(),
            add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip member by member, with some members replaced, dropped or added (a valid zip)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for zi in zin.infolist():
            if zi.filename in drop:
                continue
            zout.writestr(zi, (replace or {}).get(zi.filename, zin.read(zi)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def codes(findings) -> list[str]:
    assert all(f.severity is Severity.ERROR for f in findings)
    return sorted(f.code for f in findings)


def manifest_of(path: Path) -> dict:
    return json.loads(member(path, "manifest.json"))


def test_intact_package_passes(package, capsys):
    assert verify_package(package) == []
    assert cli_main(["verify", str(package)]) == 0
    assert "校验通过" in capsys.readouterr().out


def test_one_byte_changed_inside_a_member(package, inputs, tmp_path):
    name = inputs.files[1][0]  # the form DOCX
    data = bytearray(member(package, name))
    data[len(data) // 2] ^= 0x01
    bad = rewrite(package, tmp_path / "bad.zip", replace={name: bytes(data)})
    found = verify_package(bad)
    assert codes(found) == ["package.member_changed"] and name in found[0].message


def test_one_byte_flipped_in_the_zip_file(package, inputs, tmp_path):
    raw = bytearray(package.read_bytes())
    zi = next(i for i in infos(package) if i.filename == inputs.files[3][0])
    raw[zi.header_offset + 30 + len(zi.filename.encode()) + len(zi.extra) + zi.compress_size // 2] ^= 0xFF
    bad = tmp_path / "flipped.zip"
    bad.write_bytes(bytes(raw))
    found = verify_package(bad)
    assert codes(found) in (["package.member_corrupt"], ["package.member_changed"])
    assert inputs.files[3][0] in found[0].message


def test_member_dropped(package, inputs, tmp_path):
    name = inputs.files[2][0]
    found = verify_package(rewrite(package, tmp_path / "bad.zip", drop={name}))
    assert codes(found) == ["package.member_missing"] and name in found[0].message


def test_extra_member(package, tmp_path):
    found = verify_package(rewrite(package, tmp_path / "bad.zip", add={"病毒.exe": b"MZ"}))
    assert codes(found) == ["package.member_extra"] and "病毒.exe" in found[0].message


@pytest.mark.parametrize("keep", [0.0, 0.5, 0.9, 0.999])
def test_truncated_zip(package, tmp_path, keep):
    raw = package.read_bytes()
    bad = tmp_path / "cut.zip"
    bad.write_bytes(raw[:int(len(raw) * keep)])
    found = verify_package(bad)
    assert found and all(f.severity is Severity.ERROR for f in found)
    assert any("损坏" in f.message or "截断" in f.message for f in found)


def test_manifest_page_count_edited(package, inputs, tmp_path):
    m = manifest_of(package)
    m["volume_pages"] += 1
    bad = rewrite(package, tmp_path / "bad.zip", replace={"manifest.json": json.dumps(m).encode()})
    found = verify_package(bad)
    assert codes(found) == ["package.volume_pages"]
    assert f"有 {inputs.volume_pages} 页" in found[0].message


def test_manifest_stamp_edited(package, tmp_path):
    m = manifest_of(package)
    m["stamp"] = "00000000"
    found = verify_package(rewrite(package, tmp_path / "bad.zip", replace={"manifest.json": json.dumps(m).encode()}))
    # metadata, page text and the submission data all disagree with the edited manifest
    assert codes(found) == ["package.submission_stamp", "package.volume_stamp", "package.volume_stamp"]


def test_submission_json_swapped(package, inputs, tmp_path):
    other = json.loads(member(package, "submission.json"))
    other["unit"]["name"] = "另一家单位"
    bad = rewrite(package, tmp_path / "bad.zip", replace={"submission.json": json.dumps(other, ensure_ascii=False).encode()})
    assert codes(verify_package(bad)) == ["package.member_changed", "package.submission_stamp"]
    # …and with the manifest's hash updated to match, the stamp still gives it away
    m = manifest_of(bad)
    data = member(bad, "submission.json")
    import hashlib

    for f in m["files"]:
        if f["name"] == "submission.json":
            f["size"], f["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    worse = rewrite(bad, tmp_path / "worse.zip", replace={"manifest.json": json.dumps(m).encode()})
    assert codes(verify_package(worse)) == ["package.submission_stamp"]


def test_volume_from_another_version(package, inputs, fonts, tmp_path):
    """A volume printed from an older version (another stamp), manifest hashes updated: caught by the stamp."""
    import hashlib

    old, pages = volume_pdf(fonts, "0BADC0DE", [text_pdf(fonts, "附件", 1)])
    m = manifest_of(package)
    m["volume_pages"] = pages
    for f in m["files"]:
        if f["name"] == inputs.volume_name:
            f["size"], f["sha256"] = len(old), hashlib.sha256(old).hexdigest()
    bad = rewrite(package, tmp_path / "bad.zip", replace={inputs.volume_name: old, "manifest.json": json.dumps(m).encode()})
    found = verify_package(bad)
    assert codes(found) == ["package.volume_stamp", "package.volume_stamp"]
    assert any("文件属性" in f.message for f in found) and any("页面上" in f.message for f in found)


def test_broken_manifest_and_foreign_zips(package, tmp_path):
    bad = rewrite(package, tmp_path / "bad.zip", replace={"manifest.json": b"{not json"})
    assert codes(verify_package(bad)) == ["package.manifest"]
    newer = manifest_of(package)
    newer["version"] = 99
    found = verify_package(rewrite(package, tmp_path / "newer.zip", replace={"manifest.json": json.dumps(newer).encode()}))
    assert codes(found) == ["package.manifest"] and "更新版本" in found[0].message
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert codes(verify_package(plain)) == ["package.no_manifest"]
    not_zip = tmp_path / "申报.zip"
    not_zip.write_text("这不是压缩包", encoding="utf-8")
    assert codes(verify_package(not_zip)) == ["package.unreadable"]
    assert codes(verify_package(tmp_path / "none.zip")) == ["package.unreadable"]


def test_corrupt_volume_pdf(package, inputs, tmp_path):
    import hashlib

    junk = b"%PDF-1.7\n garbage"
    m = manifest_of(package)
    for f in m["files"]:
        if f["name"] == inputs.volume_name:
            f["size"], f["sha256"] = len(junk), hashlib.sha256(junk).hexdigest()
    bad = rewrite(package, tmp_path / "bad.zip", replace={inputs.volume_name: junk, "manifest.json": json.dumps(m).encode()})
    assert codes(verify_package(bad)) == ["package.volume_unreadable"]


def test_cli_exit_code_on_tampering(package, tmp_path, capsys):
    bad = rewrite(package, tmp_path / "bad.zip", drop={"submission.json"})
    assert cli_main(["verify", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "submission.json" in out and "缺少" in out
    assert cli_main(["verify", "--json", str(bad)]) == 1
    listed = json.loads(capsys.readouterr().out)
    assert [f["code"] for f in listed] == ["package.member_missing"]


def test_wrong_direction_in_data(build, inputs, tmp_path):
    info = make_info(inputs.stamp, inputs.volume_name, direction_id="patent-navigation")
    found = verify_package(build(tmp_path, info=info).path)
    assert codes(found) == ["package.submission_mismatch"]


@pytest.mark.parametrize("how", ["prefix", "comment", "inner-zip-tail"])
def test_archive_must_be_the_whole_file(package, tmp_path, how):
    """A package with bytes before it or after its end record, or a cut-off package whose tail is
    a zip stored inside it, is not a complete package even though zipfile can open it."""
    raw = package.read_bytes()
    bad = tmp_path / "odd.zip"
    if how == "prefix":
        bad.write_bytes(b"MZ" + b"\0" * 100 + raw)
    elif how == "comment":
        with zipfile.ZipFile(package) as src, zipfile.ZipFile(bad, "w") as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info))
            dst.comment = b"x"
    else:
        inner = tmp_path / "inner.zip"
        with zipfile.ZipFile(inner, "w") as z:
            z.writestr("word/document.xml", "<w/>")
        bad.write_bytes(raw[: len(raw) // 2] + inner.read_bytes())
    found = verify_package(bad)
    assert [f.code for f in found] == ["package.unreadable"]
