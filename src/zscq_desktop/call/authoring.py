"""`zscq-desktop call new NEW_ID --from OLD --out DIR`: next year's call folder, started from last year's.

The copy keeps every comment and the layout of the source files (it is a text rewrite, not a TOML
round-trip), moves every "YYYY年" and every YYYY-MM month forward by the difference of years, sets the
new id, year and deadline, and marks each fact that changes from year to year with a `# 【每年核对】`
comment, so the author knows which lines to compare with the new guide.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

YEARLY = "# 【每年核对】"
# key → what to compare with the new guide (the comment written above the key's line)
_CHECK = {
    "deadline": "申报截止时间（指南“申报时间”一节），ISO 格式，带 +08:00",
    "reference_month": "注册时间等条件的截止年月（如“截至某年6月”）",
    "submit_email": "电子版发送邮箱：务必与新指南逐字核对",
    "address": "纸质材料受理地址：务必与新指南逐字核对",
    "address_name": "受理单位名称",
    "contacts": "受理咨询电话",
    "process_contact": "流程咨询电话",
    "cap_wan": "资助上限（万元）",
    "max_funded": "资助数量（项）",
    "self_funding_ratio": "自筹资金配套比例",
    "period_start": "实施周期开始年月",
    "period_end": "实施周期结束年月",
    "period_months": "实施周期（月）",
    "contact": "本方向联系人和电话",
    "conditions": "申报条件",
    "min_registration_months": "注册时间不少于几个月",
    "max_projects_per_unit": "同一单位最多申报几项",
    "max_request_ratio_of_capital": "申请资金占注册资金的上限",
}
_YEAR_TEXT = re.compile(r"(?<![0-9])((?:19|20)[0-9][0-9])(?=年)")
_MONTH = re.compile(r"(?<![0-9-])((?:19|20)[0-9][0-9])-(0[1-9]|1[0-2])(?![0-9])")
_KEY_LINE = re.compile(r"^(\s*)([A-Za-z0-9_]+)\s*=\s*(.*)$")


class AuthoringError(ValueError):
    """The new call cannot be written (bad id, output folder not empty …)."""


def year_of(call_id: str) -> int | None:
    m = re.search(r"(?<![0-9])((?:19|20)[0-9][0-9])(?![0-9])", call_id)
    return int(m.group(1)) if m else None


def _shift_text(line: str, delta: int) -> str:
    """Every 'YYYY年' and 'YYYY-MM' of a line moved forward by `delta` years (comments left alone)."""
    code, hash_, comment = _split_comment(line)
    code = _YEAR_TEXT.sub(lambda m: str(int(m.group(1)) + delta), code)
    code = _MONTH.sub(lambda m: f"{int(m.group(1)) + delta}-{m.group(2)}", code)
    return code + hash_ + comment


def _split_comment(line: str) -> tuple[str, str, str]:
    """(code, '#', comment) of a TOML line, ignoring '#' inside strings."""
    in_str = False
    for i, ch in enumerate(line):
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            in_str = not in_str
        elif ch == "#" and not in_str:
            return line[:i], "#", line[i + 1:]
    return line, "", ""


def _rewrite_call_toml(text: str, new_id: str, old_year: int, new_year: int) -> str:
    delta = new_year - old_year
    out: list[str] = [
        f"# 本文件由 `zscq-desktop call new {new_id}` 从 {old_year} 年的数据生成：所有“某年”和“年-月”已顺延 {delta} 年，",
        f"# 标有“{YEARLY.strip('# ')}”的行须逐条对照新一年的申报指南修改；改完运行 `zscq-desktop call check <文件夹>`。",
    ]
    table = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped.strip("[]").strip()
            out.append(line)
            continue
        m = _KEY_LINE.match(line)
        if not m or stripped.startswith("#"):
            out.append(_shift_text(line, delta) if not stripped.startswith("#") else line)
            continue
        indent, key, value = m.groups()
        if table == "call" and key == "id":
            out.append(f'{indent}id = "{new_id}"')
            out.append(f"{indent}version = 1  # 同一年度数据更正后重新发布时加 1")
            continue
        if table == "call" and key == "version":
            continue  # a new call starts at version 1 (written after the id)
        if table == "call" and key == "year":
            out.append(f"{indent}year = {new_year}")
            continue
        if table == "call" and key in ("title", "short_title", "guide_title"):
            out.append(line.replace(str(old_year), str(new_year)))  # "2023天津…" has no 年 to shift
            continue
        if key in _CHECK:
            out.append(f"{indent}{YEARLY}{_CHECK[key]}")
        out.append(_shift_text(line, delta))
    return "\n".join(out) + "\n"


def new_call(source: Path, new_id: str, out: Path, year: int | None = None) -> Path:
    """Write a copy of the call folder `source` as call `new_id` into `out` (must not exist or be empty)."""
    from zscq_desktop.call.loader import CallDataError, load_call_folder
    from zscq_desktop.call.validate import CALL_ID_RE

    if not CALL_ID_RE.match(new_id):
        raise AuthoringError(f"新的申报年度 id “{new_id}” 不合法：应为小写字母、数字和连字符，如 tj-2025")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise AuthoringError(f"输出文件夹已存在且不为空：{out}")
    try:
        old = load_call_folder(source)
    except CallDataError as exc:
        raise AuthoringError(f"来源数据有误：{exc}") from None
    new_year = year or year_of(new_id) or old.year + 1
    if old.id == new_id:
        raise AuthoringError("新 id 须与来源不同")
    delta = new_year - old.year
    out.mkdir(parents=True, exist_ok=True)
    for f in sorted(source.glob("*.toml")):
        text = f.read_text(encoding="utf-8")
        if f.name == "call.toml":
            text = _rewrite_call_toml(text, new_id, old.year, new_year)
        else:
            text = "\n".join(_shift_text(line, delta) for line in text.splitlines()) + "\n"
        (out / f.name).write_text(text, encoding="utf-8")
    for f in sorted(source.iterdir()):  # other data files (a README for users, images) are copied as they are
        if f.is_file() and f.suffix != ".toml" and f.name != "manifest.json":
            shutil.copy2(f, out / f.name)
    return out
