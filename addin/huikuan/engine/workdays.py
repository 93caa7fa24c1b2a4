"""Working days: Chinese public holidays and adjusted working days, plus the workbook's own.

The default calendar is the maintained `chinesecalendar` package (State
Council holidays and 调休 working weekends). A year it does not know (it is
published a year at a time: 2027 is not in 1.11) gets the statutory holidays of
the 全国年节及纪念日放假办法 (2025 text) computed from their date rules —
元旦 1-1; 春节 除夕 to 初三; 清明 (the solar term); 劳动节 5-1..2; 端午 (lunar
5-5); 中秋 (lunar 8-15); 国庆 10-1..3 — with the lunar dates and the solar term
from `lunar_python` (6tail's lunar, a maintained pure-Python calendar that
computes the solar terms astronomically), and Monday–Friday otherwise. The
make-up working days (调休) and bridging days off of such a year cannot be
known: `calendar_warnings` says so on every command that touches the year, until
the workbook's Holidays table has a row in it. A Holidays row adds or overrides
a single day: a listed day is a working day exactly when its `working` is yes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from ..model import Holiday, Problem

ONE_DAY = timedelta(days=1)

# The years chinesecalendar has the State Council's arrangements for (public data of the package)
_PUBLISHED = {d.year for d in (*chinese_calendar.holidays, *chinese_calendar.workdays)}
KNOWN_YEARS = range(min(_PUBLISHED), max(_PUBLISHED) + 1)

# The statutory holidays, in law order: (zh, en) names
NEW_YEAR = ("元旦", "New Year's Day")
SPRING = ("春节", "Spring Festival")
QINGMING = ("清明节", "Qingming")
LABOUR = ("劳动节", "Labour Day")
DRAGON_BOAT = ("端午节", "Dragon Boat Festival")
MID_AUTUMN = ("中秋节", "Mid-Autumn Festival")
NATIONAL = ("国庆节", "National Day")


def known_year(year: int) -> bool:
    """Has chinesecalendar the State Council's holidays and make-up days for `year`?"""
    return year in KNOWN_YEARS


@lru_cache(maxsize=64)
def statutory_days(year: int) -> Mapping[date, tuple[str, str]]:
    """The statutory days off of `year` by the date rules, each with its (zh, en) name.

    元旦 1-1; 春节 除夕 (the last day of the lunar year) to 正月初三; 清明 (the day of the
    solar term); 劳动节 5-1 and 5-2; 端午 (lunar 5-5); 中秋 (lunar 8-15); 国庆 10-1 to
    10-3: 13 days (12 when 中秋 falls on 10-3, as in 2028). The State Council's yearly
    arrangement adds bridging days off and make-up working weekends to these; those
    cannot be derived.
    """
    from lunar_python import Lunar  # only for a year chinesecalendar lacks

    def lunar(month: int, day: int) -> date:
        solar = Lunar.fromYmd(year, month, day).getSolar()
        return date(solar.getYear(), solar.getMonth(), solar.getDay())

    new_year = lunar(1, 1)
    term = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    found: list[tuple[date, tuple[str, str]]] = [(date(year, 1, 1), NEW_YEAR)]
    found += [(new_year + timedelta(days=n), SPRING) for n in range(-1, 3)]
    found.append((date(term.getYear(), term.getMonth(), term.getDay()), QINGMING))
    found += [(date(year, 5, d), LABOUR) for d in (1, 2)]
    found += [(lunar(5, 5), DRAGON_BOAT), (lunar(8, 15), MID_AUTUMN)]
    found += [(date(year, 10, d), NATIONAL) for d in (1, 2, 3)]
    days: dict[date, tuple[str, str]] = {}
    for day, name in found:  # two festivals on one day (中秋 on 10-3 in 2028): both names
        if day in days:
            had = days[day]
            name = (f"{had[0]}/{name[0]}", f"{had[1]} / {name[1]}")
        days[day] = name
    return dict(sorted(days.items()))


