"""The rules engine's toolkit: the context of a check, the rule registry and the finding maker.

Rules live in `core.rules` (the unit, the budget, the period) and `core.rules_plan` (the plan and the
supporting files); both register here with `@rule`. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Callable, Iterable

from zscq_desktop.call.model import Call, Direction
from zscq_desktop.core import validators as v
from zscq_desktop.core.findings import Finding, Judge, Severity
from zscq_desktop.core.submission import Submission



@dataclass(frozen=True)
class RuleContext:
    """Facts from outside the submission.

    Attributes:
        now: the current time (tests pin it).
        local_drafts: other drafts of the same unit (by credit code) known on this machine for
            this call, as (file name, direction name) pairs.
        extra: findings produced elsewhere (attachment normalisation, glyph coverage).
    """

    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    local_drafts: tuple[tuple[str, str], ...] = ()
    extra: tuple[Finding, ...] = ()


Rule = Callable[[Call, Direction, Submission, RuleContext], Iterable[Finding]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    """Register a rule with the engine (in the order the modules define them)."""
    RULES.append(fn)
    return fn


WARN = Severity.WARNING


def judge(call: Call, d: Direction | None = None) -> Judge:
    """The finding maker for this call (and the direction's form, for citing its 填写说明)."""
    return Judge(call.findings.severity, call.findings.cite, d.form_label if d else "申报书")


def amount_at(sub: Submission, path: str) -> Decimal | None:
    """The amount at a field path as an exact Decimal, or None."""
    return v.to_decimal(sub.get(path))


def wan(d: Decimal | float, rounding: str = v.ROUND_HALF_UP) -> str:
    """An amount as quoted in messages: '10.00万元', '9.9995万元' (a limit passes its rounding)."""
    return v.format_wan(d, rounding)


def dec(x: float | int) -> Decimal:
    """A number from the call data as an exact Decimal (via str, so 0.3 stays 0.3)."""
    return Decimal(str(x))


def as_condition(question: str) -> str:
    """An eligibility question as the condition it asks about: '本单位…资质？' → '本单位…资质'."""
    return question.rstrip("？?。 ")


def num(x: Decimal | float) -> str:
    """A count or ratio without trailing zeros: 10.0 → '10', 1.30 → '1.3'."""
    return v.format_number(x)


def bound_text(lo: float | None, hi: float | None, unit: str) -> str:
    """The guide's bound as said in a message: '2—3次', '不少于10件', '不超过0件'."""
    if lo is not None and hi is not None:
        return f"{num(lo)}—{num(hi)}{unit}"
    return f"不少于{num(lo)}{unit}" if lo is not None else f"不超过{num(hi)}{unit}"  # type: ignore[arg-type]
