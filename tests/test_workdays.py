"""Working days: chinesecalendar's 2026 holidays and 调休 days, the workbook's Holidays on top."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from huikuan.engine.workdays import CHINA, Workdays, workdays_from
from huikuan.model import Holiday

D = date


def test_national_day_2026_is_off_from_the_first_to_the_seventh() -> None:
    # State Council 2026: 国庆节、中秋节 — Oct 1–7 off (Thu–Wed), back on Thu Oct 8
    assert [CHINA.is_working(D(2026, 10, d)) for d in range(1, 9)] == [False] * 7 + [True]


def test_adjusted_working_weekend_days_of_2026_are_working_days() -> None:
    assert D(2026, 9, 20).weekday() == 6 and CHINA.is_working(D(2026, 9, 20))  # Sunday
    assert D(2026, 10, 10).weekday() == 5 and CHINA.is_working(D(2026, 10, 10))  # Saturday
    assert CHINA.is_working(D(2026, 1, 4))  # Sunday after New Year
    assert CHINA.is_working(D(2026, 2, 14)) and CHINA.is_working(D(2026, 2, 28))  # Spring Fest.


def test_public_holidays_on_weekdays_are_not_working_days() -> None:
    for day in (D(2026, 1, 1), D(2026, 2, 16), D(2026, 4, 6), D(2026, 5, 1), D(2026, 6, 19)):
        assert day.weekday() < 5 and not CHINA.is_working(day)


def test_plain_weekends_and_weekdays() -> None:
    assert not CHINA.is_working(D(2026, 11, 7)) and not CHINA.is_working(D(2026, 11, 8))
    assert all(CHINA.is_working(D(2026, 11, d)) for d in range(2, 7))


def test_a_year_the_library_does_not_know_is_monday_to_friday_but_its_statutory_days() -> None:
    # 2035-01-01 is a Monday: 元旦, a statutory day off even without the State Council's data
    assert not CHINA.is_working(D(2035, 1, 1))
    assert CHINA.is_working(D(2035, 1, 2))  # Tuesday
    assert not CHINA.is_working(D(2035, 1, 6))  # Saturday


def test_holidays_table_adds_days_off_and_working_days() -> None:
    book_days = workdays_from(
        [
            Holiday(date=D(2026, 11, 11), note="company day off"),
            Holiday(date=D(2026, 11, 14), working=True, note="stocktaking Saturday"),
            Holiday(date=D(2026, 10, 8), working=False),  # a longer National Day
            Holiday(date=D(2026, 10, 10), working=False),  # no 调休 Saturday here
        ]
    )
    assert not book_days.is_working(D(2026, 11, 11))
    assert book_days.is_working(D(2026, 11, 14))
    assert not book_days.is_working(D(2026, 10, 8))
    assert not book_days.is_working(D(2026, 10, 10))
    assert book_days.is_working(D(2026, 11, 12))  # unlisted days keep the official calendar
    assert book_days.on_or_after(D(2026, 10, 1)) == D(2026, 10, 9)


def test_reminders_move_earlier_checks_and_chases_later() -> None:
    # National Day 2026: the last working day before is Wed Sep 30, the first after Thu Oct 8
    assert CHINA.on_or_before(D(2026, 10, 4)) == D(2026, 9, 30)
    assert CHINA.on_or_after(D(2026, 10, 4)) == D(2026, 10, 8)
    assert CHINA.on_or_after(D(2026, 10, 9)) == D(2026, 10, 9)
    assert CHINA.on_or_before(D(2026, 10, 11)) == D(2026, 10, 10)  # the working Saturday


def test_nth_working_day_of_a_month() -> None:
    assert CHINA.nth(D(2026, 10, 1), 1) == D(2026, 10, 8)
    assert CHINA.nth(D(2026, 10, 1), 2) == D(2026, 10, 9)
    assert CHINA.nth(D(2026, 10, 1), 3) == D(2026, 10, 10)  # Saturday, adjusted
    assert CHINA.nth(D(2026, 11, 1), 1) == D(2026, 11, 2)  # Nov 1 is a Sunday
    assert CHINA.nth(D(2026, 2, 1), 2) == D(2026, 2, 3)


def test_any_between_says_whether_a_working_day_lies_in_a_range() -> None:
    assert not CHINA.any_between(D(2026, 10, 1), D(2026, 10, 7))
    assert CHINA.any_between(D(2026, 10, 1), D(2026, 10, 8))
    assert not CHINA.any_between(D(2026, 11, 3), D(2026, 11, 2))  # an empty range


def test_plain_calendar_without_official_holidays() -> None:
    plain = Workdays(official=False)
    assert plain.is_working(D(2026, 10, 1))
    assert not plain.is_working(D(2026, 10, 10))


days = st.dates(D(2025, 12, 1), D(2027, 1, 31))


@given(days)
def test_moves_land_on_the_nearest_working_day_on_the_right_side(day: date) -> None:
    before, after = CHINA.on_or_before(day), CHINA.on_or_after(day)
    assert before <= day <= after
    assert CHINA.is_working(before) and CHINA.is_working(after)
    skipped_back = (before + timedelta(days=n) for n in range(1, (day - before).days + 1))
    skipped_ahead = (day + timedelta(days=n) for n in range((after - day).days))
    assert not any(CHINA.is_working(d) for d in (*skipped_back, *skipped_ahead))


@given(days, st.dictionaries(days, st.booleans(), max_size=20))
def test_an_override_always_wins_and_memoised_answers_match(day: date, over) -> None:
    cal = Workdays(over)
    if day in over:
        assert cal.is_working(day) is over[day]
    first = cal.on_or_after(day), cal.on_or_before(day)
    assert (cal.on_or_after(day), cal.on_or_before(day)) == first  # from the cache
    fresh = Workdays(over)
    assert (fresh.on_or_after(day), fresh.on_or_before(day)) == first
