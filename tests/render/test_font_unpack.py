"""A packed bundled font is unpacked verified, atomically, safely in parallel, and never leaves the user stuck (issue 15)."""

from __future__ import annotations

import errno
import hashlib
import json
import lzma
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zscq_desktop.render import font_files as FF
from zscq_desktop.render import fonts as F
from zscq_desktop.resources import data_root, resource_path

# HanaMinA-Sub (0.5 MB) stands in for the 31 MB Ext-B font: the code does not care which font it is
NAME = F.RARE_FILE


@pytest.fixture(scope="module")
def original() -> bytes:
    return resource_path("fonts", NAME).read_bytes()


@pytest.fixture
def packed(tmp_path: Path, original: bytes) -> Path:
    """A fonts folder holding NAME.xz and the real manifest."""
    folder = tmp_path / "bundle-fonts"
    folder.mkdir()
    shutil.copyfile(resource_path("fonts", FF.MANIFEST), folder / FF.MANIFEST)
    out = folder / (NAME + FF.PACKED)
    out.write_bytes(lzma.compress(original, preset=1))
    return out


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".part")] if folder.is_dir() else []


def test_the_manifest_describes_every_bundled_font_exactly() -> None:
    entries = FF.manifest()
    fonts = sorted(p.name for p in resource_path("fonts").glob("*.ttf"))
    assert sorted(entries) == fonts and F.EXTB_FILE in fonts
    for name, entry in entries.items():
        data = resource_path("fonts", name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry.size, entry.sha256), name


