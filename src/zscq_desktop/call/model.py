"""Typed, immutable objects describing one yearly call: directions, rules, forms and the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, Decimal

FIELD_TYPES = frozenset(
    {"text", "textarea", "int", "amount", "date", "month", "choice", "multichoice", "credit_code",
     "phone", "email", "postcode", "bool", "table"}
)


@dataclass(frozen=True)
class Indicator:
    """A numeric task minimum (or maximum) the guide sets, e.g. ≥ 10 granted patents."""

    key: str
    name: str
    unit: str
    min: float | None = None
    max: float | None = None

    @property
    def is_range(self) -> bool:
        """The guide gives a span as the task ("2-3次"): doing more is not forbidden."""
        return self.min is not None and self.max is not None

    def scaled_min(self, factor: float) -> float | None:
        """The minimum raised by `factor` (e.g. 1.3 for +30 %), rounded up to a whole count."""
        if self.min is None:
            return None
        exact = Decimal(str(self.min)) * Decimal(str(factor))
        return float(exact.to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class Task:
    text: str
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class Question:
    """A yes/no eligibility question. `kind="required"` must be answered `expect`; a `flag` only
    switches a variant of the rules (e.g. the +30 % uplift) and has no wrong answer."""

    key: str
    text: str
    expect: bool = True
    kind: str = "required"
    source: str = ""


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


@dataclass(frozen=True)
class Direction:
    id: str
    name: str
    category: str
    category_name: str
    form: str  # a form id of the call, e.g. "a2"
    form_label: str  # "附件2" | "附件3"
    district_review: bool
    cap_wan: float
    max_funded: int
    contact: Contact
    source: str
    goals: str
    conditions: tuple[str, ...]
    tasks: tuple[Task, ...]
    questions: tuple[Question, ...] = ()
    attachment_hints: tuple[str, ...] = ()
    self_funding_ratio: float | None = None
    period_start: str | None = None  # "YYYY-MM"
    period_end: str | None = None
    period_months: int | None = None
    contracts: int | None = None
    selection_note: str = ""
    matching_note: str = ""
    cap_wan_demo_city: float | None = None
    cap_note: str = ""
    continuing_uplift: float | None = None
    continuing_note: str = ""
    enterprise_only: bool = False
    min_grants_2022: int | None = None
    min_fulltime_staff: int | None = None
    industries: tuple[str, ...] = ()

    @property
    def indicators(self) -> tuple[tuple[int, Indicator], ...]:
        """Every indicator with the index of its task."""
        return tuple((i, ind) for i, t in enumerate(self.tasks) for ind in t.indicators)

    def period_text(self) -> str:
        if self.period_start and self.period_end:
            y1, m1 = self.period_start.split("-")
            y2, m2 = self.period_end.split("-")
            return f"{y1}年{int(m1)}月—{y2}年{int(m2)}月"
        if self.period_months:
            return "1年" if self.period_months == 12 else f"{self.period_months}个月"
        return "指南未规定"

    def matching_text(self) -> str:
        if self.self_funding_ratio:
            return f"自筹资金不少于1：{self.self_funding_ratio:g}匹配"
        return self.matching_note or "无配套要求"

    def cap_text(self) -> str:
        text = f"不超过{self.cap_wan:g}万元"
        if self.cap_wan_demo_city:
            text += f"（{self.cap_note}）" if self.cap_note else f"（特定情形{self.cap_wan_demo_city:g}万元）"
        return text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str
    required: bool = False
    max_chars: int | None = None
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str
    required: bool = False
    help: str = ""
    unit: str = ""
    max_chars: int | None = None
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    choices_from: str = ""  # "districts", "unit_natures" or "direction.industries"
    pattern: str = ""
    pattern_message: str = ""
    directions: tuple[str, ...] = ()  # shown only for these directions; empty = all
    columns: tuple[Column, ...] = ()
    min_rows: int = 0
    max_rows: int | None = None
    fixed_rows: tuple[str, ...] = ()  # row labels of a table with a fixed set of rows
    # an open choice: the choices are suggestions (the guide prioritises them, 重点支持), free text is
    # accepted; a value outside them is a warning quoting `open_note`
    open: bool = False
    open_note: str = ""
    # what happens on paper when the value is longer than `max_chars` (said in the warning)
    long_note: str = ""

    def applies_to(self, direction_id: str) -> bool:
        return not self.directions or direction_id in self.directions


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[Field, ...] = ()
    statement: str = ""
    boxes: tuple[dict, ...] = ()

    @property
    def prefix(self) -> str:
        """The path prefix of the section's values in a submission."""
        return "unit" if self.key == "unit" else f"form.{self.key}"


