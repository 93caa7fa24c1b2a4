"""Working days: Chinese public holidays and adjusted working days, plus the workbook's own.

The default calendar is the maintained `chinesecalendar` package (State
Council holidays and 调休 working weekends); years it does not know fall
back to Monday–Friday. A Holidays table in the workbook adds or overrides
single days: a listed day is a working day exactly when its `working` is yes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from ..model import Holiday

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=8192)
def _official(day: date) -> bool:
    """Is `day` a working day by the State Council's calendar (Mon–Fri where unknown)?"""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package has no data for yet
        return day.weekday() < 5


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
