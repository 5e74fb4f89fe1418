"""A complete, valid example submission for any direction, so a newcomer can export at once.

The text is plainly marked as an example (示例); the numbers are chosen from the call data so the
sample passes every rule of its direction whatever next year's figures are.
"""

from __future__ import annotations

import io
import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from zscq_desktop.call.model import Call, Direction
from zscq_desktop.core.submission import Attachment, Submission
from zscq_desktop.core.validators import credit_code_check_char

#: a made-up number (the 555-01xx pattern of fiction), never the agency's consultation line
SAMPLE_PHONE = "022-55550123"


def sample_unit(call: Call | None = None) -> dict[str, str]:
    """The example unit's name, region, district, address and bank: from the call's `[sample]` table,
    else neutral values, so the sample fits whichever region's call it is made for."""
    s = call.sample if call is not None else {}
    region = str(s.get("region", ""))
    return {
        "name": str(s.get("unit_name") or f"{region}示例科技有限公司"), "region": region,
        "district": str(s.get("district") or (call.districts[0] if call is not None and call.districts else "")),
        "address": str(s.get("address") or f"{region}示例路88号"), "bank": str(s.get("bank") or "中国银行示例支行"),
    }


def sample_credit_code(seed: str = "91120116MA05") -> str:
    """A checksum-valid 统一社会信用代码 for examples (not a real unit's)."""
    body = (seed + "XK3P7Q")[:17]
    return body + credit_code_check_char(body)


