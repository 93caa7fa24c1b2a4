"""The ribbon buttons, run on the in-memory xlwings stand-in (tests/xlwings_standin.py).

The stand-in implements only the xlwings calls LiveBook and macros.py make; it is
not Excel. Every button runs its real job of huikuan.jobs: what a button writes
into the open book is held to what the command writes into a file, and the
buttons that write files (New month, Split, Collect) are pressed on a saved book
and their files read back.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import xlwings_standin as xs
from books import Tab, sample_tabs, table_rows, write_book
from huikuan import contract, jobs, macros
from test_team import add_rows

AS_OF = date(2026, 11, 23)
OUTPUTS = tuple(t.name for t in contract.OUTPUT_TABLES)


def team(lang: str = "zh", bad: bool = False, path: Path | None = None) -> xs.Book:
    book = xs.book_from_tabs(sample_tabs(lang, bad))
    book.path = None if path is None else str(path)
    return book


def sheets(book: xs.Book) -> list[str]:
    return [s.name for s in book.sheets]


def said(book: xs.Book) -> str:
    (prompt, title, _), *_ = book.app.alerts
    assert title == "回款 huikuan"
    return prompt


def test_refresh_writes_what_the_command_writes(tmp_path: Path):
    book = team("en", bad=True)
    macros.refresh(book, AS_OF)
    path = write_book(tmp_path / "team.xlsx", sample_tabs("en", bad=True))
    jobs.refresh(path, AS_OF)
    for name in OUTPUTS:
        _, headers, rows = xs.table_values(book, name)
        _, want_headers, want_rows = table_rows(path, name)
        assert headers == want_headers
        assert len(rows) == len(want_rows)
    assert ", ".join(t.name for t in contract.OUTPUT_TABLES) in said(book)
    # 15 warnings: the sample team's amounts and dates typed as text
    assert "3 problem(s), 15 warning(s), see the Problems sheet." in said(book)
    assert book.app.screen_updating is True


def test_messages_follow_the_workbooks_language():
    book = team("zh")
    macros.refresh(book, AS_OF)
    assert said(book).startswith("已写入（截至 2026年11月23日）：回款状态、跟进计划")
    assert "0 个问题，14 个警告，见“问题”工作表。" in said(book)


def test_schedule_writes_only_the_schedule_and_problems():
    book = team()
    macros.schedule(book, AS_OF)
    assert [s for s in sheets(book) if s in OUTPUTS] == ["Schedule", "Problems"]
    assert xs.table_values(book, "Schedule")[2]


def test_check_changes_nothing_and_lists_the_problems():
    book = team("en", bad=True)
    before = sheets(book)
    macros.check(book, AS_OF)
    assert sheets(book) == before
    prompt, _, mode = book.app.alerts[0]
    assert prompt.startswith("3 problem(s), 15 warning(s):\nPlan!A5 [2026-13] Month: not a month")
    assert mode == "critical"
    clean = team("zh")  # text amounts and dates only: warnings, not critical
    macros.check(clean, AS_OF)
    prompt, _, mode = clean.app.alerts[0]
    assert prompt.startswith("0 个问题，14 个警告：\n⚠ Plan!A3 [2026-11] 月份是文字")
    assert mode != "critical"


def test_diagnose_writes_the_diagnosis_sheets():
    book = team()
    macros.diagnose(book, AS_OF)
    assert [s for s in sheets(book) if s in OUTPUTS] == ["Diagnosis", "Excuses", "Problems"]
    _, headers, rows = xs.table_values(book, "Diagnosis")
    assert headers[0] == "业务员"
    # two reps and the team, six causes; then the forecast's likely misses (test_forecast_sheet)
    assert [r[1] for r in rows[18:]] == ["预计月底未达标"] * len(rows[18:])


def test_an_unusable_book_is_a_message_not_a_traceback():
    book = xs.book_from_tabs([*sample_tabs(), Tab("Mine", ["note"], [["x"]], sheet="Status")])
    macros.refresh(book, AS_OF)
    prompt, _, mode = book.app.alerts[0]
    assert "Status" in prompt and mode == "critical"
    assert book.app.screen_updating is True


def test_a_bug_is_reported_plainly(monkeypatch: pytest.MonkeyPatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "refresh_book", broken)
    book = team()
    macros.refresh(book, AS_OF)
    assert "RuntimeError: boom" in said(book) and "please report" in said(book)


def test_every_button_is_a_function_of_book_and_day():
    assert [b.__name__ for b in macros.BUTTONS] == [
        "refresh",
        "schedule",
        "diagnose",
        "check",
        "new_month",
        "split",
        "collect",
        "self_test",
    ]
    for button in macros.BUTTONS:
        assert button.__doc__ and any("\u4e00" <= ch <= "\u9fff" for ch in button.__doc__)


def test_a_button_with_no_workbook_says_so_instead_of_failing(capsys: pytest.CaptureFixture[str]):
    # no calling workbook (xw.Book.caller() raises) and no Excel here: the message goes to
    # stderr, where RunPython's console shows it; in Excel it is an alert
    for button in macros.BUTTONS:
        button()
        err = capsys.readouterr().err
        assert err.strip() == f"{macros.NO_BOOK[0]}\n\n{macros.NO_BOOK[1]}", button.__name__


# ---- every button against its real job, on a saved book ---------------------------------


def saved(tmp_path: Path, lang: str = "zh") -> tuple[xs.Book, Path]:
    """The sample team saved as 团队.xlsx and open in the stand-in."""
    path = write_book(tmp_path / "团队.xlsx", sample_tabs(lang))
    return team(lang, path=path), path


def wrote_outputs(names: tuple[str, ...]) -> Callable[[xs.Book, Path], None]:
    def check(book: xs.Book, path: Path) -> None:
        assert [s for s in sheets(book) if s in OUTPUTS] == list(names)
        for name in names:
            _, headers, _ = xs.table_values(book, name)
            table = next(t for t in contract.OUTPUT_TABLES if t.name == name)
            assert headers == [c.zh for c in table.columns]
        if "Status" in names:  # worked by hand in books.py (as of 11-23)
            _, headers, rows = xs.table_values(book, "Status")
            at = {h: n for n, h in enumerate(headers)}
            by_id = {r[at["客户编号"]]: r for r in rows}
            # C1: 200,000 target, 100,000 committed; 60,000 due 11-10 owed from 11-16
            # (grade A, 5 days' grace), 50,000 received: partial
            assert by_id["C1"][at["目标差距"]] == 100_000
            assert by_id["C1"][at["承诺状态"]] == "部分兑现"
            # C2: 30,000 due 11-05 owed from 11-07 (grade C, 1 day), nothing received
            assert by_id["C2"][at["承诺状态"]] == "失约"
        if "Schedule" in names:
            _, headers, rows = xs.table_values(book, "Schedule")
            days = {r[headers.index("日期")] for r in rows}
            assert rows and min(days) >= datetime(2026, 11, 23)
        if "Diagnosis" in names:
            _, _, rows = xs.table_values(book, "Diagnosis")
            # two reps and the team, six causes each; then the forecast's likely misses
            assert len(rows) >= 6 * 3
            assert {r[1] for r in rows[18:]} <= {"预计月底未达标"}

    return check


def checked(book: xs.Book, path: Path) -> None:
    assert said(book).startswith("0 个问题，14 个警告：")  # the sample's text amounts
    assert not set(sheets(book)) & set(OUTPUTS)


def rolled(book: xs.Book, path: Path) -> None:
    copy = path.with_name("团队-2026-12.xlsx")
    assert book.app.books.opened == [str(copy)]
    new, problems = jobs.load(copy)
    assert [p for p in problems if p.is_error] == []
    assert {(p.month, p.customer_id) for p in new.plan if p.month == date(2026, 12, 1)} == {
        (date(2026, 12, 1), "C1"),
        (date(2026, 12, 1), "C2"),
        (date(2026, 12, 1), "C3"),
    }
    # worked by hand: C1's 50,000 received pays its 60,000 of 11-10 first (10,000 left) and
    # none of its 40,000 of 11-25; C2's 30,000 is unpaid; all due on 12-01 (a Tuesday)
    carried: dict[str, Decimal] = {}
    for inst in new.commitments:
        if inst.carried_from is not None:
            assert inst.due == date(2026, 12, 1)
            carried[inst.customer_id] = carried.get(inst.customer_id, Decimal(0)) + inst.amount
    assert carried == {"C1": Decimal(50000), "C2": Decimal(30000)}
    assert "已生成2026年12月的计划" in said(book)


def split_up(book: xs.Book, path: Path) -> None:
    folder = path.with_name("团队-split")
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["Li.xlsx", "Wang.xlsx"]
    for rep, ids in (("Wang", {"C1", "C3"}), ("Li", {"C2"})):
        mine, problems = jobs.load(folder / f"{rep}.xlsx")
        assert [p for p in problems if p.is_error] == []
        assert {c.customer_id for c in mine.customers} == ids
        assert {c.rep for c in mine.customers} == {rep}
    assert "已为 2 位业务员生成工作簿" in said(book)


def collected(book: xs.Book, path: Path) -> None:
    returns = path.with_name("团队-returns")
    assert returns.is_dir() and "请把业务员交回的工作簿放入" in said(book)
    # the reps return their files (Li logged a receipt), and Collect is pressed again
    macros.split(book, AS_OF)
    for rep_file in path.with_name("团队-split").iterdir():
        shutil.copy(rep_file, returns / rep_file.name)
    receipt = {"date": date(2026, 11, 20), "customer_id": "C2", "amount": 7000, "reference": "R-9"}
    add_rows(returns / "Li.xlsx", "Receipts", [receipt])
    macros.collect(book, AS_OF)
    out = path.with_name("团队-collected.xlsx")
    assert book.app.books.opened == [str(out)]
    merged, _ = jobs.load(out)
    assert {c.customer_id for c in merged.customers} == {"C1", "C2", "C3"}
    got = {(r.customer_id, r.amount, r.reference) for r in merged.receipts}
    assert ("C2", Decimal(7000), "R-9") in got and len(got) == 4
    _, _, report = table_rows(out, "Collect")
    assert sum(1 for row in report if "Li.xlsx" in row) >= 1
    assert "采用 2 个文件" in book.app.alerts[-1][0]


def self_tested(book: xs.Book, path: Path) -> None:
    # the doctor's lines (tests/test_addin_doctor.py holds them to `huikuan addin doctor`)
    assert "=GAP(100,40)" in said(book) and "[正常]" in said(book) and "[ok]" in said(book)
    assert not set(sheets(book)) & set(OUTPUTS)


PRESSED: dict[str, Callable[[xs.Book, Path], None]] = {
    "refresh": wrote_outputs(OUTPUTS),
    "schedule": wrote_outputs(("Schedule", "Problems")),
    "diagnose": wrote_outputs(("Diagnosis", "Excuses", "Problems")),
    "check": checked,
    "new_month": rolled,
    "split": split_up,
    "collect": collected,
    "self_test": self_tested,
}


def test_every_button_has_its_check_here():
    assert set(PRESSED) == {b.__name__ for b in macros.BUTTONS}


@pytest.mark.parametrize("button", macros.BUTTONS, ids=lambda b: b.__name__)
def test_every_button_runs_its_real_job(tmp_path: Path, button: Callable[..., None]) -> None:
    book, path = saved(tmp_path)
    before = path.read_bytes()
    button(book, AS_OF)
    for prompt, _, _ in book.app.alerts:
        assert "内部错误" not in prompt and "not available" not in prompt, prompt
    PRESSED[button.__name__](book, path)
    assert path.read_bytes() == before  # the open book's file is never rewritten
    assert not [p.name for p in tmp_path.rglob(".*")]  # no temporary file left behind
    assert book.app.screen_updating is True


def test_a_file_button_never_replaces_what_is_there(tmp_path: Path) -> None:
    book, path = saved(tmp_path)
    macros.new_month(book, AS_OF)
    first = path.with_name("团队-2026-12.xlsx").read_bytes()
    macros.new_month(book, AS_OF)
    prompt, _, mode = book.app.alerts[-1]
    assert "已存在" in prompt and "exists" in prompt and mode == "critical"
    assert path.with_name("团队-2026-12.xlsx").read_bytes() == first
    macros.split(book, AS_OF)
    macros.split(book, AS_OF)
    assert "团队-split" in book.app.alerts[-1][0] and book.app.alerts[-1][2] == "critical"


def test_a_file_system_error_names_the_users_path(tmp_path: Path) -> None:
    book, path = saved(tmp_path)
    blocker = path.with_name("团队-returns")
    blocker.write_text("not a folder")  # where Collect wants its folder of returns
    macros.collect(book, AS_OF)
    prompt, _, mode = book.app.alerts[-1]
    assert mode == "critical" and "内部错误" not in prompt and "Internal error" not in prompt
    assert str(blocker) in prompt and "无法写入" in prompt and "cannot be written" in prompt
    assert blocker.read_text() == "not a folder"
