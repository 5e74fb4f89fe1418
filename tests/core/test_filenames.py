"""`safe_name`: every name made from user text is valid and reads the same on Windows and Linux."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from zscq_desktop.core.filenames import is_reserved, safe_name


@pytest.mark.parametrize("device", ["CON", "con", "Prn", "AUX", "NUL", "COM1", "com9", "LPT1", "lpt9"])
@pytest.mark.parametrize("ext", ["", ".pdf", ".zscq", ".tar.gz"])
def test_reserved_device_names_made_safe(device: str, ext: str) -> None:
    assert is_reserved(device + ext)
    name = safe_name(device + ext, 255, "x", keep_extension=True)
    assert not is_reserved(name) and name.startswith(device)
    assert name.endswith(ext)


def test_names_that_are_not_devices_stay() -> None:
    for name in ("CONSOLE", "COM10", "LPT0", "nullable.pdf", "auxiliary", "天津CON"):
        assert safe_name(name, 255, keep_extension=True) == name


def test_format_characters_removed() -> None:
    # U+202E makes "申报gpj.exe" display as "申报exe.jpg"; zero-width and BOM characters hide in names
    assert safe_name("申报\u202egpj.exe", keep_extension=True) == "申报gpj.exe"
    assert safe_name("天\u200b津\u200c示\u200d例\u2060\ufeff\u200e\u200f\u2066公司") == "天津示例公司"
    assert all(unicodedata.category(c) != "Cf" for c in safe_name("".join(map(chr, range(0x2000, 0x2070)))))


def test_trailing_dots_and_spaces_stripped_and_forbidden_removed() -> None:
    assert safe_name("报告. . .", 255) == "报告"
    assert safe_name("报告 .pdf ", 255, keep_extension=True) == "报告.pdf"
    assert safe_name('天津/示例:科技*有限"公司?<>|\x7f\x85') == "天津示例科技有限公司"
    for bad in ("..", ".", "/", "\\", " ", "\u202e"):
        assert safe_name(bad, 255, "备用", keep_extension=True) == "备用"


def test_within_255_utf8_bytes_cut_on_a_character_keeping_the_extension() -> None:
    for text in ("甲" * 300 + ".pdf", "x" * 300 + ".pdf", "😀" * 100 + ".docx", "a" + "é" * 200 + ".png"):
        name = safe_name(text, 1000, keep_extension=True)
        assert len(name.encode("utf-8")) <= 255
        assert name.endswith(Path(text).suffix)
        assert text.startswith(name[: -len(Path(text).suffix)])  # a prefix: no character broken
    assert len(safe_name("甲" * 300, 1000).encode("utf-8")) <= 255


def test_save_as_never_proposes_a_device_name() -> None:
    # ui/actions.save_as builds "<safe_name(unit name)>.zscq"
    for unit in ("CON", "nul", "Aux", "com1"):
        assert not is_reserved(safe_name(unit, 60, "未命名") + ".zscq")


def test_convert_to_json_writes_safe_unique_names(tmp_path: Path) -> None:
    """`convert X.zscq Y.json` with hostile attachment names: no crash, every file inside the folder,
    names valid on Windows and unique ignoring case."""
    from zscq_desktop.call import load_call
    from zscq_desktop.cli import main
    from zscq_desktop.core.sample import write_sample
    from zscq_desktop.docio import load_json, write_zscq

    src = tmp_path / "src" / "s.json"
    src.parent.mkdir()
    write_sample(load_call(), "public-service", src)
    data = json.loads(src.read_text("utf-8"))
    first = data["attachments"][0]
    hostile = ["..", ".", "/", "\\", "x" * 300 + ".pdf", "CON", "NUL.pdf", "报告. . ", "申报\u202egpj.exe",
               "A.pdf", "a.pdf", "../../逃逸.pdf", "C:\\Windows\\win.ini"]
    data["attachments"] = [dict(first, id=f"h{i}", source_name=name) for i, name in enumerate(hostile)]
    src.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    doc = tmp_path / "d.zscq"
    write_zscq(load_json(src), doc)

    out = tmp_path / "out" / "回来.json"
    out.parent.mkdir()
    assert main(["convert", str(doc), str(out)]) == 0
    folder = out.parent / "回来-附件"
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == len(hostile) and all(p.is_file() for p in folder.iterdir())
    assert sorted(p.name for p in out.parent.iterdir()) == ["回来-附件", "回来.json"]  # nothing escaped
    assert len({f.casefold() for f in files}) == len(files)
    for f in files:
        assert not is_reserved(f) and f == safe_name(f, 255, keep_extension=True)
        assert len(f.encode("utf-8")) <= 255
    back = load_json(out)  # and the JSON form reads back with the same bytes
    assert [a.sha256 for a in back.submission.attachments] == [first["sha256"]] * len(hostile)
