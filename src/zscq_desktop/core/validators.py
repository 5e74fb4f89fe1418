"""Format checks for single values: 统一社会信用代码 (GB 32100-2015), phone, e-mail, dates, amounts.

Each checker returns None when the value is fine, or a short Chinese reason.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation  # noqa: F401 (rounding modes re-exported)
from typing import Any

# GB 32100-2015: 18 characters from this 31-character alphabet (no I, O, Z, S, V).
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Codes are matched with [0-9], never \d: \d also matches full-width and other Unicode digits, which
# then crash the checksum (CREDIT_ALPHABET.index) or print as typed. Values are normalised first.
CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")

# One telephone number, after `normalize_phone` (spaces, brackets and dots removed): a mobile, a
# landline with or without area code (+86 22 … has no trunk 0), a 400/800 service number, each with
# an optional extension (转709, -709, ext 709).
_EXT = r"(?:(?:转|-|ext|x)[0-9]{1,6})?"
PHONE_RE = re.compile(
    r"^(?:(?:\+?86-?)?1[3-9][0-9]{9}"
    r"|(?:(?:\+?86-?)0?[1-9][0-9]{1,2}-?|0[1-9][0-9]{1,2}-?)?[2-9][0-9]{6,7}" + _EXT +
    r"|[48]00-?[0-9]{3}-?[0-9]{4}" + _EXT + r")$")
PHONE_SEPARATORS = re.compile(r"[、/,，;；]|或")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
POSTCODE_RE = re.compile(r"^[0-9]{6}$")
MONTH_RE = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")

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


def normalize_code(value: Any) -> str:
    """A typed 统一社会信用代码 as stored: ASCII, upper case, no spaces ('９１１２０ ...' → '91120...')."""
    return re.sub(r"\s+", "", normalize_ascii(value)).upper()


def check_credit_code(value: Any) -> str | None:
    code = normalize_code(value)
    if len(code) != 18:
        return f"统一社会信用代码应为18位，当前为{len(code)}位。"
    if not CREDIT_RE.match(code):
        return "统一社会信用代码含有不允许的字符（只允许数字和除 I、O、Z、S、V 以外的大写字母，第3—8位为数字）。"
    if credit_code_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确，请对照营业执照逐位核对。"
    return None


def normalize_phone(value: Any) -> str:
    """One phone number compacted for matching: ASCII, no spaces, brackets or dots, lower case."""
    return re.sub(r"[\s().]", "", normalize_ascii(value)).lower()


def _phone_tokens_ok(tokens: list[str]) -> bool:
    """Whether space-separated tokens form one or more numbers ('022 2351 9145 13812345678')."""
    if not tokens:
        return True
    return any(PHONE_RE.match(normalize_phone("".join(tokens[:i]))) and _phone_tokens_ok(tokens[i:])
               for i in range(len(tokens), 0, -1))


def check_phone(value: Any) -> str | None:
    """Phone numbers as users write them: '+86 22 2351 9145', '400-810-8888', '022-23519145转709',
    several numbers separated by 、 / ， ； or a space."""
    parts = [p.split() for p in PHONE_SEPARATORS.split(normalize_ascii(value))]
    if not any(parts) or not all(p and len(p) <= 12 and _phone_tokens_ok(p) for p in parts):
        return "电话号码格式不正确，应为手机号或“区号-号码”（如 022-55550123、022-55550123转709），多个号码用“、”分隔。"
    return None


def check_email(value: Any) -> str | None:
    if not EMAIL_RE.match(normalize_ascii(value)):
        return "电子邮箱格式不正确，例如 name@example.com。"
    return None


def check_postcode(value: Any) -> str | None:
    return None if POSTCODE_RE.match(normalize_ascii(value)) else "邮政编码应为6位数字。"


def parse_date(value: Any) -> date | None:
    """A stored `YYYY-MM-DD` date (strict; see `parse_date_loose` for typed input)."""
    if isinstance(value, date):
        return value
    text = normalize_ascii(value)  # '２０２３－０５－２０' reads as 2023-05-20; the shape stays strict
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def check_date(value: Any) -> str | None:
    return None if parse_date(value) else "日期格式不正确，应为 年-月-日（如 2021-03-15）。"


def parse_month(value: Any) -> tuple[int, int] | None:
    """A stored `YYYY-MM` month (strict shape; full-width digits read as ASCII)."""
    m = MONTH_RE.match(normalize_ascii(value))
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
    # the example is this year's January: no year is written into the code
    return None if parse_month(value) else f"年月格式不正确，应为 年-月（如 {date.today().year}-01）。"


def to_decimal(value: Any) -> Decimal | None:
    """An amount as Decimal; None when empty or not a number. Floats go through str() to stay exact."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    text = normalize_ascii(value).replace(",", "")
    if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", text):
        return None
    try:
        d = Decimal(text)
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


def to_int(value: Any) -> int | None:
    """A count as int ('１２' and 12.0 count too); None when empty, a yes/no or not a whole number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = normalize_ascii(value)
    return int(text) if re.fullmatch(r"-?[0-9]{1,15}", text) else None


def check_int(value: Any) -> str | None:
    return None if to_int(value) is not None else "应为整数。"


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


def format_amount(value: Any, rounding: str = ROUND_HALF_UP) -> str:
    """An amount with as many decimals as it has, at least 2 and at most 4: 10 → '10.00',
    10.0005 → '10.0005', 1000 → '1,000.00'. Beyond 4 decimals it is rounded with `rounding` (a
    maximum is printed rounded down, a minimum rounded up, so the printed figure still holds)."""
    d = to_decimal(value)
    if d is None:
        return ""
    places = min(4, max(2, -d.normalize().as_tuple().exponent))  # type: ignore[operator]
    return f"{d.quantize(Decimal(1).scaleb(-places), rounding=rounding):,.{places}f}"


def format_wan(value: Any, rounding: str = ROUND_HALF_UP) -> str:
    """An amount in 万元 as printed and quoted in messages: '10.00万元', '10.0005万元'; '无' if empty."""
    text = format_amount(value, rounding)
    return f"{text}万元" if text else "无"


def format_number(value: Any) -> str:
    """A count or ratio without trailing zeros: Decimal('50.0') → '50', 1.3 → '1.3'."""
    d = to_decimal(value)
    if d is None:
        return str(value)
    text = format(d.normalize(), "f")
    return text


def format_percent(ratio: Any) -> str:
    """A ratio as a percentage: 0.5 → '50%', 0.125 → '12.5%'."""
    d = to_decimal(ratio)
    return "" if d is None else f"{format_number(d * 100)}%"


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
