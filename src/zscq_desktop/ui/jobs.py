"""Background jobs: run long work off the GUI thread and report back on it.

One helper for every slow operation (normalising attachments, export, sending mail), after Anki's
``aqt/operations``: ``run_job(fn)`` runs ``fn(progress, is_cancelled)`` on a thread pool and delivers
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

import logging
import threading
import time
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThreadPool, Signal

log = logging.getLogger(__name__)

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
    done = Signal(bool, object)  # ok, result-or-exception

    def __init__(self, job: "Job") -> None:
        super().__init__()
        self.job = job
        self.progress.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.done.connect(self._done, Qt.ConnectionType.QueuedConnection)

    def _progress(self, fraction: float, text: str) -> None:
        if shiboken6.isValid(self.job):
            self.job._on_progress(fraction, text)

    def _done(self, ok: bool, value: object) -> None:
        job = self.job
        try:
            if shiboken6.isValid(job):
                job._on_done(ok, value)
        finally:
            _active.discard(job)


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
            self._relay.done.emit(False, exc)
        else:
            self._relay.done.emit(True, result)

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


def _pool() -> QThreadPool:
    return QThreadPool.globalInstance()


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
        # QThreadPool.start(callable) wraps it in a QRunnable whose lifetime Qt manages, which
        # avoids the Python-owned-QRunnable deletion races of a hand-made subclass.
        _pool().start(lambda: job._execute(fn))
    return job


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
