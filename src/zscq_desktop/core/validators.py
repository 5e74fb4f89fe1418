"""Format checks for single values: 统一社会信用代码 (GB 32100-2015), phone, e-mail, dates, amounts.

Each checker returns None when the value is fine, or a short Chinese reason.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

# GB 32100-2015: 18 characters from this 31-character alphabet (no I, O, Z, S, V).
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?)$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
POSTCODE_RE = re.compile(r"^\d{6}$")
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

# Full-width ASCII (U+FF01..FF5E) → ASCII, the ideographic space → space, and the dashes users type
# for a hyphen (－ — – ‐ ‒ −) → '-'. Only for codes, numbers, dates, phones and e-mail: prose keeps its
# full-width punctuation, so this is never applied to free text.
_ASCII_MAP = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_ASCII_MAP.update({0x3000: 0x20, 0x2014: 0x2D, 0x2013: 0x2D, 0x2010: 0x2D, 0x2012: 0x2D, 0x2212: 0x2D})


def normalize_ascii(value: Any) -> str:
    """A typed code/number/date as plain ASCII: '９１１２０' → '91120', '２０２３－０５' → '2023-05'.

    The one normaliser every checker, GUI widget and importer uses before parsing, so that a value typed
    with a Chinese IME in full-width mode is read the same everywhere (and `\\d` is never needed: patterns
    use [0-9] on the normalised text).
    """
    return str(value if value is not None else "").translate(_ASCII_MAP).strip()


def credit_code_check_char(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a credit code."""
    total = sum(CREDIT_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: str) -> str | None:
    code = value.strip().upper()
    if len(code) != 18:
        return f"统一社会信用代码应为18位，当前为{len(code)}位。"
    if not CREDIT_RE.match(code):
        return "统一社会信用代码含有不允许的字符（只允许数字和除 I、O、Z、S、V 以外的大写字母，第3—8位为数字）。"
    if credit_code_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确，请对照营业执照逐位核对。"
    return None


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value.strip()).replace("—", "-").replace("－", "-")


def check_phone(value: str) -> str | None:
    if not PHONE_RE.match(normalize_phone(value)):
        return "电话号码格式不正确，应为11位手机号或“区号-号码”（如 022-23039856）。"
    return None


def check_email(value: str) -> str | None:
    if not EMAIL_RE.match(value.strip()):
        return "电子邮箱格式不正确，例如 name@example.com。"
    return None


def check_postcode(value: str) -> str | None:
    return None if POSTCODE_RE.match(value.strip()) else "邮政编码应为6位数字。"


def parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def check_date(value: Any) -> str | None:
    return None if parse_date(value) else "日期格式不正确，应为 年-月-日（如 2021-03-15）。"


def parse_month(value: Any) -> tuple[int, int] | None:
    m = MONTH_RE.match(str(value).strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


_LOOSE_DATE_RE = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")
_COMPACT_DATE_RE = re.compile(r"^([0-9]{4})([0-9]{2})([0-9]{2})$")
_LOOSE_MONTH_RE = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*月?$")
_COMPACT_MONTH_RE = re.compile(r"^([0-9]{4})([0-9]{2})$")


def parse_date_loose(value: Any) -> date | None:
    """A date as users type it: 2023-05-20, 2023/5/20, 2023.5.20, 2023年5月20日, 20230520 (full-width too).

    For input widgets and importers only; stored values stay canonical `YYYY-MM-DD` and the JSON loader
    stays strict (:func:`parse_date`).
    """
    if isinstance(value, date):
        return value
    text = normalize_ascii(value)
    m = _LOOSE_DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_month_loose(value: Any) -> tuple[int, int] | None:
    """A month as users type it: 2023-06, 2023/6, 2023.6, 2023年6月, 202306 (full-width too)."""
    text = normalize_ascii(value)
    m = _LOOSE_MONTH_RE.match(text) or _COMPACT_MONTH_RE.match(text)
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    return (year, month) if 1 <= month <= 12 else None


def canonical_date(value: Any) -> str | None:
    """A loosely typed date as the stored `YYYY-MM-DD`, or None when it is not a date."""
    d = parse_date_loose(value)
    return d.isoformat() if d else None


def canonical_month(value: Any) -> str | None:
    """A loosely typed month as the stored `YYYY-MM`, or None when it is not a month."""
    ym = parse_month_loose(value)
    return f"{ym[0]:04d}-{ym[1]:02d}" if ym else None


def check_month(value: Any) -> str | None:
    return None if parse_month(value) else "年月格式不正确，应为 年-月（如 2023-01）。"


def to_decimal(value: Any) -> Decimal | None:
    """An amount as Decimal; None when empty or not a number. Floats go through str() to stay exact."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def check_amount(value: Any) -> str | None:
    d = to_decimal(value)
    if d is None:
        return "金额应为数字（单位：万元）。"
    if d.as_tuple().exponent < -4:  # type: ignore[operator]
        return "金额最多保留4位小数（万元）。"
    return None


def check_int(value: Any) -> str | None:
    if isinstance(value, bool):
        return "应为整数。"
    if isinstance(value, int):
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return None
    if isinstance(value, float) and value.is_integer():
        return None
    return "应为整数。"


def months_between(start: tuple[int, int], end: tuple[int, int]) -> int:
    """Whole months from `start` to `end` (year, month) — negative if `end` is earlier."""
    return (end[0] - start[0]) * 12 + (end[1] - start[1])


def amount_total(values: Any) -> Decimal:
    """The exact (Decimal) sum of amounts; empty or non-numeric entries count as 0.

    The one totals function: the on-screen table totals, the printed 合计 rows and the budget rules
    all add amounts with it, so screen, paper and findings agree to the last digit.
    """
    return sum((to_decimal(v) or Decimal(0) for v in values), Decimal(0))


def column_total(rows: Any, key: str) -> Decimal:
    """The total of column `key` over table rows (dicts); rows that are not dicts are skipped."""
    return amount_total(r.get(key) for r in (rows or []) if isinstance(r, dict))


def format_wan(value: Any) -> str:
    """An amount in 万元 printed with two decimals, e.g. '10.00万元'."""
    d = to_decimal(value)
    return "无" if d is None else f"{d:,.2f}万元"


CN_DIGITS = "〇一二三四五六七八九"


def chinese_year(year: int) -> str:
    """2023 → 二〇二三 (as printed at the foot of a form's cover)."""
    return "".join(CN_DIGITS[int(c)] for c in str(year))


def chinese_count(n: int) -> str:
    """3 → 三, 10 → 十, 12 → 十二, 20 → 二十 (counts as written in prose: 一式三份); ≥ 100 stays in digits."""
    if not 0 <= n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones] if n else "零"
    return (CN_DIGITS[tens] if tens > 1 else "") + "十" + (CN_DIGITS[ones] if ones else "")


def chinese_date(value: Any) -> str:
    """'2023-05-20' → '2023年5月20日'; an unparsable value is returned as given."""
    d = parse_date(value)
    return f"{d.year}年{d.month}月{d.day}日" if d else str(value or "")


def chinese_month(value: Any) -> str:
    ym = parse_month(value)
    return f"{ym[0]}年{ym[1]}月" if ym else str(value or "")
