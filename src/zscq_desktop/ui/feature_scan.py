"""Switch off PySide6's per-import source scan (the application never uses ``from __feature__ import``).

Once PySide6 is imported it hooks ``__import__``: for every module imported afterwards,
``shibokensupport.feature.feature_imported`` reads the module's whole source file (`inspect.getsource`)
to see whether it mentions "PySide6", so that a later ``from __feature__ import snake_case`` could
switch that module's Qt names. This application never selects a feature, so the answer is never
used — every Qt class keeps its normal names whatever the scan says — but the reading cost
≈ 15 ms of start-up (about 90 modules) before the first page was painted (measured with
`bench/bench_gui.py`).

`skip_feature_scan` replaces the scan with "not a PySide module" (the value PySide itself records for
modules without source, as in the frozen app). It touches nothing else, does nothing when the
PySide6 internals are not what this expects, and never raises.
"""

from __future__ import annotations

import sys


def _not_scanned(module: object) -> bool:
    return False


def skip_feature_scan() -> bool:
    """Make PySide6's import hook skip reading module sources; True when it was switched off."""
    import PySide6.QtCore  # noqa: F401 — installs the hook (and loads `shibokensupport.feature`)

    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False  # another PySide6 version: leave it as it is
    if feature._mod_uses_pyside is not _not_scanned:
        feature._mod_uses_pyside = _not_scanned
    return True
