"""Zip bounds (package/ziplimits.py): bombs, huge members and too many members are refused from the
zip's directory before anything is decompressed; GBK names from Chinese archivers read right."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from pkg_helpers import infos

from zscq_desktop.cli import main as cli_main
from zscq_desktop.package import verify_package
from zscq_desktop.package.ziplimits import MAX_MEMBER_BYTES, MAX_MEMBERS, member_name

MiB = 1024 * 1024


def deflated_zeros(mib: int) -> bytes:
    """A raw deflate stream of `mib` MiB of zeros, built from one compressed MiB repeated: each
    piece ends with a full flush (byte-aligned, no reference across pieces), then an empty final
    block. Costs milliseconds however large the result."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = co.compress(b"\0" * MiB) + co.flush(zlib.Z_FULL_FLUSH)
    return piece * mib + b"\x03\x00"


def hand_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """Write a zip by hand: (name, raw deflate data, stated uncompressed size, crc) per member."""
    out, central = bytearray(), bytearray()
    for name, data, size, crc in members:
        raw = name.encode("utf-8")
        offset = len(out)
        head = struct.pack("<HHHHHIII", 20, 0x800, 8, 0, 0x21, crc, len(data), size)
        out += b"PK\x03\x04" + head + struct.pack("<HH", len(raw), 0) + raw + data
        central += (b"PK\x01\x02" + struct.pack("<H", 20) + head
                    + struct.pack("<HHHHHI", len(raw), 0, 0, 0, 0, 0o644 << 16) + struct.pack("<I", offset) + raw)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def test_the_bomb_stream_is_real() -> None:
    """The construction inflates to exactly what it claims (checked on a small one)."""
    assert zlib.decompress(deflated_zeros(3), -15) == b"\0" * (3 * MiB)


@pytest.fixture
def no_inflating(monkeypatch):
    """Fail the test if anything opens a member for reading: refusals must come from the directory."""
    def refuse(*a, **k):
        raise AssertionError("a member was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)


def test_bomb_of_gigabytes_refused_without_inflating(tmp_path, no_inflating, capsys) -> None:
    data = deflated_zeros(2048)  # 2 GiB of zeros
    assert len(data) < 2.5 * MiB
    bomb = hand_zip(tmp_path / "炸弹.zip", [("manifest.json", b"\x03\x00", 0, 0), ("申报材料.pdf", data, 2048 * MiB, 0)])
    assert bomb.stat().st_size < 3 * MiB
    found = verify_package(bomb)
    assert [f.code for f in found] == ["package.limits"]
    assert "申报材料.pdf" in found[0].message and "上限" in found[0].message
    assert cli_main(["verify", str(bomb)]) == 1
    assert "未解压" in capsys.readouterr().out


def test_ratio_bomb_under_the_size_limit_refused(tmp_path, no_inflating) -> None:
    data = deflated_zeros(200)  # 200 MiB from ≈ 200 kB: ratio ≈ 1000
    bomb = hand_zip(tmp_path / "r.zip", [("a.pdf", data, 200 * MiB, 0)])
    found = verify_package(bomb)
    assert [f.code for f in found] == ["package.limits"] and "压缩炸弹" in found[0].message


def test_member_stated_over_250_mb_refused(tmp_path, no_inflating) -> None:
    # stored-looking member of 1 GiB stated size (the header says so; the bytes are not even there)
    big = hand_zip(tmp_path / "big.zip", [("a.pdf", b"\x03\x00" * 4096, MAX_MEMBER_BYTES + 1, 0)])
    assert "250 MB" in verify_package(big)[0].message


def test_too_many_members_refused(tmp_path, no_inflating) -> None:
    many = hand_zip(tmp_path / "many.zip", [(f"{i}.txt", b"\x03\x00", 0, 0) for i in range(MAX_MEMBERS + 1)])
    found = verify_package(many)
    assert [f.code for f in found] == ["package.limits"] and str(MAX_MEMBERS + 1) in found[0].message


def test_send_refuses_a_bomb_before_reading(tmp_path, no_inflating) -> None:
    from zscq_desktop.mail.message import MailError, read_package

    bomb = hand_zip(tmp_path / "b.zip", [("manifest.json", deflated_zeros(300), 300 * MiB, 0)])
    with pytest.raises(MailError, match="上限"):
        read_package(bomb)


def test_read_manifest_refuses_a_bomb(tmp_path, no_inflating) -> None:
    from zscq_desktop.package.manifest import PackageError, read_manifest

    bomb = hand_zip(tmp_path / "b.zip", [("manifest.json", deflated_zeros(300), 300 * MiB, 0)])
    with pytest.raises(PackageError, match="上限"):
        read_manifest(bomb)


# ---- names (issue 9 item 9) ---------------------------------------------------------------------

class _GbkInfo(zipfile.ZipInfo):
    """A member written as a Chinese archiver does: GBK name bytes, UTF-8 flag cleared."""

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's name
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def test_verify_reads_gbk_names_without_the_utf8_flag(build, tmp_path) -> None:
    package = build(tmp_path / "out").path
    gbk = tmp_path / "用中文压缩软件重新压缩.zip"
    with zipfile.ZipFile(package) as zin, zipfile.ZipFile(gbk, "w", zipfile.ZIP_DEFLATED) as zout:
        for zi in zin.infolist():
            zout.writestr(_GbkInfo(zi.filename, zi.date_time), zin.read(zi))
    raw = [i for i in infos(gbk) if not i.filename.isascii()]
    assert raw and all(not i.flag_bits & 0x800 for i in raw)
    assert any(i.filename != member_name(i) for i in raw)  # zipfile alone reads mojibake (cp437)
    assert verify_package(gbk) == []


def test_case_insensitive_duplicate_members_flagged(build, tmp_path) -> None:
    package = build(tmp_path / "out").path
    dup = tmp_path / "dup.zip"
    with zipfile.ZipFile(package) as zin, zipfile.ZipFile(dup, "w") as zout:
        for zi in zin.infolist():
            zout.writestr(zi, zin.read(zi))
        first = next(i.filename for i in zin.infolist() if i.filename.lower().endswith(".pdf"))
        zout.writestr(first[:-4] + ".PDF", b"%PDF-1.4 other")
    assert "package.member_extra" in [f.code for f in verify_package(dup)]


def test_zipper_refuses_names_equal_ignoring_case(build, inputs, tmp_path) -> None:
    name, path = inputs.files[1]
    with pytest.raises(ValueError):
        build(tmp_path / "o", files=list(inputs.files) + [(name.upper() if name.upper() != name else name.lower(), path)])


def test_office_sniffing_never_inflates_a_bomb(tmp_path, no_inflating) -> None:
    """The supporting-file sniffer reads an ODF zip's "mimetype" member bounded."""
    from zscq_desktop.attachments.normalize import _zip_kind

    odt = hand_zip(tmp_path / "a.odt", [("mimetype", deflated_zeros(300), 300 * MiB, 0)])
    assert _zip_kind(odt.read_bytes(), ".odt") == ".odt"
