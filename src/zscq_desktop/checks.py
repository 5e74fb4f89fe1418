"""Every finding about a submission, gathered in one place for the command line and the wizard.

The rules engine (`core.rules`) judges the submission itself; three facts come from elsewhere and are
added here: the unit's other drafts known on this machine (the "≤ 2 projects per unit" rule, from
`store.profiles.DraftIndex`), the characters no bundled font can print (`render.glyphs`) and the
cover values too long for the cover (`render.pdf_cover`).
No Qt here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from zscq_desktop.call.model import Call
from zscq_desktop.core.findings import Finding, sort_findings
from zscq_desktop.core.rules import RuleContext, check
from zscq_desktop.core.submission import Submission

log = logging.getLogger(__name__)


def local_drafts(call: Call, sub: Submission, path: Path | None) -> tuple[tuple[str, str], ...]:
    """The unit's other drafts for this call on this machine, as (file name, direction name) pairs.

    The local index is a convenience: if it cannot be read, no draft is counted (the user's own
    answer to "other projects" still applies).
    """
    from zscq_desktop.store.profiles import DraftIndex

    code = str(sub.unit.get("credit_code") or "").strip().upper()
    if not code:
        return ()
    try:
        entries = DraftIndex().drafts_for(code, exclude=path)
    except Exception:
        log.exception("reading the draft index")
        return ()
    out: list[tuple[str, str]] = []
    for e in entries:
        if e.get("call") not in (None, "", call.id):
            continue
        try:
            name = call.direction(str(e.get("direction") or "")).name
        except KeyError:
            name = "未选择方向"
        out.append((Path(str(e["path"])).name, name))
    return tuple(out)


def all_findings(call: Call, sub: Submission, *, path: Path | None = None,
                 extra: Iterable[Finding] = ()) -> list[Finding]:
    """Rules, glyph coverage and `extra` (e.g. attachment normalisation) findings, errors first.

    Args:
        path: the submission's own file, excluded from the unit's other local drafts.
    """
    from zscq_desktop.render.glyphs import glyph_findings
    from zscq_desktop.render.pdf_cover import cover_findings

    found = list(extra)
    found.extend(glyph_findings(sub))
    found.extend(cover_findings(call, sub))
    return sort_findings(check(call, sub, RuleContext(local_drafts=local_drafts(call, sub, path), extra=tuple(found))))
