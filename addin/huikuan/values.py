"""How people actually type amounts, dates, months and yes/no (SPEC: "Values people type").

Every parser takes a raw cell value (str, int, float, bool, date, datetime,
or None) and returns the clean value or raises BadValue with a message in
English and Chinese. Amounts become Decimal without ever passing through a
binary float's noise: a float from a cell is read by its shortest repr.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache, partial
from itertools import repeat
from operator import eq
from typing import Any

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

_UNITS = {
    "百": Decimal(100),
    "千": Decimal(1_000),
    "万": Decimal(10_000),
    "亿": Decimal(100_000_000),
}
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)(亿|万|千)?$")
# digits with units, as people say them: 12万5千, 1万2 (= 1万2千), 3千5, 1亿2000万
_MIXED = re.compile(r"^(?:\d+(?:\.\d+)?[亿万千百])+(?:\d+(?:\.\d+)?)?$")
_MIXED_PART = re.compile(r"(\d+(?:\.\d+)?)([亿万千百]?)")
# Chinese numerals, everyday and formal (大写), for cn2an
_CN_NUMERALS = set("零〇一二两三四五六七八九十百千万亿点壹贰叁肆伍陆柒捌玖拾佰仟萬億")
_CN_TWO_DIGITS = re.compile("[一二两三四五六七八九壹贰叁肆伍陆柒捌玖]{2}")  # 一二: not a number
_PREFIXES = ("¥", "￥", "RMB", "人民币", "CNY")
_SUFFIXES = ("整", "正", "元", "圆", "块钱", "块", "人民币", "RMB", "CNY")


def _mixed(text: str) -> Decimal:
    """12万5千 → 125000; a trailing bare number counts in the unit below the last one,
    as people say it: 1万2 = 12000, 3千5 = 3500, 12万5 = 125000."""
    total = Decimal(0)
    last = Decimal(1)
    for number, unit in _MIXED_PART.findall(text):
        if unit:
            last = _UNITS[unit]
            total += Decimal(number) * last
        else:
            total += Decimal(number) * (last / 10 if last >= 10 else 1)
    return total


def _chinese(text: str) -> Decimal:
    """Chinese numerals — 十二万, 壹拾贰万, 两万三, 一千零五十 — through cn2an, exactly.

    cn2an gives an int for whole numbers (turned into Decimal exactly) and a float when
    the numeral has 点 (decimals): that float is read by its shortest repr and rounded
    to the fen, which its 15 significant digits hold exactly for any amount below 1e13.
    Digits with units (12.5万, 12万5千, 1万2) are not given to cn2an: its "smart" mode,
    the one that takes them, drops the digits below the yuan (cn2an 0.5: 1.23456789万 →
    12345, not 12345.6789) and adds decimals in binary floats; huikuan does those forms
    in Decimal (`_mixed`), a dozen lines.
    """
    import cn2an  # ~0.25 s to import: only when a cell holds Chinese numerals

    if _CN_TWO_DIGITS.search(text):
        raise ValueError(text)
    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ValueError(text) from exc
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _bad_amount(value: object) -> BadValue:
    return BadValue(f"not an amount: {value!r}", f"不是金额：{value}")


def _strip_currency(text: str) -> str:
    """¥, ￥, RMB, 人民币 before; 元, 圆, 块, 整, 人民币 after (5000元整, 人民币1000元)."""
    for _ in range(2):  # 人民币¥1000, 1000元整
        for prefix in _PREFIXES:
            text = text.removeprefix(prefix)
        for suffix in _SUFFIXES:
            text = text.removesuffix(suffix)
    return text


def parse_amount(value: object) -> Decimal:
    """An amount ≥ 0 in yuan: 12345.5, '12,345.50', '¥12,345', '12.5万元', '3千', '十二万',
    '壹拾贰万', '12万5千', '1万2', '5000元整', '人民币1000元'."""
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
        text = _strip_currency(re.sub(r"[\s,]", "", text))
        match = _NUMBER.match(text)
        if match:
            amount = Decimal(match.group(1)) * _UNITS.get(match.group(2) or "", Decimal(1))
        elif _MIXED.match(text):
            amount = _mixed(text)
        else:
            try:
                if not text or not set(text) <= _CN_NUMERALS:
                    raise ValueError(text)
                amount = _chinese(text)
            except ValueError:
                if re.match(r"^[-−负]", text):
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


_IS_ZERO = partial(eq, 0)


def negative_zero(values: Iterable[Any]) -> bool:
    """Whether a negative zero (-0.0, Decimal("-0"), Decimal("-0.00")) is among the
    values. Equal to zero, it rounds and prints differently ("-0.00"): a memo of
    results by value may only hold a zero for values without one. In C: a filter
    and a map, no Python call per value."""
    zeros = filter(_IS_ZERO, values)
    return min(map(math.copysign, repeat(1.0), zeros), default=1.0) < 0


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
