"""The start page shows a call from the summary the loader recorded when it last loaded and checked the
call's files (issue 15: the model is not loaded before the first picture). The summary is used only while
every file of the folder is unchanged; a changed or broken folder is loaded (and checked) again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zscq_desktop.call import CallDataError, summary as S
from zscq_desktop.call.loader import _load_cached
from zscq_desktop.resources import forms_dir


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "tianjin-2023"
    shutil.copytree(forms_dir("tianjin-2023"), target)
    yield target
    _load_cached.cache_clear()


def test_a_loaded_call_is_summarised_with_what_the_start_page_shows(folder: Path) -> None:
    assert S.summary(folder) is None  # never loaded: nothing to show without loading it
    call = _load_cached(folder)
    got = S.summary(folder)
    assert got is not None
    assert (got.id, got.version, got.year, got.title, got.short_title, got.issuer, got.guide_title, got.deadline,
            got.submit_email, got.address) == (
        call.id, call.version, call.year, call.title, call.short_title, call.issuer, call.guide_title, call.deadline,
        call.submit_email, call.submission["address"])
    assert [(d.id, d.name, d.category, d.form) for d in got.directions] == [
        (d.id, d.name, d.category, d.form) for d in call.directions]


@pytest.mark.parametrize("change", ["edited", "added", "removed", "touched"])
def test_any_change_in_the_folder_discards_the_summary(folder: Path, change: str) -> None:
    _load_cached(folder)
    assert S.summary(folder) is not None
    toml = folder / "call.toml"
    if change == "edited":  # same size, other content
        text = toml.read_text(encoding="utf-8")
        toml.write_text(text.replace("天津市知识产权局", "天津市知识产权厅", 1), encoding="utf-8")
    elif change == "added":
        (folder / "form-b1.toml").write_text("# new\n", encoding="utf-8")
    elif change == "removed":
        (folder / "plan.toml").unlink()
    else:
        st = toml.stat()
        import os

        os.utime(toml, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert S.summary(folder) is None


def test_a_broken_folder_is_never_summarised(folder: Path) -> None:
    toml = folder / "call.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('deadline = "', 'deadline = "not a date ', 1),
                    encoding="utf-8")
    with pytest.raises(CallDataError):
        _load_cached(folder)
    assert S.summary(folder) is None


@pytest.mark.parametrize("damage", ["not json", "{}", '{"stamp": null, "call": {}}'])
def test_a_damaged_record_means_loading_the_call(folder: Path, damage: str) -> None:
    _load_cached(folder)
    record = S._record_path(folder)
    assert record is not None and record.is_file()
    record.write_text(damage, encoding="utf-8")
    assert S.summary(folder) is None


def test_a_record_with_a_wrong_field_is_not_used(folder: Path) -> None:
    import json

    _load_cached(folder)
    record = S._record_path(folder)
    stored = json.loads(record.read_text(encoding="utf-8"))
    stored["call"]["deadline"] = "2023-05-31T17:00:00"  # no time zone
    record.write_text(json.dumps(stored), encoding="utf-8")
    assert S.summary(folder) is None


def test_the_list_of_calls_needs_no_model_once_summarised(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zscq_desktop.call import loader, registry

    monkeypatch.setattr(registry, "builtin_root", lambda: folder.parent)
    first = registry.list_calls()
    assert [e.id for e in first] == ["tianjin-2023"]
    monkeypatch.setattr(loader, "_load_cached", lambda *_: pytest.fail("loaded although summarised"))
    assert registry.list_calls() == first
