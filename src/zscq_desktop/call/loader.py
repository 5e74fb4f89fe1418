"""Load and validate a call's data folder (`forms/<call>/`).

Every file is read with the standard library's `tomllib` (while a file is unchanged, from the JSON
copy of what it parsed to: `_parsed`) and checked here, once, with precise errors: a broken file is
reported with its name, the key and the reason, so whoever prepares next year's folder sees exactly
what to fix. Widgets and rules only ever receive ready objects.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Callable, TypeVar

from zscq_desktop.call.errors import CallDataError
from zscq_desktop.call.model import (
    FIELD_TYPES,
    AttachmentCategory,
    Call,
    Column,
    Contact,
    Direction,
    Field,
    FindingPolicy,
    FormSpec,
    Indicator,
    PlanSection,
    PlanSpec,
    Question,
    Rules,
    Section,
    Task,
)

T = TypeVar("T")
MONTH_RE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
FORM_ID_RE = re.compile(r"^[a-z][a-z0-9]*$")


class _Node:
    """A TOML table being read, remembering its file and key path for error messages."""

    def __init__(self, data: Any, file: str, path: str) -> None:
        self.data, self.file, self.path = data, file, path

    def fail(self, key: str, reason: str) -> CallDataError:
        return CallDataError(self.file, f"{self.path}.{key}" if self.path else key, reason)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., check: Callable[[Any], bool] | None = None,
            why: str = "") -> Any:
        if key not in self.data:
            if default is ...:
                raise self.fail(key, "缺少必填项 (missing required key)")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python; never accept it where a number is meant, and vice versa.
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(key, f"应为 {'/'.join(k.__name__ for k in kinds)}，实为 bool")
        if not isinstance(value, kinds):
            raise self.fail(key, f"应为 {'/'.join(k.__name__ for k in kinds)}，实为 {type(value).__name__}")
        if check is not None and not check(value):
            raise self.fail(key, why or f"取值不合法: {value!r}")
        return value

    def text(self, key: str, default: Any = ...) -> str:
        return self.get(key, str, default, check=lambda v: v.strip() != "", why="不能为空")

    def num(self, key: str, default: Any = ...) -> float | None:
        v = self.get(key, (int, float), default)
        return None if v is None else float(v)

    def strings(self, key: str) -> tuple[str, ...]:
        v = self.get(key, list, [])
        for i, s in enumerate(v):
            if not isinstance(s, str) or not s.strip():
                raise self.fail(f"{key}[{i}]", "应为非空字符串")
        return tuple(v)

    def tables(self, key: str, required: bool = False) -> list["_Node"]:
        v = self.get(key, list, ... if required else [])
        out = []
        for i, item in enumerate(v):
            if not isinstance(item, dict):
                raise self.fail(f"{key}[{i}]", "应为表 (table)")
            out.append(_Node(item, self.file, f"{self.path}.{key}[{i}]" if self.path else f"{key}[{i}]"))
        return out

    def table(self, key: str, required: bool = True) -> "_Node":
        v = self.get(key, dict, ... if required else {})
        return _Node(v, self.file, f"{self.path}.{key}" if self.path else key)


def _read(folder: Path, name: str) -> _Node:
    path = folder / name
    try:
        return _Node(_parsed(path), name, "")
    except FileNotFoundError:
        raise CallDataError(name, "", f"文件不存在 ({path})") from None


def _parsed(path: Path) -> dict:
    """The TOML file `path` as a dict — from a JSON copy in the user cache when the file still has the
    size, modification time, file id and CRC-32 the copy was made from.

    A call's TOML (≈ 76 kB) takes tomllib ≈ 7 ms, its JSON copy ≈ 0.3 ms: this is the app's start-up.
    The copy holds the parsed values only; everything is checked by the loader as before. A missing,
    stale or unreadable copy means parsing the TOML and writing a new copy (if the cache folder can
    be written; files with TOML dates, which JSON cannot hold, are never copied).
    """
    import json
    import zlib

    with path.open("rb") as fh:
        raw = fh.read()
        stat = os.fstat(fh.fileno())
    resolved = str(path.resolve())
    stamp = [resolved, stat.st_size, stat.st_mtime_ns, stat.st_ino, zlib.crc32(raw)]
    copy = _copy_of(path, resolved)
    if copy is not None:
        try:
            stored = json.loads(copy.read_text(encoding="utf-8"))
            if isinstance(stored, dict) and stored.get("stamp") == stamp and isinstance(stored.get("data"), dict):
                return stored["data"]
        except (OSError, ValueError):
            pass  # no copy yet, or a damaged one: parse
    import tomllib  # only when a file changed or was never read: not at a usual start-up

    try:
        data = tomllib.loads(raw.decode())  # what tomllib.load does with the bytes
    except tomllib.TOMLDecodeError as exc:
        raise CallDataError(path.name, "", f"TOML 语法错误: {exc}") from None
    if copy is not None:
        try:
            text = json.dumps({"stamp": stamp, "data": data}, ensure_ascii=False)
        except (TypeError, ValueError):
            return data  # a TOML date or time: not representable in JSON
        try:
            from zscq_desktop.store.files import atomic_write

            copy.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(copy, text.encode("utf-8"))
        except OSError:
            pass  # a read-only cache folder only costs the parsing next time
    return data


def _copy_of(path: Path, resolved: str) -> Path | None:
    """Where the JSON copy of the TOML file `path` lives (one file per path); None without a cache."""
    import zlib

    try:
        from zscq_desktop.resources import user_cache_dir

        folder = user_cache_dir() / "calls-parsed"
    except Exception:  # noqa: BLE001 — no usable user folder: no copy, the TOML is parsed
        return None
    return folder / f"{path.stem}-{zlib.crc32(resolved.encode('utf-8')):08x}.json"


def _month(node: _Node, key: str) -> str | None:
    return node.get(key, str, None, check=lambda v: bool(MONTH_RE.match(v)), why="应为 YYYY-MM")


def _indicator(n: _Node) -> Indicator:
    ind = Indicator(n.text("key"), n.text("name"), n.text("unit"), n.num("min", None), n.num("max", None))
    if ind.min is None and ind.max is None:
        raise n.fail("min", "指标至少需要 min 或 max 之一")
    if ind.min is not None and ind.max is not None and ind.min > ind.max:
        raise n.fail("max", "max 小于 min")
    return ind


def _question(n: _Node, default_source: str = "") -> Question:
    kind = n.get("kind", str, "required", check=lambda v: v in ("required", "flag"), why="应为 required 或 flag")
    return Question(n.text("key"), n.text("text"), n.get("expect", bool, True), kind, n.get("source", str, default_source))


def _direction(n: _Node, categories: dict[str, str], form_labels: dict[str, str]) -> Direction:
    cat = n.get("category", str, check=lambda v: v in categories, why=f"未知类别，应为 {sorted(categories)} 之一")
    # any form the folder defines (form-<id>.toml), not only this year's two
    form = n.get("form", str, check=lambda v: v in form_labels, why=f"没有这个申报书，应为 {sorted(form_labels)} 之一")
    c = n.table("contact")
    tasks = tuple(Task(t.text("text"), tuple(_indicator(i) for i in t.tables("indicators"))) for t in n.tables("tasks", True))
    if not tasks:
        raise n.fail("tasks", "至少需要一项任务")
    ps, pe = _month(n, "period_start"), _month(n, "period_end")
    if (ps is None) != (pe is None):
        raise n.fail("period_end", "period_start 与 period_end 须同时给出")
    if ps and pe and ps > pe:
        raise n.fail("period_end", "结束早于开始")
    source = n.text("source")
    d = Direction(
        id=n.get("id", str, check=lambda v: bool(re.match(r"^[a-z][a-z0-9-]+$", v)), why="应为小写字母、数字和连字符"),
        name=n.text("name"), category=cat, category_name=categories[cat], form=form, form_label=form_labels[form],
        district_review=n.get("district_review", bool), cap_wan=n.num("cap_wan"),
        max_funded=n.get("max_funded", int, check=lambda v: v >= 1, why="应 ≥ 1"),
        contact=Contact(c.text("name"), c.text("phone")), source=source, goals=n.text("goals"),
        conditions=n.strings("conditions"), tasks=tasks,
        questions=tuple(_question(q, source) for q in n.tables("questions")),
        attachment_hints=n.strings("attachment_hints"),
        self_funding_ratio=n.num("self_funding_ratio", None), period_start=ps, period_end=pe,
        period_months=n.get("period_months", int, None), contracts=n.get("contracts", int, None),
        selection_note=n.get("selection_note", str, ""), matching_note=n.get("matching_note", str, ""),
        cap_wan_demo_city=n.num("cap_wan_demo_city", None), cap_note=n.get("cap_note", str, ""),
        continuing_uplift=n.num("continuing_uplift", None), continuing_note=n.get("continuing_note", str, ""),
        enterprise_only=n.get("enterprise_only", bool, False), min_grants_2022=n.get("min_grants_2022", int, None),
        min_fulltime_staff=n.get("min_fulltime_staff", int, None), industries=n.strings("industries"),
    )
    if d.cap_wan <= 0:
        raise n.fail("cap_wan", "应大于 0")
    return d


def _column(n: _Node) -> Column:
    t = n.get("type", str, check=lambda v: v in FIELD_TYPES - {"table", "textarea", "multichoice"}, why="表格列类型不合法")
    return Column(n.text("key"), n.text("label"), t, n.get("required", bool, False), n.get("max_chars", int, None),
                  n.num("min", None), n.num("max", None))


def _field(n: _Node) -> Field:
    t = n.get("type", str, check=lambda v: v in FIELD_TYPES, why=f"应为 {sorted(FIELD_TYPES)} 之一")
    choices_from = n.get("choices_from", str, "", check=lambda v: v in ("", "districts", "unit_natures", "direction.industries"),
                         why="应为 districts、unit_natures 或 direction.industries")
    f = Field(
        key=n.text("key"), label=n.text("label"), type=t, required=n.get("required", bool, False),
        help=n.get("help", str, ""), unit=n.get("unit", str, ""), max_chars=n.get("max_chars", int, None),
        min=n.num("min", None), max=n.num("max", None), choices=n.strings("choices"), choices_from=choices_from,
        pattern=n.get("pattern", str, ""), pattern_message=n.get("pattern_message", str, ""),
        directions=n.strings("directions"), columns=tuple(_column(c) for c in n.tables("columns")),
        min_rows=n.get("min_rows", int, 0), max_rows=n.get("max_rows", int, None), fixed_rows=n.strings("fixed_rows"),
        open=n.get("open", bool, False), open_note=n.get("open_note", str, ""), long_note=n.get("long_note", str, ""),
    )
    if f.open and t != "choice":
        raise n.fail("open", "只有 choice 字段可以是开放选择")
    if t == "table" and not f.columns:
        raise n.fail("columns", "表格字段至少需要一列")
    if t in ("choice", "multichoice") and not (f.choices or f.choices_from):
        raise n.fail("choices", "选择字段需要 choices 或 choices_from")
    if f.pattern:
        try:
            re.compile(f.pattern)
        except re.error as exc:
            raise n.fail("pattern", f"正则表达式错误: {exc}") from None
    return f


def _section(n: _Node) -> Section:
    fields = tuple(_field(f) for f in n.tables("fields"))
    keys = [f.key for f in fields]
    if len(set(keys)) != len(keys):
        raise n.fail("fields", "字段 key 重复")
    return Section(n.text("key"), n.text("title"), fields, n.get("statement", str, ""), tuple(n.get("boxes", list, [])))


def _form(folder: Path, name: str, shared: dict[str, Section], directions: set[str]) -> FormSpec:
    root = _read(folder, name)
    meta = root.table("form")
    own = {s.key: s for s in (_section(t) for t in root.tables("sections"))}
    pool = {**shared, **own}
    order = meta.strings("order")
    missing = [k for k in order if k not in pool]
    if missing:
        raise meta.fail("order", f"未定义的部分: {missing}")
    for_dirs = meta.strings("for_directions")
    unknown = [d for d in for_dirs if d not in directions]
    if unknown:
        raise meta.fail("for_directions", f"未知支持方向: {unknown}")
    form_id = meta.get("id", str, check=lambda v: name == f"form-{v}.toml" and bool(FORM_ID_RE.match(v)),
                       why=f"应与文件名一致（{name} → id = \"{name[5:-5]}\"），且只用小写字母和数字")
    return FormSpec(form_id, meta.text("label"), meta.text("title"), for_dirs, tuple(pool[k] for k in order),
                    meta.strings("instructions"))


def _plan(folder: Path) -> PlanSpec:
    root = _read(folder, "plan.toml")
    sections = []
    for n in root.tables("sections", True):
        kind = n.get("kind", str, "text", check=lambda v: v in ("text", "tasks", "indicators", "schedule"), why="未知类型")
        sections.append(PlanSection(n.text("key"), n.text("title"), kind, n.get("min_chars", int, 0), n.get("max_chars", int, None)))
    return PlanSpec(root.table("plan").text("title"), tuple(sections))


SEVERITIES = ("error", "warning", "info")


def _findings(root: _Node) -> FindingPolicy:
    """The call's ``[findings]`` table: severity per code and the citation per code."""
    n = root.table("findings", required=False)
    sev, cite = n.table("severity", required=False), n.table("cite", required=False)
    for key in sev.data:
        sev.get(key, str, check=lambda v: v in SEVERITIES, why=f"应为 {'、'.join(SEVERITIES)} 之一")
    for key in cite.data:
        cite.text(key)
    return FindingPolicy(dict(sev.data), dict(cite.data))


