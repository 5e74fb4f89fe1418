"""The version stamp: a short hash of a submission's content printed on every generated page.

The three stamped paper copies and the e-mailed file can then be matched by eye. Only the content
counts: volatile bookkeeping (modification times, send records) is left out so that saving or
sending does not change the stamp.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

VOLATILE_KEYS = frozenset({"meta", "sends"})


def canonical_json(data: Any) -> bytes:
    """Deterministic UTF-8 JSON (sorted keys, no spaces) used for hashing."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def version_stamp(submission: dict[str, Any]) -> str:
    """Return the 8-character upper-case hex stamp of a submission dict (its JSON form)."""
    content = {k: v for k, v in submission.items() if k not in VOLATILE_KEYS}
    return hashlib.sha256(canonical_json(content)).hexdigest()[:8].upper()
