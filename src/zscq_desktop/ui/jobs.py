"""Background jobs: run long work off the GUI thread and report back on it.

One helper for every slow operation (normalising attachments, export, sending mail), after Anki's
``aqt/operations``: ``run_job(fn)`` runs ``fn(progress, is_cancelled)`` on a worker thread (a
Python thread pool — see `_pool` for why not QThreadPool) and delivers
``progress`` / ``succeeded`` / ``failed`` / ``finished`` on the GUI thread.  ``fn`` never touches
widgets; cancellation is cooperative (``fn`` polls ``is_cancelled()`` and raises its own
cancellation exception, which arrives through ``failed``).

Delivery is always queued to the GUI thread, so a caller may connect to the returned job's signals
right after ``run_job`` returns without missing anything: nothing is delivered before control goes
back to the event loop.  Tests call ``set_synchronous(True)``: ``fn`` then runs inline on the
calling thread (deterministic, no worker thread), delivery still happens on the next event-loop pass
(``qtbot.waitSignal`` or :func:`wait_idle`).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal

if TYPE_CHECKING:  # the pool starts with the first job, not at start-up
    from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class _Probe(QObject):
    ping = Signal()


_guarded: bool | None = None


def guard_pyside_refcounts() -> bool:
    """Protect the process from PySide6 6.12's reference-count bugs; True when a guard was applied.

    With PySide6 6.12.0 on CPython 3.11 every ``Signal.emit()`` from Python drops one reference to
    ``True``, and every Python slot called by a signal drops one to ``None`` (measured; 6.11.3 is
    clean).  The app holds only ~2 000 references to ``True``, so after some 600 keystrokes in one
    field Python aborts with "deallocating True".  ``True``/``False``/``None`` are static singletons
    that are never freed, so the guard — applied only when a probe shows the leak — gives them a
    reference count no session can exhaust (what CPython 3.12 does for every such object: there
    they are immortal and the bug is harmless).  Idempotent; call it once at start-up.
    """
    global _guarded
    if _guarded is not None:
        return _guarded
    _guarded = False
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    probe = _Probe()
    probe.ping.connect(lambda: None)
    n = 64
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(n):
        probe.ping.emit()
    lost = max(true_before - sys.getrefcount(True), none_before - sys.getrefcount(None))
    if lost >= n // 2:
        import ctypes

        for singleton in (True, False, None):
            # ob_refcnt is the first field of every object in a release build of CPython 3.11.
            ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
        log.warning("PySide6 %s leaks references to True/None on this Python; guard applied",
                    getattr(shiboken6, "__version__", "?"))
        _guarded = True
    return _guarded

Progress = Callable[[float, str], None]
IsCancelled = Callable[[], bool]
JobFn = Callable[[Progress, IsCancelled], Any]

_synchronous = False
# Jobs whose results have not been delivered yet: keeps the Python objects alive while a worker
# still holds them (a collected relay would crash the queued delivery).
_active: set["Job"] = set()


def set_synchronous(flag: bool) -> None:
    """Run jobs inline on the calling thread (tests) instead of on the thread pool."""
    global _synchronous
    _synchronous = bool(flag)


def is_synchronous() -> bool:
    """True when jobs run inline (see :func:`set_synchronous`)."""
    return _synchronous


class _Relay(QObject):
    """Lives on the GUI thread with no parent; the worker emits its signals, Qt queues them to
    the GUI thread, and the relay hands them to the job if the job still exists.  (Connecting the
    worker straight to the job would silently drop the outcome when the job's owner is closed
    mid-run, and the job would never leave the active set.)"""

    progress = Signal(float, str)
    # One `object` carrying (ok, value): PySide6 mis-counts references of a `bool` argument sent
    # through a queued connection, and after a few thousand jobs Python aborts with
    # "deallocating True" (reproduced with PySide6 6.x on Python 3.11).
    done = Signal(object)

    def __init__(self, job: "Job") -> None:
        super().__init__()
        self.job = job
        self.progress.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.done.connect(self._done, Qt.ConnectionType.QueuedConnection)

    def _progress(self, fraction: float, text: str) -> None:
        if shiboken6.isValid(self.job):
            self.job._on_progress(fraction, text)

    def _done(self, outcome: tuple[bool, object]) -> None:
        ok, value = outcome
        job = self.job
        try:
            if shiboken6.isValid(job):
                job._on_done(ok, value)
        finally:
            _active.discard(job)
            _fast_switching(bool(_active))


class Job(QObject):
    """One background operation.  Signals are delivered on the GUI thread."""

    progress = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._relay = _Relay(self)
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None

    def cancel(self) -> None:
        """Ask the job to stop; ``fn`` sees it through ``is_cancelled()``."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancel.is_set()

    # -- worker side -------------------------------------------------------------------------
    def _execute(self, fn: JobFn) -> None:
        """Run ``fn`` (on whatever thread calls this) and post the outcome to the GUI thread."""
        last: list[Any] = [0.0, None]

        def progress(fraction: float, text: str = "") -> None:
            # Coalesce bursts of the same step: the GUI thread needs only a few updates per
            # second, and every queued call costs it time during an export.
            now = time.monotonic()
            if text == last[1] and fraction < 1.0 and now - last[0] < 0.03:
                return
            last[0], last[1] = now, text
            self._relay.progress.emit(float(max(0.0, min(1.0, fraction))), str(text))

        try:
            result = fn(progress, self._cancel.is_set)
        except BaseException as exc:  # noqa: BLE001 — every failure goes to `failed`
            if not isinstance(exc, Exception):
                log.warning("job interrupted by %r", exc)
            self._relay.done.emit((False, exc))
        else:
            self._relay.done.emit((True, result))

    # -- GUI side ----------------------------------------------------------------------------
    def _on_progress(self, fraction: float, text: str) -> None:
        if not self.done:
            self.progress.emit(fraction, text)

    def _on_done(self, ok: bool, value: object) -> None:
        self.done = True
        _active.discard(self)
        if ok:
            self.result = value
            self.succeeded.emit(value)
        else:
            self.error = value  # type: ignore[assignment]
            self.failed.emit(value)
        self.finished.emit()


