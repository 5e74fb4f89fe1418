"""File names made from what users type (unit names, project titles): one rule for every place.

Windows forbids ``\\ / : * ? " < > |`` and control characters in names and drops trailing dots and
spaces; the export folder, the e-mail zip and the drafts are all named after Chinese titles.
"""

from __future__ import annotations

import re

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_name(text: str, limit: int = 60, fallback: str = "") -> str:
    """`text` without forbidden characters, at most `limit` characters, no leading or trailing dots
    or spaces; `fallback` when nothing is left."""
    cleaned = _FORBIDDEN.sub("", text).strip(" .")
    return cleaned[:limit].strip(" .") or fallback
