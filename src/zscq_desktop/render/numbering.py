"""The printed page number of a page of the bound volume, for the DOCX copies to match it.

The binder numbers the pages "— n —" in one sequence after the cover and the contents; the plan's
Word copy starts at the number the plan has in the volume (``w:pgNumType w:start``).  The number is
read back from the volume itself — its /PageLabels where present, else the printed "— n —" on the
page — so it agrees with the paper whatever blank pages the binder inserted.  No Qt here.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader

_NUMBER = re.compile(r"—\s*(\d{1,5})\s*—")


def printed_number(pdf: bytes | Path, index: int) -> int | None:
    """The number printed on page ``index`` (0-based) of the volume ``pdf`` (bytes or its file), or
    None if it has none."""
    try:
        reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
        if "/PageLabels" in reader.root_object:
            label = reader.page_labels[index]
            if label.isdigit():
                return int(label)
        found = _NUMBER.findall(reader.pages[index].extract_text() or "")
    except Exception:  # noqa: BLE001 - a volume we cannot read back only costs the matching number
        return None
    return int(found[-1]) if found else None


def part_start(outline: list[tuple[int, str, int]], title: str) -> int | None:
    """The 0-based page where the volume's top-level part ``title`` starts, from its outline."""
    return next((page for level, t, page in outline if level == 0 and t == title), None)
