"""Glyph check: every character the user typed must be printable with the bundled fonts.

reportlab draws a character no font has as an empty box or not at all, and nobody notices until
the evaluator holds the paper.  :func:`glyph_findings` walks every printed text of a submission
(unit profile, form answers, plan, supporting-file titles) and reports each field holding such a
character as a blocking error naming the field and the characters, so the user fixes it before
export.  Characters that a fallback font draws (喆 堃 昇 珺 镕 䶮, 𠀀) are fine.

Fast enough to run on every edit: the font coverage sets are cached by :mod:`render.fonts`, and a
submission whose characters are all covered is cleared with one set operation.  No Qt here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from zscq_desktop.core.findings import Finding, error, warning
from zscq_desktop.core.submission import Submission
from zscq_desktop.render.fonts import LAZY, FontError, FontSet, coverage, missing_chars, register_fonts

log = logging.getLogger(__name__)

CODE = "glyph.missing"
FONT_CODE = "glyph.font"  # a fallback font the text needs could not be loaded (damaged installation)
_INDEX = re.compile(r"\[(\d+)\]")
_cover_cache: dict[FontSet, frozenset[str]] = {}


def _printable(fonts: FontSet) -> frozenset[str]:
    """Every character the body font or a fallback can draw (user text is always set in the body
    font, whose fallback chain does not include the heading face)."""
    cov = _cover_cache.get(fonts)
    if cov is None:
        # a lazy fallback is left out (not loaded): texts it would matter for go to missing_chars
        cov = frozenset().union(*(coverage(f) for f in (fonts.body, *fonts.fallbacks) if f not in LAZY))
        _cover_cache[fonts] = cov
    return cov


def _texts(node: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field path, text) for every string under ``node``; dict keys become ``.key``, list items ``[i]``."""
    if isinstance(node, str):
        if node:
            yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _texts(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _texts(v, f"{path}[{i}]")


def printed_texts(sub: Submission) -> Iterator[tuple[str, str]]:
    """Every text of ``sub`` that ends up on paper, with its field path."""
    yield from _texts(sub.unit, "unit")
    yield from _texts(sub.form, "form")
    yield from _texts(sub.plan, "plan")
    for i, a in enumerate(sub.attachments):
        if a.title:
            yield f"attachments[{i}].title", a.title


def _show(ch: str) -> str:
    """A character as the message shows it: itself and its code point (private-use and
    unassigned characters are invisible on screen)."""
    return f"“{ch}”（U+{ord(ch):04X}）"


def field_label(path: str, call: Any | None) -> str:
    """A human name for a field path, from the call's form definitions when it is known."""
    names = {"unit": "申报单位基本情况", "plan": "项目实施方案", "attachments": "附件材料"}
    parts = path.split(".")
    label = ""
    try:
        if call is not None:
            label = _label_from_call(parts, call)
    except (KeyError, IndexError, AttributeError, ValueError):
        label = ""
    if not label:
        label = names.get(_INDEX.sub("", parts[0]), "")
    return f"“{label}”（{path}）" if label else path


def _label_from_call(parts: list[str], call: Any) -> str:
    head = _INDEX.sub("", parts[0])
    if head == "attachments":
        m = _INDEX.search(parts[0])
        return f"附件材料第{int(m.group(1)) + 1}项的标题" if m else "附件材料"
    if head == "plan" and len(parts) >= 2:
        key = _INDEX.sub("", parts[1])
        if key == "sections" and len(parts) >= 3:
            for s in call.plan.sections:
                if s.key == parts[2]:
                    return f"实施方案·{s.title}"
        m = _INDEX.search(parts[1])
        row = f"第{int(m.group(1)) + 1}项" if m else ""
        return {"tasks": f"实施方案·任务与实施内容{row}", "indicators": f"考核指标{row}",
                "schedule": f"进度安排{row}"}.get(key, "")
    if head in ("unit", "form"):
        section_key = "unit" if head == "unit" else parts[1]
        rest = parts[1:] if head == "unit" else parts[2:]
        if not rest:
            return ""
        for form in call.forms.values():
            for s in form.sections:
                if s.key != section_key:
                    continue
                key = _INDEX.sub("", rest[0])
                for f in s.fields:
                    if f.key != key:
                        continue
                    m = _INDEX.search(rest[0])
                    if m and len(rest) > 1:
                        col = next((c.label for c in f.columns if c.key == rest[1]), rest[1])
                        row = f.fixed_rows[int(m.group(1))] if int(m.group(1)) < len(f.fixed_rows) else \
                            f"第{int(m.group(1)) + 1}行"
                        return f"{f.label}·{row}·{col}"
                    return f.label
    return ""


def glyph_findings(sub: Submission, fonts: FontSet | None = None, call: Any | None = None) -> list[Finding]:
    """One ERROR finding (code ``glyph.missing``) per field holding characters no bundled font has.

    Args:
        sub: the submission.
        fonts: the fonts the documents are set in (default: :func:`register_fonts`).
        call: the call, for readable field names in the messages (default: loaded by ``sub.call``;
            paths alone if that fails).
    """
    fonts = fonts or register_fonts()
    printable = _printable(fonts)
    texts = list(printed_texts(sub))
    used: set[str] = set()
    for _, text in texts:
        used.update(text)
    if used <= printable:
        return []
    if call is None:
        try:
            from zscq_desktop.call import load_call

            call = load_call(sub.call or None)
        except Exception:  # unknown or broken call data: the message falls back to the field path
            log.debug("call %r not loadable for glyph labels", sub.call, exc_info=True)
            call = None
    findings: list[Finding] = []
    for path, text in texts:
        if set(text) <= printable:
            continue
        try:
            missing = missing_chars(text, fonts)
        except FontError as exc:  # the packed Ext-B font is damaged: reinstalling, not rewriting, fixes it
            return [warning(FONT_CODE, f"{field_label(path, call)}中有生僻字需要备用字体，但{exc}", path)]
        if not missing:  # only whitespace/control characters, which are never printed
            continue
        shown = "、".join(_show(ch) for ch in missing[:5]) + ("等" if len(missing) > 5 else "")
        findings.append(error(
            CODE,
            f"{field_label(path, call)}中的字符{shown}无法用任何字体打印，请改用常用字或规范字；"
            "生僻的人名、单位名用字可先改写为常用字，再在打印稿上手写补正，或联系技术支持。",
            path,
        ))
    return findings
