"""What changed between two calls (`zscq-desktop call diff A B` and the 年度对比 dialog).

Each difference is one row: where (区域), what (项目), before and after, in plain Chinese, so an
applicant who knows last year's call sees at a glance what to do differently this year.
"""

from __future__ import annotations

from dataclasses import dataclass

from zscq_desktop.call.model import Call, Direction


@dataclass(frozen=True)
class Change:
    area: str  # "申报年度" | "受理" | a direction's name | a form's label
    item: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"[{self.area}] {self.item}：{self.old or '（无）'} → {self.new or '（无）'}"


def _fmt(v: object) -> str:
    if v is None or v == "" or v == ():
        return ""
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (tuple, list)):
        return "；".join(map(str, v))
    return str(v)


def _cmp(out: list[Change], area: str, item: str, old: object, new: object) -> None:
    if _fmt(old) != _fmt(new):
        out.append(Change(area, item, _fmt(old), _fmt(new)))


def _direction_changes(out: list[Change], a: Direction, b: Direction) -> None:
    area = b.name
    _cmp(out, area, "名称", a.name, b.name)
    _cmp(out, area, "资助上限", a.cap_text(), b.cap_text())
    _cmp(out, area, "资助数量（项）", a.max_funded, b.max_funded)
    _cmp(out, area, "配套要求", a.matching_text(), b.matching_text())
    _cmp(out, area, "实施周期", a.period_text(), b.period_text())
    _cmp(out, area, "申报书", a.form_label, b.form_label)
    _cmp(out, area, "区级审核", "须区审核" if a.district_review else "直接寄送", "须区审核" if b.district_review else "直接寄送")
    _cmp(out, area, "联系人", f"{a.contact.name} {a.contact.phone}", f"{b.contact.name} {b.contact.phone}")
    old_c, new_c = set(a.conditions), set(b.conditions)
    for c in a.conditions:
        if c not in new_c:
            out.append(Change(area, "申报条件（删除）", c, ""))
    for c in b.conditions:
        if c not in old_c:
            out.append(Change(area, "申报条件（新增）", "", c))
    old_i = {i.key: i for _t, i in a.indicators}
    new_i = {i.key: i for _t, i in b.indicators}
    for key in sorted(old_i.keys() | new_i.keys()):
        oi, ni = old_i.get(key), new_i.get(key)
        name = (ni or oi).name  # type: ignore[union-attr]
        bound = lambda i: "" if i is None else "；".join(  # noqa: E731
            x for x in (f"≥{i.min:g}{i.unit}" if i.min is not None else "", f"≤{i.max:g}{i.unit}" if i.max is not None else "") if x)
        _cmp(out, area, f"考核指标“{name}”", bound(oi), bound(ni))


def diff_calls(a: Call, b: Call) -> list[Change]:
    """Every difference from call `a` (older) to call `b` (newer) that matters to an applicant."""
    out: list[Change] = []
    g = "申报年度"
    _cmp(out, g, "名称", a.title, b.title)
    _cmp(out, g, "发布单位", a.issuer, b.issuer)
    _cmp(out, g, "截止时间", f"{a.deadline:%Y-%m-%d %H:%M}", f"{b.deadline:%Y-%m-%d %H:%M}")
    _cmp(out, g, "注册时间截止年月", a.reference_month, b.reference_month)
    _cmp(out, g, "注册时间不少于（月）", a.rules.min_registration_months, b.rules.min_registration_months)
    _cmp(out, g, "每单位最多申报（项）", a.rules.max_projects_per_unit, b.rules.max_projects_per_unit)
    _cmp(out, g, "申请资金占注册资金上限", a.rules.max_request_ratio_of_capital, b.rules.max_request_ratio_of_capital)
    levels = {"error": "错误（阻止导出）", "warning": "提醒", "info": "说明"}
    sev_a, sev_b = a.findings.severity, b.findings.severity
    for code in sorted(sev_a.keys() | sev_b.keys()):
        _cmp(out, "检查级别", code, levels.get(sev_a.get(code, ""), "默认"), levels.get(sev_b.get(code, ""), "默认"))
    s = "受理"
    _cmp(out, s, "电子版邮箱", a.submit_email, b.submit_email)
    _cmp(out, s, "受理地址", a.submission.get("address"), b.submission.get("address"))
    _cmp(out, s, "受理单位", a.submission.get("address_name"), b.submission.get("address_name"))
    people = lambda c: [f"{p.get('name', '')} {p.get('phone', '')}" for p in c.submission.get("contacts", []) if isinstance(p, dict)]  # noqa: E731
    _cmp(out, s, "咨询电话", people(a), people(b))
    old_d = {d.id: d for d in a.directions}
    new_d = {d.id: d for d in b.directions}
    for d in a.directions:
        if d.id not in new_d:
            out.append(Change("支持方向", "删除", f"{d.name}（{d.id}）", ""))
    for d in b.directions:
        if d.id not in old_d:
            out.append(Change("支持方向", "新增", "", f"{d.name}（{d.id}）：{d.cap_text()}，资助{d.max_funded}项"))
    for d in b.directions:
        if d.id in old_d:
            _direction_changes(out, old_d[d.id], d)
    # forms are matched by the label users know (附件3), not by the file's id, which an author may rename
    by_label_a = {f.label: f for f in a.forms.values()}
    by_label_b = {f.label: f for f in b.forms.values()}
    for label in sorted(by_label_a.keys() | by_label_b.keys()):
        fa, fb = by_label_a.get(label), by_label_b.get(label)
        if fa is None or fb is None:
            out.append(Change("申报书", (fb or fa).label, "" if fa is None else "有", "" if fb is None else "有"))  # type: ignore[union-attr]
            continue
        old_f = {(s.title, f.key): f for s in fa.sections for f in s.fields}
        new_f = {(s.title, f.key): f for s in fb.sections for f in s.fields}
        for key in old_f.keys() - new_f.keys():
            out.append(Change(fb.label, f"{key[0]}：删除字段", old_f[key].label, ""))
        for key in new_f.keys() - old_f.keys():
            out.append(Change(fb.label, f"{key[0]}：新增字段", "", new_f[key].label + ("（必填）" if new_f[key].required else "")))
        for key in sorted(old_f.keys() & new_f.keys()):
            fo, fn = old_f[key], new_f[key]
            _cmp(out, fb.label, f"{key[0]}：{fn.label}", _field_text(fo), _field_text(fn))
    return out


TYPE_NAMES = {"text": "单行文字", "textarea": "多行文字", "int": "整数", "amount": "金额", "date": "日期", "month": "年月",
              "choice": "单选", "multichoice": "多选", "credit_code": "统一社会信用代码", "phone": "电话",
              "email": "电子邮箱", "postcode": "邮政编码", "bool": "是/否", "table": "表格"}


def _field_text(f) -> str:
    parts = [f.label, TYPE_NAMES.get(f.type, f.type), "必填" if f.required else "选填"]
    if f.max_chars:
        parts.append(f"≤{f.max_chars}字")
    if f.choices:
        parts.append("/".join(f.choices))
    return "，".join(parts)
