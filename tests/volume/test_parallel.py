"""Cold export: supporting files normalised in a process pool, cancellable (issue 15 item 2)."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import time

import pytest
from PIL import Image

import zscq_desktop.volume.parallel as parallel
from zscq_desktop.attachments.normalize import Cancelled, normalize
from zscq_desktop.core.submission import Attachment
from zscq_desktop.docio import load_any, write_zscq


def _jpeg(seed: int) -> bytes:
    img = Image.new("RGB", (1240, 1754), (255 - seed * 20, 250, 245))
    for x in range(0, 1240, 40):
        img.paste((seed * 30 % 255, 40, 40), (x, 100 + seed * 10, x + 20, 1600))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, dpi=(150, 150))
    return buf.getvalue()


def _content(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF (the trailer's /ID and dates differ between runs)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return sorted(o.read_raw_bytes() for o in doc.objects if isinstance(o, pikepdf.Stream))


@pytest.fixture(scope="module")
def jobs() -> list[parallel.Job]:
    return [(i, _jpeg(i), f"scan{i}.jpg", f"attachments[{i}]") for i in range(5)]


def test_the_pool_gives_what_normalising_here_gives(jobs) -> None:
    got: dict[int, object] = {}
    parallel.normalize_many(jobs, done=got.__setitem__, workers=2)
    assert sorted(got) == [0, 1, 2, 3, 4]
    for key, data, name, path in jobs:
        here = normalize(data, name, path=path)
        assert got[key].pages == here.pages == 1
        assert _content(got[key].pdf) == _content(here.pdf)  # the same page from a worker process
    assert not multiprocessing.active_children()


def test_cancelling_stops_the_workers(jobs) -> None:
    got: dict[int, object] = {}
    with pytest.raises(Cancelled):
        parallel.normalize_many(jobs * 4, done=got.__setitem__, cancel=lambda: bool(got), workers=2)
    assert len(got) < len(jobs)
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not multiprocessing.active_children()


def test_few_files_and_office_files_stay_in_this_process(monkeypatch, jobs) -> None:
    started = []
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", lambda *a, **kw: started.append(kw) or 1 / 0)
    got: dict[int, object] = {}
    parallel.normalize_many(jobs[:parallel.MIN_FILES - 1], done=got.__setitem__)
    assert started == [] and len(got) == parallel.MIN_FILES - 1
    assert parallel.pooled("扫描件.JPG") and parallel.pooled("证明.pdf") and not parallel.pooled("说明.docx")


def test_a_cold_export_uses_a_pool_sized_to_the_cores(monkeypatch, tmp_path) -> None:
    from zscq_desktop.cli import main

    sizes = []
    real = parallel.ProcessPoolExecutor

    def spy(*a, **kw):
        sizes.append(kw["max_workers"])
        return real(*a, **kw)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", spy)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    src = tmp_path / "s.zscq"
    assert main(["sample", "--direction", "creation-pilot", "-o", str(src)]) == 0
    loaded = load_any(src)
    for key, data, name, _ in [(i, _jpeg(i), f"scan{i}.jpg", "") for i in range(4)]:
        sha = hashlib.sha256(data).hexdigest()
        loaded.blobs[sha] = data
        loaded.submission.attachments.append(Attachment("other", f"扫描件{key}", name, sha, len(data)))
    doc = tmp_path / "more.zscq"
    write_zscq(loaded, doc)
    assert main(["export", str(doc), "--out", str(tmp_path / "out"), "--quiet", "--no-cache"]) == 0
    assert sizes == [2]
    assert not multiprocessing.active_children()


def test_stopping_a_pool_with_half_a_result_in_its_pipe_leaves_no_thread_waiting() -> None:
    """A worker killed while sending its result leaves half a message in the result pipe; the
    executor's manager thread must not wait for the rest for ever (the interpreter joins it at exit:
    pytest hung after "passed")."""
    import os
    import struct
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    future = pool.submit(time.sleep, 30)
    deadline = time.monotonic() + 60
    while not getattr(pool, "_processes", None) and time.monotonic() < deadline:
        time.sleep(0.05)
    thread = pool._executor_manager_thread
    # what a killed sender leaves: a length header promising 100 bytes, then nothing
    os.write(pool._result_queue._writer.fileno(), struct.pack("!i", 100) + b"x")
    parallel._stop(pool)
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert future.done()
