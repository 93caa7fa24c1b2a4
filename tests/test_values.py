"""The values people actually type (SPEC: "Values people actually type").

Every expected value here is worked out by hand from the SPEC, not copied
from running the parsers.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.contract import GRADES, MEASURE_KINDS, MEASURE_STATUSES, RESULTS
from huikuan.values import (
    BadValue,
    fen,
    format_amount,
    month_end,
    parse_amount,
    parse_choice,
    parse_date,
    parse_month,
    parse_text,
    parse_yesno,
)

D = Decimal


def excel_serial(day: date) -> int:
    """Excel's 1900 date system worked from its definition, independently of values.py.

    Serial 1 is 1900-01-01, and Excel counts a fictitious 1900-02-29 (serial 60),
    so every date from 1900-03-01 on is one day further than a plain count.
    """
    serial = (day - date(1900, 1, 1)).days + 1
    return serial + 1 if day >= date(1900, 3, 1) else serial


def assert_bad(exc: BadValue, value: object) -> None:
    """A problem message exists in both languages and names the offending value."""
    assert exc.en and exc.zh
    assert repr(value) in exc.en
    assert str(value) in exc.zh
    assert exc.message("en") == exc.en
    assert exc.message("zh") == exc.zh


# ---- amounts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12345, D("12345")),
        (0, D("0")),
        (12345.5, D("12345.5")),
        (1234.56, D("1234.56")),
        (0.3, D("0.3")),
        (1.1, D("1.1")),
        ("12345", D("12345")),
        ("12,345.50", D("12345.50")),
        ("1,234,567.89", D("1234567.89")),
        (" 12 345 ", D("12345")),
        ("¥12,345", D("12345")),
        ("￥12,345", D("12345")),
        ("¥ 12,345.50 元", D("12345.5")),
        ("12.5万", D("125000")),
        ("12.5万元", D("125000")),
        ("12.5 万元", D("125000")),
        ("3千", D("3000")),
        ("1.2亿", D("120000000")),
        ("0.05万", D("500")),
        ("１２３４５", D("12345")),
        ("１２．５万", D("125000")),
        ("￥１２，３４５", D("12345")),
        ("十二万", D("120000")),
        ("一百二十万元", D("1200000")),
        ("二十五万", D("250000")),
        ("一亿二千万", D("120000000")),
        ("一千零五十", D("1050")),
        ("两万三", D("23000")),
        ("三千五", D("3500")),
        ("三百五", D("350")),
        ("一万零三", D("10003")),
        ("五万三千二", D("53200")),
    ],
)
def test_amount_forms_people_type_parse_to_exact_yuan(raw: object, expected: Decimal) -> None:
    amount = parse_amount(raw)
    assert type(amount) is Decimal
    assert amount == expected


def test_float_cell_is_read_by_its_shortest_repr_not_its_binary_expansion() -> None:
    # 1234.56 as a binary float is 1234.55999999999994543031789362430572509765625.
    assert D(1234.56) != D("1234.56")
    assert parse_amount(1234.56) == D("1234.56")
    # 0.1 + 0.2 is a different float from 0.3; its shortest repr is what Excel stored.
    assert parse_amount(0.1 + 0.2) == D("0.30000000000000004")
    assert parse_amount(0.1 + 0.2) != D(0.1 + 0.2)
    assert parse_amount(2.675) == D("2.675")


def test_integral_amounts_have_no_stray_exponent_or_decimals() -> None:
    assert str(parse_amount("12.5万")) == "125000"
    assert str(parse_amount(12345.0)) == "12345"
    assert str(parse_amount("12,345.50")) == "12345.5"


@pytest.mark.parametrize(
    "raw",
    [
        "待定",
        "约十来万",
        "十来万",
        "一二",
        "abc",
        "12.5万万",
        "1.2.3",
        "万",
        True,
        False,
        date(2026, 11, 5),
        datetime(2026, 11, 5, 9, 30),
        float("nan"),
        float("inf"),
        1e30,
        "1" * 40,
    ],
)
def test_non_amounts_are_problems_in_both_languages(raw: object) -> None:
    with pytest.raises(BadValue) as caught:
        parse_amount(raw)
    assert_bad(caught.value, raw)


@pytest.mark.parametrize("raw", ["-5", -5, -0.5, "−5", "-12,345", "-5万", "¥-5"])
def test_negative_amount_is_a_problem(raw: object) -> None:
    with pytest.raises(BadValue) as caught:
        parse_amount(raw)
    assert_bad(caught.value, raw)
    if raw != "¥-5":
        assert "negative" in caught.value.en
        assert "负" in caught.value.zh


TWO_PLACES = st.decimals(
    min_value=0, max_value=10**13, places=2, allow_nan=False, allow_infinity=False
)


@given(TWO_PLACES)
def test_plain_amount_text_round_trips(d: Decimal) -> None:
    assert parse_amount(str(d)) == d


@given(TWO_PLACES)
def test_amount_with_thousands_separators_round_trips(d: Decimal) -> None:
    assert parse_amount(f"{d:,}") == d


@given(TWO_PLACES)
def test_amount_with_yuan_sign_round_trips(d: Decimal) -> None:
    assert parse_amount(f"¥{d}") == d
    assert parse_amount(f"￥{d:,}元") == d


@given(st.integers(min_value=1, max_value=99_999))
def test_wan_multiplies_by_ten_thousand(n: int) -> None:
    assert parse_amount(f"{n}万") == n * 10_000
    assert parse_amount(f"{n}万元") == n * 10_000


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False))
def test_float_amount_equals_its_repr(x: float) -> None:
    assert parse_amount(x) == D(repr(x))


# ---- fen and display ------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("0.005"), "0.01"),
        (D("0.004"), "0.00"),
        (D("2.675"), "2.68"),
        (D("2.665"), "2.67"),  # banker's rounding would give 2.66
        (D("0.125"), "0.13"),  # banker's rounding would give 0.12
        (D("1.005"), "1.01"),
        (D("12345"), "12345.00"),
        (D("99.994999"), "99.99"),
    ],
)
def test_fen_rounds_half_up_to_the_cent(amount: Decimal, expected: str) -> None:
    rounded = fen(amount)
    assert type(rounded) is Decimal
    assert str(rounded) == expected


def test_fen_of_a_float_cell_rounds_the_typed_value_not_the_binary_one() -> None:
    # The float 2.675 is really 2.67499999…; read by repr it is 2.675 and rounds up.
    assert fen(D(2.675)) == D("2.67")
    assert fen(parse_amount(2.675)) == D("2.68")


@pytest.mark.parametrize(
    ("amount", "zh"),
    [
        (D("125000"), "12.5万"),
        (D("120000000"), "1.2亿"),
        (D("100000000"), "1亿"),
        (D("10000"), "1万"),
        (D("12345"), "1.23万"),
        (D("12355"), "1.24万"),  # 1.2355 rounds half-up
        (D("999.5"), "999.5元"),
        (D("100"), "100元"),
        (D("12.345"), "12.35元"),
        (D("0"), "0元"),
    ],
)
def test_format_amount_in_chinese_uses_wan_and_yi(amount: Decimal, zh: str) -> None:
    assert format_amount(amount, "zh") == zh
    assert format_amount(amount) == zh  # Chinese is the default


@pytest.mark.parametrize(
    ("amount", "en"),
    [
        (D("125000"), "125,000.00"),
        (D("999.5"), "999.50"),
        (D("1234567.005"), "1,234,567.01"),
        (D("0"), "0.00"),
    ],
)
def test_format_amount_in_english_has_separators_and_two_decimals(amount: Decimal, en: str) -> None:
    assert format_amount(amount, "en") == en


# ---- dates ----------------------------------------------------------------


def test_excel_serial_helper_agrees_with_known_excel_dates() -> None:
    # Anchors of Excel's 1900 system, known independently of any code.
    assert excel_serial(date(1900, 1, 1)) == 1
    assert excel_serial(date(1900, 2, 28)) == 59
    assert excel_serial(date(1900, 3, 1)) == 61
    assert excel_serial(date(1970, 1, 1)) == 25569
    assert excel_serial(date(2000, 1, 1)) == 36526
    # 2000-01-01 → 2026-01-01: 26 years, 7 leap days → 9497 days; then Jan..Oct 304, +4.
    assert excel_serial(date(2026, 11, 5)) == 36526 + 9497 + 304 + 4 == 46331
    assert excel_serial(date(9999, 12, 31)) == 2_958_465


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (date(2026, 11, 5), date(2026, 11, 5)),
        (datetime(2026, 11, 5, 14, 30), date(2026, 11, 5)),
        (46331, date(2026, 11, 5)),
        (46331.0, date(2026, 11, 5)),
        (46331.75, date(2026, 11, 5)),  # a time of day does not change the date
        ("46331", date(2026, 11, 5)),
        (61, date(1900, 3, 1)),
        (25569, date(1970, 1, 1)),
        (36526, date(2000, 1, 1)),
        (2_958_465, date(9999, 12, 31)),
        ("2026-11-05", date(2026, 11, 5)),
        ("2026/11/5", date(2026, 11, 5)),
        ("2026.11.5", date(2026, 11, 5)),
        ("2026年11月5日", date(2026, 11, 5)),
        ("2026年11月5", date(2026, 11, 5)),
        (" 2026-11-05 ", date(2026, 11, 5)),
        ("2026 / 11 / 5", date(2026, 11, 5)),
        ("2026 年 11 月 5 日", date(2026, 11, 5)),
        ("２０２６年１１月５日", date(2026, 11, 5)),
        ("２０２６－１１－０５", date(2026, 11, 5)),
        ("2028-02-29", date(2028, 2, 29)),
    ],
)
def test_date_forms_people_type(raw: object, expected: date) -> None:
    day = parse_date(raw)
    assert type(day) is date  # a datetime is cut to its date
    assert day == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2026-13-01",
        "2026-02-30",
        "2027-02-29",
        "2026-00-10",
        "明天",
        "2026-11",
        "11/5/2026",
        "26-11-05",
        "",
        True,
        0,
        -1,
        2_958_466,
    ],
)
def test_non_dates_are_problems_in_both_languages(raw: object) -> None:
    with pytest.raises(BadValue) as caught:
        parse_date(raw)
    assert_bad(caught.value, raw)


def test_excel_serial_one_is_the_first_of_january_1900() -> None:
    assert parse_date(1) == date(1900, 1, 1)
    assert parse_date(59) == date(1900, 2, 28)
    assert parse_date(61) == date(1900, 3, 1)


def test_excel_serial_60_the_fictitious_leap_day_is_not_a_date() -> None:
    with pytest.raises(BadValue):
        parse_date(60)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("99999999.99", "1亿"), ("9999.995", "1万"), ("9950", "9950元"), ("120000000", "1.2亿")],
)
def test_chinese_amounts_never_round_past_their_unit(amount: str, shown: str) -> None:
    assert format_amount(Decimal(amount)) == shown


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
def test_excel_serial_round_trips_from_march_1900(d: date) -> None:
    assert parse_date(excel_serial(d)) == d
    assert parse_date(float(excel_serial(d)) + 0.5) == d


@given(st.dates(min_value=date(1000, 1, 1)))  # a year is typed with four digits
def test_chinese_date_round_trips(d: date) -> None:
    assert parse_date(f"{d.year}年{d.month}月{d.day}日") == d
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.year}/{d.month}/{d.day}") == d
    assert parse_date(f"{d.year}.{d.month}.{d.day}") == d


# ---- months ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (date(2026, 11, 5), date(2026, 11, 1)),
        (date(2026, 11, 1), date(2026, 11, 1)),
        (datetime(2026, 11, 30, 23, 59), date(2026, 11, 1)),
        (46331, date(2026, 11, 1)),
        ("2026-11", date(2026, 11, 1)),
        ("2026/11", date(2026, 11, 1)),
        ("2026.11", date(2026, 11, 1)),
        ("2026年11月", date(2026, 11, 1)),
        (" 2026 年 11 月 ", date(2026, 11, 1)),
        ("２０２６年１１月", date(2026, 11, 1)),
        ("2026-1", date(2026, 1, 1)),
        ("2026-11-05", date(2026, 11, 1)),
        ("2026年11月30日", date(2026, 11, 1)),
    ],
)
def test_month_forms_become_the_first_of_the_month(raw: object, expected: date) -> None:
    assert parse_month(raw) == expected


@pytest.mark.parametrize("raw", ["2026-13", "2026-00", "2026年13月", "下个月", "", True])
def test_non_months_are_problems_in_both_languages(raw: object) -> None:
    with pytest.raises(BadValue) as caught:
        parse_month(raw)
    assert_bad(caught.value, raw)
    assert "month" in caught.value.en
    assert "月份" in caught.value.zh


@given(st.dates(min_value=date(1000, 1, 1)))
def test_any_day_of_a_month_gives_that_month(d: date) -> None:
    first = date(d.year, d.month, 1)
    assert parse_month(d) == first
    assert parse_month(f"{d.year}年{d.month}月") == first
    assert parse_month(f"{d.year}-{d.month:02d}") == first


@pytest.mark.parametrize(
    ("month", "last"),
    [
        (date(2026, 11, 1), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 31)),
        (date(2028, 2, 1), date(2028, 2, 29)),
        (date(2026, 2, 1), date(2026, 2, 28)),
    ],
)
def test_month_end_is_the_last_day_of_the_month(month: date, last: date) -> None:
    assert month_end(month) == last


@given(st.dates(max_value=date(9999, 11, 30)))
def test_month_end_is_the_day_before_the_next_month(d: date) -> None:
    last = month_end(d.replace(day=1))
    assert last.month == d.month
    assert (last + timedelta(days=1)).day == 1


# ---- yes/no ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        *("是", "Y", "y", "yes", "YES", "Yes", "true", "TRUE", "True", "1", 1, 1.0, True, "√"),
        *("ｙｅｓ", "Ｙ", " yes ", "１", "ＴＲＵＥ"),
    ],
)
def test_yes_forms(raw: object) -> None:
    assert parse_yesno(raw) is True


@pytest.mark.parametrize(
    "raw",
    [
        *("否", "N", "n", "no", "NO", "No", "false", "FALSE", "0", 0, 0.0, False, "×"),
        *("ｎｏ", "Ｎ", " no ", "０", "ＦＡＬＳＥ"),
    ],
)
def test_no_forms(raw: object) -> None:
    assert parse_yesno(raw) is False


@pytest.mark.parametrize("raw", ["maybe", "2", 2, -1, 0.5, "yesno", "是否"])
def test_other_yes_no_values_are_problems(raw: object) -> None:
    with pytest.raises(BadValue) as caught:
        parse_yesno(raw)
    assert_bad(caught.value, raw)


# ---- choices --------------------------------------------------------------


@pytest.mark.parametrize("choice", MEASURE_KINDS, ids=lambda ch: ch.key)
def test_measure_kind_by_key_english_or_chinese_label(choice) -> None:
    for typed in (choice.key, choice.en, choice.zh, choice.en.upper(), f"  {choice.zh} "):
        assert parse_choice(typed, MEASURE_KINDS) == choice.key


@pytest.mark.parametrize(
    ("raw", "choices", "key"),
    [
        ("INCENTIVE", MEASURE_KINDS, "incentive"),
        ("ｉｎｃｅｎｔｉｖｅ", MEASURE_KINDS, "incentive"),
        ("Ｊｏｉｎｔ Ｃｏｌｌｅｃｔｉｏｎ", MEASURE_KINDS, "joint_collection"),
        ("joint collection", MEASURE_KINDS, "joint_collection"),
        ("POTENTIAL_ANALYSIS", MEASURE_KINDS, "potential_analysis"),
        ("陪同收款", MEASURE_KINDS, "joint_collection"),
        ("取消", MEASURE_STATUSES, "dropped"),
        ("Done", MEASURE_STATUSES, "done"),
        ("未联系上", RESULTS, "no_answer"),
        ("a", GRADES, "A"),
        ("ｄ", GRADES, "D"),
    ],
)
def test_choice_matching_ignores_case_width_and_spaces(raw: str, choices, key: str) -> None:
    assert parse_choice(raw, choices) == key


def test_unknown_choice_is_a_problem_listing_the_allowed_values() -> None:
    with pytest.raises(BadValue) as caught:
        parse_choice("bribe", MEASURE_KINDS)
    assert "bribe" in caught.value.en and "bribe" in caught.value.zh
    assert "joint_collection" in caught.value.en
    assert "陪同收款" in caught.value.zh


# ---- text -----------------------------------------------------------------


def test_text_typed_as_a_number_keeps_no_decimal_point() -> None:
    assert parse_text(1001.0) == "1001"
    assert parse_text(" Ｃ１００１ ") == "C1001"
    assert parse_text(date(2026, 11, 5)) == "2026-11-05"


# ---- amounts as written on receipts (issue 13) ----------------------------------------
# Each expected figure is the amount as said aloud: 12万5千 is twelve 万 and five 千.


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("壹拾贰万", D("120000")),  # formal numerals (大写), as on a receipt
        ("壹拾贰万元整", D("120000")),
        ("伍仟元整", D("5000")),
        ("壹佰万元", D("1000000")),
        ("贰万叁仟肆佰伍拾陆元", D("23456")),
        ("12万5千", D("125000")),
        ("1万2", D("12000")),  # the bare 2 is in the unit below 万: 2千
        ("3千5", D("3500")),
        ("12万5", D("125000")),
        ("1亿2000万", D("120000000")),
        ("5000元整", D("5000")),
        ("人民币1000元", D("1000")),
        ("人民币 1,000 元整", D("1000")),
        ("RMB 2,500.50", D("2500.5")),
        ("800块", D("800")),
        ("一点五万", None),  # cn2an does not take 点 before a unit: refused below
    ],
)
def test_receipt_amounts_parse_to_the_fen(raw: str, expected: Decimal | None) -> None:
    if expected is None:
        with pytest.raises(BadValue):
            parse_amount(raw)
        return
    amount = parse_amount(raw)
    assert type(amount) is Decimal
    assert amount == expected


def test_digits_with_units_keep_every_digit() -> None:
    """1.23456789万 is 12345.6789 yuan: no digit below the yuan is dropped."""
    assert parse_amount("1.23456789万") == D("12345.6789")
    assert parse_amount("1.1万") == D("11000")
    assert parse_amount("0.07万") == D("700")
    assert parse_amount("1万2.5") == D("12500")


@given(st.decimals(min_value=0, max_value=D("1e12"), places=3, allow_nan=False))
def test_an_amount_formatted_in_english_parses_back_to_itself(x: Decimal) -> None:
    assert parse_amount(format_amount(x, "en")) == fen(x)


@given(st.decimals(min_value=0, max_value=D("1e12"), places=3, allow_nan=False))
def test_an_amount_formatted_in_chinese_parses_back_to_the_amount_it_shows(x: Decimal) -> None:
    """'1.23万' is shown rounded to its unit; read back it is that amount, shown the same."""
    shown = format_amount(x, "zh")
    back = parse_amount(shown)
    assert format_amount(back, "zh") == shown
    unit = D(100_000_000) if shown.endswith("亿") else D(10_000) if shown.endswith("万") else None
    if unit is None:
        assert back == fen(x)
    else:
        assert abs(back - fen(x)) <= unit / 200  # half of the shown last digit (0.01 unit)


@given(st.decimals(min_value=0, max_value=D("1e12"), places=3, allow_nan=False))
def test_amount_cells_huikuan_writes_read_back_to_the_fen(x: Decimal) -> None:
    """The cell functions return cells.money (a float); the package writer writes the
    Decimal's digits, which calamine reads as a float: both read back as fen(x)."""
    from huikuan.cells import money

    assert parse_amount(money(x)) == fen(x)
    assert parse_amount(float(str(fen(x)))) == fen(x)
