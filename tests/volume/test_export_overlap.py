"""A cold export normalises supporting files while it lays out the form and the plan (issue 15).

The workers read a `.zscq`'s originals themselves (references travel, not bytes), a dead worker
does not lose the export, blocked or failed exports leave no worker behind, and the Word copy of the
plan, written before the volume is bound, carries the numbers the volume gives it.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

import zscq_desktop.volume.parallel as parallel
from volume_helpers import blank_pdf, write_sample
from zscq_desktop.cli import main
from zscq_desktop.volume.binder import AttachmentPart, VolumeInput, bind, plan_first_number


def _jpeg(seed: int) -> bytes:
    img = Image.new("RGB", (620, 877), (250 - seed * 7, 246, 238))
    img.paste((30, 30, 30), (60, 80 + seed * 9, 560, 100 + seed * 9))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, dpi=(75, 75))
    return buf.getvalue()


def _no_children() -> bool:
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not multiprocessing.active_children()


@pytest.mark.parametrize("duplex", [False, True])
@pytest.mark.parametrize("form_pages", [1, 2, 3, 4, 5])
def test_plan_number_known_before_binding_is_the_bound_one(form_pages: int, duplex: bool, tmp_path: Path) -> None:
    inp = VolumeInput(form_pdf=blank_pdf(form_pages), plan_pdf=blank_pdf(3),
                      attachments=[AttachmentPart(label="附件材料3-1", title="证明", category="其他", pdf=blank_pdf(2))],
                      title="申报材料", unit="天津示例科技有限公司", direction="高质量知识产权创造试点", stamp="ABCD1234")
    volume = bind(inp, duplex=duplex, to=tmp_path / "v.pdf")
    start = next(page for level, title, page in volume.outline if level == 0 and title == "项目实施方案")
    assert volume.numbers[start] == plan_first_number(form_pages, duplex)


@pytest.fixture
def cold_document(tmp_path: Path) -> Path:
    """The creation-pilot sample with six scans, as a `.zscq` whose cache is empty."""
    src = write_sample(tmp_path, [_jpeg(i) for i in range(6)])
    doc = tmp_path / "sample.zscq"
    assert main(["convert", str(src), str(doc)]) == 0
    return doc


def test_workers_get_references_not_bytes_and_nothing_is_read_to_test_membership(
        cold_document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zscq_desktop.store.document import Document

    sent: list[object] = []
    real_submit = parallel.ProcessPoolExecutor.submit

    def submit(self, fn, job, *a, **kw):
        sent.append(job[1])
        return real_submit(self, fn, job, *a, **kw)

    monkeypatch.setattr(parallel.ProcessPoolExecutor, "submit", submit)
    reads: list[str] = []
    real_get = Document.get_blob
    monkeypatch.setattr(Document, "get_blob", lambda self, sha: reads.append(sha) or real_get(self, sha))

    assert main(["export", str(cold_document), "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert len(sent) >= 6 and all(isinstance(s, parallel.StoredBlob) for s in sent)
    assert reads == []  # this process read no original: the workers did
    assert _no_children()

    assert main(["export", str(cold_document), "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert reads == [] and len(sent) == len(set(map(id, sent)))  # all cached: nothing read, nothing sent again


@dataclass(frozen=True)
class _DiesInWorker(parallel.StoredBlob):
    """A reference whose reading kills any process but the test's own (a worker the system ended)."""

    parent: int = 0
    data: bytes = b""

    def read(self) -> bytes:
        if os.getpid() != self.parent:
            os._exit(3)
        return self.data


def test_a_dead_worker_does_not_lose_the_files(tmp_path: Path) -> None:
    jobs = [(i, _DiesInWorker(str(tmp_path / "x.zscq"), "0" * 64, os.getpid(), _jpeg(i)), f"scan{i}.jpg",
             f"attachments[{i}]") for i in range(5)]
    got: dict[int, object] = {}
    parallel.normalize_many(jobs, done=got.__setitem__, workers=2)
    assert sorted(got) == [0, 1, 2, 3, 4]
    assert all(r.pages == 1 and r.pdf for r in got.values())
    assert _no_children()


def test_a_reference_to_a_vanished_document_is_a_chinese_message(tmp_path: Path) -> None:
    from zscq_desktop.docio import InputError

    with pytest.raises(InputError, match="无法从《gone.zscq》读取附件数据"):
        parallel.StoredBlob(str(tmp_path / "gone.zscq"), "a" * 64).read()


def test_a_blocked_export_stops_the_workers_it_started(cold_document: Path, tmp_path: Path, capsys) -> None:
    import sqlite3

    from zscq_desktop.store.document import Document

    with Document.open(cold_document) as doc:
        data = doc.load()
        data["unit"]["credit_code"] = "123"  # the guide requires a valid 统一社会信用代码
        doc.save(data)
    assert main(["export", str(cold_document), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    assert "未导出" in capsys.readouterr().err
    assert _no_children()
    assert not (tmp_path / "out").exists()
    with sqlite3.connect(f"file:{cold_document}?mode=ro", uri=True) as c:
        assert c.execute("SELECT count(*) FROM derived").fetchone()[0] == 0  # nothing half-cached
