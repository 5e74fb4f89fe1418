"""`zscq-desktop call check`: every problem of a call folder, each as ``file:line: key: reason``.

The loader stops at the first error, which is right for the app but slow for an author fixing a new
folder. Here each table (a direction, a task, an indicator, a field …) is checked on its own with the
loader's own readers, so every broken table is reported once, and the checks the loader cannot make
per table are added: unknown (misspelt) keys, duplicate ids, references between files, date coherence,
e-mail and phone formats, citations. Line numbers come from `call.textpos`.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from zscq_desktop.call import loader as L
from zscq_desktop.call import model as M
from zscq_desktop.call.textpos import KeyLines

REQUIRED_FILES = ("call.toml", "unit.toml", "common-sections.toml", "plan.toml")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
PHONE_RE = re.compile(r"^[0-9()（）\- 转]{7,}$")
CALL_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{2,60}$")
_LINE_RE = re.compile(r"at line ([0-9]+)")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key or '（文件）'}: {self.reason}"


def _keys(cls: type, drop: tuple[str, ...] = (), add: tuple[str, ...] = ()) -> frozenset[str]:
    """The TOML keys of a table: the dataclass's fields (so new model fields are known at once)."""
    return frozenset({f.name for f in dataclasses.fields(cls)} - set(drop) | set(add))


# Which keys each kind of table may hold; anything else is most likely a misspelling that the app would
# silently ignore (e.g. `cap = 10` for `cap_wan`), so it is reported.
KNOWN = {
    "call": frozenset({"id", "year", "title", "short_title", "issuer", "guide_title", "deadline", "reference_month",
                       "submit_email", "districts", "unit_natures", "version", "region_code_prefix", "region_name",
                       "nature_code_prefixes"}),
    "direction": _keys(M.Direction, drop=("category_name", "form_label")),
    "task": _keys(M.Task),
    "indicator": _keys(M.Indicator),
    "question": _keys(M.Question),
    "category": frozenset({"id", "name"}),
    "attachment_category": _keys(M.AttachmentCategory),
    "field": _keys(M.Field),
    "column": _keys(M.Column),
    "section": _keys(M.Section),
    "form": frozenset({"id", "label", "title", "for_directions", "order", "instructions"}),
    "plan_section": _keys(M.PlanSection),
    "sample": frozenset({"direction", "unit_name", "region", "district", "address", "bank"}),
}


class _Collector:
    """Problems of one folder, with line numbers and without repeats."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[Problem] = []
        self._seen: set[tuple[str, str]] = set()
        self._lines: dict[str, KeyLines] = {}

    def lines(self, file: str) -> KeyLines:
        if file not in self._lines:
            try:
                text = (self.folder / file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._lines[file] = KeyLines(text)
        return self._lines[file]

    def add(self, file: str, key: str, reason: str, line: int | None = None) -> None:
        if (file, key) in self._seen:
            return
        self._seen.add((file, key))
        self.problems.append(Problem(file, line if line is not None else self.lines(file).line(key), key, reason))

    def attempt(self, fn: Callable[[], Any]) -> Any:
        """Run one of the loader's readers; record its error instead of stopping."""
        try:
            return fn()
        except L.CallDataError as exc:
            self.add(exc.file, exc.key, exc.reason)
        except (TypeError, AttributeError, KeyError, ValueError) as exc:  # a value of an unexpected shape
            self.add("call.toml", "", f"无法读取：{exc}")
        return None

    def unique(self, node: L._Node, field: str, seen: set[str], what: str) -> None:
        """Report `node[field]` when an earlier table of the same list had the same value."""
        value = node.data.get(field)
        if isinstance(value, str):
            if value in seen:
                self.add(node.file, f"{node.path}.{field}", f"{what} “{value}” 重复")
            seen.add(value)

    def unknown_keys(self, node: L._Node, kind: str) -> None:
        if not isinstance(node.data, dict):
            return
        for key in node.data:
            if key not in KNOWN[kind] and not (kind == "call" and key.startswith("x_")):
                path = f"{node.path}.{key}" if node.path else key
                self.add(node.file, path, "未知的键（拼写错误？程序不会读取它）")


def _parse(folder: Path, name: str, col: _Collector) -> L._Node | None:
    path = folder / name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        col.add(name, "", "文件不存在", line=0)
        return None
    except OSError as exc:
        col.add(name, "", f"无法读取：{exc}", line=0)
        return None
    try:
        return L._Node(tomllib.loads(raw.decode("utf-8")), name, "")
    except UnicodeDecodeError:
        col.add(name, "", "文件不是 UTF-8 编码（请用记事本“另存为 UTF-8”）", line=1)
    except tomllib.TOMLDecodeError as exc:
        m = _LINE_RE.search(str(exc))
        col.add(name, "", f"TOML 语法错误：{exc}", line=int(m.group(1)) if m else 1)
    return None


