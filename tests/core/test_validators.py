"""Value formats: the GB 32100-2015 check character and friends."""

from __future__ import annotations

import pytest

from zscq_desktop.core import validators as v
from zscq_desktop.core.sample import sample_credit_code


@pytest.mark.parametrize("code", [
    "91350100M000100Y43",  # the standard's own worked example
    "911200007178944451",
    sample_credit_code(),
])
def test_valid_credit_codes(code: str) -> None:
    assert v.check_credit_code(code) is None


@pytest.mark.parametrize(("code", "reason"), [
    ("91350100M000100Y44", "校验位"),
    ("91350100M000100Y4", "18位"),
    ("91350100M0001OOY43", "不允许"),  # letter O is not in the alphabet
    ("9135A100M000100Y43", "不允许"),  # positions 3–8 are the region code: digits only
])
def test_invalid_credit_codes(code: str, reason: str) -> None:
    assert reason in (v.check_credit_code(code) or "")


def test_every_single_character_change_is_caught() -> None:
    good = "91350100M000100Y43"
    for i in range(17):
        for ch in v.CREDIT_ALPHABET:
            if ch != good[i]:
                bad = good[:i] + ch + good[i + 1:]
                assert v.check_credit_code(bad) is not None, bad


@pytest.mark.parametrize("phone", [
    "022-23039856", "13812345678", "23519145-709", "(022)23039856", "02223039856",
    # as users write them: with the country code, service numbers, extensions, two numbers, full-width
    "+86 22 2351 9145", "400-810-8888", "022-23519145转709", "022-23519145、13812345678",
    "022-23519145/13812345678", "022-23519145 13812345678", "０２２－２３５１９１４５", "+86 138 1234 5678",
    "022 2351 9145", "800 810 8888",
])
def test_phones(phone: str) -> None:
    assert v.check_phone(phone) is None


@pytest.mark.parametrize("phone", ["12345", "1381234567", "abc", "022-2303985612345",
                                   "022-23519145、", "022-23519145 123", "电话23519145", "+86"])
def test_bad_phones(phone: str) -> None:
    assert v.check_phone(phone) is not None


def test_email_postcode_dates_amounts() -> None:
    assert v.check_email("zscqsl@163.com") is None and v.check_email("a@b") is not None
    assert v.check_postcode("300000") is None and v.check_postcode("30000") is not None
    assert v.check_date("2023-02-28") is None and v.check_date("2023-02-30") is not None
    assert v.check_month("2023-09") is None and v.check_month("2023-9") is not None
    assert v.check_amount("10.5") is None and v.check_amount(10) is None and v.check_amount("十") is not None
    assert v.check_amount("1.00001") is not None
    assert v.to_decimal(0.1) + v.to_decimal(0.2) == v.to_decimal("0.3")


def test_chinese_forms() -> None:
    assert v.chinese_year(2023) == "二〇二三"
    assert v.chinese_date("2023-05-20") == "2023年5月20日"
    assert v.chinese_month("2023-01") == "2023年1月"
    assert v.format_wan(10) == "10.00万元" and v.format_wan(None) == "无"
    assert v.months_between((2023, 1), (2023, 9)) == 8


def test_chinese_count() -> None:
    from zscq_desktop.core.validators import chinese_count

    assert [chinese_count(n) for n in (0, 3, 10, 12, 20, 35, 99, 100)] == [
        "零", "三", "十", "十二", "二十", "三十五", "九十九", "100"]


def test_safe_name_one_rule_for_every_file_name() -> None:
    from zscq_desktop.core.filenames import safe_name

    assert safe_name('天津/示例:科技*有限"公司?<>|') == "天津示例科技有限公司"
    assert safe_name(" .名称\r\n\t\x00. ") == "名称"
    assert safe_name("甲" * 50 + ".乙", 51) == "甲" * 50  # no trailing dot left by the cut
    assert safe_name("///", fallback="未命名") == "未命名"


# -- the shared normaliser, forgiving dates and totals (used by rules, widgets and importers) --------

