"""The e-mail zip: names in every tool, manifest, no leaks, determinism, atomic writes."""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest
from pkg_helpers import CREATED, DIRECTION, UNIT, infos, make_info, member

from zscq_desktop import __version__
from zscq_desktop.core.stamp import version_stamp
from zscq_desktop.package import PackageError, package_name, read_manifest
from zscq_desktop.package.zipper import build_package

ZIP_NAME = f"2023天津知识产权资助-{DIRECTION}-{UNIT}.zip"
UTF8 = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def expected_names(inputs) -> list[str]:
    return ["manifest.json", *(n for n, _ in inputs.files), "submission.json"]


def run(*cmd: str) -> str:
    return subprocess.run(cmd, env=UTF8, capture_output=True, check=True).stdout.decode("utf-8")


def test_name_and_members(build, inputs, tmp_path):
    result = build(tmp_path)
    assert result.path == tmp_path / ZIP_NAME
    assert result.path.stat().st_size == result.size
    assert result.findings == [] and result.size_before is None
    with zipfile.ZipFile(result.path) as zf:
        assert zf.namelist() == expected_names(inputs)
        assert zf.testzip() is None
        for name, path in inputs.files:
            assert zf.read(name) == path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [ZIP_NAME]  # no temporary file left
    (tmp_path / "plain").touch()
    assert result.path.stat().st_mode == (tmp_path / "plain").stat().st_mode  # the umask's mode, not 0600


def test_manifest(build, inputs, tmp_path):
    result = build(tmp_path)
    m = read_manifest(result.path)
    assert m["format"] == "zscq-package" and m["version"] == 1
    assert (m["call_id"], m["call_title"]) == ("tianjin-2023", "2023天津知识产权资助")
    assert (m["direction_id"], m["direction_name"], m["unit_name"]) == ("creation-pilot", DIRECTION, UNIT)
    assert m["stamp"] == inputs.stamp and m["app_version"] == __version__
    assert m["created"] == "2023-05-20T10:30:15+08:00"
    assert m["volume_name"] == inputs.volume_name and m["volume_pages"] == inputs.volume_pages
    assert m["submission"] == "submission.json" and m["volume_recompressed"] is None
    with zipfile.ZipFile(result.path) as zf:
        assert [f["name"] for f in m["files"]] == expected_names(inputs)[1:]
        for f in m["files"]:
            data = zf.read(f["name"])
            assert f["size"] == len(data) and f["sha256"] == hashlib.sha256(data).hexdigest()
        sub = json.loads(zf.read("submission.json"))
    assert version_stamp(sub) == m["stamp"]
    assert sub["direction"] == "creation-pilot" and sub["unit"]["name"] == inputs.submission["unit"]["name"]


@pytest.mark.parametrize("tool", ["unzip", "7z", "bsdtar", "python"])
def test_chinese_names_list_correctly(build, inputs, tmp_path, tool):
    path = build(tmp_path).path
    want = expected_names(inputs)
    if tool == "python":
        names = [i.filename for i in infos(path)]
    elif shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    elif tool == "unzip":
        out = run("unzip", "-l", str(path)).splitlines()
        dashes = [i for i, x in enumerate(out) if x.startswith("---")]
        names = [r.split(None, 3)[3] for r in out[dashes[0] + 1:dashes[1]]]  # length, date, time, name
    elif tool == "7z":
        names = [x[len("Path = "):] for x in run("7z", "l", "-slt", str(path)).splitlines()
                 if x.startswith("Path = ")][1:]  # the first one is the archive itself
    else:
        names = run("bsdtar", "-tf", str(path)).splitlines()
    assert names == want


def _local_extras(raw: bytes, zi: zipfile.ZipInfo) -> bytes:
    sig, *_rest = struct.unpack_from("<4s", raw, zi.header_offset)
    assert sig == b"PK\x03\x04"
    name_len, extra_len = struct.unpack_from("<HH", raw, zi.header_offset + 26)
    start = zi.header_offset + 30 + name_len
    return raw[start:start + extra_len]


def _extra_ids(extra: bytes) -> list[int]:
    ids, i = [], 0
    while i + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, i)
        ids.append(kind)
        i += 4 + size
    return ids


