"""A stand-in for comtypes in the Office converter child (tests/windows/test_win_office.py).

Behaviour per ProgID from ``ZSCQ_FAKE_COM`` (JSON): "ok" (writes ``ZSCQ_FAKE_COM_PDF`` as the PDF),
"raise" (opening fails, as for a password-protected file), "unavailable" (the class cannot be
created), "block" (starts ``ZSCQ_FAKE_COM_SERVER`` — a stand-in WINWORD.EXE outside the child's
process tree, as COM does — then blocks forever inside Documents.Open, as Word on a hidden dialog).
Every call is appended to ``ZSCQ_FAKE_COM_LOG``.
"""

from __future__ import annotations

import os

LIVE: list[str] = []  # names of COM objects not yet released


def note(event: str) -> None:
    with open(os.environ["ZSCQ_FAKE_COM_LOG"], "a", encoding="utf-8") as f:
        f.write(event + "\n")


def CoInitialize() -> None:  # noqa: N802 - comtypes' own names
    note("CoInitialize")


def CoUninitialize() -> None:  # noqa: N802
    note("CoUninitialize live=" + ",".join(LIVE))
