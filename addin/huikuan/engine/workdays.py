"""Working days: Chinese public holidays and adjusted working days, plus the workbook's own.

The default calendar is the maintained `chinesecalendar` package (State
Council holidays and 调休 working weekends); years it does not know fall
back to Monday–Friday. A Holidays table in the workbook adds or overrides
single days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from ..model import Holiday

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=4096)
def _official(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package has no data for yet
        return day.weekday() < 5


@dataclass(frozen=True)
class Workdays:
    """Which days are working days; `overrides` maps a day to working (True) or not."""

    overrides: Mapping[date, bool] = field(default_factory=dict)
    official: bool = True  # False: plain Monday–Friday (no public holidays)
    # answers already worked out (a schedule asks about the same few days thousands of times)
    _memo: dict[date, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)
    _after: dict[date, date] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def is_working(self, day: date) -> bool:
        working = self._memo.get(day)
        if working is None:
            if day in self.overrides:
                working = self.overrides[day]
            else:
                working = _official(day) if self.official else day.weekday() < 5
            self._memo[day] = working
        return working

    def on_or_before(self, day: date) -> date:
        while not self.is_working(day):
            day -= ONE_DAY
        return day

    def on_or_after(self, day: date) -> date:
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


CHINA = Workdays()


def workdays_from(holidays: Iterable[Holiday]) -> Workdays:
    """China's calendar with the workbook's Holidays rows on top."""
    return Workdays({h.date: h.working for h in holidays})