def _months(start: str, count: int) -> list[tuple[str, str]]:
    """Split `count` months from `start` (YYYY-MM) into up to four consecutive phases."""
    y, m = map(int, start.split("-"))
    phases = min(4, count)
    sizes = [count // phases + (1 if i < count % phases else 0) for i in range(phases)]
    out, cur = [], y * 12 + m - 1
    for n in sizes:
        a, b = cur, cur + n - 1
        out.append((f"{a // 12}-{a % 12 + 1:02d}", f"{b // 12}-{b % 12 + 1:02d}"))
        cur += n
    return out


def _topic(text: str) -> str:
    """The first clause of ``text`` (never cut inside a word), without a dangling 、 or （."""
    clause = re.split(r"[，。；：,;:]", text.strip(), maxsplit=1)[0]
    if clause.count("（") > clause.count("）"):  # never cut inside a parenthesis
        clause = clause[:clause.rindex("（")]
    return clause.rstrip("、，；：。,;:.（( ")


def _para(topic: str, n: int = 3, region: str = "") -> str:
    topic = _topic(topic)  # a task's text ends with a full stop; the sentence goes on
    base = (f"（示例）本单位围绕{topic}，结合{region}知识产权强市建设要求和本单位实际，"
            "明确责任部门和人员，细化工作计划，建立定期调度和检查机制，确保各项任务按期保质完成。")
    return "\n".join(base for _ in range(n))


def build_sample(call: Call, direction_id: str) -> Submission:
    """A complete submission for `direction_id` that passes every rule (attachments not included)."""
    d: Direction = call.direction(direction_id)
    form = call.forms[d.form]
    sub = Submission(call=call.id, direction=d.id)
    unit = sample_unit(call)

    def para(topic: str, n: int = 3) -> str:
        return _para(topic, n, unit["region"])

    sub.eligibility = {q.key: (q.expect if q.kind == "required" else False) for q in (*call.questions, *d.questions)}
    sub.eligibility["other_projects"] = 0
    nature = "企业"  # the sample unit is a company (有限公司, code 91…): name, code and nature agree
    sub.unit = {
        "name": unit["name"], "credit_code": sample_credit_code(), "registered_on": "2015-03-18",
        "registered_capital_wan": 1000, "nature": nature, "district": unit["district"],
        "address": unit["address"], "postcode": "300000", "legal_rep": "王示例", "staff": 120,
        "rd_staff": 45, "revenue_wan": 8600, "bank": unit["bank"], "account": "1234 5678 9012 3456",
        "honours": ["高新技术企业"] if nature == "企业" else [],
    }
    if d.period_start and d.period_end:
        p_start, p_end = d.period_start, d.period_end
    else:
        months = d.period_months or 12
        end = call.year * 12 + 6 - 1 + months - 1  # from June of the call year
        p_start, p_end = f"{call.year}-06", f"{end // 12}-{end % 12 + 1:02d}"
    y1, m1 = map(int, p_start.split("-"))
    y2, m2 = map(int, p_end.split("-"))
    span = (y2 - y1) * 12 + m2 - m1 + 1
    cap = Decimal(str(d.cap_wan))
    requested = cap
    ratio = Decimal(str(d.self_funding_ratio or 0))
    own = max(requested * ratio, Decimal("2"))
    half = (requested / 2).quantize(Decimal("0.01"))
    sub.form = {
        "cover": {
            "project_name": f"{d.name}项目（示例）", "leader": "李示例", "leader_title": "副总经理/高级工程师",
            "contact_name": "赵示例", "contact_phone": SAMPLE_PHONE, "contact_email": "ip@example.com",
            "apply_date": call.deadline.date().replace(day=20).isoformat(),
        },
        "content": {
            "period_start": p_start, "period_end": p_end, "goals": para(f"{d.name}的项目目标", 2),
            "summary": "\n".join(f"{i + 1}. {t.text}" for i, t in enumerate(d.tasks)),
            "benefits": para("项目的经济效益和社会效益", 2),
        },
        "team": {"members": [
            {"name": "李示例", "title": "副总经理/高级工程师", "education": "硕士/机械工程", "role": "项目负责人，统筹实施"},
            {"name": "赵示例", "title": "知识产权主管", "education": "本科/法学", "role": "知识产权管理与联络"},
            {"name": "钱示例", "title": "研发工程师", "education": "博士/材料科学", "role": "技术分析与专利挖掘"},
        ]},
        "budget": {
            "requested_wan": float(requested), "self_raised_wan": float(own), "total_wan": float(requested + own),
            "expenses": [
                {"item": "专利申请与维护费", "funded_wan": float(half), "self_wan": float(own / 2), "note": "按年度申请计划测算"},
                {"item": "培训与咨询服务费", "funded_wan": float(requested - half), "self_wan": float(own - own / 2),
                 "note": "按培训期数和服务合同测算"},
            ],
        },
        "commitment": {"signer": "王示例"},
    }
    section_keys = {s.key for s in form.sections}
    if "ip_base" in section_keys:
        grants = max(d.min_grants_2022 or 0, 5) + 3
        sub.form["ip_base"] = {
            "yearly": [
                {"invention_apply": 12, "invention_grant": 3, "utility": 8, "design": 1, "pct": 1, "valid_invention": 15, "trademark": 6, "software": 4},
                {"invention_apply": 15, "invention_grant": 4, "utility": 9, "design": 2, "pct": 1, "valid_invention": 19, "trademark": 7, "software": 5},
                {"invention_apply": 18, "invention_grant": 3, "utility": grants - 4, "design": 1, "pct": 2, "valid_invention": 22, "trademark": 8, "software": 6},
            ],
            "grants_2022": grants, "ip_department": "知识产权部", "ip_staff": 3, "ip_budget_wan": 50,
            "ip_rules": para("知识产权管理制度建设", 1) + "已做到有部门、有人员、有制度、有经费、有规范。",
            "core_products": para("核心产品和核心技术", 1),
        }
        if d.industries:
            sub.form["ip_base"].update({
                "target_industry": d.industries[0], "analysis_qualification": para("知识产权信息分析资质", 1),
                "data_sources": para("知识产权数据源", 1), "earlier_navigation": "",
            })
    if "work_base" in section_keys:
        sub.form["work_base"] = {
            "experience": para(f"{d.name}相关工作经验", 2), "team_intro": para("承担任务的团队和机构", 1),
            "fulltime_staff": max(d.min_fulltime_staff or 0, 6),
            "cases": [{"year": call.year - 1, "name": "知识产权服务示例项目", "outcome": "按期通过验收"}],
        }
    sub.plan = {
        "sections": {s.key: para(s.title, max(2, math.ceil(s.min_chars / 60))) for s in call.plan.sections if s.kind == "text"},
        "tasks": [para(_topic(t.text), 1) for t in d.tasks],
        "indicators": indicator_rows(d),
        "schedule": [{"start": a, "end": b, "content": f"（示例）第{i + 1}阶段：推进任务并开展阶段检查。"}
                     for i, (a, b) in enumerate(_months(p_start, span))],
    }
    from zscq_desktop.core.sample_fill import fill_required

    fill_required(call, sub)  # fields a newer call added that the text above does not know
    sub.touch()
    return sub


def indicator_rows(d: Direction) -> list[dict[str, Any]]:
    """The plan's indicator table pre-filled with the direction's tasks and their minimums."""
    rows = []
    for task, ind in d.indicators:
        target = ind.min if ind.min is not None else ind.max
        rows.append({"key": ind.key, "task": task + 1, "name": ind.name, "unit": ind.unit, "min": ind.min,
                     "max": ind.max, "target": target, "note": ""})
    return rows


def example_attachments(call: Call | None = None) -> list[tuple[str, str, str, bytes]]:
    """(category, title, file name, bytes) of generated example supporting files: a PDF and a PNG."""
    unit = sample_unit(call)
    return [
        ("qualification", "营业执照副本（示例）", "营业执照-示例.pdf", _example_pdf(unit)),
        ("cases", "知识产权服务证书（示例）", "证书-示例.png", _example_png(unit)),
    ]


def _example_pdf(unit: dict[str, str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from zscq_desktop.render.fonts import register_fonts

    fonts = register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, initialFontName=fonts.body)  # no unembedded Helvetica
    w, h = A4
    c.setLineWidth(3)
    c.rect(60, 120, w - 120, h - 240)
    c.setFont(fonts.heading, 30)
    c.drawCentredString(w / 2, h - 200, "营 业 执 照（示例）")
    c.setFont(fonts.body, 13)
    for i, line in enumerate([f"名称：{unit['name']}", f"统一社会信用代码：{sample_credit_code()}",
                              "类型：有限责任公司", f"住所：{unit['address']}", "注册资本：壹仟万元整",
                              "成立日期：2015年3月18日", "本文件为申报助手生成的示例，不具任何效力。"]):
        c.drawString(100, h - 280 - i * 32, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def _example_png(unit: dict[str, str]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    from zscq_desktop.resources import resource_path
    from zscq_desktop.render.fonts import BODY_FILE

    img = Image.new("RGB", (1240, 877), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((30, 30, 1210, 847), outline=(160, 20, 20), width=12)
    font_big = ImageFont.truetype(str(resource_path("fonts", BODY_FILE)), 64)
    font = ImageFont.truetype(str(resource_path("fonts", BODY_FILE)), 34)
    draw.text((620, 200), "荣 誉 证 书（示例）", fill=(160, 20, 20), font=font_big, anchor="mm")
    draw.text((620, 400), f"{unit['name']}：", fill="black", font=font, anchor="mm")
    draw.text((620, 470), "在知识产权服务工作中表现突出，特发此证。", fill="black", font=font, anchor="mm")
    draw.text((620, 700), "本图片为申报助手生成的示例", fill=(90, 90, 90), font=font, anchor="mm")
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def write_sample(call: Call, direction_id: str, out: Path) -> Submission:
    """Write the sample as JSON at `out`, with its attachments in a folder beside it."""
    import hashlib
    import json

    sub = build_sample(call, direction_id)
    folder = out.parent / f"{out.stem}-附件"
    folder.mkdir(parents=True, exist_ok=True)
    for category, title, name, data in example_attachments(call):
        (folder / name).write_bytes(data)
        sub.attachments.append(Attachment(category=category, title=title, source_name=name,
                                          sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                                          path=f"{folder.name}/{name}"))
    out.write_text(json.dumps(sub.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return sub
