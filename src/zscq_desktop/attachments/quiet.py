"""Library chatter goes to the application's log, never to the user's terminal or a dialog.

pypdf and pikepdf report through :mod:`logging`; Pillow and its plugins through :mod:`warnings`
(e.g. "Corrupt EXIF data", "Palette images with Transparency…").  With no handler configured (the
CLI, a script) Python prints WARNING records through ``logging.lastResort`` and warnings through
``warnings.showwarning`` — both to stderr, which is what the user saw during successful exports.

:func:`install` (idempotent, called by the normaliser and the binder) gives the library loggers a
``NullHandler`` — their records still propagate to whatever the application configured (the GUI's
rotating log file) but never reach ``lastResort`` — and routes Python warnings into logging the
same way.  qpdf's own warnings (repairs) are collected by pikepdf per document
(``Pdf.get_warnings()``); :func:`log_qpdf` writes them to this module's logger.

No Qt here.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)

_LIBRARIES = ("pypdf", "pikepdf", "PIL", "reportlab", "py.warnings", "fontTools")
_lock = threading.Lock()
_done = False


def install() -> None:
    """Route library warnings into logging and keep them off stderr (safe to call many times)."""
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        for name in _LIBRARIES:
            logger = logging.getLogger(name)
            if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
                logger.addHandler(logging.NullHandler())
        logging.captureWarnings(True)  # warnings.warn(...) → the "py.warnings" logger
        _done = True


def log_qpdf(pdf: Any, name: str) -> list[str]:
    """qpdf's warnings about ``pdf`` (repairs of a damaged file), logged at INFO; returned too."""
    try:
        warnings = [str(w) for w in pdf.get_warnings()]
    except Exception:  # noqa: BLE001 - an older pikepdf without get_warnings: nothing to log
        return []
    for w in warnings[:50]:
        log.info("qpdf (%s): %s", name, w)
    return warnings


__all__ = ["install", "log_qpdf"]
