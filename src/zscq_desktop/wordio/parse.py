"""Printed values back to stored ones: 10.00万元 → 10, 2023年5月20日 → 2023-05-20, 无 → empty, • → -.

The inverse of `render.content.format_value` and of the plan's paragraph setting. A text that does not
parse as its type is kept as typed (the rules then report it, nothing is lost).
"""

from __future__ import annotations

import re
from typing import Any

from zscq_desktop.core import validators as v
from zscq_desktop.render.content import EMPTY

ASCII_TYPES = ("credit_code", "phone", "email", "postcode")
_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(\.[0-9]+)?|[+-]?\.[0-9]+")
PERIOD_SEP = re.compile(r"\s*(?:—+|–|-{1,2}|~|～|至|到)\s*")


def is_blank(text: str) -> bool:
    return text.strip() in ("", EMPTY)


def _number(text: str) -> float | int | None:
    t = v.normalize_ascii(text).replace(",", "").replace(" ", "")
    m = _NUMBER.fullmatch(re.sub(r"(万元|万|元|[^\d.+-]+)$", "", t))
    if not m:
        return None
    d = v.to_decimal(m.group(0).replace(",", ""))
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() and "." not in m.group(0) else float(d)


def parse_value(ftype: str, text: str) -> Any:
    """A printed value of a field of type `ftype` as the app stores it."""
    text = text.strip()
    if is_blank(text):
        return [] if ftype == "multichoice" else None
    if ftype == "amount":
        n = _number(text)
        return text if n is None else n
    if ftype in ("int", "number"):
        n = _number(text)
        if ftype == "int":
            return n if isinstance(n, int) else (int(n) if isinstance(n, float) and n.is_integer() else text)
        return text if n is None else float(n)
    if ftype == "date":
        return v.canonical_date(text) or text
    if ftype == "month":
        return v.canonical_month(text) or text
    if ftype == "bool":
        return {"是": True, "否": False}.get(text, text)
    if ftype == "multichoice":
        return [x.strip() for x in re.split(r"[、，,;；]", text) if x.strip()]
    if ftype in ASCII_TYPES:
        return v.normalize_ascii(text)
    if ftype == "textarea":
        return paragraphs(text)
    return text


def paragraphs(text: str) -> str:
    """Printed paragraphs back to the text typed in the app: a bullet `• ` is the `- ` it was typed as."""
    lines = []
    for ln in text.split("\n"):
        ln = ln.strip()
        if ln[:1] in "•·" and len(ln) > 1:
            ln = "- " + ln[1:].strip()
        lines.append(ln)
    return "\n".join(x for x in lines if x)


def parse_period(text: str) -> tuple[Any, Any]:
    """起止时间 of the schedule: 2023年1月—2023年3月 → ("2023-01", "2023-03")."""
    parts = [p for p in PERIOD_SEP.split(text.strip(), maxsplit=1) if p]
    if len(parts) != 2:
        return text.strip() or None, None
    return parse_value("month", parts[0]), parse_value("month", parts[1])


def same(ftype: str, a: Any, b: Any) -> bool:
    """Two stored values mean the same (10 and 10.0; None, "" and [])."""
    empty: tuple[Any, ...] = (None, "", [], {})
    if a in empty and b in empty:
        return True
    if ftype in ("amount", "int", "number"):
        da, db = v.to_decimal(a), v.to_decimal(b)
        if da is not None and db is not None:
            return da == db
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return a == b