def test_unpacked_once_verified_and_reused(packed: Path, original: bytes, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    target = FF.unpacked(packed, cache)
    assert isinstance(target, Path) and target.parent == cache
    assert target.read_bytes() == original
    assert target.name == f"HanaMinA-Sub-{FF.manifest()[NAME].sha256[:16]}.ttf"
    stamp = target.stat().st_mtime_ns
    assert FF.unpacked(packed, cache) == target and target.stat().st_mtime_ns == stamp  # reused as is
    assert _leftovers(cache) == []


@pytest.mark.parametrize("damage", ["truncated", "same_size_altered", "empty"])
def test_a_wrong_file_in_the_cache_is_never_used(packed: Path, original: bytes, tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    target = FF.unpacked(packed, cache)
    bad = {"truncated": original[:1000], "empty": b"",
           "same_size_altered": original[:500] + bytes([original[500] ^ 1]) + original[501:]}[damage]
    target.write_bytes(bad)
    assert FF.unpacked(packed, cache) == target
    assert target.read_bytes() == original


@pytest.mark.parametrize("damage", ["truncated_archive", "not_xz", "other_content", "bomb"])
def test_a_damaged_archive_gives_a_chinese_message_and_no_file(packed: Path, original: bytes, tmp_path: Path,
                                                               damage: str) -> None:
    data = packed.read_bytes()
    packed.write_bytes({
        "truncated_archive": data[: len(data) // 2],
        "not_xz": b"PK\x03\x04 this is no xz archive" * 10,
        "other_content": lzma.compress(original[::-1], preset=1),  # right size, wrong bytes
        "bomb": lzma.compress(bytes(50 * len(original)), preset=1),  # far larger than the manifest says
    }[damage])
    cache = tmp_path / "cache"
    with pytest.raises(FF.FontError, match="已损坏.*请重新安装本程序"):
        FF.unpacked(packed, cache)
    assert list(cache.iterdir()) == []  # neither a target nor a temporary file
    with pytest.raises(FF.FontError, match="已损坏"):
        FF._in_memory(packed, FF.manifest(packed.parent)[NAME])


def test_a_missing_manifest_or_entry_is_an_incomplete_installation(packed: Path, tmp_path: Path) -> None:
    manifest = packed.parent / FF.MANIFEST
    manifest.write_text(json.dumps({"other.ttf": {"size": 1, "sha256": "00"}}), encoding="utf-8")
    with pytest.raises(FF.FontError, match="字体清单中没有"):
        FF.unpacked(packed, tmp_path / "cache")
    manifest.unlink()
    with pytest.raises(FF.FontError, match="字体清单.*缺失或无法读取"):
        FF.unpacked(packed, tmp_path / "cache")


def test_an_unwritable_cache_folder_unpacks_in_memory(packed: Path, original: bytes, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")  # a folder below a file cannot be created, even by root
    got = FF.unpacked(packed, blocker / "fonts")
    assert got == original


def test_a_full_disk_while_unpacking_unpacks_in_memory(packed: Path, original: bytes, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, f) -> None:  # noqa: ANN001
            self.f = f

        def __enter__(self):  # noqa: ANN204
            return self

        def __exit__(self, *exc) -> None:  # noqa: ANN002
            self.f.close()

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FF.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    cache = tmp_path / "cache"
    assert FF.unpacked(packed, cache) == original
    assert list(cache.iterdir()) == []  # the partial file is removed


def test_a_target_another_process_holds_open_is_used_when_complete(packed: Path, original: bytes, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows refuses os.replace onto a file another process has open; that process unpacked it."""
    cache = tmp_path / "cache"
    real_replace = os.replace

    def replace_after_another(src: str, dst: str) -> None:
        real_replace(src, dst)  # the other process's complete file …
        raise PermissionError(errno.EACCES, "in use")  # … and our rename refused

    monkeypatch.setattr(FF.os, "replace", replace_after_another)
    got = FF.unpacked(packed, cache)
    assert isinstance(got, Path) and got.read_bytes() == original
    assert _leftovers(cache) == []


def _unpack_in_child(args: tuple[str, str, object]) -> str:
    packed, cache, barrier = args
    barrier.wait()  # all children start unpacking at the same moment
    got = FF.unpacked(Path(packed), Path(cache))
    return hashlib.sha256(got.read_bytes() if isinstance(got, Path) else got).hexdigest() + " " + str(got)


def test_four_processes_unpacking_at_once_all_get_the_verified_font(packed: Path, original: bytes,
                                                                    tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(4)
        with ctx.Pool(4) as pool:
            results = pool.map(_unpack_in_child, [(str(packed), str(cache), barrier)] * 4)
    digest = hashlib.sha256(original).hexdigest()
    assert {r.split()[0] for r in results} == {digest}
    assert len({r.split()[1] for r in results}) == 1  # one file, in the cache
    assert [p.name for p in cache.iterdir()] == [Path(results[0].split()[1]).name]


_CHILD = r"""
import sys
from reportlab.pdfbase import pdfmetrics
from zscq_desktop.render import fonts as F
from zscq_desktop.render.content import plan_document
from zscq_desktop.render.pdf_writer import render_pdf
from zscq_desktop.call import load_call
from zscq_desktop.core.sample import build_sample
import io
from pypdf import PdfReader
call = load_call()
sub = build_sample(call, "creation-pilot")
fs = F.register_fonts()
sub.plan["sections"]["background"] = "生僻字\U00020000出现在正文中"
pdf = render_pdf(plan_document(call, sub), fonts=fs, stamp="TEST")
text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
print("LOADED" if F.EXTB in pdfmetrics.getRegisteredFontNames() else "NOT-LOADED", "\U00020000" in text)
"""


def test_an_ext_b_text_prints_from_a_packed_font_when_the_cache_folder_is_unusable(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(data_root() / "forms", root / "forms")
    shutil.copytree(data_root() / "resources", root / "resources",
                    ignore=lambda d, names: [n for n in names if n == F.EXTB_FILE])
    original = resource_path("fonts", F.EXTB_FILE).read_bytes()
    (root / "resources" / "fonts" / (F.EXTB_FILE + FF.PACKED)).write_bytes(lzma.compress(original, preset=0))
    user = tmp_path / "user"
    user.mkdir()
    (user / "cache").write_text("x")  # the cache folder cannot be created (read-only, even for root)
    env = dict(os.environ, ZSCQ_USER_DIR=str(user), ZSCQ_DATA_DIR=str(root))
    r = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.split() == ["LOADED", "True"]


def test_export_with_a_damaged_packed_font_says_so_in_chinese(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(data_root() / "forms", root / "forms")
    shutil.copytree(data_root() / "resources", root / "resources",
                    ignore=lambda d, names: [n for n in names if n == F.EXTB_FILE])
    (root / "resources" / "fonts" / (F.EXTB_FILE + FF.PACKED)).write_bytes(b"\xfd7zXZ\x00 damaged")
    env = dict(os.environ, ZSCQ_USER_DIR=str(tmp_path / "user"), ZSCQ_DATA_DIR=str(root))
    sample = tmp_path / "sample.json"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "zscq_desktop", *args], capture_output=True, text=True,
                              env=env, timeout=300)

    assert cli("sample", "--direction", "creation-pilot", "-o", str(sample)).returncode == 0
    data = json.loads(sample.read_text(encoding="utf-8"))
    data["plan"]["sections"]["background"] = "生僻字\U00020000出现在正文中"
    sample.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    check = cli("check", str(sample))
    assert "需要备用字体" in check.stdout + check.stderr and "HanaMinB.ttf.xz 已损坏" in check.stdout + check.stderr
    assert "Traceback" not in check.stderr
    r = cli("export", str(sample), "--out", str(tmp_path / "out"), "--quiet")
    assert r.returncode == 2, r.stderr[-3000:]
    assert "HanaMinB.ttf.xz 已损坏" in r.stderr and "请重新安装本程序" in r.stderr
    assert "Traceback" not in r.stderr


def test_an_unreadable_packed_file_is_a_chinese_message(packed: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = open

    def refuse(file, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if str(file) == str(packed):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(FF.FontError, match="无法读取字体压缩文件.*请重新安装本程序"):
        FF.unpacked(packed, tmp_path / "cache")
    assert _leftovers(tmp_path / "cache") == []


def test_the_manifest_writer_reproduces_the_committed_manifest(tmp_path: Path) -> None:
    for p in resource_path("fonts").glob("*.ttf"):
        (tmp_path / p.name).symlink_to(p)
    FF.write_manifest(tmp_path)
    assert FF.manifest(tmp_path) == FF.manifest()
    assert (tmp_path / FF.MANIFEST).read_bytes() == resource_path("fonts", FF.MANIFEST).read_bytes()