_executor: ThreadPoolExecutor | None = None
JOB_SWITCH_INTERVAL = 0.001
_normal_interval: float | None = None


def _fast_switching(on: bool) -> None:
    """While workers run, make them hand the GIL to the GUI thread after 1 ms instead of 5 ms.

    Every Python slot the event loop calls must take the GIL back from a busy worker; with
    CPython's default 5 ms interval these waits add up, and `bench/bench_gui.py` measured the
    longest GUI-thread stall during an export at ≈ 110 ms, ≈ 50 ms with 1 ms (the worker loses a
    few per cent of throughput).  The default is restored when the last job has finished.
    """
    global _normal_interval
    if on and _normal_interval is None:
        _normal_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(_normal_interval, JOB_SWITCH_INTERVAL))
    elif not on and _normal_interval is not None:
        sys.setswitchinterval(_normal_interval)
        _normal_interval = None


def _pool() -> ThreadPoolExecutor:
    # A Python thread pool rather than QThreadPool: PySide6 6.12's QThreadPool.start() drops a
    # reference to None for every runnable it runs (callable or QRunnable subclass alike), and
    # after some thousands of jobs Python aborts with "deallocating None".
    global _executor
    if _executor is None:
        from concurrent.futures import ThreadPoolExecutor

        _executor = ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2)),
                                       thread_name_prefix="zscq-job")
    return _executor


def run_job(
    fn: JobFn,
    *,
    parent: QObject | None = None,
    on_progress: Callable[[float, str], None] | None = None,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_finished: Callable[[], None] | None = None,
) -> Job:
    """Run ``fn(progress, is_cancelled)`` in the background and return its :class:`Job`.

    Args:
        fn: the work; it must not touch widgets.  ``progress(fraction 0..1, text)`` may be called
            from any thread; ``is_cancelled()`` should be polled between steps.
        parent: optional QObject owner of the job.
        on_progress, on_success, on_failure, on_finished: optional callbacks, connected before
            the job starts (the same as connecting to the job's signals afterwards).
    """
    job = Job(parent)
    if on_progress is not None:
        job.progress.connect(on_progress)
    if on_success is not None:
        job.succeeded.connect(on_success)
    if on_failure is not None:
        job.failed.connect(on_failure)
    if on_finished is not None:
        job.finished.connect(on_finished)
    _active.add(job)
    if _synchronous:
        job._execute(fn)
    else:
        _fast_switching(True)
        _pool().submit(job._execute, fn)
    return job


_gc_lock = threading.Lock()
_gc_pausers = 0


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold off automatic garbage collection while a large job runs (re-entrant, any thread).

    A full collection walks every tracked object while holding the GIL; started by a worker in
    the middle of an export (which allocates hundreds of thousands of objects) it stalled the GUI
    thread for 75–140 ms in `bench/bench_gui.py`.  Paused, the garbage is collected by the normal
    thresholds once the last paused job ends; most of an export's objects are freed by reference
    counting anyway.
    """
    global _gc_pausers
    with _gc_lock:
        _gc_pausers += 1
        if _gc_pausers == 1:
            was_enabled = gc.isenabled()
            gc.disable()
            paused_gc.was_enabled = was_enabled  # type: ignore[attr-defined]
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and getattr(paused_gc, "was_enabled", True):
                gc.enable()


def active_jobs() -> int:
    """How many jobs have not delivered their result yet."""
    return len(_active)


def wait_idle(timeout: float = 30.0) -> bool:
    """Process events until every job has delivered its result (tests, shutdown).

    Returns False when ``timeout`` seconds passed first.
    """
    deadline = time.monotonic() + timeout
    while _active:
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents()
        time.sleep(0.002)
    QCoreApplication.processEvents()
    return True


# Importing the jobs module (the pages and the session do) is enough to be protected; the
# application also calls this first thing at start-up.
guard_pyside_refcounts()
