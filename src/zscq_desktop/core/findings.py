"""Findings: what the rules engine, the renderers and the normaliser tell the user.

A finding has a severity (an error blocks export), a stable code that tests and tools rely on,
a Chinese message written for non-technical users (quoting or citing the guide where a rule comes
from it), and the field path it belongs to, so the UI can jump to the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Iterable


class Severity(str, Enum):
    """How serious a finding is. Only errors block export."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "提醒", "info": "提示"}[self.value]

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    """One problem or hint.

    Attributes:
        severity: error (blocks export), warning or info.
        code: stable identifier such as ``unit.credit_code.checksum``.
        message: plain Chinese sentence for the user.
        path: the field it belongs to, e.g. ``unit.credit_code``, ``form.budget.requested_wan``,
            ``plan.indicators[2].target`` or ``attachments[0]``; empty for the whole submission.
        source: where the rule comes from (e.g. ``指南第一部分二、4``), empty if none.
    """

    severity: Severity
    code: str
    message: str
    path: str = ""
    source: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = self.severity.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Finding":
        return cls(Severity(d["severity"]), d["code"], d["message"], d.get("path", ""), d.get("source", ""))

    def __str__(self) -> str:
        where = f"［{self.path}］" if self.path else ""
        return f"{self.severity.label} {self.code}{where}：{self.message}"


def error(code: str, message: str, path: str = "", source: str = "") -> Finding:
    return Finding(Severity.ERROR, code, message, path, source)


def warning(code: str, message: str, path: str = "", source: str = "") -> Finding:
    return Finding(Severity.WARNING, code, message, path, source)


def info(code: str, message: str, path: str = "", source: str = "") -> Finding:
    return Finding(Severity.INFO, code, message, path, source)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then infos; stable within a severity."""
    return sorted(findings, key=lambda f: f.severity.rank)


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.blocking for f in findings)


@dataclass(frozen=True)
class Judge:
    """Makes findings with the severity and the citation the call data sets for their code.

    The engine proposes a default severity for each code; the call's ``[findings.severity]`` table
    (``code`` or ``code:variant``) overrides it, so next year's call decides what blocks. A finding
    whose rule names no source cites ``[findings.cite]`` (exact ``code:variant``, ``code``, then
    ``prefix.*``), with ``{form}`` replaced by the form's label.
    """

    severity: Mapping[str, str] = field(default_factory=dict)
    cite: Mapping[str, str] = field(default_factory=dict)
    form: str = ""

    def level(self, code: str, default: Severity = Severity.ERROR, variant: str = "") -> Severity:
        key = f"{code}:{variant}" if variant and f"{code}:{variant}" in self.severity else code
        return Severity(self.severity[key]) if key in self.severity else default

    def source(self, code: str, variant: str = "") -> str:
        keys = [f"{code}:{variant}"] if variant else []
        keys.append(code)
        parts = code.split(".")
        keys += [".".join(parts[:i]) + ".*" for i in range(len(parts), 0, -1)]
        for key in keys:
            if key in self.cite:
                return self.cite[key].replace("{form}", self.form)
        return ""

    def __call__(self, code: str, message: str, path: str = "", source: str = "", *,
                 default: Severity = Severity.ERROR, variant: str = "") -> Finding:
        return Finding(self.level(code, default, variant), code, message, path, source or self.source(code, variant))

    def complete(self, f: Finding) -> Finding:
        """A finding made elsewhere (glyphs, attachments) with its citation filled in."""
        return f if f.source else Finding(f.severity, f.code, f.message, f.path, self.source(f.code))
