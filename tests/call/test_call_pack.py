"""Call packs: `call pack` writes a manifest with hashes; `call install` validates, limits and confirms."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from callkit import edit, new_call

from zscq_desktop.call import pack as packmod
from zscq_desktop.call.registry import installed_root, list_calls
from zscq_desktop.cli import main


def _pack(folder: Path, out: Path) -> Path:
    assert main(["call", "pack", str(folder), "-o", str(out)]) == 0
    return out


@pytest.fixture
def packed(tmp_path: Path) -> Path:
    return _pack(new_call(tmp_path), tmp_path / "tj-2099.zscqcall")


def _rezip(src: Path, dst: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of pack `src` with members replaced (bytes) or removed (None), others kept."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in change:
                zout.writestr(info.filename, zin.read(info))
        for name, data in change.items():
            if data is not None:
                zout.writestr(name, data)
    return dst


def test_manifest_lists_every_file_with_its_hash(packed: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(packed) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist())
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == digest
    assert names == {"manifest.json", *manifest["files"]}
    assert {"call.toml", "unit.toml", "common-sections.toml", "plan.toml", "form-a2.toml", "form-a3.toml"} <= names
    assert (manifest["id"], manifest["version"], manifest["issuer"]) == ("tj-2099", 1, "天津市知识产权局")
    assert manifest["title"] == "2099年天津市知识产权资助项目" and manifest["created"]


def test_install_then_list_then_reinstall_needs_a_higher_version(packed: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "install", str(packed)]) == 0
    out = capsys.readouterr().out
    for text in ("发布单位：天津市知识产权局", "截止时间：2099-05-31 17:00", "纸质材料寄至：天津市河西区吴家窑大街22号"):
        assert text in out
    assert (installed_root() / "tj-2099" / "call.toml").is_file()
    assert main(["calls", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(c["id"], c["source"], c["open"]) for c in listed] == [("tj-2099", "installed", True),
                                                                   ("tianjin-2023", "builtin", False)]
    assert main(["call", "install", str(packed), "--yes"]) == 2  # same version: refused even with --yes
    assert "只能用更高的版本替换" in capsys.readouterr().err
    folder = tmp_path / "v2"
    new_call(tmp_path / "v2src")
    import shutil

    shutil.copytree(tmp_path / "v2src" / "tj-2099", folder)
    edit(folder, "call.toml", "version = 1", "version = 2")
    edit(folder, "call.toml", "cap_wan = 10\n", "cap_wan = 15\n")
    v2 = _pack(folder, tmp_path / "v2.zscqcall")
    assert main(["call", "install", str(v2)]) == 1  # replacing asks first
    assert "将用版本 2 替换已安装的版本 1" in capsys.readouterr().out
    assert main(["call", "install", str(v2), "--yes"]) == 0
    from zscq_desktop.call import load_call

    assert load_call("tj-2099").directions[0].cap_wan == 15 and load_call("tj-2099").version == 2


def test_other_address_needs_yes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = new_call(tmp_path, "bh-2099")
    edit(folder, "call.toml", 'submit_email = "zscqsl@163.com"', 'submit_email = "apply@example.org"')
    edit(folder, "call.toml", 'address = "天津市河西区吴家窑大街22号"', 'address = "示例区示例路1号"')
    edit(folder, "call.toml", 'issuer = "天津市知识产权局"', 'issuer = "示例区知识产权局"')
    pack = _pack(folder, tmp_path / "bh.zscqcall")
    assert main(["call", "install", str(pack)]) == 1
    out, err = capsys.readouterr()
    assert "电子版发送至：apply@example.org" in out and "纸质材料寄至：示例区示例路1号" in out
    assert "发布单位：示例区知识产权局" in out and "与内置申报年度使用的" in out and "--yes" in err
    assert [c.id for c in list_calls()] == ["tianjin-2023"]  # nothing installed without confirmation
    assert main(["call", "install", str(pack), "--yes"]) == 0
    assert [c.id for c in list_calls()] == ["bh-2099", "tianjin-2023"]


def test_builtin_id_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = new_call(tmp_path)
    edit(folder, "call.toml", 'id = "tj-2099"', 'id = "tianjin-2023"')
    pack = _pack(folder, tmp_path / "x.zscqcall")
    assert main(["call", "install", str(pack), "--yes"]) == 2
    err = capsys.readouterr().err
    line = next(i for i, t in enumerate((folder / "call.toml").read_text(encoding="utf-8").splitlines(), 1)
                if t.startswith('id = "tianjin-2023"'))
    assert f"call.toml:{line}: call.id: “tianjin-2023”是程序内置的申报年度" in err


def _refused(pack: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["call", "install", str(pack), "--yes"]) == 2
    err = capsys.readouterr().err
    assert "未安装" in err
    assert not any(installed_root().iterdir())  # nothing written, not even a staging folder
    return err


def test_path_outside_the_pack_is_refused(packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _rezip(packed, tmp_path / "evil.zscqcall", {"../evil.toml": b"x = 1"})
    assert "“../evil.toml”指向数据包之外" in _refused(bad, capsys)
    bad = _rezip(packed, tmp_path / "abs.zscqcall", {"/etc/evil.toml": b"x = 1"})
    assert "指向数据包之外" in _refused(bad, capsys)
    assert not (tmp_path / "evil.toml").exists()


def test_code_is_refused(packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _rezip(packed, tmp_path / "code.zscqcall", {"hook.py": b"import os"})
    assert "“hook.py”不是数据文件" in _refused(bad, capsys)


def test_bomb_is_refused_before_reading(packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _rezip(packed, tmp_path / "bomb.zscqcall", {"notes.txt": b"0" * (packmod.MAX_MEMBER_BYTES + 1)})
    assert "《notes.txt》压缩比异常" in _refused(bad, capsys)  # package.ziplimits, from the directory
    # below the shared bounds' 1 MB floor, but not what a call's text files look like
    small = _rezip(packed, tmp_path / "ratio.zscqcall", {"notes.txt": b"\0" * (512 * 1024)})
    assert "notes.txt: 压缩比异常" in _refused(small, capsys)


def test_tampered_file_is_refused(packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with zipfile.ZipFile(packed) as zf:
        text = zf.read("call.toml").decode("utf-8").replace("zscqsl@163.com", "thief@example.org")
    bad = _rezip(packed, tmp_path / "t.zscqcall", {"call.toml": text.encode("utf-8")})
    assert "call.toml:0: （文件）: sha256 与清单不符" in _refused(bad, capsys)


def test_broken_data_inside_a_pack_is_refused_with_lines(packed: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    with zipfile.ZipFile(packed) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        text = zf.read("call.toml").decode("utf-8")
    text = text.replace('form = "a3"', 'form = "a4"', 1)  # a missing form
    text = text.replace('id = "patent-navigation"', 'id = "creation-pilot"', 1)  # a duplicate id
    text = text.replace('unit = "件", min = 10 }', 'unit = "件", minimum = 10 }', 1)  # an unknown indicator key
    plan = b'[plan]\ntitle = "x"\n[[sections]\n'
    for name, data in (("call.toml", text.encode("utf-8")), ("plan.toml", plan)):
        manifest["files"][name] = hashlib.sha256(data).hexdigest()
    bad = _rezip(packed, tmp_path / "b.zscqcall", {"call.toml": text.encode("utf-8"), "plan.toml": plan,
                                                   "manifest.json": json.dumps(manifest).encode("utf-8")})
    err = _refused(bad, capsys)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t == 'form = "a4"')
    assert f"call.toml:{line}: directions[2].form: 申报书“a4”不存在（缺少 form-a4.toml）" in err
    dup = [i for i, t in enumerate(text.splitlines(), 1) if t == 'id = "creation-pilot"'][1]
    assert f"call.toml:{dup}: directions[1].id: 支持方向 id “creation-pilot” 重复" in err
    ind = next(i for i, t in enumerate(text.splitlines(), 1) if "minimum = 10" in t)
    assert f"call.toml:{ind}: directions[0].tasks[1].indicators[0].minimum: 未知的键" in err
    assert "plan.toml:3: （文件）: TOML 语法错误" in err
    assert main(["call", "check", str(bad)]) == 2  # an author can check a pack too


def test_not_a_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.zscqcall"
    bad.write_bytes(b"not a zip")
    assert "不是有效的申报年度数据包" in _refused(bad, capsys)


def test_pack_refuses_a_broken_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = new_call(tmp_path)
    edit(folder, "call.toml", "cap_wan = 10\n", "cap_wan = -1\n")
    assert main(["call", "pack", str(folder), "-o", str(tmp_path / "x.zscqcall")]) == 2
    assert "directions[0].cap_wan: 应大于 0" in capsys.readouterr().err
    assert not (tmp_path / "x.zscqcall").exists()


def test_installer_opens_packs_in_the_app() -> None:
    iss = (Path(__file__).resolve().parents[2] / "installer" / "zscq-desktop.iss").read_text(encoding="utf-8")
    assert 'Subkey: "Software\\Classes\\.zscqcall"; ValueType: string; ValueName: ""; ValueData: "ZscqDesktop.CallPack"' in iss
    assert 'Subkey: "Software\\Classes\\ZscqDesktop.CallPack\\shell\\open\\command"' in iss
    line = next(t for t in iss.splitlines() if "ZscqDesktop.CallPack\\shell\\open\\command" in t)
    assert '"" gui ""%1"""' in line