def test_headers_carry_nothing_of_the_machine(build, tmp_path):
    path = build(tmp_path).path
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        assert zf.comment == b""
        for zi in zf.infolist():
            assert zi.date_time == (2023, 5, 20, 10, 30, 14)  # DOS time: 2-second resolution
            assert zi.create_system == 3 and zi.external_attr == 0o100644 << 16
            assert zi.flag_bits & 0x800 == (0 if zi.filename.isascii() else 0x800)  # UTF-8 flag on Chinese names
            want = [] if zi.filename.isascii() else [0x7075]  # only the Unicode Path field: no uid/gid, no mtime
            assert _extra_ids(zi.extra) == want
            assert _extra_ids(_local_extras(raw, zi)) == want
            if want:  # the Unicode Path field holds the same name, CRC of the header name
                body = zi.extra[4:]
                assert body[0] == 1 and body[5:].decode("utf-8") == zi.filename
                assert struct.unpack("<I", body[1:5])[0] == zlib.crc32(zi.filename.encode("utf-8"))


def _needles(*extra: Path) -> list[bytes]:
    values = {str(Path.home()), getpass.getuser(), socket.gethostname(), os.environ.get("USER", ""),
              *(str(p) for p in extra)}
    # very short values ("vm") would match by chance inside compressed data; they cannot be tested here
    return sorted({v.encode("utf-8") for v in values if len(v) >= 4} |
                  {v.encode("utf-16-be") for v in values if len(v) >= 4})


def _blobs(path: Path) -> list[tuple[str, bytes]]:
    """The zip's raw bytes, every member decompressed, DOCX parts and uncompressed PDFs."""
    out = [("<zip>", path.read_bytes())]
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            out.append((name, data))
            if name.endswith(".docx"):
                with zipfile.ZipFile(io.BytesIO(data)) as inner:
                    out += [(f"{name}/{n}", inner.read(n)) for n in inner.namelist()]
            if name.endswith(".pdf") and shutil.which("qpdf"):
                src = path.parent / "leak-check.pdf"
                src.write_bytes(data)
                plain = path.parent / "leak-check-plain.pdf"
                subprocess.run(["qpdf", "--stream-data=uncompress", "--object-streams=disable", str(src), str(plain)],
                               check=False, capture_output=True)
                out.append((f"{name} (uncompressed)", plain.read_bytes()))
                src.unlink()
                plain.unlink()
    return out


def test_no_path_user_or_machine_name_anywhere(build, inputs, tmp_path):
    sub = json.loads(json.dumps(inputs.submission))
    secret = tmp_path / "私人文件夹" / "营业执照.pdf"
    sub["attachments"] = [{"category": "qualification", "title": "营业执照", "source_name": "营业执照.pdf",
                           "sha256": "0" * 64, "size": 3, "pages": 1, "id": "a1", "path": str(secret)}]
    sub["sends"] = [{"time": "2023-05-20T10:00:00+08:00", "package": str(tmp_path / "old.zip")}]
    sub["meta"] = {**sub.get("meta", {}), "source": "C:\\Users\\张三\\Desktop\\申报.zscq"}
    out = tmp_path / "out"
    result = build(out, submission=sub)
    assert [f.code for f in result.findings] == ["package.stamp_mismatch"]  # the sample stamp changed: warned
    inside = json.loads(member(result.path, "submission.json"))
    assert "path" not in inside["attachments"][0]
    assert inside["sends"][0]["package"] == "old.zip" and inside["meta"]["source"] == "申报.zscq"
    needles = _needles(tmp_path, inputs.files[0][1].parent) + [b"Users", "张三".encode()]
    for where, data in _blobs(result.path):
        for needle in needles:
            assert needle not in data, f"{needle!r} found in {where}"


def test_same_input_same_bytes(build, tmp_path):
    a = build(tmp_path / "a").path.read_bytes()
    b = build(tmp_path / "b").path.read_bytes()
    assert a == b


def test_package_name_is_file_name_safe(inputs):
    info = make_info(inputs.stamp, inputs.volume_name, unit_name='天津/某"某"*科技<有限>公司:?|  ',
                     direction_name="重点产业链专利导航")
    assert package_name(info) == "2023天津知识产权资助-重点产业链专利导航-天津某某科技有限公司.zip"
    assert package_name(make_info(inputs.stamp, inputs.volume_name, unit_name="")).endswith("-未填写单位.zip")
    long = package_name(make_info(inputs.stamp, inputs.volume_name, unit_name="很长的单位名称" * 20))
    assert len(long) < 120