@dataclass(frozen=True)
class FormSpec:
    id: str  # from form-<id>.toml, e.g. "a2"
    label: str  # "附件2"
    title: str
    for_directions: tuple[str, ...]
    sections: tuple[Section, ...]
    instructions: tuple[str, ...]

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)


@dataclass(frozen=True)
class PlanSection:
    key: str
    title: str
    kind: str = "text"  # "text" | "tasks" | "indicators" | "schedule"
    min_chars: int = 0
    max_chars: int | None = None


@dataclass(frozen=True)
class PlanSpec:
    title: str
    sections: tuple[PlanSection, ...]


@dataclass(frozen=True)
class AttachmentCategory:
    id: str
    name: str
    hint: str = ""


@dataclass(frozen=True)
class Rules:
    min_registration_months: int
    max_projects_per_unit: int
    max_request_ratio_of_capital: float
    bad_project_lookback_years: int
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FindingPolicy:
    """Which finding codes block and what they cite, from the call's ``[findings]`` table.

    Attributes:
        severity: code, or ``code:variant`` for one case of a code, → "error" | "warning" | "info";
            codes not listed keep the engine's default.
        cite: code → the sentence a finding cites when its rule has no direction-specific source;
            ``{form}`` stands for the form's label (附件2 / 附件3).
    """

    severity: dict[str, str] = field(default_factory=dict)
    cite: dict[str, str] = field(default_factory=dict)

    def level(self, code: str, default: str = "error", variant: str = "") -> str:
        """The severity of `code` (in its `variant`, e.g. ``range``) as set by the call data."""
        if variant and f"{code}:{variant}" in self.severity:
            return self.severity[f"{code}:{variant}"]
        return self.severity.get(code, default)


@dataclass(frozen=True)
class Call:
    """One yearly call: everything the app knows about it comes from its data folder."""

    id: str
    year: int
    title: str
    short_title: str
    issuer: str
    guide_title: str
    deadline: datetime
    reference_month: str
    submit_email: str
    districts: tuple[str, ...]
    unit_natures: tuple[str, ...]
    rules: Rules
    submission: dict
    questions: tuple[Question, ...]
    categories: tuple[tuple[str, str], ...]  # (id, name)
    attachment_categories: tuple[AttachmentCategory, ...]
    directions: tuple[Direction, ...]
    forms: dict[str, FormSpec]
    plan: PlanSpec
    findings: FindingPolicy = field(default_factory=FindingPolicy)
    # plausibility data (warnings only): credit-code region prefix (characters 3-8) of the call's
    # region, and the code's first characters expected for each 单位性质
    region_code_prefix: str = ""
    region_name: str = ""
    nature_code_prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    version: int = 1  # raised by the author for each corrected edition of the same call
    sample: dict = field(default_factory=dict)  # the example unit's district, address, bank (core/sample.py)

    def direction(self, direction_id: str) -> Direction:
        for d in self.directions:
            if d.id == direction_id:
                return d
        raise KeyError(direction_id)

    def form_for(self, direction_id: str) -> FormSpec:
        return self.forms[self.direction(direction_id).form]

    def category_name(self, category_id: str) -> str:
        return dict(self.categories)[category_id]

    def attachment_category(self, category_id: str) -> AttachmentCategory:
        for c in self.attachment_categories:
            if c.id == category_id:
                return c
        raise KeyError(category_id)

    def choices(self, f: Field | Column, direction_id: str | None = None) -> tuple[str, ...]:
        """The options of a choice field, resolving `choices_from`."""
        src = getattr(f, "choices_from", "")
        if src == "districts":
            return self.districts
        if src == "unit_natures":
            return self.unit_natures
        if src == "direction.industries":
            return self.direction(direction_id).industries if direction_id else ()
        return getattr(f, "choices", ())
