"""Years chinesecalendar lacks: the statutory holidays from their date rules (issue 13 item 6).

The rules (全国年节及纪念日放假办法, 2025): 元旦 1-1; 春节 除夕 to 初三; 清明 (the solar
term); 劳动节 5-1..2; 端午 lunar 5-5; 中秋 lunar 8-15; 国庆 10-1..3. The lunar dates and the
solar term come from lunar_python; they are held here against two sources that do not use
it: the State Council's real calendars that chinesecalendar ships (2008–2026) and
chinesecalendar's own solar-term formula, plus the published 2027 dates.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from huikuan.engine.workdays import (
    CHINA,
    KNOWN_YEARS,
    calendar_warning,
    estimated_years,
    known_year,
    statutory_days,
    workdays_from,
)
from huikuan.model import Holiday

D = date
THEIRS = {  # chinesecalendar's names of the holidays
    "元旦": "New Year's Day",
    "春节": "Spring Festival",
    "清明节": "Tomb-sweeping Day",
    "劳动节": "Labour Day",
    "端午节": "Dragon Boat Festival",
    "中秋节": "Mid-autumn Festival",
    "国庆节": "National Day",
}


def test_chinesecalendar_1_11_lacks_2027() -> None:
    assert known_year(2026) and not known_year(2027)
    assert KNOWN_YEARS[-1] == 2026


def test_2027_statutory_days_are_the_published_dates() -> None:
    # 2027: 春节 (正月初一) Sat Feb 6, so 除夕 Feb 5 .. 初三 Feb 8; 清明 Apr 5; 端午 Jun 9;
    # 中秋 Sep 15 (almanac dates, independent of the library).
    days = statutory_days(2027)
    assert sorted(days) == [
        D(2027, 1, 1),
        D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8),
        D(2027, 4, 5),
        D(2027, 5, 1), D(2027, 5, 2),
        D(2027, 6, 9),
        D(2027, 9, 15),
        D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3),
    ]  # fmt: skip
    assert days[D(2027, 2, 5)] == ("春节", "Spring Festival")
    assert days[D(2027, 9, 15)] == ("中秋节", "Mid-Autumn Festival")


@pytest.mark.parametrize("year", range(2008, KNOWN_YEARS[-1] + 1))
def test_the_rules_give_days_the_state_council_gave_off(year: int) -> None:
    """In every year chinesecalendar knows since 清明 became a holiday (2008), the rule days
    that were statutory then are days off in the real calendar. (除夕 and 5-2 became
    statutory in 2025; before that they were only sometimes arranged off.)"""
    days = statutory_days(year)
    spring = [d for d, name in days.items() if name[0] == "春节"]
    new_year_eve, *spring_days = spring
    must_be_off = [d for d in days if d != new_year_eve and d != D(year, 5, 2)]
    if year >= 2025:
        must_be_off = list(days)
    assert len(spring_days) == 3
    off = [d for d in must_be_off if chinese_calendar.is_workday(d)]
    assert off == [], f"{year}: working in the State Council's calendar: {off}"
    # and they carry the same holiday's name there (a shared day: either name); a festival
    # on a weekend is sometimes left unnamed there (2012-06-23, 端午 on a Saturday)
    for day, (zh, _) in days.items():
        if day in must_be_off and day.weekday() < 5:
            on, name = chinese_calendar.get_holiday_detail(day)
            assert on and name in {THEIRS[z] for z in zh.split("/")}, (day, zh, name)


@pytest.mark.parametrize("year", range(2027, 2061))
def test_qingming_is_the_solar_term_by_chinesecalendars_own_formula(year: int) -> None:
    terms = chinese_calendar.get_solar_terms(D(year, 4, 1), D(year, 4, 10))
    (qingming,) = [d for d, name in terms if name == "清明"]
    assert statutory_days(year)[qingming][0] == "清明节"


def test_2027_working_days_skip_the_statutory_days() -> None:
    assert not CHINA.is_working(D(2027, 1, 1))  # Friday, 元旦
    assert CHINA.nth(D(2027, 1, 1), 1) == D(2027, 1, 4)  # Monday
    # 春节 Fri Feb 5 .. Mon Feb 8: back on Tuesday Feb 9
    assert CHINA.on_or_after(D(2027, 2, 5)) == D(2027, 2, 9)
    assert CHINA.on_or_before(D(2027, 2, 8)) == D(2027, 2, 4)
    assert not CHINA.is_working(D(2027, 6, 9)) and CHINA.is_working(D(2027, 6, 10))
    # every other weekday of 2027 is a working day, every weekend day is not
    day = D(2027, 1, 1)
    while day.year == 2027:
        if day not in statutory_days(2027):
            assert CHINA.is_working(day) is (day.weekday() < 5), day
        day += timedelta(days=1)


def test_the_holidays_table_overrides_and_silences_the_estimate() -> None:
    # the user types the State Council's 2027 arrangement once it is out
    rows = [Holiday(date=D(2027, 2, 9)), Holiday(date=D(2027, 2, 20), working=True)]
    days = workdays_from(rows)
    assert not days.is_working(D(2027, 2, 9))
    assert days.is_working(D(2027, 2, 20))  # a make-up Saturday
    touched = [D(2026, 12, 30), D(2027, 1, 4), D(2028, 3, 1)]
    assert estimated_years(touched) == (2027, 2028)
    assert estimated_years(touched, rows) == (2028,)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_warning_names_the_year_the_unknown_make_up_days_and_the_holidays_table(
    lang: str,
) -> None:
    w = calendar_warning(2027, lang)
    assert (w.severity, w.sheet, w.value) == ("warning", "Holidays", "2027")
    if lang == "zh":
        assert "2027 年" in w.message and "调休上班日" in w.message and "无法得知" in w.message
        assert "“节假日”（Holidays）表" in w.message and "“是”" in w.message
        assert "春节 2月5日至2月8日" in w.message
    else:
        assert w.message.startswith("2027:") and "make-up working days" in w.message
        assert "cannot be known" in w.message and "Holidays table" in w.message
        assert "Spring Festival 02-05 to 02-08" in w.message


def test_two_festivals_on_one_day_keep_both_names() -> None:
    # 2028: 中秋 (lunar 8-15) falls on Oct 3, a 国庆 day: 12 days, the 3rd named twice
    days = statutory_days(2028)
    assert len(days) == 12
    assert days[D(2028, 10, 3)] == ("中秋节/国庆节", "Mid-Autumn Festival / National Day")
    assert "中秋节/国庆节 10月3日" in calendar_warning(2028, "zh").message
