"""The last export of a document, remembered in the document itself so 打印 and 发送 work after
reopening it.

The record lives in the document's derived-data table (``derived``: key `RECORD_KEY`), not in the
submission: recording an export is not a change the user made, so it is neither undoable nor does
it make the file "modified". It holds the paths of the written files, the version stamp (to tell
whether the content changed since), the page count, whether the volume was laid out for duplex
printing and when it was written. A file deleted or moved since is simply not offered.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
RECORD_KEY, RECORD_KIND = "export-record", "last"


def remember(document: Any, result: Any, duplex: bool) -> bool:
    """Store `result` (a `volume.export.ExportResult`) as the document's last export; False when the
    document cannot take it (read-only, locked) — the record then lives only as long as the window."""
    meta = {"files": [str(p) for p in result.files], "volume": str(result.volume),
            "zip": str(result.zip) if result.zip else "", "stamp": result.stamp, "pages": int(result.pages),
            "duplex": bool(duplex), "time": datetime.now().strftime("%Y-%m-%d %H:%M")}
    try:
        document.put_derived(RECORD_KEY, RECORD_KIND, b"", meta)
    except Exception as exc:  # DocumentError (read-only, locked, full): the export itself is fine
        log.info("export record not stored: %s", exc)
        return False
    return True


def recall(document: Any) -> tuple[Any, dict] | None:
    """The last export as (`ExportResult`, record) when its volume still exists, else None."""
    from zscq_desktop.volume.export import ExportResult

    try:
        hit = document.get_derived(RECORD_KEY, RECORD_KIND)
    except Exception as exc:
        log.info("export record not readable: %s", exc)
        return None
    if hit is None:
        return None
    meta = hit[1]
    try:
        volume = Path(str(meta["volume"]))
        files = [Path(str(p)) for p in meta.get("files", [])]
        zip_path = Path(str(meta["zip"])) if meta.get("zip") else None
        result = ExportResult(files=[p for p in files if p.is_file()], volume=volume,
                              zip=zip_path if zip_path is not None and zip_path.is_file() else None,
                              stamp=str(meta.get("stamp", "")), pages=int(meta.get("pages", 0)))
    except (KeyError, TypeError, ValueError):
        return None
    return (result, meta) if volume.is_file() else None