def test_a_pack_given_to_the_program_goes_to_the_wizard(packed: Path) -> None:
    from zscq_desktop.cli import build_parser, commands, openable_problem, route

    assert openable_problem(packed) is None  # double-click: `gui "%1"` opens the import dialog
    assert route([str(packed)], commands(build_parser())) == ["gui", str(packed)]
    assert route(["--call", "x", "call", "check", str(packed)], commands(build_parser()))[2] == "call"


def test_the_shared_zip_bounds_apply_too(packed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 2 GiB member announced in the directory is refused by package.ziplimits before any inflating."""
    from zscq_desktop.package import ziplimits

    huge = _rezip(packed, tmp_path / "huge.zscqcall", {"notes.txt": b"x"})
    with zipfile.ZipFile(huge) as zf:
        info = zf.getinfo("notes.txt")
    data = bytearray(huge.read_bytes())
    # the central directory's uncompressed size of notes.txt (offset 24 of its header) now says 2 GiB
    header = data.rfind(b"PK\x01\x02", 0, data.rfind(b"notes.txt"))
    data[header + 24:header + 28] = (2 * 1024 ** 3).to_bytes(4, "little")
    huge.write_bytes(bytes(data))
    assert info.file_size == 1
    err = _refused(huge, capsys)
    assert "notes.txt" in err and ("上限" in err or "压缩比" in err)
    assert ziplimits.MAX_MEMBER_BYTES < 2 * 1024 ** 3
