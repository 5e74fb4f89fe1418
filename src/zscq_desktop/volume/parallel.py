"""Supporting files normalised in parallel for an export that finds them uncached (issue 15 item 2).

A process pool sized to the cores (threads would not help: decoding and re-encoding scans holds
the GIL in places, and qpdf work is short). Processes are started with ``spawn`` everywhere — the
only method the frozen Windows app has, and the only safe one beside Qt's threads; the frozen
entry calls ``multiprocessing.freeze_support()``. Memory stays bounded: at most one file per
worker is in flight (each worker holds one file's bytes and its result). Cancelling stops the
workers at once. Office documents stay in this process, where the converter's own timeout and
cancellation apply. With fewer than `MIN_FILES` files the pool's start-up would cost more than it
saves, so they are normalised here one after another.

A file still inside the `.zscq` travels to its worker as a `StoredBlob` (path and SHA-256), not as
bytes: the worker reads it itself, so the originals are neither all held in this process at once
nor copied through a pipe. A worker that dies (killed by the system for memory, by an antivirus)
breaks the pool; the files it had not finished are then normalised here, one after another, so the
export still completes.

No Qt here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Union

log = logging.getLogger(__name__)

MIN_FILES = 4  # fewer: normalised in this process (starting workers costs ≈ 0.3 s each)
#: suffixes normalised in a worker: pictures and PDFs (office files need the converter's cancel path)
POOLED = {".pdf", ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".jp2",
          ".j2k", ".jpx"}
POLL = 0.1  # seconds between looks at the cancel flag while waiting for workers



@dataclass(frozen=True)
class StoredBlob:
    """A supporting file's bytes left in a `.zscq`, read where they are normalised."""

    path: str
    sha256: str

    def read(self) -> bytes:
        """The bytes; `InputError` (a Chinese message) when the document no longer has them."""
        from zscq_desktop.store.document import Document, DocumentError

        try:
            with Document.open(Path(self.path), readonly=True) as doc:
                return doc.get_blob(self.sha256)
        except (DocumentError, KeyError) as exc:  # moved, replaced or damaged since the export began
            from zscq_desktop.docio import InputError

            detail = f"：{exc}" if isinstance(exc, DocumentError) else ""
            raise InputError(f"无法从《{Path(self.path).name}》读取附件数据{detail}。") from None


Job = tuple[int, Union[bytes, StoredBlob], str, str]  # (key, file bytes or where they are, file name, field path)
Done = Callable[[int, object], None]


def _bytes(data: bytes | StoredBlob) -> bytes:
    return data.read() if isinstance(data, StoredBlob) else data


def workers_for(n_files: int) -> int:
    """Processes to start for `n_files` files: one per core, never more than files, 0 for in-process."""
    if n_files < MIN_FILES:
        return 0
    return max(0, min(os.cpu_count() or 1, n_files))


def _work(job: Job) -> tuple[int, object]:
    from zscq_desktop.attachments.normalize import normalize

    key, data, name, path = job
    return key, normalize(_bytes(data), name, path=path)


def pooled(name: str) -> bool:
    return PurePosixPath(name.replace("\\", "/").lower()).suffix in POOLED


def normalize_many(jobs: list[Job], *, done: Done, cancel: Callable[[], bool] | None = None,
                   workers: int | None = None) -> None:
    """Normalise every job, calling ``done(key, NormalizeResult)`` in this process as each finishes.

    Raises:
        Cancelled: ``cancel()`` returned True (the workers are stopped first).
    """
    from zscq_desktop.attachments.normalize import Cancelled

    here = [j for j in jobs if not pooled(j[2])]
    away = [j for j in jobs if pooled(j[2])]
    n = workers_for(len(away)) if workers is None else workers
    if n <= 1:
        here, away = jobs, []
    _here(here, done, cancel)
    if not away:
        return
    import multiprocessing

    t = time.perf_counter()
    pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"))
    queue = list(reversed(away))
    running: dict[Future, Job] = {}
    try:
        while queue or running:
            while queue and len(running) < n:  # one file per worker in flight: memory stays bounded
                job = queue.pop()
                running[pool.submit(_work, job)] = job
            finished, _ = wait(running, timeout=POLL, return_when=FIRST_COMPLETED)
            for f in finished:
                got = f.result()  # a broken pool raises here; the file stays in `running` to redo
                running.pop(f)
                done(*got)
            if cancel and cancel():
                raise Cancelled()
    except BrokenProcessPool:
        _stop(pool)
        left = list(running.values()) + list(reversed(queue))
        log.warning("a normalising worker died; %d files are normalised in this process", len(left))
        _here(left, done, cancel)
        return
    except BaseException:
        _stop(pool)
        raise
    _stop(pool, grace=10.0)  # every job is done: the workers exit by themselves, a stuck one is ended
    log.info("normalised %d files in %d processes in %.2f s", len(away), n, time.perf_counter() - t)


def _here(jobs: list[Job], done: Done, cancel: Callable[[], bool] | None) -> None:
    from zscq_desktop.attachments.normalize import Cancelled, normalize

    for key, data, name, path in jobs:
        if cancel and cancel():
            raise Cancelled()
        done(key, normalize(_bytes(data), name, path=path, cancel=cancel))


def _stop(pool: ProcessPoolExecutor, grace: float = 0.0) -> None:
    """Stop the workers: at once (a cancelled export must not keep the machine busy), or after
    `grace` seconds for them to exit by themselves. Never waits without a bound."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public way to reach them
    results = getattr(pool, "_result_queue", None)  # shutdown() drops the executor's reference to it
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.join(timeout=grace)
    killed = False
    for p in processes:
        if p.is_alive():
            p.terminate()
            p.join(timeout=5)
            killed = True
    if killed:
        # A worker killed while it was sending its result leaves half a message in the result pipe;
        # the executor's manager thread then waits for the rest for ever, and the interpreter with it
        # at exit (seen: pytest hanging after "passed"). With every worker gone, closing our own copy
        # of the pipe's write end turns that wait into end-of-file, which the executor treats as a
        # broken pool and cleans up.
        writer = getattr(results, "_writer", None)
        if writer is not None:
            with contextlib.suppress(OSError):
                writer.close()