def _tables(node: L._Node, key: str, col: _Collector) -> list[L._Node]:
    return col.attempt(lambda: node.tables(key)) or []


def _check_fields(section: L._Node, col: _Collector, directions: set[str]) -> None:
    seen: set[str] = set()
    for f in _tables(section, "fields", col):
        col.unknown_keys(f, "field")
        col.attempt(lambda f=f: L._field(f))
        for c in _tables(f, "columns", col):
            col.unknown_keys(c, "column")
            col.attempt(lambda c=c: L._column(c))
        col.unique(f, "key", seen, "本部分的字段 key")
        for i, d in enumerate(f.data.get("directions", []) if isinstance(f.data.get("directions"), list) else []):
            if d not in directions:
                col.add(f.file, f"{f.path}.directions", f"未知支持方向“{d}”")


def _check_sections(root: L._Node, col: _Collector, directions: set[str]) -> set[str]:
    keys: set[str] = set()
    for s in _tables(root, "sections", col):
        col.unknown_keys(s, "section")
        col.unique(s, "key", keys, "部分 key")
        _check_fields(s, col, directions)
        col.attempt(lambda s=s: L._section(s))
    return keys


def _check_call_table(c: L._Node, col: _Collector) -> tuple[int | None, datetime | None]:
    col.unknown_keys(c, "call")
    for key in ("title", "short_title", "issuer", "guide_title"):
        col.attempt(lambda key=key: c.text(key))
    cid = col.attempt(lambda: c.text("id"))
    if isinstance(cid, str) and not CALL_ID_RE.match(cid):
        col.add("call.toml", "call.id", "应为 3–60 个小写字母、数字或连字符，如 xx-2025")
    year = col.attempt(lambda: c.get("year", int))
    col.attempt(lambda: c.get("version", int, 1, check=lambda v: v >= 1, why="应为正整数"))
    col.attempt(lambda: L._month(c, "reference_month") or c.get("reference_month", str))
    deadline = None
    raw = col.attempt(lambda: c.text("deadline"))
    if isinstance(raw, str):
        try:
            deadline = datetime.fromisoformat(raw)
            if deadline.tzinfo is None:
                col.add("call.toml", "call.deadline", "须带时区，如 +08:00")
                deadline = None
        except ValueError:
            col.add("call.toml", "call.deadline", "应为 ISO 8601 时间，如 2025-05-31T17:00:00+08:00")
    email = col.attempt(lambda: c.get("submit_email", str))
    if isinstance(email, str) and not EMAIL_RE.match(email.strip()):
        col.add("call.toml", "call.submit_email", f"不是有效的电子邮箱：{email!r}")
    col.attempt(lambda: c.strings("districts"))
    natures = col.attempt(lambda: c.strings("unit_natures"))
    if natures is not None:
        col.attempt(lambda: L._nature_prefixes(c, natures))
    col.attempt(lambda: c.get("region_code_prefix", str, "", check=lambda v: v.isdigit() and len(v) <= 6,
                              why="应为1—6位数字（统一社会信用代码第3—8位的开头）"))
    col.attempt(lambda: c.get("region_name", str, ""))
    return (year if isinstance(year, int) else None), deadline


def _check_dates(c: L._Node, year: int | None, deadline: datetime | None, col: _Collector) -> None:
    if year is None:
        return
    if deadline is not None and deadline.year != year:
        col.add("call.toml", "call.deadline", f"截止时间在 {deadline.year} 年，与 year = {year} 不一致")
    ref = c.data.get("reference_month")
    if isinstance(ref, str) and L.MONTH_RE.match(ref) and not (year - 1 <= int(ref[:4]) <= year + 1):
        col.add("call.toml", "call.reference_month", f"与 year = {year} 相差超过一年")


