"""Pages normalised by the earlier engine are not reused: the cache kind names the engine."""

from __future__ import annotations

from zscq_desktop.attachments.normalize import CACHE_KIND
from zscq_desktop.ui.session_attachments import A4PDF as GUI_KIND
from zscq_desktop.volume.export import A4PDF as EXPORT_KIND


def test_gui_and_export_cache_under_the_engine_kind() -> None:
    assert CACHE_KIND == GUI_KIND == EXPORT_KIND
    assert CACHE_KIND != "a4pdf"  # what the pypdf engine wrote (forms unflattened, TIFFs turned twice)
