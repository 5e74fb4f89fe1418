"""The user-data library: folders, unit profiles, the draft index, recent files, damaged JSON files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from zscq_desktop.store.document import Document
from zscq_desktop.store.profiles import (DraftIndex, LibraryError, ProfileLibrary, RecentFiles, discard_draft, drafts_dir,
                                         list_drafts, new_draft_path, user_data_dir)

CODE = "91120116MA05XK3P7X"


def test_user_dir_comes_from_the_environment(_isolated_user_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    assert user_data_dir() == _isolated_user_dir
    monkeypatch.setenv("ZSCQ_USER_DIR", str(tmp_path / "新 用户" / "data"))
    assert user_data_dir() == tmp_path / "新 用户" / "data" and user_data_dir().is_dir()
    assert drafts_dir() == tmp_path / "新 用户" / "data" / "drafts" and drafts_dir().is_dir()


def test_new_draft_paths_are_unique_and_usable(sub: dict) -> None:
    first = new_draft_path('天津/示例:科技*有限公司?')
    assert first.parent == drafts_dir() and first.suffix == ".zscq" and not first.exists()
    assert first.name.startswith("天津示例科技有限公司-")
    Document.create(first, sub).close()
    second = new_draft_path('天津/示例:科技*有限公司?')
    assert second != first and not second.exists()
    assert new_draft_path().name.startswith("新申报-")


def test_profiles_save_list_get_delete(sub: dict) -> None:
    lib = ProfileLibrary()
    assert lib.list() == []
    unit = dict(sub["unit"], credit_code=CODE.lower())
    key = lib.save(unit)
    assert key == CODE
    other = lib.save({"name": " 天津另一家单位 "})
    assert other == "天津另一家单位"
    listed = ProfileLibrary().list()  # a new instance reads the file: it is really on disk
    assert [p["_key"] for p in listed] == [other, CODE]  # most recently saved first
    got = lib.get(CODE)
    assert got == unit and "_key" not in got
    got["name"] = "changed"  # a copy, not the library's state
    assert lib.get(CODE)["name"] == unit["name"]
    lib.save({**listed[0], "phone": "022-1"})  # saving a listed dict back: "_key" is not stored
    assert "_key" not in json.dumps(json.loads((user_data_dir() / "profiles.json").read_text("utf-8"))["profiles"])
    assert [p["_key"] for p in lib.list()] == [other, CODE]
    lib.save(unit)
    assert [p["_key"] for p in lib.list()] == [CODE, other]
    lib.delete(other)
    lib.delete("not there")
    assert [p["_key"] for p in lib.list()] == [CODE] and lib.get(other) is None


def test_profile_saved_by_name_is_superseded_once_the_code_is_known() -> None:
    lib = ProfileLibrary()
    lib.save({"name": "天津示例科技有限公司"})
    lib.save({"name": "天津示例科技有限公司", "credit_code": CODE})
    assert [p["_key"] for p in lib.list()] == [CODE]


def test_profile_needs_a_name_or_code() -> None:
    with pytest.raises(ValueError, match="都为空"):
        ProfileLibrary().save({"name": "  ", "credit_code": ""})


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe garbage", b'{"format": "something else", "profiles": {}}',
                                     b'{"format": "zscq-profiles", "profiles": []}'])
def test_damaged_profiles_file_is_set_aside(content: bytes) -> None:
    path = user_data_dir() / "profiles.json"
    path.write_bytes(content)
    lib = ProfileLibrary()
    assert lib.list() == []  # no crash
    assert (user_data_dir() / "profiles.json.bad").read_bytes() == content  # kept for inspection
    assert lib.save({"name": "重新开始"}) == "重新开始"
    assert [p["_key"] for p in ProfileLibrary().list()] == ["重新开始"]


def test_newer_library_file_keeps_what_it_does_not_know() -> None:
    path = user_data_dir() / "profiles.json"
    path.write_text(json.dumps({"format": "zscq-profiles", "version": 7, "profiles": {}, "future": [1, 2]}), "utf-8")
    ProfileLibrary().save({"name": "新单位"})
    data = json.loads(path.read_text("utf-8"))
    assert data["future"] == [1, 2] and data["version"] == 7 and "新单位" in data["profiles"]


def test_unwritable_library_is_a_clear_error_for_profiles_only(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-folder"
    folder.write_bytes(b"a file where the library folder should be: unwritable even for root")
    with pytest.raises(LibraryError, match="无法写入"):
        ProfileLibrary(folder).save({"name": "x"})
    (tmp_path / "a.zscq").write_bytes(b"x")
    RecentFiles(folder).add(tmp_path / "a.zscq")  # bookkeeping: logged, never raised
    DraftIndex(folder).record(tmp_path / "a.zscq", {"unit": {"credit_code": CODE}})
    assert RecentFiles(folder).list() == [] and DraftIndex(folder).drafts_for(CODE) == []


def _draft(folder: Path, name: str, sub: dict, direction: str, code: str = CODE) -> Path:
    path = folder / name
    data = dict(sub, direction=direction, unit=dict(sub["unit"], credit_code=code))
    Document.create(path, data).close()
    DraftIndex().record(path, data)
    return path


def test_draft_index_finds_the_units_other_drafts(tmp_path: Path, sub: dict) -> None:
    a = _draft(tmp_path, "a.zscq", sub, "creation-pilot")
    b = _draft(drafts_dir(), "b.zscq", sub, "public-service")
    _draft(tmp_path, "c.zscq", sub, "gi-protection", code="911201160000000000")
    found = DraftIndex().drafts_for(CODE.lower(), exclude=a)
    assert [(Path(e["path"]), e["direction"], e["call"]) for e in found] == [(b, "public-service", "tianjin-2023")]
    assert found[0]["project"] == sub["form"]["cover"]["project_name"] and found[0]["modified"]
    assert {e["direction"] for e in DraftIndex().drafts_for(CODE)} == {"creation-pilot", "public-service"}
    assert DraftIndex().drafts_for("") == []
    DraftIndex().record(a, dict(sub, direction="data-ip-protection", unit=dict(sub["unit"], credit_code=CODE)))
    assert {e["direction"] for e in DraftIndex().drafts_for(CODE)} == {"data-ip-protection", "public-service"}
    DraftIndex().forget(a)
    assert [e["direction"] for e in DraftIndex().drafts_for(CODE)] == ["public-service"]


def test_deleted_drafts_drop_out(tmp_path: Path, sub: dict) -> None:
    outside = _draft(tmp_path, "outside.zscq", sub, "creation-pilot")
    inside = _draft(drafts_dir(), "inside.zscq", sub, "public-service")
    outside.unlink()
    inside.unlink()
    assert DraftIndex().drafts_for(CODE) == []
    index = json.loads((user_data_dir() / "drafts.json").read_text("utf-8"))["drafts"]
    # A draft deleted from our own folder is forgotten; one elsewhere may be on an unplugged stick.
    assert [Path(e["path"]).name for e in index.values()] == ["outside.zscq"]


def test_recent_files(tmp_path: Path) -> None:
    recent = RecentFiles()
    paths = [tmp_path / f"{i}.zscq" for i in range(14)]
    for p in paths:
        p.write_bytes(b"x")
        recent.add(p)
    recent.add(paths[3])  # reopened: moves to the front, not duplicated
    listed = RecentFiles().list()
    assert listed[0] == paths[3] and len(listed) == 10 and len(set(listed)) == 10
    assert listed[1:] == paths[13:4:-1]
    paths[13].unlink()
    recent.remove(paths[12])
    listed = recent.list()
    assert paths[13] not in listed and paths[12] not in listed and len(listed) == 10
    (user_data_dir() / "recent.json").write_text("[1, 2", "utf-8")
    assert recent.list() == []
    assert (user_data_dir() / "recent.json.bad").exists()


def test_list_and_discard_drafts(tmp_path: Path, sub: dict) -> None:
    old = _draft(drafts_dir(), "old.zscq", sub, "creation-pilot")
    os.utime(old, (1_600_000_000, 1_600_000_000))
    new = _draft(drafts_dir(), "new.zscq", sub, "public-service")
    RecentFiles().add(new)
    (drafts_dir() / "notes.txt").write_text("not a draft", "utf-8")
    assert list_drafts() == [new, old]
    mine = tmp_path / "mine.zscq"
    mine.write_bytes(b"the user's own file")
    assert not discard_draft(mine) and mine.exists()  # outside the drafts folder: never deleted
    assert not discard_draft(drafts_dir() / "notes.txt")
    new.with_name(new.name + "-journal").write_bytes(b"")
    assert discard_draft(new)
    assert list_drafts() == [old] and sorted(p.name for p in drafts_dir().iterdir()) == ["notes.txt", "old.zscq"]
    assert RecentFiles().list() == [] and [e["direction"] for e in DraftIndex().drafts_for(CODE)] == ["creation-pilot"]