def _check_direction(n: L._Node, col: _Collector, categories: dict[str, str], forms: dict[str, str],
                     year: int | None) -> None:
    col.unknown_keys(n, "direction")
    indicator_keys: set[str] = set()
    for t in _tables(n, "tasks", col):
        col.unknown_keys(t, "task")
        for i in _tables(t, "indicators", col):
            col.unknown_keys(i, "indicator")
            col.attempt(lambda i=i: L._indicator(i))
            col.unique(i, "key", indicator_keys, "本方向的考核指标 key（实施方案按它对应指标）")
    for q in _tables(n, "questions", col):
        col.unknown_keys(q, "question")
        col.attempt(lambda q=q: L._question(q))
    contact = n.data.get("contact")
    if isinstance(contact, dict) and isinstance(contact.get("phone"), str) and not PHONE_RE.match(contact["phone"]):
        col.add(n.file, f"{n.path}.contact.phone", f"电话格式不正确：{contact['phone']!r}")
    if year is not None:
        for key in ("period_start", "period_end"):
            v = n.data.get(key)
            if isinstance(v, str) and L.MONTH_RE.match(v) and not (year - 1 <= int(v[:4]) <= year + 3):
                col.add(n.file, f"{n.path}.{key}", f"{v} 与申报年度 {year} 不符（是否忘记改年份？）")
    # each key on its own, so two mistakes in one direction are both reported
    for one in (lambda: n.text("name"), lambda: n.get("district_review", bool), lambda: n.num("cap_wan"),
                lambda: n.get("max_funded", int, check=lambda v: v >= 1, why="应 ≥ 1"), lambda: n.text("source"),
                lambda: n.text("goals"), lambda: n.strings("conditions"), lambda: n.strings("attachment_hints"),
                lambda: n.strings("industries"), lambda: n.num("self_funding_ratio", None),
                lambda: L._month(n, "period_start"), lambda: L._month(n, "period_end"),
                lambda: n.get("period_months", int, None), lambda: n.get("contracts", int, None),
                lambda: n.num("cap_wan_demo_city", None), lambda: n.num("continuing_uplift", None),
                lambda: n.get("enterprise_only", bool, False), lambda: n.get("selection_note", str, ""),
                lambda: n.get("matching_note", str, ""), lambda: n.get("cap_note", str, ""),
                lambda: n.get("continuing_note", str, ""), lambda: n.get("min_grants_2022", int, None),
                lambda: n.get("min_fulltime_staff", int, None)):
        col.attempt(one)
    contact = col.attempt(lambda: n.table("contact"))
    if contact:
        col.attempt(lambda: contact.text("name"))
        col.attempt(lambda: contact.text("phone"))
    col.attempt(lambda: L._direction(n, categories, forms))


def _check_findings(root: L._Node, col: _Collector) -> None:
    """`[findings.severity]` (each code → error / warning / info) and `[findings.cite]` (each → a sentence),
    every entry on its own: a wrong severity decides whether users are turned away."""
    n = col.attempt(lambda: root.table("findings", required=False))
    if n is None:
        return
    for name in n.data:
        if name not in ("severity", "cite"):
            col.add("call.toml", f"findings.{name}", "未知的键（应为 severity 或 cite）")
    sev = col.attempt(lambda: n.table("severity", required=False))
    for key in sev.data if sev else ():
        col.attempt(lambda key=key: sev.get(key, str, check=lambda v: v in L.SEVERITIES,
                                            why=f"应为 {'、'.join(L.SEVERITIES)} 之一"))
    cite = col.attempt(lambda: n.table("cite", required=False))
    for key in cite.data if cite else ():
        col.attempt(lambda key=key: cite.text(key))


def _check_contacts(sub: L._Node, col: _Collector) -> None:
    col.attempt(lambda: sub.text("address"))
    col.attempt(lambda: sub.text("address_name"))
    people = sub.data.get("contacts", [])
    for i, p in enumerate(people if isinstance(people, list) else []):
        if isinstance(p, dict) and isinstance(p.get("phone"), str) and not PHONE_RE.match(p["phone"]):
            col.add("call.toml", f"submission.contacts[{i}].phone", f"电话格式不正确：{p['phone']!r}")


