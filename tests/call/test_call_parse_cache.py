"""The call's TOML files are read from a JSON copy in the user cache while they are unchanged (start-up
of the app: ≈ 7 ms of tomllib), and parsed again the moment one changes; the copy never decides what
is valid, and a damaged or unwritable copy only costs the parsing."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from zscq_desktop.call.loader import CallDataError, load_call_folder
from zscq_desktop.resources import forms_dir, user_cache_dir


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "tianjin-2023"
    shutil.copytree(forms_dir("tianjin-2023"), target)
    return target


def _copies() -> list[Path]:
    return sorted((user_cache_dir() / "calls-parsed").glob("*.json"))


def test_second_load_reads_the_copies_not_the_toml(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_call_folder(folder)
    assert len(_copies()) == len(list(folder.glob("*.toml")))  # one copy per file
    monkeypatch.setattr(tomllib, "loads", lambda *a, **k: pytest.fail("parsed although unchanged"))
    again = load_call_folder(folder)
    assert again == first  # the same call, field for field


def test_a_changed_file_is_parsed_again(folder: Path) -> None:
    load_call_folder(folder)
    toml = folder / "call.toml"
    text = toml.read_text(encoding="utf-8")
    title = tomllib.loads(text)["call"]["title"]
    line = f'title = "{title}"'
    assert line in text
    toml.write_text(text.replace(line, line[:-2] + '乙"', 1), encoding="utf-8")  # same size, within a tick
    assert load_call_folder(folder).title == title[:-1] + "乙"


def test_a_broken_file_is_reported_even_with_a_copy(folder: Path) -> None:
    load_call_folder(folder)
    toml = folder / "call.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[call\n", encoding="utf-8")
    with pytest.raises(CallDataError, match="TOML 语法错误"):
        load_call_folder(folder)


def test_a_damaged_copy_is_ignored_and_replaced(folder: Path) -> None:
    first = load_call_folder(folder)
    for copy in _copies():
        copy.write_text('{"stamp": "x", "data": ', encoding="utf-8")  # cut short
    assert load_call_folder(folder) == first
    assert all(copy.read_text(encoding="utf-8").startswith('{"stamp": [') for copy in _copies())


def test_a_copy_saying_something_else_for_the_same_file_is_not_trusted(folder: Path) -> None:
    load_call_folder(folder)
    copy = next(c for c in _copies() if c.name.startswith("call-"))
    forged = copy.read_text(encoding="utf-8").replace("天津市知识产权局", "某某伪造单位")
    (folder / "call.toml").write_text((folder / "call.toml").read_text(encoding="utf-8") + "\n# edited\n",
                                      encoding="utf-8")
    copy.write_text(forged, encoding="utf-8")  # a copy whose stamp no longer fits the file
    assert "某某伪造单位" not in load_call_folder(folder).issuer


def test_an_unwritable_cache_only_costs_the_parsing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = user_cache_dir()
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    assert load_call_folder(folder).directions  # loads, nothing cached
    assert blocked.is_file()