@lru_cache(maxsize=8192)
def _official(day: date) -> bool:
    """Is `day` a working day by the State Council's calendar?

    A year chinesecalendar lacks: Monday–Friday but the statutory days (statutory_days).
    """
    if known_year(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5 and day not in statutory_days(day.year)


@dataclass(frozen=True, slots=True)
class Workdays:
    """Which days are working days; `overrides` maps a day to working (True) or not.

    Lookups are memoised per instance (a schedule asks about the same few
    hundred days hundreds of thousands of times).
    """

    overrides: Mapping[date, bool] = field(default_factory=dict)
    official: bool = True  # False: plain Monday–Friday (no public holidays)
    _after: dict[date, date] = field(default_factory=dict, init=False, repr=False, compare=False)
    _before: dict[date, date] = field(default_factory=dict, init=False, repr=False, compare=False)

    def is_working(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _official(day) if self.official else day.weekday() < 5

    def on_or_before(self, day: date) -> date:
        """The last working day on or before `day` (where reminders move)."""
        found = self._before.get(day)
        if found is None:
            found = day
            while not self.is_working(found):
                found -= ONE_DAY
            self._before[day] = found
        return found

    def on_or_after(self, day: date) -> date:
        """The first working day on or after `day` (where checks and chases move)."""
        found = self._after.get(day)
        if found is None:
            found = day
            while not self.is_working(found):
                found += ONE_DAY
            self._after[day] = found
        return found

    def nth(self, month: date, n: int) -> date:
        """The n-th (1-based) working day of the month."""
        day = self.on_or_after(month.replace(day=1))
        for _ in range(n - 1):
            day = self.on_or_after(day + ONE_DAY)
        return day

    def any_between(self, first: date, last: date) -> bool:
        """Is there a working day in [first, last]?"""
        return first <= last and self.on_or_after(first) <= last


CHINA = Workdays()


def workdays_from(holidays: Iterable[Holiday]) -> Workdays:
    """China's calendar with the workbook's Holidays rows on top."""
    return Workdays({h.date: h.working for h in holidays})


def estimated_years(days: Iterable[date], holidays: Iterable[Holiday] = ()) -> tuple[int, ...]:
    """The years of `days` whose calendar huikuan had to estimate: chinesecalendar lacks
    them and the workbook's Holidays table has no row in them. In order."""
    listed = {h.date.year for h in holidays}
    return tuple(sorted({d.year for d in days} - set(KNOWN_YEARS) - listed))


def _festivals(year: int) -> list[tuple[tuple[str, str], date, date]]:
    """statutory_days(year) as (name, first day, last day), in date order."""
    out: list[tuple[tuple[str, str], date, date]] = []
    for day, name in statutory_days(year).items():
        if out and out[-1][0] == name and out[-1][2] + ONE_DAY == day:
            out[-1] = (name, out[-1][1], day)
        else:
            out.append((name, day, day))
    return out


def calendar_warning(year: int, lang: str) -> Problem:
    """The warning for a year whose calendar is estimated, in the workbook's language."""
    festivals = _festivals(year)
    if lang == "zh":

        def zh_day(d: date) -> str:
            return f"{d.month}月{d.day}日"

        listed = "、".join(
            f"{zh} {zh_day(a)}" + (f"至{zh_day(b)}" if b != a else "")
            for (zh, _), a, b in festivals
        )
        message = (
            f"{year} 年的节假日尚无官方安排（chinesecalendar 未收录）：法定节假日已按放假规则推算"
            f"（{listed}），但调休上班日和调休放假日无法得知。请在“节假日”（Holidays）表中为 "
            f"{year} 年逐日添加行：放假日“上班”填“否”，调休上班日填“是”；"
            f"表中有 {year} 年的行后不再提示。"
        )
    else:
        listed = ", ".join(
            f"{en} {a:%m-%d}" + (f" to {b:%m-%d}" if b != a else "") for (_, en), a, b in festivals
        )
        message = (
            f"{year}: chinesecalendar has no official calendar for this year yet; the statutory "
            f"holidays were computed from the date rules ({listed}), but the make-up working "
            "days (调休) and bridging days off cannot be known. Add the year's days to the "
            "Holidays table, one row each: a day off with Working day = no, a make-up working "
            f"day with Working day = yes; once the table has a row in {year} this warning stops."
        )
    return Problem(sheet="Holidays", cell="", value=str(year), message=message, severity="warning")


def calendar_warnings(
    days: Iterable[date], holidays: Iterable[Holiday], lang: str
) -> list[Problem]:
    """One warning per estimated year among `days` (see estimated_years)."""
    return [calendar_warning(year, lang) for year in estimated_years(days, holidays)]
