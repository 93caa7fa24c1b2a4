"""Calendar honesty as a user meets it (issue 13 item 6): the CLI on a real team workbook
rolled into January 2027, a year chinesecalendar 1.11 has no data for.

Worked by hand: 2027-01-01 is a Friday and 元旦; Jan 2–3 are a weekend, so the first
working day of January 2027 is Monday Jan 4. 2027-03-01 is a Monday (Jan 1 Friday + 59
days). The demo team (as of 2026-12-21) has unpaid December installments to carry.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar
from openpyxl.utils import range_boundaries

from books import huikuan, table_rows
from huikuan.engine.workdays import statutory_days

HEADS = {
    "zh": ("警告", "2027 年", "调休上班日", "“节假日”（Holidays）表"),
    "en": ("warning", "2027:", "make-up working days", "Holidays table"),
}


def day(value: object) -> date:
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def carried(path: Path) -> list[tuple[date, date]]:
    """(due, carried from) of every carried Commitments row."""
    _, header, rows = table_rows(path, "Commitments")
    due = next(i for i, h in enumerate(header) if h in ("承诺回款日", "Due"))
    came = next(i for i, h in enumerate(header) if h in ("结转自", "Carried from"))
    return [(day(r[due]), day(r[came])) for r in rows if r[came] is not None]


def problems(path: Path) -> list[list[object]]:
    return table_rows(path, "Problems")[2]


@pytest.fixture(scope="module", params=["zh", "en"])
def december(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cal") / f"team-{request.param}.xlsx"
    done = huikuan("demo", "-o", path, "--lang", request.param, "--as-of", "2026-12-21")
    assert done.returncode == 0, done.stderr
    assert "2027" not in done.stderr  # December 2026 touches only a year the library knows
    return path


def test_roll_into_2027_carries_to_the_first_working_day_and_warns(
    december: Path, tmp_path: Path
) -> None:
    lang = "zh" if "zh" in december.name else "en"
    book = tmp_path / "team.xlsx"
    book.write_bytes(december.read_bytes())
    done = huikuan("roll", book, "--to", "2027-01", "--as-of", "2027-01-01")
    assert done.returncode == 0, done.stderr  # a warning alone: exit 0
    for words in HEADS[lang]:
        assert words in done.stderr, words
    # a problem of the whole sheet is placed as "Holidays", not a dangling "Holidays!"
    assert f"{HEADS[lang][0]}: Holidays " in done.stderr and "Holidays!" not in done.stderr
    moved = carried(book)
    assert moved and {due for due, _ in moved} == {date(2027, 1, 4)}
    assert all(came.year == 2026 and came.month == 12 for _, came in moved)
    # the Problems sheet says it too, in one row for the year
    rows = [r for r in problems(book) if "2027" in str(r)]
    assert len(rows) == 1 and rows[0][0] == "Holidays" and str(rows[0][2]) == "2027"

    # schedule on New Year's Day 2027, as a rep would: nothing on a statutory day or weekend
    ics = tmp_path / "jan.ics"
    shown = huikuan("schedule", book, "--as-of", "2027-01-01", "--ics", ics)
    assert shown.returncode == 0, shown.stderr
    assert HEADS[lang][1] in shown.stderr
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    days = {day(e.decoded("DTSTART")) for e in events}
    assert days and min(days) == date(2027, 1, 4)
    assert not days & set(statutory_days(2027))
    assert all(d.weekday() < 5 for d in days)

    # refresh and diagnose warn as well; check reads the 2027 plan and warns too
    for command in (
        ("refresh", book, "--as-of", "2027-01-05"),
        ("diagnose", book, "--as-of", "2027-01-05"),
        ("check", book),
    ):
        again = huikuan(*command)
        assert again.returncode == 0, again.stderr
        assert HEADS[lang][1] in again.stderr

    # split and collect: on stderr, and in the Problems sheet of every file they write
    reps = tmp_path / "reps"
    split = huikuan("split", book, "--out", reps, "--as-of", "2027-01-05")
    assert HEADS[lang][1] in split.stderr, split.stderr
    for rep_file in reps.glob("*.xlsx"):
        assert [r for r in problems(rep_file) if str(r[2]) == "2027"], rep_file.name
    team = tmp_path / "collected.xlsx"
    collected = huikuan("collect", reps, "-o", team, "--base", book, "--as-of", "2027-01-05")
    assert HEADS[lang][1] in collected.stderr, collected.stderr
    assert [r for r in problems(team) if str(r[2]) == "2027"]


def test_roll_past_a_month_refuses_naming_it_unless_skip(december: Path, tmp_path: Path) -> None:
    lang = "zh" if "zh" in december.name else "en"
    book = tmp_path / "team.xlsx"
    book.write_bytes(december.read_bytes())
    assert huikuan("roll", book, "--to", "2027-01", "--as-of", "2027-01-05").returncode == 0
    before = book.read_bytes()
    done = huikuan("roll", book, "--to", "2027-03", "--as-of", "2027-01-05")
    assert done.returncode == 2
    skipped = "2027年2月" if lang == "zh" else "2027-02"
    assert skipped in done.stderr and "--skip" in done.stderr
    assert "Traceback" not in done.stderr
    assert book.read_bytes() == before  # nothing written

    done = huikuan("roll", book, "--to", "2027-03", "--as-of", "2027-01-05", "--skip")
    assert done.returncode == 0, done.stderr
    march = [due for due, _ in carried(book) if due.month == 3]
    assert march and set(march) == {date(2027, 3, 1)}


def test_a_holidays_row_in_2027_stops_the_warning(december: Path, tmp_path: Path) -> None:
    book = tmp_path / "team.xlsx"
    book.write_bytes(december.read_bytes())
    assert huikuan("roll", book, "--to", "2027-01", "--as-of", "2027-01-05").returncode == 0
    wb = openpyxl.load_workbook(book)
    ws = next(ws for ws in wb.worksheets if "Holidays" in ws.tables)
    table = ws.tables["Holidays"]
    c0, r0, c1, r1 = range_boundaries(table.ref)
    last = r1 if any(ws.cell(r1, c).value is not None for c in range(c0, c1 + 1)) else r1 - 1
    # the State Council's make-up Saturday, as the user types it: 2027-02-20, working yes
    ws.cell(last + 1, c0, date(2027, 2, 20))
    ws.cell(last + 1, c0 + 1, "是" if "zh" in december.name else "yes")
    table.ref = f"{ws.cell(r0, c0).coordinate}:{ws.cell(max(r1, last + 1), c1).coordinate}"
    table.autoFilter.ref = table.ref
    wb.save(book)
    done = huikuan("refresh", book, "--as-of", "2027-01-05")
    assert done.returncode == 0, done.stderr
    assert "2027" not in done.stderr
    assert not [r for r in problems(book) if "2027" in str(r)]
