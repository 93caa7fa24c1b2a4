"""How people actually type amounts, dates, months and yes/no (SPEC: "Values people type").

Every parser takes a raw cell value (str, int, float, bool, date, datetime,
or None) and returns the clean value or raises BadValue with a message in
English and Chinese. Amounts become Decimal without ever passing through a
binary float's noise: a float from a cell is read by its shortest repr.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from .contract import Choice


class BadValue(ValueError):
    """A cell value that does not parse; carries the reason in both languages."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def normalize(text: object) -> str:
    """Header/choice matching form: NFKC (full-width → half-width), trimmed, case-folded."""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_text(value: object) -> str:
    if isinstance(value, str) and value.__class__ is str and value.isascii():
        return value.strip()  # NFKC leaves ASCII as it is
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an ID typed as a number: 1001.0 -> "1001"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


# ---- amounts --------------------------------------------------------------

_UNITS = {"万": Decimal(10_000), "千": Decimal(1_000), "亿": Decimal(100_000_000)}
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)(亿|万|千)?$")


def _cn_integer(text: str) -> int:
    """Chinese numerals such as 十二万, 一百二十万, 三千五百 → int; ValueError if not one."""
    if not text or any(
        ch not in _CN_DIGITS and ch not in _CN_SMALL and ch not in _CN_BIG for ch in text
    ):
        raise ValueError(text)
    total = section = 0
    digit: int | None = None
    last_unit = 1  # the unit just before a trailing digit: 两万三 = 23000, 三千五 = 3500
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0:
                raise ValueError(text)  # two digits in a row: 一二
            if ch in "零〇":
                last_unit = 10
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit, last_unit = None, _CN_SMALL[ch]
        else:
            section += digit or 0
            if section == 0:
                raise ValueError(text)
            total += section * _CN_BIG[ch]
            section, digit, last_unit = 0, None, _CN_BIG[ch]
    return total + section + (digit or 0) * max(1, last_unit // 10)


def _bad_amount(value: object) -> BadValue:
    return BadValue(f"not an amount: {value!r}", f"不是金额：{value}")


def parse_amount(value: object) -> Decimal:
    """An amount ≥ 0 in yuan: 12345.5, '12,345.50', '¥12,345', '12.5万元', '3千', '十二万'."""
    if isinstance(value, (bool, date, datetime)):
        raise _bad_amount(value)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _bad_amount(value)
        amount = Decimal(repr(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        text = re.sub(r"[\s,]", "", text)
        text = text.removeprefix("¥").removeprefix("￥").removeprefix("RMB")
        text = text.removesuffix("元").removesuffix("人民币")
        match = _NUMBER.match(text)
        if match:
            amount = Decimal(match.group(1)) * _UNITS.get(match.group(2) or "", Decimal(1))
        else:
            try:
                amount = Decimal(_cn_integer(text))
            except ValueError:
                if re.match(r"^[-−]", text):
                    raise BadValue(f"negative amount: {value!r}", f"金额为负：{value}") from None
                raise _bad_amount(value) from None
    if amount < 0:
        raise BadValue(f"negative amount: {value!r}", f"金额为负：{value}")
    try:
        return amount.quantize(Decimal(1)) if amount == amount.to_integral() else amount.normalize()
    except InvalidOperation:  # more digits than Decimal holds (1e30): a bad cell, not a crash
        raise _bad_amount(value) from None


_FEN = Decimal("0.01")


def fen(amount: Decimal) -> Decimal:
    """Round half-up to the fen (0.01), as amounts are written to cells."""
    return amount.quantize(_FEN, rounding=ROUND_HALF_UP)


# ---- dates and months -----------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


def _bad_date(value: object) -> BadValue:
    return BadValue(f"not a date: {value!r}", f"不是日期：{value}")


def _from_serial(value: float) -> date:
    if not 1 <= value < 2_958_466 or int(value) == 60:  # 60 is Excel's fictitious 1900-02-29
        raise _bad_date(value)
    if value < 60:  # before Excel's phantom leap day the serials are one day further on
        return _EXCEL_EPOCH + timedelta(days=int(value) + 1)
    return _EXCEL_EPOCH + timedelta(days=int(value))


def parse_date(value: object) -> date:
    """Excel dates and serials, '2026-11-05', '2026/11/5', '2026.11.5', '2026年11月5日'."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise _bad_date(value)
    if isinstance(value, (int, float)):
        return _from_serial(float(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise _bad_date(value) from None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _from_serial(float(text))
    raise _bad_date(value)


def parse_month(value: object) -> date:
    """A month as its first day: an Excel date (any day), '2026-11', '2026/11', '2026年11月'."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        match = _MONTH.match(text)
        if match:
            if not 1 <= int(match[2]) <= 12:
                raise BadValue(f"not a month: {value!r}", f"不是月份：{value}")
            return date(int(match[1]), int(match[2]), 1)
    try:
        return parse_date(value).replace(day=1)
    except BadValue:
        raise BadValue(f"not a month: {value!r}", f"不是月份：{value}") from None


def month_end(month: date) -> date:
    nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


# ---- yes/no and choices ---------------------------------------------------

_YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "对"}
_NO = {"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "不是"}


def parse_yesno(value: object) -> bool:
    """是/否, Y/N, yes/no, true/false, 1/0, √/×."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = normalize(value)
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise BadValue(f"not yes/no: {value!r}", f"不是 是/否：{value}")


@lru_cache(maxsize=64)
def _choice_keys(choices: tuple[Choice, ...]) -> dict[str, str]:
    """Every spelling of a choice (key, English, Chinese; normalized) → its key, first wins."""
    keys: dict[str, str] = {}
    for ch in choices:
        for word in (ch.key, ch.en, ch.zh):
            keys.setdefault(normalize(word), ch.key)
    return keys


def parse_choice(value: object, choices: tuple[Choice, ...]) -> str:
    """A choice given by its key, English or Chinese label; returns the key."""
    found = _choice_keys(choices).get(normalize(value))
    if found is not None:
        return found
    en = ", ".join(ch.key for ch in choices)
    zh = "、".join(ch.zh for ch in choices)
    return _raise_choice(value, en, zh)


def _raise_choice(value: object, en: str, zh: str) -> str:
    raise BadValue(f"{value!r} is not one of {en}", f"“{value}”不在可选值中：{zh}")


# ---- display --------------------------------------------------------------


def format_amount(amount: Decimal, lang: str = "zh") -> str:
    """Human form: '12.5万' / '1.2亿' in Chinese, '125,000.00' in English."""
    yuan = fen(amount)
    if lang != "zh":
        return f"{yuan:,.2f}"
    cent = Decimal("0.01")
    if abs(yuan) >= 10_000:
        unit, scaled = "万", (yuan / 10_000).quantize(cent, rounding=ROUND_HALF_UP)
        if abs(scaled) >= 10_000:  # 99,999,999.99 is 1亿, not 10000万
            unit, scaled = "亿", (yuan / 100_000_000).quantize(cent, rounding=ROUND_HALF_UP)
        return f"{scaled.normalize():f}{unit}"
    return f"{yuan.normalize():f}元"


def format_date(day: date, lang: str = "zh") -> str:
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def format_month(month: date, lang: str = "zh") -> str:
    return f"{month.year}年{month.month}月" if lang == "zh" else f"{month:%Y-%m}"


def parse_days(value: object) -> int:
    """A whole number of days ≥ 0: 3, '3', '3天', '３'."""
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("天").strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if isinstance(value, bool) or not text.isdigit():
        raise BadValue(f"not a whole number of days: {value!r}", f"不是天数（非负整数）：{value}")
    return int(text)


def parse_ratio(value: object) -> Decimal:
    """A share: 0.2, '20%', '２０％', '0.2'."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    try:
        if text.endswith("%"):
            return Decimal(text[:-1].strip()) / 100
        return Decimal(text)
    except InvalidOperation:
        raise BadValue(f"not a share: {value!r}", f"不是比例：{value}") from None