def _nature_prefixes(c: _Node, natures: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    n = c.table("nature_code_prefixes", required=False)
    unknown = [k for k in n.data if k not in natures]
    if unknown:
        raise n.fail(unknown[0], "不是 unit_natures 中的单位性质")
    return {k: n.strings(k) for k in n.data}


def load_call_folder(folder: Path) -> Call:
    """Load and validate every file of a call's data folder. Raises `CallDataError`."""
    root = _read(folder, "call.toml")
    c = root.table("call")
    r = root.table("rules")
    categories = {n.text("id"): n.text("name") for n in root.tables("categories", True)}
    raw_ids = {d.get("id") for d in root.data.get("directions", []) if isinstance(d, dict)}
    unit_root = _read(folder, "unit.toml")
    unit_section = _section(_Node({**unit_root.data.get("section", {}), "fields": unit_root.data.get("fields", [])},
                                  "unit.toml", ""))
    common = _read(folder, "common-sections.toml")
    shared = {"unit": unit_section, **{s.key: s for s in (_section(t) for t in common.tables("sections", True))}}
    forms = {}
    for path in sorted(folder.glob("form-*.toml")):  # every form the call defines, whatever its id
        spec = _form(folder, path.name, shared, raw_ids)
        forms[spec.id] = spec
    if not forms:
        raise CallDataError("form-*.toml", "", "至少需要一个申报书文件（如 form-a2.toml）")
    for i, raw in enumerate(root.data.get("directions", [])):
        form = raw.get("form") if isinstance(raw, dict) else None
        if isinstance(form, str) and form not in forms:
            raise CallDataError("call.toml", f"directions[{i}].form", f"申报书“{form}”不存在（缺少 form-{form}.toml）")
    directions = tuple(_direction(n, categories, {k: f.label for k, f in forms.items()})
                       for n in root.tables("directions", True))
    ids = [d.id for d in directions]
    if len(set(ids)) != len(ids):
        raise CallDataError("call.toml", "directions", "支持方向 id 重复")
    try:
        deadline = datetime.fromisoformat(c.text("deadline"))
    except ValueError:
        raise c.fail("deadline", "应为 ISO 8601 时间，如 2025-05-31T17:00:00+08:00") from None
    if deadline.tzinfo is None:
        raise c.fail("deadline", "须带时区，如 +08:00")
    rules = Rules(
        r.get("min_registration_months", int), r.get("max_projects_per_unit", int),
        r.num("max_request_ratio_of_capital"), r.get("bad_project_lookback_years", int),
        {k[len("source_"):]: v for k, v in r.data.items() if k.startswith("source_") and isinstance(v, str)},
    )
    for d in directions:
        if d.form not in forms or d.id not in forms[d.form].for_directions:
            raise CallDataError(f"form-{d.form}.toml", "form.for_directions", f"未包含支持方向 {d.id}")
    sub = root.table("submission")
    sub.text("address")
    sub.text("address_name")
    return Call(
        id=c.text("id"), year=c.get("year", int), title=c.text("title"), short_title=c.text("short_title"),
        issuer=c.text("issuer"), guide_title=c.text("guide_title"), deadline=deadline,
        reference_month=c.get("reference_month", str, check=lambda v: bool(MONTH_RE.match(v)), why="应为 YYYY-MM"),
        submit_email=c.get("submit_email", str, check=lambda v: "@" in v, why="不是电子邮箱"),
        districts=c.strings("districts"), unit_natures=c.strings("unit_natures"), rules=rules, submission=sub.data,
        questions=tuple(_question(q) for q in root.tables("questions", True)),
        categories=tuple(categories.items()),
        attachment_categories=tuple(AttachmentCategory(n.text("id"), n.text("name"), n.get("hint", str, ""))
                                    for n in root.tables("attachment_categories", True)),
        directions=directions, forms=forms, plan=_plan(folder), findings=_findings(root),
        region_code_prefix=c.get("region_code_prefix", str, "", check=lambda v: v.isdigit() and len(v) <= 6,
                                 why="应为1—6位数字（统一社会信用代码第3—8位的开头）"),
        region_name=c.get("region_name", str, ""),
        nature_code_prefixes=_nature_prefixes(c, c.strings("unit_natures")),
        version=c.get("version", int, 1, check=lambda v: v >= 1, why="应为正整数"),
        sample=root.table("sample", required=False).data,
    )


def load_call(call_id: str | None = None) -> Call:
    """Load a built-in or installed call by id; without an id, the default call (newest open, else newest)."""
    from zscq_desktop.call.registry import call_folder, default_call_id

    return _load_cached(call_folder(call_id or default_call_id()))


@cache
def _load_cached(folder: Path) -> Call:
    from zscq_desktop.call import summary

    stamp = summary.folder_stamp(folder)  # of the files as they are before reading them
    call = load_call_folder(folder)
    summary.remember(folder, stamp, call)  # the next start shows its start page from this
    return call


load_call.cache_clear = _load_cached.cache_clear  # type: ignore[attr-defined]  # after installing a call
