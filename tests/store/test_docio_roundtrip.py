"""JSON → .zscq → JSON loses nothing, attachments included (docio on top of the document store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zscq_desktop.call import load_call
from zscq_desktop.core.sample import write_sample
from zscq_desktop.docio import InputError, load_any, load_json, load_zscq, write_json, write_zscq
from zscq_desktop.store.document import Document


@pytest.mark.parametrize("direction", ["creation-pilot", "innovation-culture"])
def test_json_zscq_json_round_trip(tmp_path: Path, direction: str) -> None:
    src = tmp_path / "src" / "申报.json"
    src.parent.mkdir()
    write_sample(load_call(), direction, src)
    original = json.loads(src.read_text("utf-8"))
    first = load_json(src)
    assert first.blobs and len(first.blobs) == len(original["attachments"])

    doc = tmp_path / "申报 副本.zscq"
    write_zscq(first, doc)
    second = load_zscq(doc)
    assert second.submission.to_dict() == first.submission.to_dict()
    assert second.blobs == first.blobs
    with Document.open(doc) as d:  # stored once each, under their hashes
        assert d.blob_sizes() == {s: len(b) for s, b in first.blobs.items()}

    back = tmp_path / "back" / "回来.json"
    back.parent.mkdir()
    write_json(second, back)
    again = json.loads(back.read_text("utf-8"))
    for a, b in zip(original["attachments"], again["attachments"], strict=True):
        assert (src.parent / a.pop("path")).read_bytes() == (back.parent / b.pop("path")).read_bytes()
    assert again == original
    assert load_any(back).submission.to_dict() == first.submission.to_dict()


def test_same_file_attached_twice_is_stored_once(tmp_path: Path) -> None:
    src = tmp_path / "s.json"
    write_sample(load_call(), "public-service", src)
    data = json.loads(src.read_text("utf-8"))
    data["attachments"].append(dict(data["attachments"][0], id="dup", title="同一文件再附一次"))
    src.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    loaded = load_json(src)
    write_zscq(loaded, tmp_path / "s.zscq")
    with Document.open(tmp_path / "s.zscq") as d:
        assert len(d.blob_sizes()) == len(data["attachments"]) - 1
    assert [a.title for a in load_zscq(tmp_path / "s.zscq").submission.attachments][-1] == "同一文件再附一次"


def test_missing_blob_and_overwrite(tmp_path: Path) -> None:
    src = tmp_path / "s.json"
    write_sample(load_call(), "public-service", src)
    loaded = load_json(src)
    out = tmp_path / "s.zscq"
    write_zscq(loaded, out)
    with pytest.raises(InputError, match="已存在"):
        write_zscq(loaded, out)
    with Document.open(out) as d:
        d.prune_blobs([])  # the submission still lists attachments whose bytes are gone
    with pytest.raises(InputError, match="缺少附件数据"):
        load_zscq(out)