def test_replaces_an_older_zip_and_refuses_bad_names(build, inputs, tmp_path):
    (tmp_path / ZIP_NAME).write_bytes(b"old")
    build(tmp_path)
    assert zipfile.is_zipfile(tmp_path / ZIP_NAME)
    with pytest.raises(ValueError):
        build(tmp_path, files=[*inputs.files, ("../evil.pdf", inputs.files[0][1])])
    with pytest.raises(ValueError):
        build(tmp_path, files=[*inputs.files, ("manifest.json", inputs.files[0][1])])
    with pytest.raises(ValueError):
        build(tmp_path, files=inputs.files[1:])  # no volume


def test_missing_input_file_is_a_chinese_error(build, inputs, tmp_path):
    files = [*inputs.files, ("说明.pdf", tmp_path / "不存在.pdf")]
    with pytest.raises(PackageError) as exc:
        build(tmp_path / "out", files=files)
    assert "找不到要打包的文件" in str(exc.value) and "不存在.pdf" in str(exc.value)
    assert not (tmp_path / "out" / ZIP_NAME).exists()


def test_read_manifest_errors(tmp_path):
    bad = tmp_path / "坏.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(PackageError, match="不是完整的 zip"):
        read_manifest(bad)
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("a.txt", "x")
    with pytest.raises(PackageError, match="没有 manifest.json"):
        read_manifest(plain)
    with pytest.raises(PackageError, match="找不到文件"):
        read_manifest(tmp_path / "none.zip")


DISK_FULL = textwrap.dedent("""
    import json, sys, zipfile
    from datetime import datetime, timezone
    from pathlib import Path
    from zscq_desktop.package.zipper import PackageInfo, build_package, package_name
    args = json.loads(sys.argv[1])
    out = Path(args["out"])
    info = PackageInfo(**args["info"], created=datetime(2023, 5, 20, tzinfo=timezone.utc))
    old = out / package_name(info)
    old.write_bytes(b"the older package")
    try:
        build_package(out, files=[(n, Path(p)) for n, p in args["files"]], submission=args["submission"], info=info)
        result = {"raised": None}
    except OSError as exc:
        result = {"raised": type(exc).__name__, "errno": exc.errno, "message": str(exc)}
    result["left"] = sorted(p.name for p in out.iterdir())
    result["old"] = old.read_bytes().decode()
    print(json.dumps(result, ensure_ascii=False))
""")


def test_disk_full_leaves_nothing_half_written(inputs, tmp_path):
    """A real full disk: a 64 KB tmpfs in a private mount namespace (skipped where unshare is not allowed)."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("unshare -rm (user + mount namespace) is not available")
    out = tmp_path / "small-disk"
    out.mkdir()
    info = {k: v for k, v in vars(make_info(inputs.stamp, inputs.volume_name)).items() if k != "created"}
    args = json.dumps({"out": str(out), "info": info, "submission": inputs.submission,
                       "files": [(n, str(p)) for n, p in inputs.files]}, ensure_ascii=False)
    assert sum(p.stat().st_size for _, p in inputs.files) > 200 * 1024  # much more than the disk holds
    script = f'mount -t tmpfs -o size=64k tmpfs "$1" && exec "{sys.executable}" -c "$2" "$3"'
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", str(out), DISK_FULL, args],
                          capture_output=True, env=UTF8)
    if proc.returncode and b"mount" in proc.stderr:
        pytest.skip(f"tmpfs cannot be mounted here: {proc.stderr.decode(errors='replace')}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    result = json.loads(proc.stdout.decode("utf-8"))
    assert result["raised"] == "PackageError" and result["errno"] == 28
    assert result["message"].startswith("磁盘空间不足") and "已填写的内容不受影响" in result["message"]
    assert result["left"] == [ZIP_NAME] and result["old"] == "the older package"


def test_created_time_keeps_its_offset(build, inputs, tmp_path):
    assert read_manifest(build(tmp_path).path)["created"].endswith("+08:00")
    assert CREATED.utcoffset() is not None
    result = build_package(tmp_path / "x", files=inputs.files, submission=inputs.submission,
                           info=make_info(inputs.stamp, inputs.volume_name, created=CREATED.replace(year=1975)))
    assert infos(result.path)[0].date_time[0] == 1980  # DOS dates start in 1980