def check_folder(folder: Path) -> list[Problem]:
    """Every problem of the call folder `folder`; an empty list means the app can use it."""
    col = _Collector(folder)
    if not folder.is_dir():
        return [Problem(str(folder), 0, "", "不是文件夹")]
    roots = {name: _parse(folder, name, col) for name in REQUIRED_FILES}
    form_files = sorted(p.name for p in folder.glob("form-*.toml"))
    if not form_files:
        col.add("form-*.toml", "", "至少需要一个申报书文件（如 form-a2.toml）", line=0)
    forms_raw = {name: _parse(folder, name, col) for name in form_files}
    root = roots["call.toml"]
    direction_ids: set[str] = set()
    if root is not None:
        raw_dirs = root.data.get("directions", [])
        direction_ids = {d.get("id") for d in raw_dirs if isinstance(d, dict) and isinstance(d.get("id"), str)}
    form_labels: dict[str, str] = {}
    for name, node in forms_raw.items():
        meta = node.data.get("form") if node else None
        if isinstance(meta, dict) and isinstance(meta.get("id"), str):
            form_labels[meta["id"]] = str(meta.get("label", meta["id"]))
    if root is not None:
        c = col.attempt(lambda: root.table("call"))
        year, deadline = _check_call_table(c, col) if c else (None, None)
        if c:
            _check_dates(c, year, deadline, col)
        r = col.attempt(lambda: root.table("rules"))
        if r:
            for key in ("min_registration_months", "max_projects_per_unit", "bad_project_lookback_years"):
                col.attempt(lambda key=key: r.get(key, int))
            col.attempt(lambda: r.num("max_request_ratio_of_capital"))
        _check_findings(root, col)
        sample = col.attempt(lambda: root.table("sample", required=False))
        if sample:
            col.unknown_keys(sample, "sample")
            d = sample.data.get("direction")
            if d is not None and d not in direction_ids:
                col.add("call.toml", "sample.direction", f"未知支持方向“{d}”")
        sub = col.attempt(lambda: root.table("submission"))
        if sub:
            _check_contacts(sub, col)
        categories: dict[str, str] = {}
        for n in _tables(root, "categories", col):
            col.unknown_keys(n, "category")
            col.unique(n, "id", set(categories), "类别 id")
            got = col.attempt(lambda n=n: (n.text("id"), n.text("name")))
            if got:
                categories[got[0]] = got[1]
        for n in _tables(root, "attachment_categories", col):
            col.unknown_keys(n, "attachment_category")
            col.attempt(lambda n=n: (n.text("id"), n.text("name")))
        for n in _tables(root, "questions", col):
            col.unknown_keys(n, "question")
            col.attempt(lambda n=n: L._question(n))
            if n.data.get("kind", "required") == "required" and not str(n.data.get("source", "")).strip():
                col.add(n.file, f"{n.path}.source", "缺少指南出处（source）：不符合时的错误提示要引用它")
        seen: set[str] = set()
        for n in _tables(root, "directions", col):
            col.unique(n, "id", seen, "支持方向 id")
            form = n.data.get("form")
            if isinstance(form, str) and form not in form_labels:
                col.add(n.file, f"{n.path}.form", f"申报书“{form}”不存在（缺少 form-{form}.toml）")
            _check_direction(n, col, categories, form_labels, year)
    unit = roots["unit.toml"]
    if unit is not None:
        node = L._Node({"fields": unit.data.get("fields", [])}, "unit.toml", "")
        _check_fields(node, col, direction_ids)
        section = unit.data.get("section")
        if not isinstance(section, dict) or section.get("key") != "unit":
            col.add("unit.toml", "section.key", "须为 [section] 且 key = \"unit\"")
    shared: set[str] = {"unit"}
    if roots["common-sections.toml"] is not None:
        shared |= _check_sections(roots["common-sections.toml"], col, direction_ids)
    for name, node in forms_raw.items():
        if node is None:
            continue
        own = _check_sections(node, col, direction_ids)
        meta = col.attempt(lambda node=node: node.table("form"))
        if meta:
            col.unknown_keys(meta, "form")
            order = meta.data.get("order", [])
            for key in order if isinstance(order, list) else []:
                if key not in shared | own:
                    col.add(name, "form.order", f"未定义的部分“{key}”")
            fd = meta.data.get("for_directions", [])
            for d in fd if isinstance(fd, list) else []:
                if d not in direction_ids:
                    col.add(name, "form.for_directions", f"未知支持方向“{d}”")
            fid = meta.data.get("id")
            if isinstance(fid, str) and root is not None:
                for n in _tables(root, "directions", col):
                    if n.data.get("form") == fid and n.data.get("id") not in fd:
                        col.add(name, "form.for_directions", f"未包含支持方向“{n.data.get('id')}”（call.toml 中它使用本申报书）")
            col.attempt(lambda node=node, meta=meta: meta.get(
                "id", str, check=lambda v: node.file == f"form-{v}.toml" and bool(L.FORM_ID_RE.match(v)),
                why=f"应与文件名一致（id = \"{node.file[5:-5]}\"），且只用小写字母和数字"))
    plan = roots["plan.toml"]
    if plan is not None:
        for n in _tables(plan, "sections", col):
            col.unknown_keys(n, "plan_section")
        col.attempt(lambda: L._plan(folder))
    if not col.problems:  # the checks above cover the loader's; run it whole to be sure nothing slipped
        col.attempt(lambda: L.load_call_folder(folder))
    return sorted(col.problems, key=lambda p: (p.file != "call.toml", p.file, p.line, p.key))