def test_normalize_ascii_full_width_and_dashes() -> None:
    from zscq_desktop.core.validators import normalize_ascii

    assert normalize_ascii("９１１２０１１６ＭＡ") == "91120116MA"
    assert normalize_ascii("０２２－２３５１９１４５") == "022-23519145"
    assert normalize_ascii("2023—05") == "2023-05"
    assert normalize_ascii(None) == ""


@pytest.mark.parametrize("text", ["2023-05-20", "2023/5/20", "2023.5.20", "2023年5月20日", "20230520",
                                  "２０２３年５月２０日", " 2023 / 05 / 20 "])
def test_parse_date_loose_accepts_what_users_type(text: str) -> None:
    from zscq_desktop.core.validators import canonical_date

    assert canonical_date(text) == "2023-05-20"


@pytest.mark.parametrize("text", ["", "2023-02-30", "2023-13-01", "20-05-2023", "明天", "2023"])
def test_parse_date_loose_refuses_non_dates(text: str) -> None:
    from zscq_desktop.core.validators import canonical_date

    assert canonical_date(text) is None


@pytest.mark.parametrize("text", ["2023-06", "2023/6", "2023.6", "2023年6月", "202306", "２０２３年６月"])
def test_parse_month_loose(text: str) -> None:
    from zscq_desktop.core.validators import canonical_month

    assert canonical_month(text) == "2023-06"
    assert canonical_month("2023-13") is None


def test_column_total_is_exact() -> None:
    from decimal import Decimal

    from zscq_desktop.core.validators import column_total

    rows = [{"x": 0.1}, {"x": "0.2"}, {"x": ""}, {"x": "abc"}, "not a row", {"y": 5}]
    assert column_total(rows, "x") == Decimal("0.3")


def test_full_width_digits_never_crash_and_never_match_as_digits() -> None:
    assert "校验位" in (v.check_credit_code("91120０16MA06W3KQ53") or "")  # the reported crash
    good = sample_credit_code()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in good)  # every character typed full-width
    assert v.check_credit_code(wide) is None and v.normalize_code(wide) == good
    assert v.check_credit_code("91120116MA05XK3P7" + "٣") is not None  # an Arabic-Indic digit is not [0-9]
    assert v.check_postcode("３０００００") is None and v.check_postcode("30000٠") is not None
    assert v.to_int("１２") == 12 and v.to_int("1.5") is None and v.to_int(True) is None
    assert v.to_decimal("１０．５") == v.to_decimal("10.5") and v.to_decimal("١٠") is None
    assert v.parse_month("２０２３－０１") == (2023, 1) and v.parse_date("２０２３－０５－２０") == v.parse_date("2023-05-20")
    assert v.parse_month("2023-1") is None and v.parse_date("20230520") is None  # stored values keep their shape


@pytest.mark.parametrize(("value", "text"), [
    (10, "10.00万元"), (10.0005, "10.0005万元"), ("9.995", "9.995万元"), (1000, "1,000.00万元"), (None, "无"),
])
def test_money_printed_with_its_own_decimals(value: object, text: str) -> None:
    assert v.format_wan(value) == text


def test_a_maximum_is_rounded_down_and_percentages_are_whole() -> None:
    assert v.format_wan(v.to_decimal("9.99995"), v.ROUND_DOWN) == "9.9999万元"
    assert v.format_percent(0.5) == "50%" and v.format_percent("0.125") == "12.5%"


def test_codes_are_matched_with_ascii_digits_only() -> None:
    """`\\d` matches every Unicode digit (full-width, Arabic-Indic…): no pattern in the checkers uses it."""
    from pathlib import Path

    src = Path(v.__file__).resolve().parents[1]
    files = [*(src / "core").glob("*.py"), *(src / "call").glob("*.py"), src / "ui" / "widgets" / "fields.py"]
    offending = [f"{p.name}:{i}" for p in files for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if "\\d" in line and ("re." in line or "QRegularExpression(" in line or line.lstrip().startswith("r\""))]
    assert offending == []
